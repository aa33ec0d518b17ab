package duckdb

import (
	"context"
	"database/sql"
	"fmt"
	"math"

	"ccg/internal/calendar"
	"ccg/internal/errs"
)

// ActualCost returns the actual cost, in whole pence (rounded to the
// nearest penny, halves away from zero), of everything practice prescribed
// that was dispensed in month, summed over the prescribing facts. A
// practice with no prescribing in a month that has data costs 0; a month
// with no prescribing data at all (not yet published or not imported)
// returns an error wrapping errs.ErrNotFound.
func (s *Store) ActualCost(ctx context.Context, practice string, month calendar.Month) (int64, error) {
	op := fmt.Sprintf("analytics: actual cost of %s in %s", practice, month)
	if month.IsZero() {
		return 0, fmt.Errorf("%s: no month: %w", op, errs.ErrInvalid)
	}
	if err := s.fresh(ctx); err != nil {
		return 0, fmt.Errorf("%s: %w", op, err)
	}
	day := month.First().String()
	st, err := s.prepared(ctx, `SELECT
		EXISTS (SELECT 1 FROM prescribing WHERE month = CAST(? AS DATE)),
		(SELECT sum(actual_cost) FROM prescribing WHERE month = CAST(? AS DATE) AND practice = ?)`)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", op, err)
	}
	var has bool
	var pounds sql.NullFloat64
	if err := st.QueryRowContext(ctx, day, day, practice).Scan(&has, &pounds); err != nil {
		return 0, fmt.Errorf("%s: %w", op, err)
	}
	if !has {
		return 0, fmt.Errorf("%s: no prescribing data for the month: %w", op, errs.ErrNotFound)
	}
	if !pounds.Valid {
		return 0, nil
	}
	return int64(math.Round(pounds.Float64 * 100)), nil
}

// ActualCosts returns the actual cost, in whole pence (rounded as
// ActualCost rounds), of every practice with prescribing in month, by
// practice code. A month with no prescribing data returns an error
// wrapping errs.ErrNotFound.
func (s *Store) ActualCosts(ctx context.Context, month calendar.Month) (map[string]int64, error) {
	op := fmt.Sprintf("analytics: actual costs in %s", month)
	if month.IsZero() {
		return nil, fmt.Errorf("%s: no month: %w", op, errs.ErrInvalid)
	}
	if err := s.fresh(ctx); err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	st, err := s.prepared(ctx, `SELECT practice, sum(actual_cost) FROM prescribing WHERE month = CAST(? AS DATE) GROUP BY practice`)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	rows, err := st.QueryContext(ctx, month.First().String())
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var p string
		var pounds float64
		if err := rows.Scan(&p, &pounds); err != nil {
			return nil, fmt.Errorf("%s: %w", op, err)
		}
		out[p] = int64(math.Round(pounds * 100))
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no prescribing data for the month: %w", op, errs.ErrNotFound)
	}
	return out, nil
}
