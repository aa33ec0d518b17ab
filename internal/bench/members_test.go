package bench

import (
	"context"
	"path/filepath"
	"testing"

	"ccg/internal/calendar"
	"ccg/internal/registry"
	"ccg/internal/store/sqlite"
	"ccg/internal/variation"
)

// BenchmarkMembers times what every funnel, locality and measure page
// asks the registry: the membership of every CCG in a month, for a
// national-sized registry (6,600 practices in 106 CCGs). "per CCG" is the
// way it was read before (MembersAt CCG by CCG, a few queries a practice),
// the baseline; "one query" is registry MembershipsOn, as the variation
// port reads it now; "cached" is what `ccg serve` does on a page view
// (the cached membership, checked against the import runs' stamp).
// Compare the ns/op of the lines.
func BenchmarkMembers(b *testing.B) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "ccg.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	if _, err := st.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	month := calendar.MustMonth("2024-01")
	spec := Spec{Month: month, Organisations: 6600, CCGs: 106}
	if err := loadRegistry(ctx, st, spec); err != nil {
		b.Fatal(err)
	}
	reg := registry.NewService(st)
	perCCG := func() int {
		n := 0
		ccgs, _, err := reg.Search(ctx, registry.Filter{Kind: registry.KindCCG, Limit: 500})
		if err != nil {
			b.Fatal(err)
		}
		for _, c := range ccgs {
			ms, err := reg.MembersAt(ctx, c.Code, month.First(), false)
			if err != nil {
				b.Fatal(err)
			}
			n += len(ms)
		}
		return n
	}
	port := variation.NewRegistryPort(reg)
	oneQuery := func() int {
		ms, err := port.Members(ctx, month)
		if err != nil {
			b.Fatal(err)
		}
		return len(ms)
	}
	if a, c := perCCG(), oneQuery(); a != c || a != spec.Organisations {
		b.Fatalf("per CCG %d members, one query %d, want %d", a, c, spec.Organisations)
	}
	b.Run("per CCG (before)", func(b *testing.B) {
		for b.Loop() {
			perCCG()
		}
	})
	b.Run("one query", func(b *testing.B) {
		for b.Loop() {
			oneQuery()
		}
	})
	cached := variation.NewCachedRegistry(port, st.ImportsStamp)
	if _, err := cached.Members(ctx, month); err != nil { // the first page view fills it
		b.Fatal(err)
	}
	b.Run("cached until an import (as serve runs it)", func(b *testing.B) {
		for b.Loop() {
			if _, err := cached.Members(ctx, month); err != nil {
				b.Fatal(err)
			}
		}
	})
}
