package access

import (
	"strings"
	"sync"
	"time"
)

// Throttle slows down password guessing without locking the rightful person
// out (NIST SP 800-63B, 5.2.2), in memory. It counts failed sign-ins within
// Window for three keys:
//
//   - one account from one source (PairLimit): a guesser at one address
//     stops only themselves, never the account's owner elsewhere;
//   - one account from every source (AccountLimit, at most NIST's 100
//     consecutive failures): a guesser spread over many addresses is
//     stopped, but sources the owner has signed in from before (within
//     Remember) are still let through;
//   - one source over every account (AddressLimit): a guesser trying many
//     accounts from one address is stopped, again except for an account
//     already known from that source, so people behind one shared address
//     (a practice, a hospital network, a proxy) keep signing in.
//
// Failures age out of the window one by one, so nothing is ever locked for
// longer than Window. A success forgets the account's failures. It is safe
// for concurrent use; Now can be replaced in tests.
type Throttle struct {
	PairLimit    int
	AccountLimit int
	AddressLimit int
	Window       time.Duration
	// Remember is how long a source stays known for an account after a
	// successful sign-in from it.
	Remember time.Duration
	// Now returns the current time (time.Now when nil).
	Now func() time.Time

	mu       sync.Mutex
	failures map[string][]time.Time
	known    map[string]time.Time
	refused  map[string]*refusals
	sweeps   int
}

// refusals counts the attempts refused for one account in one episode of
// throttling.
type refusals struct {
	first, last time.Time
	n           int
}

// NewThrottle returns a throttle allowing, per 15 minutes, 10 failures for
// an account from one source, 100 for an account from all sources and 100
// from one source over all accounts, and remembering a source for 30 days
// after a successful sign-in.
func NewThrottle() *Throttle {
	return &Throttle{PairLimit: 10, AccountLimit: 100, AddressLimit: 100, Window: 15 * time.Minute, Remember: 30 * 24 * time.Hour}
}

func (t *Throttle) now() time.Time {
	if t.Now != nil {
		return t.Now()
	}
	return time.Now()
}

func normEmail(email string) string  { return strings.ToLower(strings.TrimSpace(email)) }
func accountKey(email string) string { return "a:" + normEmail(email) }
func addressKey(ip string) string    { return "i:" + ip }
func pairKey(email, ip string) string {
	return "p:" + normEmail(email) + "\x00" + ip
}

// Allow reports whether a sign-in for email from ip may be tried now.
func (t *Throttle) Allow(email, ip string) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	if ip != "" && len(t.recent(pairKey(email, ip), now)) >= t.PairLimit {
		return false
	}
	if ip != "" && t.isKnown(email, ip, now) {
		return true
	}
	if len(t.recent(accountKey(email), now)) >= t.AccountLimit {
		return false
	}
	if ip != "" && len(t.recent(addressKey(ip), now)) >= t.AddressLimit {
		return false
	}
	return true
}

// Refused counts one attempt that Allow refused and reports whether it is
// the first of its episode (the account's first refusal, or the first after
// a Window without any), with the number refused in the episode before it.
// Callers write the first of an episode to the audit log and only count the
// rest, so that refused attempts cannot grow the log without limit.
func (t *Throttle) Refused(email string) (first bool, before int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	if t.refused == nil {
		t.refused = map[string]*refusals{}
	}
	k := accountKey(email)
	r := t.refused[k]
	if r == nil || now.Sub(r.last) >= t.Window {
		prev := 0
		if r != nil {
			prev = r.n
		}
		t.refused[k] = &refusals{first: now, last: now, n: 1}
		return true, prev
	}
	r.last = now
	r.n++
	return false, r.n - 1
}

// Fail records a failed sign-in.
func (t *Throttle) Fail(email, ip string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.failures == nil {
		t.failures = map[string][]time.Time{}
	}
	now := t.now()
	keys := []string{accountKey(email)}
	if ip != "" {
		keys = append(keys, addressKey(ip), pairKey(email, ip))
	}
	for _, k := range keys {
		t.failures[k] = append(t.recent(k, now), now)
	}
	t.sweep(now)
}

// Succeed forgets the account's failures (those of its sources over other
// accounts are kept) and remembers ip as a source the account's owner uses.
func (t *Throttle) Succeed(email, ip string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.failures, accountKey(email))
	delete(t.refused, accountKey(email))
	if ip == "" {
		return
	}
	delete(t.failures, pairKey(email, ip))
	if t.known == nil {
		t.known = map[string]time.Time{}
	}
	now := t.now()
	t.known[pairKey(email, ip)] = now
	t.sweep(now)
}

func (t *Throttle) isKnown(email, ip string, now time.Time) bool {
	at, ok := t.known[pairKey(email, ip)]
	return ok && now.Sub(at) < t.Remember
}

// sweep drops stale entries now and then, so that memory stays bounded by
// the attempts of one window and the sources of one Remember period.
func (t *Throttle) sweep(now time.Time) {
	t.sweeps++
	if t.sweeps%1000 != 0 {
		return
	}
	for k := range t.failures {
		t.recent(k, now)
	}
	for k, at := range t.known {
		if now.Sub(at) >= t.Remember {
			delete(t.known, k)
		}
	}
	for k, r := range t.refused {
		if now.Sub(r.last) >= t.Window {
			delete(t.refused, k)
		}
	}
}

// recent returns k's failures within the window, trimming older ones.
func (t *Throttle) recent(k string, now time.Time) []time.Time {
	f := t.failures[k]
	i := 0
	for i < len(f) && now.Sub(f[i]) >= t.Window {
		i++
	}
	if i > 0 {
		f = f[i:]
		if len(f) == 0 {
			delete(t.failures, k)
		} else {
			t.failures[k] = f
		}
	}
	return f
}
