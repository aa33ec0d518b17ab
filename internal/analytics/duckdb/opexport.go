package duckdb

import (
	"context"
	"fmt"
	"path/filepath"

	"ccg/internal/calendar"
)

// ExportOpenPrescribing writes one month's prescribing facts and every
// presentation known (the presentations view gives each its latest name) as Parquet files in dir, for
// the OpenPrescribing compatibility sandbox (internal/analytics/opcompat):
// the one place the facts are read for it. A zero month writes no facts
// file.
func (s *Store) ExportOpenPrescribing(ctx context.Context, month calendar.Month, dir string) (facts, presentations string, err error) {
	r, err := s.reader(ctx)
	if err != nil {
		return "", "", fmt.Errorf("analytics: export: %w", err)
	}
	return exportOpenPrescribing(ctx, r, month, dir)
}

// ExportOpenPrescribing is Store.ExportOpenPrescribing over the draft (the
// published snapshot with the draft's own files over it).
func (d *Draft) ExportOpenPrescribing(ctx context.Context, month calendar.Month, dir string) (facts, presentations string, err error) {
	return exportOpenPrescribing(ctx, d.reader(), month, dir)
}

func exportOpenPrescribing(ctx context.Context, r *reader, month calendar.Month, dir string) (facts, presentations string, err error) {
	conn, release, err := r.conn(ctx)
	if err != nil {
		return "", "", fmt.Errorf("analytics: export: %w", err)
	}
	defer release()
	presentations = filepath.Join(dir, "presentations.parquet")
	if _, err := conn.ExecContext(ctx, "COPY (SELECT bnf_code, name FROM presentations) TO '"+
		sqlString(presentations)+"' (FORMAT parquet)"); err != nil {
		return "", "", fmt.Errorf("analytics: export presentations: %w", err)
	}
	if month.IsZero() {
		return "", presentations, nil
	}
	r.touch(monthKeys(month, "prescribing", "presentations")...)
	facts = filepath.Join(dir, "facts.parquet")
	q := `COPY (SELECT f.month, f.practice, f.bnf_code, coalesce(p.name, '') AS bnf_name, f.items, f.quantity, f.actual_cost, f.nic AS net_cost
FROM prescribing f LEFT JOIN presentations p USING (bnf_code)
WHERE f.month = ` + dateLit(month) + `) TO '` + sqlString(facts) + `' (FORMAT parquet)`
	if _, err := conn.ExecContext(ctx, q); err != nil {
		return "", "", fmt.Errorf("analytics: export %s: %w", month, err)
	}
	return facts, presentations, nil
}
