package web

import (
	"net/http"
	"strconv"
	"strings"

	"ccg/internal/access"
	"ccg/internal/calendar"
	"ccg/internal/engagement"
	"ccg/internal/mail"
	"ccg/internal/registry"
)

// SurveyMail is what opening a survey wave by e-mail needs: who to invite
// and how to send each person their one-time link.
type SurveyMail struct {
	Invitees engagement.InviteeSource
	Mailer   engagement.InvitationMailer
}

// mailRoutes are the outbox for administrators, the pages behind links in
// e-mails, alert subscriptions and opening a survey wave by e-mail; none
// when Deps.Mail is nil.
func (s *Server) mailRoutes() []route {
	if s.deps.Mail == nil {
		return nil
	}
	rs := []route{
		{Method: "GET", Path: "/admin/outbox", API: apiPrefix + "/outbox", Action: access.ActMailOutbox, Page: "mail/outbox", View: s.outboxView},
		{Method: "GET", Path: "/admin/outbox/{id}", API: apiPrefix + "/outbox/{id}", Action: access.ActMailOutbox, Resource: pathResource("message", "id"),
			Page: "mail/message", View: s.outboxMessageView},
		{Method: "POST", Path: "/admin/outbox/{id}/retry", API: apiPrefix + "/outbox/{id}/retry", Action: access.ActMailOutbox, Resource: pathResource("message", "id"),
			Page: "mail/done", View: s.outboxRetryView},

		{Method: "GET", Path: "/mail/unsubscribe/{token}", Action: access.ActMailLink, Page: "mail/unsubscribe", View: s.unsubscribeFormView},
		{Method: "POST", Path: "/mail/unsubscribe/{token}", API: apiPrefix + "/mail/unsubscribe/{token}", Action: access.ActMailLink, Page: "mail/done", View: s.unsubscribeView},
		{Method: "GET", Path: "/mail/preferences/{token}", API: apiPrefix + "/mail/preferences/{token}", Action: access.ActMailLink, Page: "mail/preferences", View: s.preferencesView},
		{Method: "POST", Path: "/mail/preferences/{token}", API: apiPrefix + "/mail/preferences/{token}", Action: access.ActMailLink, Page: "mail/done", View: s.preferencesSaveView},
		{Method: "GET", Path: "/mail/confirm/{token}", Action: access.ActMailLink, Page: "mail/confirm", View: s.confirmFormView},
		{Method: "POST", Path: "/mail/confirm/{token}", API: apiPrefix + "/mail/confirm/{token}", Action: access.ActMailLink, Page: "mail/done", View: s.confirmView},

		{Method: "GET", Path: "/alerts", Action: access.ActMailSubscribe, Page: "mail/subscribe", View: s.subscribeFormView},
		{Method: "POST", Path: "/alerts", API: apiPrefix + "/alerts", Action: access.ActMailSubscribe, Page: "mail/done", View: s.subscribeView},
	}
	if s.deps.Engagement != nil {
		survey := pathResource("survey", "id")
		rs = append(rs,
			route{Method: "GET", Path: "/surveys/{id}/open-wave", Action: access.ActSurveyManage, Resource: survey, Page: "mail/open-wave", View: s.openWaveFormView},
			route{Method: "POST", Path: "/surveys/{id}/open-wave", API: apiPrefix + "/surveys/{id}/open-wave", Action: access.ActSurveyManage, Resource: survey,
				Page: "mail/done", View: s.openWaveView})
	}
	return rs
}

// mailDone reports a completed change.
type mailDone struct {
	Message string `json:"message"`
	Back    string `json:"back,omitempty"`
}

// ---- the outbox ----

type outboxVM struct {
	Status   mail.Status         `json:"status,omitempty"`
	Counts   map[mail.Status]int `json:"counts"`
	Messages []mail.Message      `json:"messages"`
	Statuses []mail.Status       `json:"-"`
	Next     string              `json:"next,omitempty"`
	Delivers bool                `json:"-"`
}

func (s *Server) outboxView(r *http.Request) (any, error) {
	q := r.URL.Query()
	f := mail.Filter{Status: mail.Status(q.Get("status")), To: q.Get("to"), Limit: 100}
	switch f.Status {
	case "", mail.StatusPending, mail.StatusSending, mail.StatusSent, mail.StatusFailed:
	default:
		return nil, invalid("Choose a status: pending, sending, sent or failed.")
	}
	if b := q.Get("before"); b != "" {
		n, err := strconv.ParseInt(b, 10, 64)
		if err != nil || n <= 0 {
			return nil, invalid("before must be a message number.")
		}
		f.Before = n
	}
	ms, counts, err := s.deps.Mail.Outbox(r.Context(), f)
	if err != nil {
		return nil, err
	}
	if ms == nil {
		ms = []mail.Message{}
	}
	vm := outboxVM{Status: f.Status, Counts: counts, Messages: ms,
		Statuses: []mail.Status{mail.StatusPending, mail.StatusSending, mail.StatusSent, mail.StatusFailed}}
	if len(ms) == f.Limit {
		vm.Next = "/admin/outbox?status=" + string(f.Status) + "&before=" + strconv.FormatInt(ms[len(ms)-1].ID, 10)
	}
	return vm, nil
}

func (s *Server) outboxMessageView(r *http.Request) (any, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	return s.deps.Mail.Message(r.Context(), id)
}

func (s *Server) outboxRetryView(r *http.Request) (any, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	if err := s.deps.Mail.Retry(r.Context(), id); err != nil {
		return nil, err
	}
	return mailDone{Message: "Message " + strconv.FormatInt(id, 10) + " will be sent again shortly.", Back: "/admin/outbox"}, nil
}

// ---- links in e-mails ----

type mailTokenVM struct {
	Token string `json:"-"`
}

func (s *Server) unsubscribeFormView(r *http.Request) (any, error) {
	return mailTokenVM{Token: r.PathValue("token")}, nil
}

func (s *Server) unsubscribeView(r *http.Request) (any, error) {
	what, err := s.deps.Mail.Unsubscribe(r.Context(), r.PathValue("token"))
	if err != nil {
		return nil, err
	}
	return mailDone{Message: what, Back: "/mail/preferences/" + r.PathValue("token")}, nil
}

type preferencesVM struct {
	mail.Preferences
	Token string `json:"-"`
}

func (s *Server) preferencesView(r *http.Request) (any, error) {
	p, err := s.deps.Mail.Preferences(r.Context(), r.PathValue("token"))
	if err != nil {
		return nil, err
	}
	return preferencesVM{Preferences: p, Token: r.PathValue("token")}, nil
}

func (s *Server) preferencesSaveView(r *http.Request) (any, error) {
	if err := r.ParseForm(); err != nil {
		return nil, invalid("The form could not be read.")
	}
	receive := map[mail.Kind]bool{}
	for _, k := range r.PostForm["receive"] {
		receive[mail.Kind(k)] = true
	}
	var cancel []int64
	for _, v := range r.PostForm["cancel"] {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return nil, invalid("cancel must name a subscription number.")
		}
		cancel = append(cancel, id)
	}
	if err := s.deps.Mail.SetPreferences(r.Context(), r.PathValue("token"), receive, cancel); err != nil {
		return nil, err
	}
	return mailDone{Message: "Your choices are saved.", Back: "/mail/preferences/" + r.PathValue("token")}, nil
}

func (s *Server) confirmFormView(r *http.Request) (any, error) {
	return mailTokenVM{Token: r.PathValue("token")}, nil
}

func (s *Server) confirmView(r *http.Request) (any, error) {
	sub, err := s.deps.Mail.Confirm(r.Context(), r.PathValue("token"))
	if err != nil {
		return nil, err
	}
	return mailDone{Message: "Thank you. You will get the monthly alert for " + string(sub.Scope) + " " + sub.Org + " after each month's prescribing data is published.",
		Back: "/mail/preferences/" + r.PathValue("token")}, nil
}

// ---- subscribing to alerts ----

type subscribeVM struct {
	Org   string `json:"org"`
	Scope string `json:"scope"`
}

func (s *Server) subscribeFormView(r *http.Request) (any, error) {
	q := r.URL.Query()
	return subscribeVM{Org: strings.ToUpper(q.Get("org")), Scope: q.Get("scope")}, nil
}

func (s *Server) subscribeView(r *http.Request) (any, error) {
	email := strings.TrimSpace(r.PostFormValue("email"))
	code := strings.ToUpper(strings.TrimSpace(r.PostFormValue("org")))
	if _, err := mail.ParseAddress(email); err != nil {
		return nil, invalid("Enter an e-mail address, like name@example.com.")
	}
	org, err := s.deps.Registry.Organisation(r.Context(), code)
	if err != nil {
		return nil, invalid("Enter the code of a practice or CCG, like A81001 or 00K.")
	}
	var scope mail.Scope
	switch org.Kind {
	case registry.KindPractice:
		scope = mail.ScopePractice
	case registry.KindCCG:
		scope = mail.ScopeCCG
	case registry.KindLocality:
		scope = mail.ScopeLocality
	default:
		return nil, invalid("Alerts are for practices, localities and CCGs; %s is not one.", code)
	}
	if err := s.deps.Mail.Subscribe(r.Context(), email, scope, org.Code, org.Name); err != nil {
		return nil, err
	}
	return mailDone{Message: "Check your e-mail: we have sent a link to confirm the alert. Nothing is sent until you confirm.", Back: "/alerts"}, nil
}

// ---- opening a survey wave by e-mail ----

type openWaveVM struct {
	Survey engagement.Survey `json:"survey"`
	Opens  calendar.Date     `json:"opens"`
	Closes calendar.Date     `json:"closes"`
}

func (s *Server) openWaveFormView(r *http.Request) (any, error) {
	id, err := engID(r)
	if err != nil {
		return nil, err
	}
	sv, err := s.deps.Engagement.Survey(r.Context(), id)
	if err != nil {
		return nil, err
	}
	sv.Questionnaire = engagement.Questionnaire{Title: sv.Questionnaire.Title}
	today := s.today()
	return openWaveVM{Survey: sv, Opens: today, Closes: today.AddDays(28)}, nil
}

// openWaveView opens a wave and e-mails every member their one-time link.
// The officer learns how many were invited, never a link.
func (s *Server) openWaveView(r *http.Request) (any, error) {
	id, err := engID(r)
	if err != nil {
		return nil, err
	}
	opens, err := calendar.ParseDate(r.PostFormValue("opens"))
	if err != nil {
		return nil, invalid("Enter the opening date like 2025-03-01.")
	}
	last, err := calendar.ParseDate(r.PostFormValue("closes"))
	if err != nil {
		return nil, invalid("Enter the last day to answer like 2025-03-28.")
	}
	w := engagement.Wave{Survey: id, Name: strings.TrimSpace(r.PostFormValue("name")), Opens: opens, Closes: last.AddDays(1)}
	w, err = s.deps.Engagement.OpenWave(r.Context(), engActorID(r), w, s.deps.Surveys.Invitees, s.deps.Surveys.Mailer)
	if err != nil {
		return nil, err
	}
	return mailDone{Message: "The wave " + w.Name + " is open. " + strconv.Itoa(w.Invited) +
		" people were each sent their own link by e-mail; the links are not shown here or anywhere else.", Back: "/surveys"}, nil
}
