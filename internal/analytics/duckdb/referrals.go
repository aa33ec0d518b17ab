package duckdb

import (
	"context"
	"database/sql/driver"
	"fmt"
	"sort"
	"strings"

	duckdbdriver "github.com/duckdb/duckdb-go/v2"

	"ccg/internal/calendar"
	"ccg/internal/variation"
)

// ReplaceReferrals replaces, in one transaction, every referral of the
// months the rows hold with the rows, and returns how many rows were
// replaced.
func (s *Store) ReplaceReferrals(ctx context.Context, rows []variation.Referral) (replaced int64, err error) {
	months := map[calendar.Month]bool{}
	for _, r := range rows {
		months[r.Month] = true
	}
	if len(months) == 0 {
		return 0, nil
	}
	var list []string
	for m := range months {
		list = append(list, dateLit(m))
	}
	sort.Strings(list)
	s.write.Lock()
	defer s.write.Unlock()
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return 0, fmt.Errorf("analytics: referrals: %w", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "CREATE OR REPLACE TEMP TABLE new_referrals AS SELECT * FROM referrals LIMIT 0"); err != nil {
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
	in := strings.Join(list, ", ")
	err = s.inTx(ctx, conn, func() error {
		res, err := conn.ExecContext(ctx, "DELETE FROM referrals WHERE month IN ("+in+")")
		if err != nil {
			return err
		}
		replaced, _ = res.RowsAffected()
		_, err = conn.ExecContext(ctx, "INSERT INTO referrals SELECT * FROM new_referrals")
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("analytics: referrals: %w", err)
	}
	return replaced, nil
}

// ReferralBands returns a month's referrals selected by a referral
// measure's numerator, per practice, sex and age band (rows with sex or age
// band "all" are left out). It lets the variation service standardise.
func (s *Store) ReferralBands(ctx context.Context, month calendar.Month, m variation.Measure) ([]variation.BandCount, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT practice, function_code, sex, age_band, sum(referrals)
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
