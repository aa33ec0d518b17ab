package duckdb

import (
	"context"
	"fmt"
	"path/filepath"

	"ccg/internal/calendar"
)

// ExportOpenPrescribing writes one month's prescribing facts and every
// presentation known as Parquet files in dir, for the OpenPrescribing
// compatibility sandbox (internal/analytics/opcompat): the one place the
// facts are read for it. A zero month writes no facts file.
func (s *Store) ExportOpenPrescribing(ctx context.Context, month calendar.Month, dir string) (facts, presentations string, err error) {
	presentations = filepath.Join(dir, "presentations.parquet")
	if _, err := s.db.ExecContext(ctx, "COPY (SELECT bnf_code, name FROM presentations) TO '"+sqlString(presentations)+"' (FORMAT parquet)"); err != nil {
		return "", "", fmt.Errorf("analytics: export presentations: %w", err)
	}
	if month.IsZero() {
		return "", presentations, nil
	}
	facts = filepath.Join(dir, "facts.parquet")
	q := `COPY (SELECT f.month, f.practice, f.bnf_code, coalesce(p.name, '') AS bnf_name, f.items, f.quantity, f.actual_cost, f.nic AS net_cost
FROM prescribing f LEFT JOIN presentations p USING (bnf_code) WHERE f.month = ` + dateLit(month) + `) TO '` + sqlString(facts) + `' (FORMAT parquet)`
	if _, err := s.db.ExecContext(ctx, q); err != nil {
		return "", "", fmt.Errorf("analytics: export %s: %w", month, err)
	}
	return facts, presentations, nil
}
