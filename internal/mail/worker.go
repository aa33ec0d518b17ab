package mail

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"ccg/internal/errs"
)

// Sender hands one message to a mail server (internal/smtp).
type Sender interface {
	// Send delivers m; an error means it was not accepted.
	Send(ctx context.Context, m Message) error
}

// Worker delivers the outbox: it claims due messages, sends them and
// records the outcome, retrying failures with exponential back-off.
type Worker struct {
	store  Store
	sender Sender
	name   string
	log    *slog.Logger
	now    func() time.Time

	// Lease is how long a claimed message is the worker's before another
	// worker may take it over (it must outlast one send).
	Lease time.Duration
	// BaseDelay is the wait after the first failure; it doubles with each
	// further failure up to MaxDelay.
	BaseDelay, MaxDelay time.Duration
	// MaxAttempts is how many attempts are made before a message is marked
	// failed for an administrator to look at.
	MaxAttempts int
	// Batch is how many messages are claimed at once.
	Batch int
	// Poll is how often Run looks for due messages.
	Poll time.Duration
}

// NewWorker returns a worker named name (unique among the servers sharing
// one database: a host name and process number do) with the default
// timings: a two-minute lease, back-off from one minute doubling up to six
// hours, eight attempts (about eight hours), batches of 20, polling every
// five seconds.
func NewWorker(store Store, sender Sender, name string, log *slog.Logger) *Worker {
	if log == nil {
		log = slog.Default()
	}
	return &Worker{store: store, sender: sender, name: name, log: log, now: time.Now,
		Lease: 2 * time.Minute, BaseDelay: time.Minute, MaxDelay: 6 * time.Hour, MaxAttempts: 8, Batch: 20, Poll: 5 * time.Second}
}

// WithClock returns the worker using now as its clock (tests).
func (w *Worker) WithClock(now func() time.Time) *Worker {
	c := *w
	c.now = now
	return &c
}

// Backoff returns the wait after the attempt-th failed attempt (1, 2, ...):
// base doubled attempt-1 times, at most max.
func Backoff(attempt int, base, max time.Duration) time.Duration {
	d := base
	for i := 1; i < attempt; i++ {
		d *= 2
		if d >= max {
			return max
		}
	}
	return min(d, max)
}

// Result counts what one pass of the worker did.
type Result struct {
	Sent    int // accepted by the mail server
	Retried int // failed, to be tried again later
	Failed  int // failed for the last time
	Lost    int // taken over by another worker while sending
}

// Deliver makes one pass: it claims due messages in batches until none are
// left, and sends each.
func (w *Worker) Deliver(ctx context.Context) (Result, error) {
	var r Result
	if _, err := w.store.ExpireMail(ctx, w.now().UTC(), expired); err != nil {
		return r, fmt.Errorf("mail: deliver: %w", err)
	}
	for {
		now := w.now().UTC()
		ms, err := w.store.ClaimMail(ctx, w.name, now, now.Add(w.Lease), w.Batch)
		if err != nil {
			return r, fmt.Errorf("mail: deliver: claim: %w", err)
		}
		if len(ms) == 0 {
			return r, nil
		}
		for _, m := range ms {
			if err := w.deliverOne(ctx, m, &r); err != nil {
				return r, err
			}
		}
	}
}

func (w *Worker) deliverOne(ctx context.Context, m Message, r *Result) error {
	sendCtx, cancel := context.WithTimeout(ctx, w.Lease*3/4)
	sendErr := w.sender.Send(sendCtx, m)
	cancel()
	now := w.now().UTC()
	var err error
	switch {
	case sendErr == nil:
		wipe := ""
		if m.Secret {
			wipe = wiped
		}
		if err = w.store.MailSent(ctx, m.ID, w.name, now, wipe); err == nil {
			r.Sent++
			w.log.Debug("mail sent", "id", m.ID, "kind", m.Kind, "attempt", m.Attempts)
		}
	case ctx.Err() != nil:
		return ctx.Err() // stopping: the lease runs out and another worker (or this one, later) tries again
	default:
		giveUp := m.Attempts >= w.MaxAttempts
		next := now.Add(Backoff(m.Attempts, w.BaseDelay, w.MaxDelay))
		if err = w.store.MailFailed(ctx, m.ID, w.name, sendErr.Error(), next, giveUp); err == nil {
			if giveUp {
				r.Failed++
				w.log.Error("mail failed for good", "id", m.ID, "kind", m.Kind, "attempts", m.Attempts, "error", sendErr)
			} else {
				r.Retried++
				w.log.Warn("mail not sent; will try again", "id", m.ID, "kind", m.Kind, "attempt", m.Attempts, "next", next, "error", sendErr)
			}
		}
	}
	if errors.Is(err, errs.ErrConflict) {
		r.Lost++
		w.log.Warn("mail: lease lost while sending", "id", m.ID)
		return nil
	}
	if err != nil {
		return fmt.Errorf("mail: deliver message %d: %w", m.ID, err)
	}
	return nil
}

// Run delivers due messages every Poll until ctx is done; errors are
// logged and the next poll tries again.
func (w *Worker) Run(ctx context.Context) {
	t := time.NewTicker(w.Poll)
	defer t.Stop()
	for {
		if _, err := w.Deliver(ctx); err != nil && ctx.Err() == nil {
			w.log.Error("mail delivery", "error", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
