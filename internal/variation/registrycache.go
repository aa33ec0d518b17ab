package variation

import (
	"context"
	"fmt"
	"sync"

	"ccg/internal/calendar"
)

// CachedRegistry is a Registry that keeps each month's membership, so that
// the funnel, locality and measure pages do not read the whole membership
// from the registry on every view. stamp names the registry's state: the
// cache is dropped whenever it changes. It must change whenever the
// registry does, in any process; the CLI wires the SQL store's count and
// newest id of import runs, recorded in the transaction of the import that
// changes the registry (the only way the registry changes).
type CachedRegistry struct {
	Registry
	stamp func(ctx context.Context) (string, error)

	mu      sync.Mutex
	at      string
	members map[calendar.Month][]Member
}

// NewCachedRegistry returns reg with its membership cached until stamp
// changes.
func NewCachedRegistry(reg Registry, stamp func(ctx context.Context) (string, error)) *CachedRegistry {
	return &CachedRegistry{Registry: reg, stamp: stamp, members: map[calendar.Month][]Member{}}
}

// Members implements Registry. The stamp is read before the membership, so
// that a membership read after a change is never kept under the stamp of
// before it.
func (c *CachedRegistry) Members(ctx context.Context, month calendar.Month) ([]Member, error) {
	at, err := c.stamp(ctx)
	if err != nil {
		return nil, fmt.Errorf("variation: members %s: %w", month, err)
	}
	c.mu.Lock()
	if at != c.at {
		c.at, c.members = at, map[calendar.Month][]Member{}
	}
	ms, ok := c.members[month]
	c.mu.Unlock()
	if !ok {
		if ms, err = c.Registry.Members(ctx, month); err != nil {
			return nil, err
		}
		c.mu.Lock()
		if c.at == at {
			if len(c.members) >= 240 { // 20 years of months: a bound, not a policy
				c.members = map[calendar.Month][]Member{}
			}
			c.members[month] = ms
		}
		c.mu.Unlock()
	}
	return append([]Member(nil), ms...), nil
}
