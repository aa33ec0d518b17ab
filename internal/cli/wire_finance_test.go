package cli

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"ccg/internal/analytics/duckdb"
	"ccg/internal/calendar"
	"ccg/internal/errs"
	"ccg/internal/finance"
)

// TestAnalyticsCosts checks the PrescribingCosts adapter over a real
// DuckDB analytics store: costs in pence from the month's facts, nothing
// for a practice without prescribing, ErrNotFound for a month without data
// and when no analytics store is connected.
func TestAnalyticsCosts(t *testing.T) {
	ctx := context.Background()
	st, err := duckdb.Open(ctx, filepath.Join(t.TempDir(), "analytics.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.PutPart(ctx, "prescribing", "2020-04", `SELECT * FROM (VALUES
		(DATE '2020-04-01', 'Y90001', '0101010A0AAAAAA', 1.0, 10.0, 100.25, 101.0, NULL::DOUBLE),
		(DATE '2020-04-01', 'Y90001', '0101010B0AAAAAA', 1, 10, 0.50, 1, NULL),
		(DATE '2020-04-01', 'Y90002', '0101010A0AAAAAA', 1, 10, 7, 8, NULL))`); err != nil {
		t.Fatal(err)
	}
	costs := newAnalyticsCosts(func() *duckdb.Store { return st })
	none := newAnalyticsCosts(func() *duckdb.Store { return nil })
	tests := []struct {
		name     string
		c        analyticsCosts
		practice string
		month    string
		want     finance.Money
		err      error
	}{
		{"two presentations", costs, "Y90001", "2020-04", 10075, nil},
		{"again, from the month's cache", costs, "Y90001", "2020-04", 10075, nil},
		{"another practice", costs, "Y90002", "2020-04", 700, nil},
		{"no prescribing that month", costs, "Y90003", "2020-04", 0, nil},
		{"a month without data", costs, "Y90001", "2020-05", 0, errs.ErrNotFound},
		{"no analytics store", none, "Y90001", "2020-04", 0, errs.ErrNotFound},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.c.ActualCost(ctx, tc.practice, calendar.MustMonth(tc.month))
			if tc.err != nil {
				if !errors.Is(err, tc.err) {
					t.Fatalf("error %v, want %v", err, tc.err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("got %v, %v; want %v", got, err, tc.want)
			}
		})
	}
}
