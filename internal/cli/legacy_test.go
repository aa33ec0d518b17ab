package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A data folder of an older ccg (analytics.duckdb) is not read: the
// analytics imports say why and what to do, and the other commands work.
func TestLegacyAnalyticsRefused(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "analytics.duckdb"), []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	epd := filepath.Join(t.TempDir(), "EPD_202101.csv")
	if err := os.WriteFile(epd, []byte("YEAR_MONTH,PRACTICE_CODE,BNF_CODE,ITEMS,TOTAL_QUANTITY,NIC,ACTUAL_COST\n202101,A81001,0501013K0AAAAAA,1,1,1,1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	err := Run(ctx, []string{"import", "--data", dir, "prescribing", epd}, &out)
	if err == nil || !strings.Contains(err.Error(), "analytics.duckdb") || !strings.Contains(err.Error(), "import the prescribing") {
		t.Fatalf("import over an old analytics.duckdb: %v", err)
	}
	if err := Run(ctx, []string{"migrate", "--data", dir}, &out); err != nil {
		t.Errorf("migrate refused too: %v", err)
	}
}
