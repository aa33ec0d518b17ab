package cli

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"sync"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"

	"ccg/internal/access"
	"ccg/internal/mail"
	"ccg/internal/smtp/mailpittest"
)

// TestTwoServersSendOnce runs two `ccg serve` on one PostgreSQL database
// with the test Mailpit as their mail server: both delivery workers race
// for one outbox, and every message arrives exactly once.
func TestTwoServersSendOnce(t *testing.T) {
	mp := mailpittest.FromEnv(t)
	base := os.Getenv("CCG_TEST_POSTGRES")
	if base == "" {
		t.Skip("CCG_TEST_POSTGRES not set: two-server mail test skipped")
	}
	ctx := context.Background()
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	schema := "ccgserve_" + hex.EncodeToString(b)
	if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.ExecContext(context.Background(), "DROP SCHEMA "+schema+" CASCADE") })
	u, _ := url.Parse(base)
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	db := u.String()

	var out bytes.Buffer
	if err := Run(ctx, []string{"migrate", "--db", db, "--data", t.TempDir()}, &out); err != nil {
		t.Fatalf("migrate: %v\n%s", err, out.String())
	}
	// start both servers, then queue the messages, so that both workers
	// poll a full outbox
	sctx, stop := context.WithCancel(ctx)
	var wg sync.WaitGroup
	errs := make([]error, 2)
	ready := make(chan struct{}, 2)
	for i := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = Run(sctx, []string{"serve", "--db", db, "--data", t.TempDir(), "--addr", "127.0.0.1:0",
				"--smtp-url", mp.SMTPURL("ccg@ccg.example")}, readyWriter{ready})
		}()
	}
	for range 2 {
		select {
		case <-ready:
		case <-time.After(time.Minute):
			t.Fatal("the servers did not start")
		}
	}
	a, err := openApp(ctx, Config{DataDir: t.TempDir(), DB: db, PublicURL: "https://ccg.example"}, requireMigrated)
	if err != nil {
		t.Fatal(err)
	}
	const n = 120
	var to []string
	actx := access.WithActor(ctx, access.System)
	err = a.sql.InTx(actx, func(ctx context.Context) error {
		for i := range n {
			addr := mailpittest.Address(fmt.Sprintf("serve%03d", i), "practice.example")
			to = append(to, addr)
			if _, err := a.mail.Queue(ctx, addr, mail.KindVoteOpened, addr, mail.Content{Subject: "Vote open", Lead: "A vote is open."}, mail.Options{}); err != nil {
				return err
			}
		}
		return nil
	})
	a.Close()
	if err != nil {
		t.Fatal(err)
	}
	for _, addr := range to {
		mp.Received(t, addr, 1, time.Minute)
	}
	time.Sleep(6 * time.Second) // longer than a poll: a second delivery would have happened by now
	stop()
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("serve %d: %v", i, err)
		}
	}
	for _, addr := range to {
		if c := mp.Count(t, addr); c != 1 {
			t.Errorf("%s received %d messages, want 1", addr, c)
		}
	}
	b2, err := openApp(ctx, Config{DataDir: t.TempDir(), DB: db}, requireMigrated)
	if err != nil {
		t.Fatal(err)
	}
	defer b2.Close()
	ms, err := b2.sql.MailMessages(ctx, mail.Filter{Status: mail.StatusSent, Limit: 1000})
	if err != nil || len(ms) != n {
		t.Fatalf("%d messages sent in the outbox, want %d (%v)", len(ms), n, err)
	}
	workers := map[string]int{}
	for _, m := range ms {
		if m.Attempts != 1 {
			t.Errorf("message %d took %d attempts", m.ID, m.Attempts)
		}
		workers[m.ClaimedBy]++
	}
	t.Logf("messages sent by each server: %v", workers)
}

// readyWriter signals once per write that says the server is serving.
type readyWriter struct{ ready chan<- struct{} }

func (w readyWriter) Write(p []byte) (int, error) {
	if bytes.Contains(p, []byte("ccg is serving at")) {
		w.ready <- struct{}{}
	}
	return len(p), nil
}
