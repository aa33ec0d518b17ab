package sqlstore

import (
	"context"
	"fmt"
	"sort"

	"ccg/internal/calendar"
	"ccg/internal/errs"
	"ccg/internal/variation"
)

// The Store keeps the variation capability's referral reference tables.
var _ variation.ReferenceStore = (*Store)(nil)

const referenceRateBatch = 200

type referenceAreaMonth struct {
	month calendar.Month
	area  string
}

// ReplaceReferenceRates implements variation.ReferenceStore: in one
// transaction (the caller's, or its own) it deletes the stored rows of each
// (month, area) the rows hold and inserts the rows. When the rows are the
// same as those stored it writes nothing and returns 0.
func (s *Store) ReplaceReferenceRates(ctx context.Context, rows []variation.ReferenceRate) (int, error) {
	groups := map[referenceAreaMonth]bool{}
	for _, r := range rows {
		if r.Month.IsZero() || r.Area == "" || r.FunctionCode == "" || r.Sex == "" || r.AgeBand == "" || r.Referrals < 0 || r.Patients <= 0 {
			return 0, fmt.Errorf("sqlstore: replace reference rates: %+v: month, area, function, sex and band are required, referrals ≥ 0 and patients > 0: %w", r, errs.ErrInvalid)
		}
		groups[referenceAreaMonth{r.Month, r.Area}] = true
	}
	keys := make([]referenceAreaMonth, 0, len(groups))
	for k := range groups {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].month != keys[j].month {
			return keys[i].month.Before(keys[j].month)
		}
		return keys[i].area < keys[j].area
	})
	type rowKey struct{ month, area, fn, sex, band string }
	keyOf := func(r variation.ReferenceRate) rowKey {
		return rowKey{r.Month.String(), r.Area, r.FunctionCode, r.Sex, r.AgeBand}
	}
	changed := 0
	err := s.InTx(ctx, func(ctx context.Context) error {
		stored := map[rowKey][2]int64{}
		for _, k := range keys {
			rs, err := s.referenceRates(ctx, `WHERE month = ? AND area = ?`, monthArg(k.month), k.area)
			if err != nil {
				return err
			}
			for _, r := range rs {
				stored[keyOf(r)] = [2]int64{r.Referrals, r.Patients}
			}
		}
		incoming := map[rowKey][2]int64{}
		for _, r := range rows {
			incoming[keyOf(r)] = [2]int64{r.Referrals, r.Patients}
		}
		for k, v := range incoming {
			if w, ok := stored[k]; !ok || w != v {
				changed++
			}
		}
		for k := range stored {
			if _, ok := incoming[k]; !ok {
				changed++
			}
		}
		if changed == 0 {
			return nil
		}
		for _, k := range keys {
			if _, err := s.exec(ctx, `DELETE FROM referral_reference_rates WHERE month = ? AND area = ?`, monthArg(k.month), k.area); err != nil {
				return err
			}
		}
		_, err := upsertInBatches(rows, referenceRateBatch, keyOf, func(batch []variation.ReferenceRate) (int64, error) {
			args := make([]any, 0, 7*len(batch))
			for _, r := range batch {
				args = append(args, monthArg(r.Month), r.Area, r.FunctionCode, r.Sex, r.AgeBand, r.Referrals, r.Patients)
			}
			res, err := s.exec(ctx, `INSERT INTO referral_reference_rates (month, area, function_code, sex, age_band, referrals, patients)
				VALUES `+placeholders(len(batch), 7)+`
				ON CONFLICT (month, area, function_code, sex, age_band) DO UPDATE SET referrals = excluded.referrals, patients = excluded.patients`, args...)
			if err != nil {
				return 0, err
			}
			return res.RowsAffected()
		})
		return err
	})
	if err != nil {
		return 0, wrapErr("replace reference rates", err)
	}
	return changed, nil
}

// ReferenceRates implements variation.ReferenceStore.
func (s *Store) ReferenceRates(ctx context.Context, month calendar.Month) ([]variation.ReferenceRate, error) {
	rs, err := s.referenceRates(ctx, `WHERE month = ?`, monthArg(month))
	return rs, wrapErr("reference rates "+month.String(), err)
}

func (s *Store) referenceRates(ctx context.Context, where string, args ...any) ([]variation.ReferenceRate, error) {
	rows, err := s.query(ctx, `SELECT month, area, function_code, sex, age_band, referrals, patients
		FROM referral_reference_rates `+where+` ORDER BY area, function_code, sex, age_band`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []variation.ReferenceRate
	for rows.Next() {
		var r variation.ReferenceRate
		if err := rows.Scan(scanMonth(&r.Month), &r.Area, &r.FunctionCode, &r.Sex, &r.AgeBand, &r.Referrals, &r.Patients); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// ReferenceRateMonths implements variation.ReferenceStore.
func (s *Store) ReferenceRateMonths(ctx context.Context) ([]calendar.Month, error) {
	rows, err := s.query(ctx, `SELECT DISTINCT month FROM referral_reference_rates ORDER BY month`)
	if err != nil {
		return nil, wrapErr("reference rate months", err)
	}
	defer rows.Close()
	var out []calendar.Month
	for rows.Next() {
		var m calendar.Month
		if err := rows.Scan(scanMonth(&m)); err != nil {
			return nil, wrapErr("reference rate months", err)
		}
		out = append(out, m)
	}
	return out, wrapErr("reference rate months", rows.Err())
}
