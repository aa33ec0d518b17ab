package smtp_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"

	"ccg/internal/errs"
	"ccg/internal/mail"
	"ccg/internal/smtp"
	"ccg/internal/smtp/mailpittest"
	"ccg/internal/store/postgres"
	"ccg/internal/store/sqlite"
	"ccg/internal/store/sqlstore"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

func TestParseURL(t *testing.T) {
	for _, tc := range []struct {
		url  string
		want smtp.Config
		err  string
	}{
		{url: "smtp://mail.example.org?from=ccg@example.org",
			want: smtp.Config{Host: "mail.example.org", Port: 587, TLS: smtp.StartTLSRequired, From: "ccg@example.org"}},
		{url: "smtps://user%40x:p%3Ass@mail.example.org?from=CCG@Example.org&name=NHS+Riverside",
			want: smtp.Config{Host: "mail.example.org", Port: 465, TLS: smtp.ImplicitTLS, Username: "user@x", Password: "p:ss", From: "ccg@example.org", FromName: "NHS Riverside"}},
		{url: "smtp://127.0.0.1:1025?starttls=off&from=a@b.example",
			want: smtp.Config{Host: "127.0.0.1", Port: 1025, TLS: smtp.NoTLS, From: "a@b.example"}},
		{url: "smtp://relay:25?starttls=opportunistic&from=a@b.example",
			want: smtp.Config{Host: "relay", Port: 25, TLS: smtp.StartTLSOpportunistic, From: "a@b.example"}},
		{url: "smtp://mail.example.org", err: "from="},
		{url: "http://mail.example.org?from=a@b.example", err: "scheme"},
		{url: "smtp://?from=a@b.example", err: "no host"},
		{url: "smtp://h:99999?from=a@b.example", err: "port"},
		{url: "smtp://u:p@mail.example.org?starttls=off&from=a@b.example", err: "never sent without TLS"},
		{url: "smtps://h?starttls=off&from=a@b.example", err: "does not apply"},
		{url: "smtp://h?starttls=maybe&from=a@b.example", err: "starttls"},
	} {
		t.Run(tc.url, func(t *testing.T) {
			got, err := smtp.ParseURL(tc.url)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) || !errors.Is(err, errs.ErrInvalid) {
					t.Fatalf("ParseURL = %+v, %v; want an error about %q", got, err, tc.err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("ParseURL = %+v, %v; want %+v", got, err, tc.want)
			}
			if strings.Contains(got.String(), "p:ss") {
				t.Fatalf("String shows the password: %s", got)
			}
		})
	}
}

func openSQLite(t *testing.T) *sqlstore.Store {
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

func sender(t *testing.T, mp *mailpittest.Mailpit) *smtp.Sender {
	t.Helper()
	cfg, err := smtp.ParseURL(mp.SMTPURL("ccg@ccg.example") + "&name=NHS+Test+CCG")
	if err != nil {
		t.Fatal(err)
	}
	cfg.Timeout = 5 * time.Second
	return smtp.New(cfg)
}

func TestDeliveryThroughMailpit(t *testing.T) {
	mp := mailpittest.FromEnv(t)
	ctx := context.Background()
	st := openSQLite(t)
	svc := mail.NewService(st, "https://ccg.example", "NHS Test CCG")
	to := mailpittest.Address("member", "practice.example")
	queued, err := svc.Queue(ctx, to, mail.KindVoteOpened, "vote:1:"+to, mail.Content{
		Subject: "Vote now: community eye service", Lead: "A member vote is open until 12 March.",
		Action: &mail.Link{Text: "Cast your practice's vote", URL: svc.URL("/governance/votes/1")},
		Why:    "You are getting this because your practice is entitled to vote.",
	}, mail.Options{})
	if err != nil || !queued {
		t.Fatalf("queue: %v %v", queued, err)
	}
	w := mail.NewWorker(st, sender(t, mp), "test", quiet)
	res, err := w.Deliver(ctx)
	if err != nil || res.Sent != 1 {
		t.Fatalf("deliver = %+v, %v", res, err)
	}
	got := mp.Received(t, to, 1, 10*time.Second)[0]
	if got.Subject != "Vote now: community eye service" || got.From.Address != "ccg@ccg.example" || got.From.Name != "NHS Test CCG" {
		t.Fatalf("received %q from %q <%s>", got.Subject, got.From.Name, got.From.Address)
	}
	for _, want := range []string{"A member vote is open until 12 March.", "Cast your practice's vote:\nhttps://ccg.example/governance/votes/1", "https://ccg.example/mail/unsubscribe/"} {
		if !strings.Contains(strings.ReplaceAll(got.Text, "\r\n", "\n"), want) {
			t.Errorf("text part lacks %q:\n%s", want, got.Text)
		}
	}
	if !strings.Contains(got.HTML, `href="https://ccg.example/governance/votes/1"`) || !strings.Contains(got.HTML, "Cast your practice&#39;s vote") {
		t.Errorf("HTML part lacks the link:\n%s", got.HTML)
	}
	unsub := got.Headers["List-Unsubscribe"]
	if len(unsub) != 1 || !strings.HasPrefix(unsub[0], "<https://ccg.example/mail/unsubscribe/") {
		t.Errorf("List-Unsubscribe = %q", unsub)
	}
	if post := got.Headers["List-Unsubscribe-Post"]; len(post) != 1 || post[0] != "List-Unsubscribe=One-Click" {
		t.Errorf("List-Unsubscribe-Post = %q", post)
	}
	if !strings.HasPrefix(got.MessageID, "ccg-outbox-") {
		t.Errorf("Message-ID = %q", got.MessageID)
	}
	if again, _ := w.Deliver(ctx); again.Sent != 0 || mp.Count(t, to) != 1 {
		t.Fatalf("a second pass sent again: %+v", again)
	}
}

// refusing returns the address of a port that refuses connections.
func refusing(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

func TestRetriesWithBackoff(t *testing.T) {
	mp := mailpittest.FromEnv(t)
	ctx := context.Background()
	st := openSQLite(t)
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	svc := mail.NewService(st, "https://ccg.example", "").WithClock(clock)
	to := mailpittest.Address("retry", "practice.example")
	if _, err := svc.Queue(ctx, to, mail.KindQuestionAnswered, "q:1", mail.Content{Subject: "Your question was answered", Lead: "We answered your question."}, mail.Options{}); err != nil {
		t.Fatal(err)
	}
	cfg, _ := smtp.ParseURL("smtp://" + refusing(t) + "?starttls=off&from=ccg@ccg.example")
	cfg.Timeout = 2 * time.Second
	down := mail.NewWorker(st, smtp.New(cfg), "down", quiet).WithClock(clock)
	down.MaxAttempts = 3
	for attempt, wait := range []time.Duration{time.Minute, 2 * time.Minute} {
		res, err := down.Deliver(ctx)
		if err != nil || res.Retried != 1 {
			t.Fatalf("attempt %d: %+v %v; want one retry", attempt+1, res, err)
		}
		m, _ := st.MailMessage(ctx, 1)
		if m.Status != mail.StatusPending || !m.NextAttempt.Equal(now.Add(wait)) || !strings.Contains(m.LastError, "refused") {
			t.Fatalf("after attempt %d: %s next %s (want +%s) error %q", attempt+1, m.Status, m.NextAttempt, wait, m.LastError)
		}
		if res, _ := down.Deliver(ctx); res != (mail.Result{}) {
			t.Fatalf("retried before its time: %+v", res)
		}
		now = now.Add(wait)
	}
	res, _ := down.Deliver(ctx)
	if res.Failed != 1 {
		t.Fatalf("third failure: %+v, want failed for good", res)
	}
	msgs, counts, err := svc.Outbox(ctx, mail.Filter{Status: mail.StatusFailed})
	if err != nil || len(msgs) != 1 || counts[mail.StatusFailed] != 1 {
		t.Fatalf("failed messages for administrators: %+v %v %v", msgs, counts, err)
	}
	// an administrator retries once the server is back
	if err := svc.Retry(ctx, msgs[0].ID); err != nil {
		t.Fatal(err)
	}
	up := mail.NewWorker(st, sender(t, mp), "up", quiet).WithClock(clock)
	if res, err := up.Deliver(ctx); err != nil || res.Sent != 1 {
		t.Fatalf("after retry: %+v %v", res, err)
	}
	mp.Received(t, to, 1, 10*time.Second)
}

// openPostgres opens n stores on one fresh schema of CCG_TEST_POSTGRES, as
// n servers would.
func openPostgres(t *testing.T, n int) []*sqlstore.Store {
	base := os.Getenv("CCG_TEST_POSTGRES")
	if base == "" {
		t.Skip("CCG_TEST_POSTGRES not set: PostgreSQL delivery test skipped")
	}
	ctx := context.Background()
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Close() })
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	schema := "ccgmail_" + hex.EncodeToString(b)
	if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.ExecContext(context.Background(), "DROP SCHEMA "+schema+" CASCADE") })
	u, _ := url.Parse(base)
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	var out []*sqlstore.Store
	for i := range n {
		s, err := postgres.Open(ctx, u.String())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		if i == 0 {
			if _, err := s.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
		}
		out = append(out, s)
	}
	return out
}

// TestExactlyOnceTwoServers: two servers' workers share one PostgreSQL
// outbox and deliver at the same time; every message arrives once.
func TestExactlyOnceTwoServers(t *testing.T) {
	mp := mailpittest.FromEnv(t)
	stores := openPostgres(t, 2)
	ctx := context.Background()
	svc := mail.NewService(stores[0], "https://ccg.example", "")
	const n = 40
	var to []string
	for i := range n {
		addr := mailpittest.Address(fmt.Sprintf("once%02d", i), "practice.example")
		to = append(to, addr)
		if _, err := svc.Queue(ctx, addr, mail.KindVoteOpened, "vote:"+addr, mail.Content{Subject: "Vote open", Lead: "A vote is open."}, mail.Options{}); err != nil {
			t.Fatal(err)
		}
	}
	var wg sync.WaitGroup
	results := make([]mail.Result, 2)
	errc := make([]error, 2)
	for i, st := range stores {
		w := mail.NewWorker(st, sender(t, mp), fmt.Sprintf("server-%d", i), quiet)
		w.Batch = 2
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i], errc[i] = w.Deliver(ctx)
		}()
	}
	wg.Wait()
	for i := range 2 {
		if errc[i] != nil {
			t.Fatalf("server %d: %v", i, errc[i])
		}
	}
	if results[0].Sent+results[1].Sent != n {
		t.Fatalf("sent %d + %d, want %d in all", results[0].Sent, results[1].Sent, n)
	}
	if results[0].Sent == 0 || results[1].Sent == 0 {
		t.Logf("one server sent everything (%d, %d): the race was not close", results[0].Sent, results[1].Sent)
	}
	for _, addr := range to {
		mp.Received(t, addr, 1, 10*time.Second)
		if c := mp.Count(t, addr); c != 1 {
			t.Errorf("%s received %d messages, want 1", addr, c)
		}
	}
}
