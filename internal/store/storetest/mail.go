package storetest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"ccg/internal/errs"
	"ccg/internal/mail"
)

func init() { Register(Suite{Name: "mail", Run: mailSuite}) }

var mailT0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

func outboxMessage(key string, secret bool) mail.Message {
	return mail.Message{Kind: mail.KindVoteOpened, Key: key, To: "a@example.org", Subject: "Subject " + key, Text: "text " + key,
		HTML: "<p>html</p>", Unsubscribe: "https://ccg.example/mail/unsubscribe/x", Secret: secret,
		Status: mail.StatusPending, NextAttempt: mailT0, Created: mailT0}
}

func mailSuite(t *testing.T, open Opener) {
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		run  func(t *testing.T, s mail.Store)
	}{
		{"queue once per key, and only in a kept transaction", func(t *testing.T, s mail.Store) {
			id, queued, err := s.QueueMail(ctx, outboxMessage("k1", false))
			must(t, "queue", err)
			if !queued || id == 0 {
				t.Fatalf("first queue: id %d queued %v", id, queued)
			}
			_, queued, err = s.QueueMail(ctx, outboxMessage("k1", false))
			must(t, "queue again", err)
			if queued {
				t.Fatal("the same key was queued twice")
			}
			err = s.InTx(ctx, func(ctx context.Context) error {
				if _, _, err := s.QueueMail(ctx, outboxMessage("k2", false)); err != nil {
					return err
				}
				return errBoom
			})
			if !errors.Is(err, errBoom) {
				t.Fatalf("InTx = %v", err)
			}
			ms, err := s.MailMessages(ctx, mail.Filter{})
			must(t, "list", err)
			if len(ms) != 1 || ms[0].Key != "k1" || ms[0].Text != "text k1" || ms[0].Status != mail.StatusPending || !ms[0].NextAttempt.Equal(mailT0) {
				t.Fatalf("outbox = %+v, want only k1 pending", ms)
			}
		}},
		{"claim: due only, lease, holder records the outcome", func(t *testing.T, s mail.Store) {
			later := outboxMessage("later", false)
			later.NextAttempt = mailT0.Add(time.Hour)
			for _, m := range []mail.Message{outboxMessage("now", true), later} {
				_, _, err := s.QueueMail(ctx, m)
				must(t, "queue", err)
			}
			got, err := s.ClaimMail(ctx, "w1", mailT0, mailT0.Add(time.Minute), 10)
			must(t, "claim", err)
			if len(got) != 1 || got[0].Key != "now" || got[0].Status != mail.StatusSending || got[0].Attempts != 1 || got[0].ClaimedBy != "w1" {
				t.Fatalf("claimed %+v, want the due message, sending, attempt 1, by w1", got)
			}
			again, err := s.ClaimMail(ctx, "w2", mailT0.Add(30*time.Second), mailT0.Add(2*time.Minute), 10)
			must(t, "claim within the lease", err)
			if len(again) != 0 {
				t.Fatalf("a leased message was claimed again: %+v", again)
			}
			wantErr(t, "sent by a non-holder", s.MailSent(ctx, got[0].ID, "w2", mailT0, ""), errs.ErrConflict)
			// w1 dies; after the lease w2 takes it over, and w1 can no longer record anything
			taken, err := s.ClaimMail(ctx, "w2", mailT0.Add(2*time.Minute), mailT0.Add(4*time.Minute), 10)
			must(t, "claim after the lease", err)
			if len(taken) != 1 || taken[0].ID != got[0].ID || taken[0].Attempts != 2 {
				t.Fatalf("take-over = %+v", taken)
			}
			wantErr(t, "sent by the old holder", s.MailSent(ctx, got[0].ID, "w1", mailT0, "wiped"), errs.ErrConflict)
			must(t, "sent", s.MailSent(ctx, got[0].ID, "w2", mailT0.Add(3*time.Minute), "wiped"))
			m, err := s.MailMessage(ctx, got[0].ID)
			must(t, "read", err)
			if m.Status != mail.StatusSent || m.Text != "wiped" || m.HTML != "" || !m.Sent.Equal(mailT0.Add(3*time.Minute)) {
				t.Fatalf("after sending: %+v, want sent with the secret body wiped", m)
			}
			if more, _ := s.ClaimMail(ctx, "w3", mailT0.Add(10*time.Minute), mailT0.Add(12*time.Minute), 10); len(more) != 0 {
				t.Fatalf("a sent message was claimed: %+v", more)
			}
		}},
		{"failures: back off, give up, retry", func(t *testing.T, s mail.Store) {
			id, _, err := s.QueueMail(ctx, outboxMessage("f", false))
			must(t, "queue", err)
			c, err := s.ClaimMail(ctx, "w", mailT0, mailT0.Add(time.Minute), 1)
			must(t, "claim", err)
			must(t, "fail", s.MailFailed(ctx, id, "w", "connection refused", mailT0.Add(5*time.Minute), false))
			if got, _ := s.ClaimMail(ctx, "w", mailT0.Add(4*time.Minute), mailT0.Add(5*time.Minute), 1); len(got) != 0 {
				t.Fatal("claimed before its next attempt")
			}
			c, err = s.ClaimMail(ctx, "w", mailT0.Add(5*time.Minute), mailT0.Add(6*time.Minute), 1)
			must(t, "claim again", err)
			if len(c) != 1 || c[0].Attempts != 2 || c[0].LastError != "connection refused" {
				t.Fatalf("second claim = %+v", c)
			}
			wantErr(t, "retry while sending", s.RetryMail(ctx, id, mailT0), errs.ErrConflict)
			must(t, "give up", s.MailFailed(ctx, id, "w", "still refused", mailT0.Add(time.Hour), true))
			counts, err := s.MailCounts(ctx)
			must(t, "counts", err)
			if counts[mail.StatusFailed] != 1 {
				t.Fatalf("counts = %v", counts)
			}
			if got, _ := s.ClaimMail(ctx, "w", mailT0.Add(48*time.Hour), mailT0.Add(49*time.Hour), 1); len(got) != 0 {
				t.Fatal("a failed message was claimed")
			}
			must(t, "retry", s.RetryMail(ctx, id, mailT0.Add(2*time.Hour)))
			c, err = s.ClaimMail(ctx, "w", mailT0.Add(2*time.Hour), mailT0.Add(3*time.Hour), 1)
			must(t, "claim after retry", err)
			if len(c) != 1 || c[0].Attempts != 1 {
				t.Fatalf("after retry = %+v, want claimed with attempts counted afresh", c)
			}
			wantErr(t, "retry unknown", s.RetryMail(ctx, 99999, mailT0), errs.ErrNotFound)
		}},
		{"expired messages are never sent, and secret ones are wiped", func(t *testing.T, s mail.Store) {
			sec := outboxMessage("secret", true)
			sec.Expires = mailT0.Add(time.Hour)
			plain := outboxMessage("plain", false)
			plain.Expires = mailT0.Add(time.Hour)
			keep := outboxMessage("keep", true) // no expiry
			for _, m := range []mail.Message{sec, plain, keep} {
				_, _, err := s.QueueMail(ctx, m)
				must(t, "queue", err)
			}
			n, err := s.ExpireMail(ctx, mailT0.Add(59*time.Minute), "gone")
			must(t, "expire early", err)
			if n != 0 {
				t.Fatalf("expired %d before their time", n)
			}
			if got, _ := s.ClaimMail(ctx, "w", mailT0.Add(2*time.Hour), mailT0.Add(3*time.Hour), 10); len(got) != 1 || got[0].Key != "keep" {
				t.Fatalf("claimed after expiry: %+v, want only the message without one", got)
			}
			n, err = s.ExpireMail(ctx, mailT0.Add(2*time.Hour), "gone")
			must(t, "expire", err)
			if n != 2 {
				t.Fatalf("expired %d, want 2", n)
			}
			if n, _ := s.ExpireMail(ctx, mailT0.Add(3*time.Hour), "gone"); n != 0 {
				t.Fatalf("expired %d again", n)
			}
			ms, err := s.MailMessages(ctx, mail.Filter{Status: mail.StatusFailed})
			must(t, "list", err)
			for _, m := range ms {
				if m.Secret && (m.Text != "gone" || m.HTML != "") || !m.Secret && m.Text != "text plain" || !strings.HasPrefix(m.LastError, "expired") {
					t.Errorf("expired message %s: text %q html %q error %q", m.Key, m.Text, m.HTML, m.LastError)
				}
				wantErr(t, "retry an expired message", s.RetryMail(ctx, m.ID, mailT0.Add(3*time.Hour)), errs.ErrConflict)
			}
			if len(ms) != 2 {
				t.Fatalf("%d failed messages, want 2", len(ms))
			}
			// expiring by key prefix: wave 1's, not wave 12's
			for _, k := range []string{"survey-invitation:wave:1:person:5", "survey-invitation:wave:12:person:5"} {
				m := outboxMessage(k, true)
				_, _, err := s.QueueMail(ctx, m)
				must(t, "queue", err)
			}
			must(t, "expire keys", s.ExpireKeys(ctx, "survey-invitation:wave:1:", mailT0.Add(4*time.Hour)))
			if n, _ := s.ExpireMail(ctx, mailT0.Add(4*time.Hour), "gone"); n != 1 {
				t.Fatalf("expired %d by prefix, want 1", n)
			}
			left, _ := s.MailMessages(ctx, mail.Filter{Status: mail.StatusPending})
			if len(left) != 1 || left[0].Key != "survey-invitation:wave:12:person:5" {
				t.Fatalf("pending after expiring wave 1: %+v", left)
			}
		}},
		{"concurrent claimers never share a message", func(t *testing.T, s mail.Store) {
			const n = 60
			for i := range n {
				_, _, err := s.QueueMail(ctx, outboxMessage(fmt.Sprintf("c%02d", i), false))
				must(t, "queue", err)
			}
			var mu sync.Mutex
			seen := map[int64]string{}
			var wg sync.WaitGroup
			errc := make(chan error, 4)
			for w := range 4 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					name := fmt.Sprintf("w%d", w)
					for {
						ms, err := s.ClaimMail(ctx, name, mailT0, mailT0.Add(time.Hour), 3)
						if err != nil {
							errc <- err
							return
						}
						if len(ms) == 0 {
							return
						}
						mu.Lock()
						for _, m := range ms {
							if other, dup := seen[m.ID]; dup {
								errc <- fmt.Errorf("message %d claimed by %s and %s", m.ID, other, name)
							}
							seen[m.ID] = name
						}
						mu.Unlock()
					}
				}()
			}
			wg.Wait()
			close(errc)
			for err := range errc {
				t.Fatal(err)
			}
			if len(seen) != n {
				t.Fatalf("%d messages claimed, want %d", len(seen), n)
			}
		}},
		{"tokens, opt-outs and subscriptions", func(t *testing.T, s mail.Store) {
			tk := mail.Token{Email: "b@example.org", Kind: mail.KindVoteClosing}
			v1, err := s.MailToken(ctx, tk, "tok-1")
			must(t, "token", err)
			v2, err := s.MailToken(ctx, tk, "tok-2")
			must(t, "token again", err)
			if v1 != "tok-1" || v2 != "tok-1" {
				t.Fatalf("tokens %q %q, want the first kept", v1, v2)
			}
			got, err := s.MailTokenByValue(ctx, "tok-1")
			must(t, "lookup", err)
			if got.Email != tk.Email || got.Kind != tk.Kind {
				t.Fatalf("lookup = %+v", got)
			}
			_, err = s.MailTokenByValue(ctx, "nope")
			wantErr(t, "unknown token", err, errs.ErrNotFound)
			for range 2 {
				must(t, "opt out", s.OptOut(ctx, tk.Email, tk.Kind, mailT0))
			}
			out, err := s.OptedOut(ctx, tk.Email, tk.Kind)
			must(t, "opted out", err)
			other, _ := s.OptedOut(ctx, tk.Email, mail.KindVoteOpened)
			if !out || other {
				t.Fatalf("opted out %v, other kind %v", out, other)
			}
			must(t, "opt in", s.OptIn(ctx, tk.Email, tk.Kind))
			if ks, _ := s.OptOuts(ctx, tk.Email); len(ks) != 0 {
				t.Fatalf("opt-outs after opting in: %v", ks)
			}
			sub, existed, err := s.PutSubscription(ctx, mail.Subscription{Email: "c@example.org", Scope: mail.ScopePractice, Org: "A10001", Created: mailT0})
			must(t, "subscribe", err)
			if existed || sub.ID == 0 || !sub.Confirmed.IsZero() {
				t.Fatalf("new subscription %+v existed %v", sub, existed)
			}
			again, existed, err := s.PutSubscription(ctx, mail.Subscription{Email: "c@example.org", Scope: mail.ScopePractice, Org: "A10001", Created: mailT0.Add(time.Hour)})
			must(t, "subscribe again", err)
			if !existed || again.ID != sub.ID || !again.Created.Equal(mailT0) {
				t.Fatalf("second subscription %+v existed %v", again, existed)
			}
			if all, _ := s.Subscriptions(ctx, ""); len(all) != 0 {
				t.Fatalf("unconfirmed subscriptions listed as confirmed: %+v", all)
			}
			must(t, "confirm", s.ConfirmSubscription(ctx, sub.ID, mailT0.Add(time.Minute)))
			all, err := s.Subscriptions(ctx, "")
			must(t, "subscriptions", err)
			if len(all) != 1 || !all[0].Confirmed.Equal(mailT0.Add(time.Minute)) {
				t.Fatalf("confirmed = %+v", all)
			}
			must(t, "delete", s.DeleteSubscription(ctx, sub.ID))
			_, err = s.Subscription(ctx, sub.ID)
			wantErr(t, "deleted", err, errs.ErrNotFound)
			wantErr(t, "confirm deleted", s.ConfirmSubscription(ctx, sub.ID, mailT0), errs.ErrNotFound)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) { tc.run(t, Migrated(t, open)) })
	}
}
