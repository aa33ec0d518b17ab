package cli

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"sort"
	"strconv"

	"ccg/internal/access"
	"ccg/internal/calendar"
	"ccg/internal/engagement"
	"ccg/internal/mail"
	"ccg/internal/smtp"
)

// wireMail builds the mail service over the SQL store (a.mail) and, when
// --smtp-url names a server, the sender that serve's delivery worker uses.
func (a *app) wireMail(context.Context) error {
	from := ""
	if a.cfg.SMTPURL != "" {
		cfg, err := smtp.ParseURL(a.cfg.SMTPURL)
		if err != nil {
			return fmt.Errorf("wire mail: %w", err)
		}
		a.mailSender = smtp.New(cfg)
		from = cfg.FromName
	}
	a.mail = mail.NewService(a.sql, a.cfg.PublicBase(), from)
	a.mail.SetAlerts(variationAlerts{a}, a.latestMonth)
	return nil
}

// startMailWorker starts delivering the outbox in the background until ctx
// is done; without a mail server it does nothing (messages wait in the
// outbox, where administrators read them).
func (a *app) startMailWorker(ctx context.Context, log *slog.Logger) {
	if a.mailSender == nil || a.mail == nil {
		log.Info("no --smtp-url: e-mail stays in the outbox (/admin/outbox)")
		return
	}
	host, _ := os.Hostname()
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	name := host + "/" + strconv.Itoa(os.Getpid()) + "/" + hex.EncodeToString(b)
	w := mail.NewWorker(a.sql, a.mailSender, name, log)
	log.Info("delivering e-mail", "server", a.mailSender.Config().String(), "worker", name)
	go w.Run(ctx)
}

// memberInvitees lists the people to invite to a survey wave: everybody
// enabled who works at a practice, classed by their professional role, as a
// leader when they sit on the governing body or lead a locality, and by
// their practice's locality.
type memberInvitees struct{ a *app }

// Invitees implements engagement.InviteeSource.
func (m memberInvitees) Invitees(ctx context.Context, on calendar.Date) ([]engagement.Invitee, error) {
	people, err := m.a.access.People(ctx, access.System)
	if err != nil {
		return nil, fmt.Errorf("invitees: %w", err)
	}
	sort.Slice(people, func(i, j int) bool { return people[i].ID < people[j].ID })
	loc := registryLocalities{m.a.registry}
	locOf := map[string]string{}
	var out []engagement.Invitee
	for _, p := range people {
		if len(p.Practices) == 0 || p.Disabled {
			continue
		}
		code := p.Practices[0]
		l, ok := locOf[code]
		if !ok {
			if l, err = loc.LocalityOf(ctx, code); err != nil {
				return nil, fmt.Errorf("invitees: %w", err)
			}
			locOf[code] = l
		}
		c := engagement.Class{Locality: l, Role: demoRoleGroup(p.Professional), Leadership: engagement.OtherMember}
		if slices.Contains(p.Roles, access.RoleGoverningBody) || slices.Contains(p.Roles, access.RoleLocalityLead) {
			c.Leadership = engagement.Leader
		}
		out = append(out, engagement.Invitee{Person: p.ID, Practice: code, Class: c})
	}
	return out, nil
}

// waveKeyPrefix starts the outbox key of every invitation to a wave.
func waveKeyPrefix(wave int64) string { return fmt.Sprintf("wave:%d:person:", wave) }

// surveyMailer e-mails each invitee their one-time link (engagement's
// InvitationMailer). The message is secret: administrators never see its
// body, which is wiped once sent.
type surveyMailer struct{ a *app }

// MailInvitations implements engagement.InvitationMailer.
func (m surveyMailer) MailInvitations(ctx context.Context, sv engagement.Survey, w engagement.Wave, issued []engagement.IssuedToken) error {
	people, err := m.a.access.People(ctx, access.System)
	if err != nil {
		return fmt.Errorf("mail invitations: %w", err)
	}
	emails := map[int64]string{}
	for _, p := range people {
		emails[p.ID] = p.Email
	}
	last := w.Closes.AddDays(-1)
	for _, tk := range issued {
		to := emails[tk.Person]
		if to == "" {
			continue
		}
		c := mail.Content{
			Subject: "Your invitation to the " + sv.Title + ": " + w.Name,
			Lead:    "You are invited to answer the " + sv.Title + " (" + w.Name + "). It is anonymous: nobody, including the CCG, can tell who gave which answers.",
			Paragraphs: []string{
				"You can answer until the end of " + last.Format("Monday 2 January 2006") + ". It takes about 10 minutes.",
			},
			Action: &mail.Link{Text: "Answer the survey", URL: m.a.mail.URL("/survey?token=" + tk.Token)},
			After: []string{
				"This link is yours alone and works once. Please do not forward this e-mail: nobody else has a copy of the link.",
			},
			Why: "You are getting this because you work at a member practice of the CCG.",
		}
		key := fmt.Sprintf("%s%d", waveKeyPrefix(w.ID), tk.Person)
		// unsent by the time the wave closes, the link is useless: wiped
		o := mail.Options{Secret: true, Expires: w.Closes.Time().UTC()}
		if _, err := m.a.mail.Queue(ctx, to, mail.KindSurveyInvitation, key, c, o); err != nil {
			return fmt.Errorf("mail invitations: %w", err)
		}
	}
	return nil
}
