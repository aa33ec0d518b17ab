package opcompat

import (
	"context"
	"strings"
	"testing"
	"time"

	"ccg/internal/calendar"
)

// TestSandboxLocked: even SQL that got past Translate cannot reach outside
// the sandbox, change its settings, or run for ever.
func TestSandboxLocked(t *testing.T) {
	ctx := context.Background()
	sb, err := Build(ctx, Sources{}, calendar.Month{})
	if err != nil {
		t.Fatal(err)
	}
	defer sb.Close()
	if _, err := sb.Codes(ctx, time.Minute, "SELECT * FROM read_csv('/etc/hostname')"); err == nil || !strings.Contains(strings.ToLower(err.Error()), "disabled") {
		t.Fatalf("reading a file: %v", err)
	}
	for _, q := range []string{"SET enable_external_access = true", "SET lock_configuration = false"} {
		if _, err := sb.db.ExecContext(ctx, q); err == nil {
			t.Fatalf("%s was allowed", q)
		}
	}
	if _, err := sb.db.ExecContext(ctx, "ATTACH '/tmp/ccg-opcompat-other.duckdb' AS other"); err == nil {
		t.Fatal("ATTACH was allowed")
	}
	start := time.Now()
	_, err = sb.Codes(ctx, 300*time.Millisecond, "SELECT count(*) FROM range(1000000000) a, range(1000000000) b")
	if err == nil || !strings.Contains(err.Error(), "was stopped") {
		t.Fatalf("a long query: %v", err)
	}
	if d := time.Since(start); d > 20*time.Second {
		t.Fatalf("a long query took %s to stop", d)
	}
	// The compatibility tables are there (empty).
	codes, err := sb.Codes(ctx, time.Minute, "SELECT bnf_code FROM measures.vw__dmd_objs_with_form_route UNION SELECT bnf_code FROM hscic.raw_prescribing_normalised")
	if err != nil || len(codes) != 0 {
		t.Fatalf("views: %v %v", codes, err)
	}
}
