package cli

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"time"

	"ccg/internal/access"
	"ccg/internal/engagement"
	"ccg/internal/governance"
	"ccg/internal/mail"
)

// mailNotifier turns governance's and engagement's changes into e-mail in
// the outbox, inside the transaction of each change (it implements
// governance.Notifier and engagement.Notifier). No message carries
// anybody's survey answers: survey responses are never notified.
type mailNotifier struct{ a *app }

var (
	_ governance.Notifier = mailNotifier{}
	_ engagement.Notifier = mailNotifier{}
)

// people returns everybody by ID.
func (n mailNotifier) people(ctx context.Context) (map[int64]access.Person, error) {
	ps, err := n.a.access.People(ctx, access.System)
	if err != nil {
		return nil, fmt.Errorf("mail notify: %w", err)
	}
	out := make(map[int64]access.Person, len(ps))
	for _, p := range ps {
		out[p.ID] = p
	}
	return out, nil
}

// voters returns the people who may cast each practice's vote (practice
// members working there, as governance's entitlement rule says).
func (n mailNotifier) voters(ctx context.Context, practices []governance.Entitled) ([]access.Person, map[int64]governance.Entitled, error) {
	people, err := n.people(ctx)
	if err != nil {
		return nil, nil, err
	}
	ids := make([]int64, 0, len(people))
	for id := range people {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	var out []access.Person
	practiceOf := map[int64]governance.Entitled{}
	for _, id := range ids {
		p := people[id]
		if p.Disabled || !slices.Contains(p.Roles, access.RolePracticeMember) {
			continue
		}
		for _, e := range practices {
			if slices.Contains(p.Practices, e.Practice) {
				out = append(out, p)
				practiceOf[p.ID] = e
				break
			}
		}
	}
	return out, practiceOf, nil
}

func practiceName(e governance.Entitled) string {
	if e.Name != "" {
		return e.Name
	}
	return e.Practice
}

// VoteOpened implements governance.Notifier: every person who may cast an
// entitled practice's vote is told the vote is open.
func (n mailNotifier) VoteOpened(ctx context.Context, v governance.MemberVote) error {
	people, practiceOf, err := n.voters(ctx, v.Roster)
	if err != nil {
		return err
	}
	for _, p := range people {
		c := mail.Content{
			Subject: "Your practice can vote: " + v.Question,
			Lead:    practiceName(practiceOf[p.ID]) + " is entitled to vote on: " + v.Question,
			Paragraphs: []string{
				"The vote closes at " + v.Closes.UTC().Format("15:04 on Monday 2 January 2006") + " (UK time may differ by an hour). Each practice has one vote, cast by one of its members.",
			},
			Action: &mail.Link{Text: "See the vote and cast your practice's vote", URL: n.a.mail.URL(fmt.Sprintf("/governance/votes/%d", v.ID))},
			Why:    "You are getting this because you are a member of a practice entitled to vote.",
		}
		if _, err := n.a.mail.Queue(ctx, p.Email, mail.KindVoteOpened, fmt.Sprintf("%d:person:%d", v.ID, p.ID), c, mail.Options{}); err != nil {
			return err
		}
	}
	return nil
}

// MeetingAgenda implements governance.Notifier: a member whose declared
// interests conflict with an agenda item is told before the meeting.
func (n mailNotifier) MeetingAgenda(ctx context.Context, m governance.Meeting) error {
	if n.a.governance == nil {
		return nil
	}
	var people map[int64]access.Person
	for _, it := range m.Agenda {
		chk, err := n.a.governance.CheckMeetingItem(ctx, m.ID, it.No, nil)
		if err != nil {
			return fmt.Errorf("mail notify: meeting %d item %d: %w", m.ID, it.No, err)
		}
		for _, x := range chk.Exclusions {
			if people == nil {
				if people, err = n.people(ctx); err != nil {
					return err
				}
			}
			p, ok := people[x.Person]
			if !ok || p.Disabled {
				continue
			}
			c := mail.Content{
				Subject: fmt.Sprintf("Declared interest: item %d of the meeting on %s", it.No, m.Date.Format("2 January 2006")),
				Lead:    fmt.Sprintf("Item %d, %q, concerns %s, where you have declared an interest: %s.", it.No, it.Title, x.Organisation, x.Interest),
				Paragraphs: []string{
					"You will be asked to leave the meeting for this item unless the chair decides otherwise and records why. Tell the governance secretary if your interest has changed.",
				},
				Action: &mail.Link{Text: "See the meeting and its agenda", URL: n.a.mail.URL(fmt.Sprintf("/governance/meetings/%d", m.ID))},
				Links:  []mail.Link{{Text: "Check your declarations", URL: n.a.mail.URL("/governance/declarations")}},
				Why:    "You are getting this because you sit on the body holding the meeting and have declared interests.",
			}
			key := fmt.Sprintf("%d:item:%d:person:%d:interest:%d", m.ID, it.No, x.Person, x.InterestID)
			if _, err := n.a.mail.Queue(ctx, p.Email, mail.KindAgendaConflict, key, c, mail.Options{}); err != nil {
				return err
			}
		}
	}
	return nil
}

// QuestionAnswered implements engagement.Notifier: the member who asked is
// told (the message says the question has an answer and links to it).
func (n mailNotifier) QuestionAnswered(ctx context.Context, q engagement.Question) error {
	people, err := n.people(ctx)
	if err != nil {
		return err
	}
	p, ok := people[q.Asker]
	if !ok || p.Disabled {
		return nil
	}
	c := mail.Content{
		Subject: "Your question has been answered: " + q.Subject,
		Lead:    "The question you asked, \u201c" + q.Subject + "\u201d, has been answered.",
		Action:  &mail.Link{Text: "Read the answer", URL: n.a.mail.URL("/questions")},
		Why:     "You are getting this because you asked this question.",
	}
	if q.Private {
		c.Paragraphs = []string{"Your question was private, so the answer is shown only to you."}
	}
	_, err = n.a.mail.Queue(ctx, p.Email, mail.KindQuestionAnswered, strconv.FormatInt(q.ID, 10), c, mail.Options{})
	return err
}

// YouSaidWeDid implements engagement.Notifier: everybody who responded to
// the consultation (responses are signed, unlike survey answers) is told
// what was done.
func (n mailNotifier) YouSaidWeDid(ctx context.Context, c engagement.Consultation) error {
	rs, err := n.a.engagement.ConsultationResponses(ctx, c.ID)
	if err != nil {
		return fmt.Errorf("mail notify: %w", err)
	}
	if len(rs) == 0 {
		return nil
	}
	people, err := n.people(ctx)
	if err != nil {
		return err
	}
	for _, r := range rs {
		p, ok := people[r.Person]
		if !ok || p.Disabled {
			continue
		}
		m := mail.Content{
			Subject:    "You said, we did: " + c.Title,
			Lead:       "Thank you for responding to the consultation on " + c.Title + ". This is what the CCG did.",
			Paragraphs: []string{c.YouSaidWeDid},
			Action:     &mail.Link{Text: "See the consultation and what came of it", URL: n.a.mail.URL(fmt.Sprintf("/consultations/%d", c.ID))},
			Why:        "You are getting this because you responded to this consultation.",
		}
		if _, err := n.a.mail.Queue(ctx, p.Email, mail.KindYouSaidWeDid, fmt.Sprintf("%d:person:%d", c.ID, r.Person), m, mail.Options{}); err != nil {
			return err
		}
	}
	return nil
}

// WaveClosed implements engagement.Notifier: invitations to the wave still
// unsent are given up and their links wiped.
func (n mailNotifier) WaveClosed(ctx context.Context, w engagement.Wave) error {
	return n.a.mail.ExpireNow(ctx, mail.KindSurveyInvitation, waveKeyPrefix(w.ID))
}

// remindBefore is how long before a vote closes the practices that have
// not voted are reminded.
const remindBefore = 48 * time.Hour

// Remind queues the reminders that are due at now: practices that have not
// voted in a vote closing within two days, and governing-body members
// whose yearly confirmation of their declared interests is due. Each
// reminder is queued once (its outbox key), however often this runs.
func (n mailNotifier) Remind(ctx context.Context, now time.Time) (int, error) {
	if n.a.governance == nil || n.a.mail == nil {
		return 0, nil
	}
	queued := 0
	votes, err := n.a.governance.Votes(ctx, "")
	if err != nil {
		return 0, fmt.Errorf("remind: %w", err)
	}
	for _, v := range votes {
		if !v.OpenAt(now) || now.Before(v.Closes.Add(-remindBefore)) {
			continue
		}
		due, err := n.a.governance.Reminders(ctx, v.ID, remindBefore)
		if err != nil {
			return queued, fmt.Errorf("remind: %w", err)
		}
		people, practiceOf, err := n.voters(ctx, due)
		if err != nil {
			return queued, err
		}
		for _, p := range people {
			c := mail.Content{
				Subject: "Reminder: your practice has not voted on " + v.Question,
				Lead:    practiceName(practiceOf[p.ID]) + " has not yet voted on: " + v.Question,
				Paragraphs: []string{
					"The vote closes at " + v.Closes.UTC().Format("15:04 on Monday 2 January 2006") + ". If someone else at your practice votes first, your practice's vote is cast.",
				},
				Action: &mail.Link{Text: "Cast your practice's vote", URL: n.a.mail.URL(fmt.Sprintf("/governance/votes/%d", v.ID))},
				Why:    "You are getting this because your practice is entitled to vote and has not voted yet.",
			}
			ok, err := n.a.mail.Queue(ctx, p.Email, mail.KindVoteClosing, fmt.Sprintf("%d:person:%d", v.ID, p.ID), c, mail.Options{})
			if err != nil {
				return queued, err
			}
			if ok {
				queued++
			}
		}
	}
	people, err := n.people(ctx)
	if err != nil {
		return queued, err
	}
	var members []governance.PersonID
	for id, p := range people {
		if !p.Disabled && slices.Contains(p.Roles, access.RoleGoverningBody) {
			members = append(members, id)
		}
	}
	slices.Sort(members)
	due, err := n.a.governance.DueConfirmations(ctx, members)
	if err != nil {
		return queued, fmt.Errorf("remind: %w", err)
	}
	for _, id := range due {
		p := people[id]
		c := mail.Content{
			Subject: "Please confirm your declaration of interests for " + strconv.Itoa(now.Year()),
			Lead:    "Once a year, everyone on the governing body confirms that their declared interests, gifts and hospitality are complete and up to date. Yours is due.",
			Paragraphs: []string{
				"Check what you have declared, add anything missing, and confirm. It takes a few minutes.",
			},
			Action: &mail.Link{Text: "Check and confirm your declarations", URL: n.a.mail.URL("/governance/declarations")},
			Why:    "You are getting this because you sit on the governing body.",
		}
		ok, err := n.a.mail.Queue(ctx, p.Email, mail.KindDeclarationDue, fmt.Sprintf("%d:%d", id, now.Year()), c, mail.Options{})
		if err != nil {
			return queued, err
		}
		if ok {
			queued++
		}
	}
	return queued, nil
}

// startReminders runs Remind now and then every interval until ctx is done.
func (a *app) startReminders(ctx context.Context, log *slog.Logger, every time.Duration) {
	if a.mail == nil || a.governance == nil {
		return
	}
	go func() {
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			if n, err := (mailNotifier{a}).Remind(ctx, time.Now()); err != nil && ctx.Err() == nil {
				log.Error("reminders", "error", err)
			} else if n > 0 {
				log.Info("reminders queued", "messages", n)
			}
			if n, err := a.mail.Expire(ctx); err != nil && ctx.Err() == nil {
				log.Error("expire mail", "error", err)
			} else if n > 0 {
				log.Info("unsent messages expired", "messages", n)
			}
			// alerts of the newest month to subscriptions confirmed since it was published
			if n, err := a.monthlyAlerts(ctx); err != nil && ctx.Err() == nil {
				log.Error("monthly alerts", "error", err)
			} else if n > 0 {
				log.Info("monthly alerts queued", "messages", n)
			}
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	}()
}
