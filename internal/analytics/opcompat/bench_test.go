package opcompat_test

import (
	"context"
	"testing"
	"time"

	"ccg/internal/analytics/opcompat"
)

// BenchmarkSandboxBuild times building a month's sandbox, as computing a
// month of query and custom measures does, with the dm+d read from the SQL
// store each time (the baseline) and from the Parquet cache, and prints
// the ratio (on the small fixture; a full release has about a million
// records, where reading them from the store dominates).
func BenchmarkSandboxBuild(b *testing.B) {
	w := newWorld(b)
	ctx := context.Background()
	reg := registry{}
	timeIt := func(b *testing.B, src opcompat.Sources) time.Duration {
		start := time.Now()
		for i := 0; i < b.N; i++ {
			sb, err := opcompat.Build(ctx, src, jan)
			if err != nil {
				b.Fatal(err)
			}
			sb.Close()
		}
		return time.Since(start) / time.Duration(b.N)
	}
	var store, cached time.Duration
	b.Run("dm+d from the store", func(b *testing.B) {
		store = timeIt(b, opcompat.Sources{DMD: w.sql, Facts: w.an, Registry: reg})
	})
	cache := &opcompat.DMDCache{}
	defer cache.Close()
	b.Run("dm+d from the cache", func(b *testing.B) {
		cached = timeIt(b, opcompat.Sources{DMD: w.sql, Facts: w.an, Registry: reg, Cache: cache})
	})
	if cached > 0 {
		b.Logf("sandbox build: %v from the store, %v from the cache (%.2f× the baseline)", store, cached, float64(cached)/float64(store))
	}
}
