package variation

import (
	"context"
	"errors"
	"testing"

	"ccg/internal/calendar"
)

type countingRegistry struct {
	calls   int
	members []Member
}

func (r *countingRegistry) Members(context.Context, calendar.Month) ([]Member, error) {
	r.calls++
	return append([]Member(nil), r.members...), nil
}

func (r *countingRegistry) Populations(context.Context, calendar.Month) (map[string]Population, error) {
	return nil, nil
}

// TestCachedRegistry checks that the membership is read once per month
// while the stamp stays, read again when it changes, and that a caller
// cannot spoil the cache by changing what it was given.
func TestCachedRegistry(t *testing.T) {
	ctx := context.Background()
	inner := &countingRegistry{members: []Member{{Practice: "P1", CCG: "A"}}}
	stamp, stampErr := "1/1", error(nil)
	c := NewCachedRegistry(inner, func(context.Context) (string, error) { return stamp, stampErr })
	jan, feb := calendar.MustMonth("2024-01"), calendar.MustMonth("2024-02")
	get := func(m calendar.Month) []Member {
		t.Helper()
		ms, err := c.Members(ctx, m)
		if err != nil {
			t.Fatal(err)
		}
		return ms
	}
	steps := []struct {
		what      string
		do        func()
		month     calendar.Month
		wantCalls int
		wantCCG   string
	}{
		{"first read", func() {}, jan, 1, "A"},
		{"same month, same stamp", func() {}, jan, 1, "A"},
		{"another month", func() {}, feb, 2, "A"},
		{"the registry changes but the stamp does not (not allowed: shows the cache is used)", func() { inner.members[0].CCG = "B" }, jan, 2, "A"},
		{"the stamp changes", func() { stamp = "2/2" }, jan, 3, "B"},
	}
	for _, s := range steps {
		s.do()
		ms := get(s.month)
		if inner.calls != s.wantCalls || len(ms) != 1 || ms[0].CCG != s.wantCCG {
			t.Errorf("%s: %d reads of the registry and %+v, want %d reads and CCG %s", s.what, inner.calls, ms, s.wantCalls, s.wantCCG)
		}
		ms[0].CCG = "spoilt"
	}
	stampErr = errors.New("database is down")
	if _, err := c.Members(ctx, jan); !errors.Is(err, stampErr) {
		t.Errorf("a stamp that cannot be read: %v, want the error", err)
	}
}
