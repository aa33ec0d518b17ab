package mail

import (
	"context"
	"time"

	"ccg/internal/txn"
)

// Store is the outbox and the preferences, kept in the SQL store.
type Store interface {
	txn.Runner

	// QueueMail adds m as pending, due at m.NextAttempt, unless a message
	// with m.Key is already in the outbox; queued reports which.
	QueueMail(ctx context.Context, m Message) (id int64, queued bool, err error)
	// ClaimMail hands worker up to limit due messages, oldest first: pending
	// ones with NextAttempt at or before now, and sending ones whose lease
	// ran out before now (their worker died); never an expired one. Each is marked sending,
	// claimed by worker until leaseUntil, with one more attempt counted. A
	// message is handed to one worker only, however many claim at once.
	ClaimMail(ctx context.Context, worker string, now, leaseUntil time.Time, limit int) ([]Message, error)
	// MailSent records that a message was sent, if worker still holds it
	// (errs.ErrConflict otherwise). A non-empty wipe replaces its body.
	MailSent(ctx context.Context, id int64, worker string, at time.Time, wipe string) error
	// MailFailed records a failed attempt, if worker still holds the
	// message (errs.ErrConflict otherwise): pending again, due at next, or
	// failed for good when giveUp.
	MailFailed(ctx context.Context, id int64, worker, reason string, next time.Time, giveUp bool) error
	// ExpireKeys makes every unsent message whose key starts with prefix
	// expire at at (if it would expire later or never).
	ExpireKeys(ctx context.Context, prefix string, at time.Time) error
	// ExpireMail marks failed every unsent message whose Expires is at or
	// before now (and not held by a live worker), replacing its body with
	// wipe when it is secret; it returns how many it changed.
	ExpireMail(ctx context.Context, now time.Time, wipe string) (int, error)
	// RetryMail makes a failed message pending again, due at now
	// (errs.ErrConflict unless it had failed and has not expired).
	RetryMail(ctx context.Context, id int64, now time.Time) error
	// MailMessage returns one message (errs.ErrNotFound).
	MailMessage(ctx context.Context, id int64) (Message, error)
	// MailMessages returns messages, newest first.
	MailMessages(ctx context.Context, f Filter) ([]Message, error)
	// MailCounts returns how many messages are in each status.
	MailCounts(ctx context.Context) (map[Status]int, error)

	PreferenceStore
}

// Filter narrows a list of messages.
type Filter struct {
	Status Status // "" for any
	To     string // "" for anybody
	Kind   Kind   // "" for any
	Limit  int    // 0 for 100
	Before int64  // only messages with a smaller ID (0: no bound)
}

// PreferenceStore keeps subscriptions, opt-outs and the tokens in
// unsubscribe and preferences links.
type PreferenceStore interface {
	// MailToken returns the token for (email, kind, subscription), storing
	// fresh when there is none yet.
	MailToken(ctx context.Context, t Token, fresh string) (string, error)
	// MailTokenByValue looks a token up (errs.ErrNotFound).
	MailTokenByValue(ctx context.Context, token string) (Token, error)
	// OptOut stops messages of kind to email (idempotent).
	OptOut(ctx context.Context, email string, kind Kind, at time.Time) error
	// OptIn undoes OptOut (idempotent).
	OptIn(ctx context.Context, email string, kind Kind) error
	// OptedOut reports whether email opted out of kind.
	OptedOut(ctx context.Context, email string, kind Kind) (bool, error)
	// OptOuts lists the kinds email opted out of.
	OptOuts(ctx context.Context, email string) ([]Kind, error)

	// PutSubscription adds a subscription awaiting confirmation, or returns
	// the one already there for (email, scope, org) with existed set.
	PutSubscription(ctx context.Context, s Subscription) (Subscription, bool, error)
	// ConfirmSubscription marks a subscription confirmed at at.
	ConfirmSubscription(ctx context.Context, id int64, at time.Time) error
	// DeleteSubscription removes a subscription (idempotent).
	DeleteSubscription(ctx context.Context, id int64) error
	// Subscription returns one subscription (errs.ErrNotFound).
	Subscription(ctx context.Context, id int64) (Subscription, error)
	// Subscriptions lists subscriptions: of one email when email is set,
	// else every confirmed one.
	Subscriptions(ctx context.Context, email string) ([]Subscription, error)
}

// Token is what an unsubscribe or preferences link stands for: an address,
// and the kind of message (or the subscription) it was about.
type Token struct {
	Value        string `json:"-"`
	Email        string `json:"email"`
	Kind         Kind   `json:"kind"`
	Subscription int64  `json:"subscription,omitempty"`
}

// Scope is what a subscription follows.
type Scope string

// The scopes of a monthly alert subscription.
const (
	ScopePractice Scope = "practice"
	ScopeLocality Scope = "locality"
	ScopeCCG      Scope = "ccg"
)

// Subscription is somebody's wish to receive the monthly alert for one
// organisation, confirmed by e-mail (double opt-in) before anything is sent.
type Subscription struct {
	ID        int64     `json:"id"`
	Email     string    `json:"email"`
	Scope     Scope     `json:"scope"`
	Org       string    `json:"org"`
	Created   time.Time `json:"created"`
	Confirmed time.Time `json:"confirmed"`
}
