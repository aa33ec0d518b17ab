package mail_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"ccg/internal/calendar"
	"ccg/internal/errs"
	"ccg/internal/mail"
	"ccg/internal/store/sqlite"
)

func openStore(t *testing.T) mail.Store {
	t.Helper()
	s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "ccg.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if _, err := s.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return s
}

func TestBackoff(t *testing.T) {
	for _, tc := range []struct {
		attempt int
		want    time.Duration
	}{{1, time.Minute}, {2, 2 * time.Minute}, {3, 4 * time.Minute}, {9, 256 * time.Minute}, {10, 6 * time.Hour}, {60, 6 * time.Hour}} {
		if got := mail.Backoff(tc.attempt, time.Minute, 6*time.Hour); got != tc.want {
			t.Errorf("Backoff(%d) = %s, want %s", tc.attempt, got, tc.want)
		}
	}
}

func TestParseAddress(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		ok       bool
	}{
		{"Jo.Bloggs@NHS.net", "jo.bloggs@nhs.net", true},
		{" a@b.example ", "a@b.example", true},
		{"Jo <jo@nhs.net>", "", false},
		{"jo@nhs.net\r\nBcc: x@y.example", "", false},
		{"not an address", "", false},
		{"", "", false},
	} {
		got, err := mail.ParseAddress(tc.in)
		if (err == nil) != tc.ok || got != tc.want || (err != nil && !errors.Is(err, errs.ErrInvalid)) {
			t.Errorf("ParseAddress(%q) = %q, %v; want %q ok=%v", tc.in, got, err, tc.want, tc.ok)
		}
	}
}

func TestRenderPlainAndHTML(t *testing.T) {
	c := mail.Content{From: "NHS Riverside CCG", Subject: "S", Lead: "Main point <b>first</b>.", Paragraphs: []string{"Second."},
		Action:   &mail.Link{Text: "Do it", URL: "https://ccg.example/x?a=1&b=2"},
		Sections: []mail.Section{{Heading: "Savings", Items: []mail.Link{{Text: "Statins", URL: "https://ccg.example/m/1"}, {Text: "Plain line"}}}, {Heading: "Empty"}},
		Why:      "Because.", Unsubscribe: "https://ccg.example/mail/unsubscribe/t", Preferences: "https://ccg.example/mail/preferences/t"}
	text, html, err := mail.Render(c)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"NHS Riverside CCG\n\nMain point <b>first</b>.", "Do it:\nhttps://ccg.example/x?a=1&b=2", "Savings\n- Statins\n  https://ccg.example/m/1\n- Plain line",
		"Because.", "Stop getting messages like this:\nhttps://ccg.example/mail/unsubscribe/t"} {
		if !strings.Contains(text, want) {
			t.Errorf("text lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "Empty") || strings.Contains(html, "Empty") {
		t.Error("an empty section was shown")
	}
	for _, want := range []string{"Main point &lt;b&gt;first&lt;/b&gt;.", `href="https://ccg.example/x?a=1&amp;b=2"`, `<html lang="en">`, "Stop getting messages like this"} {
		if !strings.Contains(html, want) {
			t.Errorf("html lacks %q", want)
		}
	}
	if _, _, err := mail.Render(mail.Content{Subject: "S"}); err == nil {
		t.Error("a message without a first line was rendered")
	}
}

func TestQueueAndSecrets(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	svc := mail.NewService(st, "https://ccg.example/", "NHS Test CCG")
	c := mail.Content{Subject: "Your survey link", Lead: "Answer the survey.", Action: &mail.Link{Text: "Answer", URL: svc.URL("/survey?token=SECRET")}}
	ok, err := svc.Queue(ctx, "Member@Practice.example", mail.KindSurveyInvitation, "wave:1:person:2", c, mail.Options{Secret: true})
	if err != nil || !ok {
		t.Fatalf("queue: %v %v", ok, err)
	}
	if ok, _ := svc.Queue(ctx, "member@practice.example", mail.KindSurveyInvitation, "wave:1:person:2", c, mail.Options{Secret: true}); ok {
		t.Fatal("queued twice under one key")
	}
	if _, err := svc.Queue(ctx, "nobody", mail.KindVoteOpened, "k", c, mail.Options{}); !errors.Is(err, errs.ErrInvalid) {
		t.Fatalf("bad address: %v", err)
	}
	ms, counts, err := svc.Outbox(ctx, mail.Filter{})
	if err != nil || len(ms) != 1 || counts[mail.StatusPending] != 1 {
		t.Fatalf("outbox: %+v %v %v", ms, counts, err)
	}
	if strings.Contains(ms[0].Text+ms[0].HTML, "SECRET") || ms[0].To != "member@practice.example" {
		t.Fatalf("the outbox shows the secret: %+v", ms[0])
	}
	if m, _ := svc.Message(ctx, ms[0].ID); strings.Contains(m.Text+m.HTML, "SECRET") {
		t.Fatal("the message page shows the secret")
	}
	stored, _ := st.MailMessage(ctx, ms[0].ID)
	if !strings.Contains(stored.Text, "https://ccg.example/survey?token=SECRET") || !strings.Contains(stored.HTML, "token=SECRET") {
		t.Fatalf("the stored message lacks its link before sending:\n%s", stored.Text)
	}
	w := mail.NewWorker(st, senderFunc(func(context.Context, mail.Message) error { return nil }), "w", nil)
	if r, err := w.Deliver(ctx); err != nil || r.Sent != 1 {
		t.Fatalf("deliver: %+v %v", r, err)
	}
	stored, _ = st.MailMessage(ctx, ms[0].ID)
	if strings.Contains(stored.Text+stored.HTML, "SECRET") || stored.Status != mail.StatusSent {
		t.Fatalf("the secret is still stored after sending: %+v", stored)
	}
}

// senderFunc is a Sender made of a function, for tests of the worker's
// bookkeeping (the real SMTP delivery is tested in internal/smtp with Mailpit).
type senderFunc func(context.Context, mail.Message) error

func (f senderFunc) Send(ctx context.Context, m mail.Message) error { return f(ctx, m) }

type fixedAlerts map[string]mail.Alert

func (f fixedAlerts) Alert(_ context.Context, _ mail.Scope, org string, _ calendar.Month) (mail.Alert, error) {
	a, ok := f[org]
	if !ok {
		return mail.Alert{}, errs.ErrNotFound
	}
	return a, nil
}

func TestSubscriptionsDoubleOptIn(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	svc := mail.NewService(st, "https://ccg.example", "")
	month := calendar.MustMonth("2025-01")
	src := fixedAlerts{"A81001": {Name: "Riverside Surgery", Page: "/prescribing/practices/A81001",
		Outliers: []mail.Link{{Text: "Antibiotics: 12.0%, above the expected range", URL: "/prescribing/measures/abx"}}}}
	svc.SetAlerts(src, func(context.Context) (calendar.Month, error) { return month, nil })
	for range 2 {
		if err := svc.Subscribe(ctx, "pat@public.example", mail.ScopePractice, "A81001", "Riverside Surgery"); err != nil {
			t.Fatal(err)
		}
	}
	confirms, _ := st.MailMessages(ctx, mail.Filter{Kind: mail.KindConfirm})
	if len(confirms) != 1 || confirms[0].Unsubscribe != "" {
		t.Fatalf("confirmations: %+v, want one, without an unsubscribe link", confirms)
	}
	if n, err := svc.MonthlyAlerts(ctx, month, src); err != nil || n != 0 {
		t.Fatalf("alerts before confirming: %d %v", n, err)
	}
	i := strings.Index(confirms[0].Text, "/mail/confirm/")
	token := strings.Fields(confirms[0].Text[i+len("/mail/confirm/"):])[0]
	sub, err := svc.Confirm(ctx, token)
	if err != nil || sub.Confirmed.IsZero() {
		t.Fatalf("confirm: %+v %v", sub, err)
	}
	alerts, _ := st.MailMessages(ctx, mail.Filter{Kind: mail.KindMonthlyAlert})
	if len(alerts) != 1 || !strings.Contains(alerts[0].Text, "Antibiotics: 12.0%, above the expected range\n  https://ccg.example/prescribing/measures/abx") ||
		!strings.Contains(alerts[0].Subject, "Riverside Surgery: prescribing in January 2025") {
		t.Fatalf("the first alert on confirming: %+v", alerts)
	}
	if n, _ := svc.MonthlyAlerts(ctx, month, src); n != 0 {
		t.Fatalf("the month's alert was queued again (%d)", n)
	}
	if n, _ := svc.MonthlyAlerts(ctx, month.Add(1), src); n != 1 {
		t.Fatalf("next month: %d alerts, want 1", n)
	}
	if _, err := svc.Unsubscribe(ctx, alerts[0].Unsubscribe[strings.LastIndex(alerts[0].Unsubscribe, "/")+1:]); err != nil {
		t.Fatal(err)
	}
	if n, _ := svc.MonthlyAlerts(ctx, month.Add(2), src); n != 0 {
		t.Fatalf("after unsubscribing: %d alerts", n)
	}
	for _, org := range []string{"A81002", "A81003", "A81004", "A81005"} {
		if err := svc.Subscribe(ctx, "pat@public.example", mail.ScopePractice, org, org); err != nil {
			t.Fatal(err)
		}
	}
	if confirms, _ := st.MailMessages(ctx, mail.Filter{Kind: mail.KindConfirm}); len(confirms) != 3 {
		t.Fatalf("%d confirmation messages to one address in a day, want at most 3", len(confirms))
	}
	if _, err := svc.Confirm(ctx, "forged"); !errors.Is(err, errs.ErrNotFound) {
		t.Fatalf("forged token: %v", err)
	}
}
