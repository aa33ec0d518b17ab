package mail

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"strings"
	"time"

	"ccg/internal/errs"
)

// Service queues messages and keeps people's preferences and subscriptions.
type Service struct {
	store  Store
	public string // the public address of the site, without a trailing slash
	from   string // who messages say they are from
	now    func() time.Time
	random io.Reader
	alerts AlertSource // nil: no figures to send
	latest LatestMonth
}

// NewService returns a Service over store. publicURL is the site's full
// public address (--public-url), used for every link in a message; from
// names the sender in the message ("NHS Riverside CCG").
func NewService(store Store, publicURL, from string) *Service {
	if from == "" {
		from = "Your clinical commissioning group"
	}
	return &Service{store: store, public: strings.TrimRight(publicURL, "/"), from: from, now: time.Now, random: rand.Reader}
}

// WithClock returns the service using now as its clock (tests, the demo).
func (s *Service) WithClock(now func() time.Time) *Service {
	c := *s
	c.now = now
	return &c
}

// Store returns the outbox store (for the worker).
func (s *Service) Store() Store { return s.store }

// URL returns the full address of a path on the site.
func (s *Service) URL(path string) string {
	if !strings.HasPrefix(path, "/") {
		path = "/" + path
	}
	return s.public + path
}

// From names who messages are from.
func (s *Service) From() string { return s.from }

func (s *Service) token() (string, error) {
	b := make([]byte, 24)
	if _, err := io.ReadFull(s.random, b); err != nil {
		return "", fmt.Errorf("mail: token: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// Options are how a message is queued.
type Options struct {
	// Secret marks a message holding a personal secret (see Message.Secret).
	Secret bool
	// Subscription is the subscription the message is sent for (0: none);
	// its unsubscribe link ends the subscription.
	Subscription int64
	// Due delays the first attempt (zero: now).
	Due time.Time
	// Expires is when the message stops being worth sending (zero: never).
	Expires time.Time
}

// Queue renders c and puts it in the outbox for to, in the transaction ctx
// carries (if any), so that it is sent only if the change that caused it
// is kept. A message whose key was queued before is not queued again, and
// nothing is queued for somebody who opted out of kind; queued reports
// whether it was.
func (s *Service) Queue(ctx context.Context, to string, kind Kind, key string, c Content, o Options) (bool, error) {
	op := fmt.Sprintf("mail: queue %s", kind)
	addr, err := ParseAddress(to)
	if err != nil {
		return false, fmt.Errorf("%s: %w", op, err)
	}
	queued := false
	err = s.store.InTx(ctx, func(ctx context.Context) error {
		if kind != KindConfirm {
			out, err := s.store.OptedOut(ctx, addr, kind)
			if err != nil || out {
				return err
			}
			fresh, err := s.token()
			if err != nil {
				return err
			}
			tok, err := s.store.MailToken(ctx, Token{Email: addr, Kind: kind, Subscription: o.Subscription}, fresh)
			if err != nil {
				return err
			}
			c.Unsubscribe = s.URL("/mail/unsubscribe/" + tok)
			c.Preferences = s.URL("/mail/preferences/" + tok)
		}
		if c.From == "" {
			c.From = s.from
		}
		text, html, err := Render(c)
		if err != nil {
			return err
		}
		now := s.now().UTC()
		due := o.Due
		if due.IsZero() || due.Before(now) {
			due = now
		}
		m := Message{Kind: kind, Key: string(kind) + ":" + key, To: addr, Subject: c.Subject, Text: text, HTML: html,
			Unsubscribe: c.Unsubscribe, Secret: o.Secret, Status: StatusPending, NextAttempt: due, Created: now, Expires: o.Expires}
		if err := m.Validate(); err != nil {
			return err
		}
		_, queued, err = s.store.QueueMail(ctx, m)
		return err
	})
	if err != nil {
		return false, fmt.Errorf("%s: %w", op, err)
	}
	return queued, nil
}

// Outbox returns messages for administrators, newest first, with secret
// messages' bodies left out, and the count in each status.
func (s *Service) Outbox(ctx context.Context, f Filter) ([]Message, map[Status]int, error) {
	ms, err := s.store.MailMessages(ctx, f)
	if err != nil {
		return nil, nil, fmt.Errorf("mail: outbox: %w", err)
	}
	for i := range ms {
		ms[i] = ms[i].Redacted()
	}
	counts, err := s.store.MailCounts(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("mail: outbox: %w", err)
	}
	return ms, counts, nil
}

// Message returns one message for administrators (a secret one without its body).
func (s *Service) Message(ctx context.Context, id int64) (Message, error) {
	m, err := s.store.MailMessage(ctx, id)
	if err != nil {
		return Message{}, fmt.Errorf("mail: message %d: %w", id, err)
	}
	return m.Redacted(), nil
}

// Expire gives up on every message whose expiry has passed, wiping the
// secret ones (the delivery worker does this on every pass; without a mail
// server the reminder sweep does).
func (s *Service) Expire(ctx context.Context) (int, error) {
	n, err := s.store.ExpireMail(ctx, s.now().UTC(), expired)
	if err != nil {
		return 0, fmt.Errorf("mail: expire: %w", err)
	}
	return n, nil
}

// ExpireNow gives up, now, on the unsent messages of kind whose keys (as
// given to Queue) start with prefix, wiping the secret ones: a survey
// wave closed early takes its unsent invitations with it.
func (s *Service) ExpireNow(ctx context.Context, kind Kind, prefix string) error {
	err := s.store.InTx(ctx, func(ctx context.Context) error {
		now := s.now().UTC()
		if err := s.store.ExpireKeys(ctx, string(kind)+":"+prefix, now); err != nil {
			return err
		}
		_, err := s.store.ExpireMail(ctx, now, expired)
		return err
	})
	if err != nil {
		return fmt.Errorf("mail: expire %s %s: %w", kind, prefix, err)
	}
	return nil
}

// Retry makes a failed message due again now.
func (s *Service) Retry(ctx context.Context, id int64) error {
	if err := s.store.RetryMail(ctx, id, s.now().UTC()); err != nil {
		return fmt.Errorf("mail: retry message %d: %w", id, err)
	}
	return nil
}

// ---- preferences ----

// Preferences is what a preferences link shows: the address's opt-outs
// and subscriptions.
type Preferences struct {
	Email         string         `json:"email"`
	Kinds         []KindChoice   `json:"kinds"`
	Subscriptions []Subscription `json:"subscriptions"`
}

// KindChoice is one kind of message and whether the address gets it.
type KindChoice struct {
	Kind     Kind   `json:"kind"`
	Label    string `json:"label"`
	Receives bool   `json:"receives"`
}

func (s *Service) lookup(ctx context.Context, token string) (Token, error) {
	if token == "" || len(token) > 100 {
		return Token{}, fmt.Errorf("this link is not valid: %w", errs.ErrNotFound)
	}
	t, err := s.store.MailTokenByValue(ctx, token)
	if err != nil {
		if errors.Is(err, errs.ErrNotFound) {
			return Token{}, fmt.Errorf("this link is not valid: %w", err)
		}
		return Token{}, err
	}
	return t, nil
}

// Unsubscribe acts on a one-click unsubscribe link: it ends the
// subscription the link was sent for, or stops that kind of message to the
// address. It returns what was stopped, in words.
func (s *Service) Unsubscribe(ctx context.Context, token string) (string, error) {
	const op = "mail: unsubscribe"
	var what string
	err := s.store.InTx(ctx, func(ctx context.Context) error {
		t, err := s.lookup(ctx, token)
		if err != nil {
			return err
		}
		if t.Subscription != 0 {
			sub, err := s.store.Subscription(ctx, t.Subscription)
			if errors.Is(err, errs.ErrNotFound) {
				what = "You were already unsubscribed."
				return nil
			} else if err != nil {
				return err
			}
			what = fmt.Sprintf("You will no longer get the monthly alert for %s %s.", sub.Scope, sub.Org)
			return s.store.DeleteSubscription(ctx, t.Subscription)
		}
		what = fmt.Sprintf("You will no longer get these messages: %s.", strings.ToLower(t.Kind.Label()))
		return s.store.OptOut(ctx, t.Email, t.Kind, s.now().UTC())
	})
	if err != nil {
		return "", fmt.Errorf("%s: %w", op, err)
	}
	return what, nil
}

// Preferences returns the preferences of the address a link was sent to.
func (s *Service) Preferences(ctx context.Context, token string) (Preferences, error) {
	const op = "mail: preferences"
	t, err := s.lookup(ctx, token)
	if err != nil {
		return Preferences{}, fmt.Errorf("%s: %w", op, err)
	}
	out, err := s.store.OptOuts(ctx, t.Email)
	if err != nil {
		return Preferences{}, fmt.Errorf("%s: %w", op, err)
	}
	p := Preferences{Email: t.Email}
	for _, k := range Kinds {
		receives := true
		for _, o := range out {
			if o == k.Kind {
				receives = false
			}
		}
		p.Kinds = append(p.Kinds, KindChoice{Kind: k.Kind, Label: k.Label, Receives: receives})
	}
	if p.Subscriptions, err = s.store.Subscriptions(ctx, t.Email); err != nil {
		return Preferences{}, fmt.Errorf("%s: %w", op, err)
	}
	return p, nil
}

// SetPreferences saves the kinds of message the link's address wants
// (every other kind is stopped) and ends the listed subscriptions of that
// address (others' subscriptions are left alone).
func (s *Service) SetPreferences(ctx context.Context, token string, receive map[Kind]bool, cancel []int64) error {
	const op = "mail: save preferences"
	err := s.store.InTx(ctx, func(ctx context.Context) error {
		t, err := s.lookup(ctx, token)
		if err != nil {
			return err
		}
		for _, k := range Kinds {
			if receive[k.Kind] {
				err = s.store.OptIn(ctx, t.Email, k.Kind)
			} else {
				err = s.store.OptOut(ctx, t.Email, k.Kind, s.now().UTC())
			}
			if err != nil {
				return err
			}
		}
		for _, id := range cancel {
			sub, err := s.store.Subscription(ctx, id)
			if errors.Is(err, errs.ErrNotFound) {
				continue
			} else if err != nil {
				return err
			}
			if sub.Email != t.Email {
				return fmt.Errorf("subscription %d is not yours: %w", id, errs.ErrForbidden)
			}
			if err := s.store.DeleteSubscription(ctx, id); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	return nil
}

// ---- subscriptions (double opt-in) ----

// Subscribe asks for the monthly alert of one organisation to be sent to
// email: it stores the subscription unconfirmed and e-mails a link to
// confirm it. Nothing else is sent until it is confirmed. Asking again
// sends no second message within a day (and no address gets more than three
// confirmation messages a day), and the answer never says whether the
// address was already subscribed. orgName is the organisation's name
// for the message.
func (s *Service) Subscribe(ctx context.Context, email string, scope Scope, org, orgName string) error {
	const op = "mail: subscribe"
	addr, err := ParseAddress(email)
	if err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	switch scope {
	case ScopePractice, ScopeLocality, ScopeCCG:
	default:
		return fmt.Errorf("%s: %q is not something to subscribe to: %w", op, scope, errs.ErrInvalid)
	}
	if org == "" || len(org) > 20 {
		return fmt.Errorf("%s: which organisation? %w", op, errs.ErrInvalid)
	}
	err = s.store.InTx(ctx, func(ctx context.Context) error {
		now := s.now().UTC()
		sub, existed, err := s.store.PutSubscription(ctx, Subscription{Email: addr, Scope: scope, Org: org, Created: now})
		if err != nil {
			return err
		}
		if existed && !sub.Confirmed.IsZero() {
			return nil // already receiving it: say nothing more
		}
		// At most confirmsPerDay confirmation messages to one address a
		// day, so that the form cannot be used to flood somebody's inbox.
		recent, err := s.store.MailMessages(ctx, Filter{To: addr, Kind: KindConfirm, Limit: confirmsPerDay})
		if err != nil {
			return err
		}
		if len(recent) == confirmsPerDay && now.Sub(recent[confirmsPerDay-1].Created) < 24*time.Hour {
			return nil
		}
		fresh, err := s.token()
		if err != nil {
			return err
		}
		tok, err := s.store.MailToken(ctx, Token{Email: addr, Kind: KindMonthlyAlert, Subscription: sub.ID}, fresh)
		if err != nil {
			return err
		}
		c := Content{
			Subject:    "Confirm your monthly prescribing alert for " + orgName,
			Lead:       "Someone, probably you, asked for a monthly prescribing alert for " + orgName + " to be sent to this address.",
			Paragraphs: []string{"We will not send you any alerts unless you confirm."},
			Action:     &Link{Text: "Confirm your alert", URL: s.URL("/mail/confirm/" + tok)},
			After:      []string{"If you did not ask for this, you do not need to do anything."},
			Why:        "You are getting this message because this address was entered on our website.",
		}
		day := now.Format("2006-01-02")
		_, err = s.Queue(ctx, addr, KindConfirm, strconv.FormatInt(sub.ID, 10)+":"+day, c, Options{})
		return err
	})
	if err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	return nil
}

// confirmsPerDay is how many confirmation messages one address may be sent a day.
const confirmsPerDay = 3

// Confirm confirms the subscription a confirmation link was sent for.
func (s *Service) Confirm(ctx context.Context, token string) (Subscription, error) {
	const op = "mail: confirm subscription"
	var sub Subscription
	err := s.store.InTx(ctx, func(ctx context.Context) error {
		t, err := s.lookup(ctx, token)
		if err != nil {
			return err
		}
		if t.Subscription == 0 {
			return fmt.Errorf("this link is not for a subscription: %w", errs.ErrNotFound)
		}
		if sub, err = s.store.Subscription(ctx, t.Subscription); err != nil {
			return fmt.Errorf("this subscription was cancelled: %w", err)
		}
		if !sub.Confirmed.IsZero() {
			return nil
		}
		sub.Confirmed = s.now().UTC()
		if err := s.store.ConfirmSubscription(ctx, sub.ID, sub.Confirmed); err != nil {
			return err
		}
		if s.alerts == nil || s.latest == nil {
			return nil
		}
		// the first alert: the newest published month, straight away
		month, err := s.latest(ctx)
		if err != nil || month.IsZero() {
			return err
		}
		_, err = s.alertFor(ctx, sub, month, s.alerts)
		return err
	})
	if err != nil {
		return Subscription{}, fmt.Errorf("%s: %w", op, err)
	}
	return sub, nil
}

// PathEscape escapes one segment of a path for a link in a message.
func PathEscape(s string) string { return url.PathEscape(s) }
