package duckdb

import (
	"context"
	"database/sql/driver"
	"fmt"
	"sort"

	duckdbdriver "github.com/duckdb/duckdb-go/v2"

	"ccg/internal/analytics"
	"ccg/internal/calendar"
	"ccg/internal/variation"
)

// ReplaceReferrals replaces every referral of the months the rows hold
// with the rows, published at once, and returns how many rows were
// replaced.
func (s *Store) ReplaceReferrals(ctx context.Context, rows []variation.Referral) (replaced int64, err error) {
	months := map[calendar.Month]bool{}
	for _, r := range rows {
		months[r.Month] = true
	}
	var list []calendar.Month
	for m := range months {
		list = append(list, m)
	}
	err = s.change(ctx, func(d *Draft) error {
		var err error
		replaced, err = d.ReplaceReferrals(ctx, list, rows)
		return err
	})
	return replaced, err
}

// ReplaceReferrals writes, for each of the months, the draft's file of
// that month's referrals: the rows of the month (none: the month is
// emptied). Rows of other months are an error. It returns how many rows
// the months held before.
func (d *Draft) ReplaceReferrals(ctx context.Context, months []calendar.Month, rows []variation.Referral) (replaced int64, err error) {
	if d.done {
		return 0, errClosed
	}
	declared := map[calendar.Month]bool{}
	for _, m := range months {
		declared[m] = true
	}
	for _, r := range rows {
		if !declared[r.Month] {
			return 0, fmt.Errorf("analytics: referrals: a row of %s is outside the months replaced", r.Month)
		}
	}
	sort.Slice(months, func(i, j int) bool { return months[i].Before(months[j]) })
	conn := d.conn
	if _, err := conn.ExecContext(ctx, "CREATE OR REPLACE TEMP TABLE new_referrals AS SELECT * FROM empty_referrals"); err != nil {
		return 0, fmt.Errorf("analytics: referrals: %w", err)
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), "DROP TABLE IF EXISTS new_referrals")
	err = conn.Raw(func(dc any) error {
		app, err := duckdbdriver.NewAppenderFromConn(dc.(driver.Conn), "", "new_referrals")
		if err != nil {
			return err
		}
		for _, r := range rows {
			if err := app.AppendRow(r.Month.First().Time(), r.Practice, r.FunctionCode, r.Sex, r.AgeBand, r.Priority, float64(r.Referrals)); err != nil {
				app.Close()
				return err
			}
		}
		return app.Close()
	})
	if err != nil {
		return 0, fmt.Errorf("analytics: referrals: %w", err)
	}
	for _, m := range months {
		replaced += d.base[analytics.Key{Dataset: "referrals", Part: m.String()}].Rows
		if _, err := d.writeOrdered(ctx, "referrals", m.String(), "SELECT * FROM new_referrals WHERE month = "+dateLit(m),
			"practice, function_code, sex, age_band, priority"); err != nil {
			return 0, fmt.Errorf("analytics: referrals: %w", err)
		}
	}
	return replaced, nil
}

// ReferralBands returns a month's referrals selected by a referral
// measure's numerator, per practice, sex and age band (rows with sex or age
// band "all" are left out). It lets the variation service standardise.
func (s *Store) ReferralBands(ctx context.Context, month calendar.Month, m variation.Measure) ([]variation.BandCount, error) {
	r, err := s.reader(ctx)
	if err != nil {
		return nil, err
	}
	return r.ReferralBands(ctx, month, m)
}

// ReferralBands is Store.ReferralBands over the draft.
func (d *Draft) ReferralBands(ctx context.Context, month calendar.Month, m variation.Measure) ([]variation.BandCount, error) {
	return d.reader().ReferralBands(ctx, month, m)
}

// ReferralBands returns a month's referrals by practice, sex and age band.
func (r *reader) ReferralBands(ctx context.Context, month calendar.Month, m variation.Measure) ([]variation.BandCount, error) {
	r.touch(monthKeys(month, "referrals")...)
	rows, err := r.query(ctx, `SELECT practice, function_code, sex, age_band, sum(referrals)
FROM referrals WHERE month = `+dateLit(month)+` AND sex IN ('male', 'female') AND age_band <> 'all'
GROUP BY ALL`)
	if err != nil {
		return nil, fmt.Errorf("analytics: referral bands %s: %w", month, err)
	}
	defer rows.Close()
	f := variation.CompileFilter(m.Numerator)
	var out []variation.BandCount
	for rows.Next() {
		var b variation.BandCount
		var code string
		if err := rows.Scan(&b.Practice, &code, &b.Sex, &b.AgeBand, &b.Count); err != nil {
			return nil, fmt.Errorf("analytics: referral bands %s: %w", month, err)
		}
		if f.Match(code) {
			out = append(out, b)
		}
	}
	return out, rows.Err()
}
