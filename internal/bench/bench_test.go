package bench

import (
	"context"
	"flag"
	"os"
	"strings"
	"testing"

	"ccg/internal/calendar"
)

var size = flag.String("bench-size", "small", "benchmark size: small (the test suite) or national (make bench)")

// TestPrescribingBench runs the prescribing benchmark and prints its table.
// With -bench-size=small (the default) it is a 200,000-row month that runs
// with the normal tests, so the benchmark cannot rot; `make bench` runs it
// with -bench-size=national. The PostgreSQL path runs when
// CCG_BENCH_POSTGRES or CCG_TEST_POSTGRES names a database.
func TestPrescribingBench(t *testing.T) {
	month := calendar.MustMonth("2024-01")
	spec := SmallSpec(month)
	opts := Options{WorkDir: t.TempDir(), CacheDir: t.TempDir(), PageMonths: 3, PageSamples: 10, Logf: t.Logf}
	switch *size {
	case "small":
	case "national":
		spec = NationalSpec(month)
		opts.CacheDir = CacheDir()
		opts.PageMonths, opts.PageSamples = 24, 500
	default:
		t.Fatalf("unknown -bench-size %q", *size)
	}
	if testing.Short() && *size == "small" {
		spec.Rows = 20_000
	}
	opts.PostgresURL = os.Getenv("CCG_BENCH_POSTGRES")
	if opts.PostgresURL == "" {
		opts.PostgresURL = os.Getenv("CCG_TEST_POSTGRES")
	}
	res, err := Run(context.Background(), spec, opts)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	res.WriteTable(&b)
	t.Log("\n" + b.String())
	if *size == "national" {
		os.Stdout.WriteString("\n" + b.String())
	}
	if res.Facts == 0 || res.Values == 0 || res.PageSamples == 0 {
		t.Errorf("the benchmark did no work: %+v", res)
	}
}

var generateOnly = flag.Bool("bench-generate-only", false, "only generate (and cache) the month for -bench-size")

// TestGenerateMonth fills the cache without running the benchmark
// (-bench-generate-only), so that generation and measurement can be done at
// different times.
func TestGenerateMonth(t *testing.T) {
	if !*generateOnly {
		t.Skip("only with -bench-generate-only")
	}
	spec := NationalSpec(calendar.MustMonth("2024-01"))
	if *size == "small" {
		spec = SmallSpec(calendar.MustMonth("2024-01"))
	}
	path, generated, err := CachedMonth(CacheDir(), spec)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%s (generated now: %v)", path, generated)
}
