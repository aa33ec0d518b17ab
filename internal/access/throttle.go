package access

import (
	"strings"
	"sync"
	"time"
)

// Throttle limits failed sign-ins per account and per network address, in
// memory. After Limit failures within Window for a key, further attempts for
// that key are refused until the oldest failure leaves the window. It is safe
// for concurrent use; Now can be replaced in tests.
type Throttle struct {
	// AccountLimit and AddressLimit are the failures allowed per Window.
	AccountLimit int
	AddressLimit int
	Window       time.Duration
	// Now returns the current time (time.Now when nil).
	Now func() time.Time

	mu       sync.Mutex
	failures map[string][]time.Time
	sweeps   int
}

// NewThrottle returns a throttle allowing 5 failures per account and 30 per
// address in 15 minutes.
func NewThrottle() *Throttle {
	return &Throttle{AccountLimit: 5, AddressLimit: 30, Window: 15 * time.Minute}
}

func (t *Throttle) now() time.Time {
	if t.Now != nil {
		return t.Now()
	}
	return time.Now()
}

func accountKey(email string) string { return "a:" + strings.ToLower(strings.TrimSpace(email)) }
func addressKey(ip string) string    { return "i:" + ip }

// Allow reports whether a sign-in for email from ip may be tried now.
func (t *Throttle) Allow(email, ip string) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	if len(t.recent(accountKey(email), now)) >= t.AccountLimit {
		return false
	}
	if ip != "" && len(t.recent(addressKey(ip), now)) >= t.AddressLimit {
		return false
	}
	return true
}

// Fail records a failed sign-in.
func (t *Throttle) Fail(email, ip string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.failures == nil {
		t.failures = map[string][]time.Time{}
	}
	now := t.now()
	for _, k := range []string{accountKey(email), addressKey(ip)} {
		if k == "i:" {
			continue
		}
		t.failures[k] = append(t.recent(k, now), now)
	}
	t.sweeps++
	if t.sweeps%1000 == 0 {
		for k := range t.failures {
			if len(t.recent(k, now)) == 0 {
				delete(t.failures, k)
			}
		}
	}
}

// Succeed forgets the account's failures (the address's are kept).
func (t *Throttle) Succeed(email string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.failures, accountKey(email))
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
