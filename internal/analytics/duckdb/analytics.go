package duckdb

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"math"
	"strings"
	"time"

	duckdbdriver "github.com/duckdb/duckdb-go/v2"

	"ccg/internal/analytics"
	"ccg/internal/calendar"
	"ccg/internal/variation"
)

// The Store implements the variation service's analytics port.
var _ variation.Analytics = (*Store)(nil)

func monthOf(t time.Time) calendar.Month { return calendar.Month{Year: t.Year(), Mon: t.Month()} }

func dateLit(m calendar.Month) string { return "DATE '" + m.First().String() + "'" }

// reader answers questions over a set of views: the Store's (the
// published snapshot) or a Draft's (the snapshot with the draft's files
// over it).
type reader struct {
	query func(ctx context.Context, q string, args ...any) (*sql.Rows, error)
	// conn returns a connection for statements that need one (temporary
	// tables) and its release.
	conn func(ctx context.Context) (*sql.Conn, func(), error)
	// touch, in a draft, records the parts a computation read.
	touch func(keys ...analytics.Key)
}

// reader returns the Store's reader, after checking the catalog when the
// poll interval has passed.
func (s *Store) reader(ctx context.Context) (*reader, error) {
	if err := s.fresh(ctx); err != nil {
		return nil, err
	}
	return &reader{
		query: func(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
			st, err := s.prepared(ctx, q)
			if err != nil {
				return nil, err
			}
			return st.QueryContext(ctx, args...)
		},
		conn: func(ctx context.Context) (*sql.Conn, func(), error) {
			c, err := s.db.Conn(ctx)
			if err != nil {
				return nil, nil, err
			}
			return c, func() { c.Close() }, nil
		},
		touch: func(...analytics.Key) {},
	}, nil
}

// reader returns the draft's reader.
func (d *Draft) reader() *reader {
	return &reader{
		query: d.conn.QueryContext,
		conn:  func(context.Context) (*sql.Conn, func(), error) { return d.conn, func() {}, nil },
		touch: d.touch,
	}
}

func monthKeys(m calendar.Month, names ...string) []analytics.Key {
	out := make([]analytics.Key, len(names))
	for i, n := range names {
		out[i] = analytics.Key{Dataset: n, Part: m.String()}
	}
	return out
}

// Months implements variation.Analytics.
func (s *Store) Months(ctx context.Context, src variation.Source) ([]calendar.Month, error) {
	r, err := s.reader(ctx)
	if err != nil {
		return nil, err
	}
	return r.Months(ctx, src)
}

// Months implements variation.Analytics.
func (d *Draft) Months(ctx context.Context, src variation.Source) ([]calendar.Month, error) {
	return d.reader().Months(ctx, src)
}

// Months returns the months a source has facts for.
func (r *reader) Months(ctx context.Context, src variation.Source) ([]calendar.Month, error) {
	table := "prescribing"
	if src == variation.SourceReferrals {
		table = "referrals"
	}
	return r.months(ctx, "SELECT DISTINCT month FROM "+table+" ORDER BY month")
}

// ResultMonths implements variation.Analytics.
func (s *Store) ResultMonths(ctx context.Context) ([]calendar.Month, error) {
	r, err := s.reader(ctx)
	if err != nil {
		return nil, err
	}
	return r.months(ctx, "SELECT DISTINCT month FROM measure_deciles ORDER BY month")
}

// ResultMonths implements variation.Analytics.
func (d *Draft) ResultMonths(ctx context.Context) ([]calendar.Month, error) {
	return d.reader().months(ctx, "SELECT DISTINCT month FROM measure_deciles ORDER BY month")
}

func (r *reader) months(ctx context.Context, q string) ([]calendar.Month, error) {
	rows, err := r.query(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("analytics: months: %w", err)
	}
	defer rows.Close()
	var out []calendar.Month
	for rows.Next() {
		var t time.Time
		if err := rows.Scan(&t); err != nil {
			return nil, fmt.Errorf("analytics: months: %w", err)
		}
		out = append(out, monthOf(t))
	}
	return out, rows.Err()
}

// quantity codes used in the code-membership table
const (
	qNone = iota
	qItems
	qQuantity
	qCost
	qReferrals
)

func quantityCode(q variation.Quantity) int {
	switch q {
	case variation.QuantityItems:
		return qItems
	case variation.QuantityQuantity:
		return qQuantity
	case variation.QuantityCost:
		return qCost
	case variation.QuantityReferrals:
		return qReferrals
	}
	return qNone
}

// Sums implements variation.Analytics. The codes each measure selects are
// worked out in Go (variation.Filter, the same rules everywhere) against
// the presentations (or treatment functions) known to the store, put in a
// temporary membership table, and the month's facts are joined to it and
// summed per measure and practice in one pass per source.
func (s *Store) Sums(ctx context.Context, month calendar.Month, measures []variation.Measure) ([]variation.PracticeSums, error) {
	r, err := s.reader(ctx)
	if err != nil {
		return nil, err
	}
	return r.Sums(ctx, month, measures)
}

// Sums implements variation.Analytics over the draft.
func (d *Draft) Sums(ctx context.Context, month calendar.Month, measures []variation.Measure) ([]variation.PracticeSums, error) {
	return d.reader().Sums(ctx, month, measures)
}

// Sums sums a month's facts per measure and practice.
func (r *reader) Sums(ctx context.Context, month calendar.Month, measures []variation.Measure) ([]variation.PracticeSums, error) {
	r.touch(monthKeys(month, "prescribing", "referrals")...)
	conn, release, err := r.conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("analytics: sums: %w", err)
	}
	defer release()
	var out []variation.PracticeSums
	for _, src := range []variation.Source{variation.SourcePrescribing, variation.SourceReferrals} {
		var ms []variation.Measure
		for _, m := range measures {
			if m.Source == src {
				ms = append(ms, m)
			}
		}
		if len(ms) == 0 {
			continue
		}
		sums, err := sumsOn(ctx, conn, src, month, ms)
		if err != nil {
			return nil, fmt.Errorf("analytics: sums %s: %w", month, err)
		}
		out = append(out, sums...)
	}
	return out, nil
}

func sumsOn(ctx context.Context, conn *sql.Conn, src variation.Source, month calendar.Month, ms []variation.Measure) ([]variation.PracticeSums, error) {
	codeQuery := "SELECT bnf_code FROM presentations"
	fact, code := "prescribing", "bnf_code"
	if src == variation.SourceReferrals {
		codeQuery = "SELECT DISTINCT function_code FROM referrals WHERE month = " + dateLit(month)
		fact, code = "referrals", "function_code"
	}
	rows, err := conn.QueryContext(ctx, codeQuery)
	if err != nil {
		return nil, err
	}
	var codes []string
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			rows.Close()
			return nil, err
		}
		codes = append(codes, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if _, err := conn.ExecContext(ctx, "CREATE OR REPLACE TEMP TABLE measure_codes (measure_id VARCHAR, code VARCHAR, num_q INTEGER, den_q INTEGER)"); err != nil {
		return nil, err
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), "DROP TABLE IF EXISTS measure_codes")
	err = conn.Raw(func(dc any) error {
		app, err := duckdbdriver.NewAppenderFromConn(dc.(driver.Conn), "", "measure_codes")
		if err != nil {
			return err
		}
		for _, m := range ms {
			num := variation.CompileFilter(m.Numerator)
			den := variation.CompileFilter(m.Denominator)
			nq, dq := quantityCode(m.Numerator.Quantity), quantityCode(m.Denominator.Quantity)
			popDen := m.Denominator.Quantity.FromPopulation()
			for _, c := range codes {
				inNum := num.Match(c)
				inDen := !popDen && den.Match(c)
				if !inNum && !inDen {
					continue
				}
				a, b := qNone, qNone
				if inNum {
					a = nq
				}
				if inDen {
					b = dq
				}
				if err := app.AppendRow(m.ID, c, int32(a), int32(b)); err != nil {
					app.Close()
					return err
				}
			}
		}
		return app.Close()
	})
	if err != nil {
		return nil, err
	}
	var q string
	if src == variation.SourceReferrals {
		q = `SELECT c.measure_id, f.practice,
	sum(CASE WHEN c.num_q > 0 THEN f.referrals ELSE 0 END),
	sum(CASE WHEN c.den_q > 0 THEN f.referrals ELSE 0 END),
	0.0, 0.0, 0.0, 0.0
FROM referrals f JOIN measure_codes c ON f.function_code = c.code
WHERE f.month = ` + dateLit(month) + `
GROUP BY ALL`
	} else {
		pick := func(col string) string {
			return fmt.Sprintf("CASE c.%s WHEN %d THEN f.items WHEN %d THEN f.quantity WHEN %d THEN f.actual_cost ELSE 0 END", col, qItems, qQuantity, qCost)
		}
		q = `SELECT c.measure_id, f.practice, sum(` + pick("num_q") + `), sum(` + pick("den_q") + `),
	sum(CASE WHEN c.num_q > 0 THEN f.actual_cost ELSE 0 END), sum(CASE WHEN c.num_q > 0 THEN f.quantity ELSE 0 END),
	sum(CASE WHEN c.den_q > 0 THEN f.actual_cost ELSE 0 END), sum(CASE WHEN c.den_q > 0 THEN f.quantity ELSE 0 END)
FROM ` + fact + ` f JOIN measure_codes c ON f.` + code + ` = c.code
WHERE f.month = ` + dateLit(month) + `
GROUP BY ALL`
	}
	rows, err = conn.QueryContext(ctx, q)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []variation.PracticeSums
	for rows.Next() {
		var p variation.PracticeSums
		if err := rows.Scan(&p.MeasureID, &p.Practice, &p.Numerator, &p.Denominator, &p.NumCost, &p.NumQuantity, &p.DenCost, &p.DenQuantity); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// Issues implements variation.Analytics.
func (s *Store) Issues(ctx context.Context, month calendar.Month) (map[string][]string, error) {
	r, err := s.reader(ctx)
	if err != nil {
		return nil, err
	}
	return r.Issues(ctx, month)
}

// Issues implements variation.Analytics.
func (d *Draft) Issues(ctx context.Context, month calendar.Month) (map[string][]string, error) {
	return d.reader().Issues(ctx, month)
}

// Issues returns a month's data-quality flags by practice.
func (r *reader) Issues(ctx context.Context, month calendar.Month) (map[string][]string, error) {
	r.touch(monthKeys(month, "prescribing_issues")...)
	rows, err := r.query(ctx, "SELECT DISTINCT practice, issue FROM data_issues WHERE month = "+dateLit(month)+" ORDER BY practice, issue")
	if err != nil {
		return nil, fmt.Errorf("analytics: issues %s: %w", month, err)
	}
	defer rows.Close()
	out := map[string][]string{}
	for rows.Next() {
		var p, i string
		if err := rows.Scan(&p, &i); err != nil {
			return nil, fmt.Errorf("analytics: issues %s: %w", month, err)
		}
		out[p] = append(out[p], i)
	}
	return out, rows.Err()
}

func nullable(f *float64) any {
	if f == nil || math.IsNaN(*f) || math.IsInf(*f, 0) {
		return nil
	}
	return *f
}

func savings(m map[int]float64) []any {
	out := make([]any, len(variation.DecileKeys))
	for i, k := range variation.DecileKeys {
		if v, ok := m[k]; ok && !math.IsNaN(v) && !math.IsInf(v, 0) {
			out[i] = v
		}
	}
	return out
}

// ReplaceResults implements variation.Analytics: the month's values and
// deciles are published at once (see Draft.ReplaceResults).
func (s *Store) ReplaceResults(ctx context.Context, month calendar.Month, measureIDs []string, values []variation.MeasureValue, deciles []variation.Deciles) error {
	return s.change(ctx, func(d *Draft) error { return d.ReplaceResults(ctx, month, measureIDs, values, deciles) })
}

// ReplaceResults implements variation.Analytics: the draft writes new
// files of the month's values and deciles holding the given measures' new
// rows and the other measures' rows as they were.
func (d *Draft) ReplaceResults(ctx context.Context, month calendar.Month, measureIDs []string, values []variation.MeasureValue, deciles []variation.Deciles) error {
	if d.done {
		return errClosed
	}
	conn := d.conn
	for _, q := range []string{
		"CREATE OR REPLACE TEMP TABLE new_values AS SELECT * FROM empty_measure_values",
		"CREATE OR REPLACE TEMP TABLE new_deciles AS SELECT * FROM empty_measure_deciles",
	} {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("analytics: store results %s: %w", month, err)
		}
	}
	defer func() {
		for _, q := range []string{"DROP TABLE IF EXISTS new_values", "DROP TABLE IF EXISTS new_deciles"} {
			_, _ = conn.ExecContext(context.WithoutCancel(ctx), q)
		}
	}()
	mdate := month.First().Time()
	err := conn.Raw(func(dc any) error {
		app, err := duckdbdriver.NewAppenderFromConn(dc.(driver.Conn), "", "new_values")
		if err != nil {
			return err
		}
		for _, v := range values {
			row := []driver.Value{v.MeasureID, mdate, string(v.Level), v.OrgCode, v.Numerator, v.Denominator, nullable(v.Value), nullable(v.Percentile)}
			for _, x := range savings(v.CostSavings) {
				row = append(row, x)
			}
			if l := v.Limits; l != nil {
				row = append(row, l.Lower95, l.Upper95, l.Lower998, l.Upper998, l.Adjusted, l.Z)
			} else {
				row = append(row, nil, nil, nil, nil, nil, nil)
			}
			row = append(row, v.Flags.High95, v.Flags.Low95, v.Flags.High998, v.Flags.Low998, strings.Join(v.Flags.Quality, ";"))
			std, err := variation.EncodeStd(v)
			if err != nil {
				app.Close()
				return err
			}
			row = append(row, std)
			if err := app.AppendRow(row...); err != nil {
				app.Close()
				return err
			}
		}
		if err := app.Close(); err != nil {
			return err
		}
		app, err = duckdbdriver.NewAppenderFromConn(dc.(driver.Conn), "", "new_deciles")
		if err != nil {
			return err
		}
		for _, d := range deciles {
			row := []driver.Value{d.MeasureID, mdate, string(d.Level)}
			for _, k := range variation.DecileKeys {
				if v, ok := d.Values[k]; ok && !math.IsNaN(v) {
					row = append(row, v)
				} else {
					row = append(row, nil)
				}
			}
			row = append(row, int32(d.Count), d.Numerator, d.Denominator)
			for _, x := range savings(d.CostSavings) {
				row = append(row, x)
			}
			if f := d.Funnel; f != nil {
				row = append(row, f.Method, f.Target, nanNil(f.Phi), f.Tau2, f.Adjusted)
			} else {
				row = append(row, nil, nil, nil, nil, nil)
			}
			if err := app.AppendRow(row...); err != nil {
				app.Close()
				return err
			}
		}
		return app.Close()
	})
	if err != nil {
		return fmt.Errorf("analytics: store results %s: %w", month, err)
	}
	ids := make([]string, len(measureIDs))
	for i, id := range measureIDs {
		ids[i] = "'" + sqlString(id) + "'"
	}
	keep := "month = " + dateLit(month)
	if len(ids) > 0 {
		keep += " AND measure_id NOT IN (" + strings.Join(ids, ", ") + ")"
	}
	if _, err := d.writeOrdered(ctx, "measure_values", month.String(), "SELECT * FROM measure_values WHERE "+keep+
		" UNION ALL SELECT * FROM new_values", "measure_id, level, org_code"); err != nil {
		return fmt.Errorf("analytics: store results %s: %w", month, err)
	}
	if _, err := d.writeOrdered(ctx, "measure_deciles", month.String(), "SELECT * FROM measure_deciles WHERE "+keep+
		" UNION ALL SELECT * FROM new_deciles", "measure_id, level"); err != nil {
		return fmt.Errorf("analytics: store results %s: %w", month, err)
	}
	return nil
}

func nanNil(f float64) any {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return nil
	}
	return f
}

const valueColumns = `measure_id, month, level, org_code, numerator, denominator, value, percentile,
	cs10, cs20, cs30, cs40, cs50, cs60, cs70, cs80, cs90,
	lower95, upper95, lower998, upper998, adjusted, z, high95, low95, high998, low998, quality, standardised`

// Values implements variation.Analytics. Queries are parameterised and
// their prepared statements kept, so that the same shape of question (a
// practice page, say) is planned once.
func (s *Store) Values(ctx context.Context, q variation.ValueQuery) ([]variation.MeasureValue, error) {
	r, err := s.reader(ctx)
	if err != nil {
		return nil, err
	}
	return r.Values(ctx, q)
}

// Values implements variation.Analytics.
func (d *Draft) Values(ctx context.Context, q variation.ValueQuery) ([]variation.MeasureValue, error) {
	return d.reader().Values(ctx, q)
}

// Values returns stored values matching q.
func (r *reader) Values(ctx context.Context, q variation.ValueQuery) ([]variation.MeasureValue, error) {
	var where []string
	var args []any
	if len(q.MeasureIDs) > 0 {
		where = append(where, "measure_id IN ("+placeholders(len(q.MeasureIDs))+")")
		for _, id := range q.MeasureIDs {
			args = append(args, id)
		}
	}
	if !q.Month.IsZero() {
		where = append(where, "month = ?")
		args = append(args, q.Month.First().Time())
	} else {
		if !q.From.IsZero() {
			where = append(where, "month >= ?")
			args = append(args, q.From.First().Time())
		}
		if !q.To.IsZero() {
			where = append(where, "month <= ?")
			args = append(args, q.To.First().Time())
		}
	}
	if q.Level != "" {
		where = append(where, "level = ?")
		args = append(args, string(q.Level))
	}
	if len(q.OrgCodes) > 0 {
		if len(q.OrgCodes) == 1 {
			where = append(where, "org_code = ?")
		} else {
			where = append(where, "org_code IN ("+placeholders(len(q.OrgCodes))+")")
		}
		for _, c := range q.OrgCodes {
			args = append(args, c)
		}
	}
	query := "SELECT " + valueColumns + " FROM measure_values"
	if len(where) > 0 {
		query += " WHERE " + strings.Join(where, " AND ")
	}
	query += " ORDER BY measure_id, month, level, org_code"
	rows, err := r.query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("analytics: values: %w", err)
	}
	defer rows.Close()
	var out []variation.MeasureValue
	for rows.Next() {
		var (
			v                       variation.MeasureValue
			t                       time.Time
			level, quality          string
			value, pct              sql.NullFloat64
			cs                      [9]sql.NullFloat64
			l95, u95, l998, u998, z sql.NullFloat64
			adjusted                sql.NullBool
			std                     sql.NullString
		)
		dest := []any{&v.MeasureID, &t, &level, &v.OrgCode, &v.Numerator, &v.Denominator, &value, &pct}
		for i := range cs {
			dest = append(dest, &cs[i])
		}
		dest = append(dest, &l95, &u95, &l998, &u998, &adjusted, &z, &v.Flags.High95, &v.Flags.Low95, &v.Flags.High998, &v.Flags.Low998, &quality, &std)
		if err := rows.Scan(dest...); err != nil {
			return nil, fmt.Errorf("analytics: values: %w", err)
		}
		v.Month, v.Level = monthOf(t), variation.Level(level)
		if value.Valid {
			x := value.Float64
			v.Value = &x
		}
		if pct.Valid {
			x := pct.Float64
			v.Percentile = &x
		}
		for i, c := range cs {
			if c.Valid {
				if v.CostSavings == nil {
					v.CostSavings = map[int]float64{}
				}
				v.CostSavings[variation.DecileKeys[i]] = c.Float64
			}
		}
		if l95.Valid {
			v.Limits = &variation.Limits{Lower95: l95.Float64, Upper95: u95.Float64, Lower998: l998.Float64, Upper998: u998.Float64, Adjusted: adjusted.Bool, Z: z.Float64}
		}
		if quality != "" {
			v.Flags.Quality = strings.Split(quality, ";")
		}
		if std.Valid {
			if err := variation.DecodeStd(std.String, &v); err != nil {
				return nil, fmt.Errorf("analytics: values: %w", err)
			}
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// prepared returns a kept prepared statement for query.
func (s *Store) prepared(ctx context.Context, query string) (*sql.Stmt, error) {
	s.stmtMu.Lock()
	defer s.stmtMu.Unlock()
	if st, ok := s.stmts[query]; ok {
		return st, nil
	}
	if len(s.stmts) > 256 {
		old := s.stmts
		s.stmts = nil
		closeLater(old)
	}
	st, err := s.db.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	if s.stmts == nil {
		s.stmts = map[string]*sql.Stmt{}
	}
	s.stmts[query] = st
	return st, nil
}

func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

// DecileSeries implements variation.Analytics.
func (s *Store) DecileSeries(ctx context.Context, measureIDs []string, level variation.Level, from, to calendar.Month) ([]variation.Deciles, error) {
	r, err := s.reader(ctx)
	if err != nil {
		return nil, err
	}
	return r.DecileSeries(ctx, measureIDs, level, from, to)
}

// DecileSeries implements variation.Analytics.
func (d *Draft) DecileSeries(ctx context.Context, measureIDs []string, level variation.Level, from, to calendar.Month) ([]variation.Deciles, error) {
	return d.reader().DecileSeries(ctx, measureIDs, level, from, to)
}

// DecileSeries returns stored deciles.
func (r *reader) DecileSeries(ctx context.Context, measureIDs []string, level variation.Level, from, to calendar.Month) ([]variation.Deciles, error) {
	q := `SELECT measure_id, month, p10, p20, p30, p40, p50, p60, p70, p80, p90, org_count, numerator, denominator,
	cs10, cs20, cs30, cs40, cs50, cs60, cs70, cs80, cs90, funnel_method, target, phi, tau2, adjusted
FROM measure_deciles WHERE level = ?`
	args := []any{string(level)}
	if len(measureIDs) > 0 {
		q += " AND measure_id IN (" + placeholders(len(measureIDs)) + ")"
		for _, id := range measureIDs {
			args = append(args, id)
		}
	}
	if !from.IsZero() {
		q += " AND month >= ?"
		args = append(args, from.First().Time())
	}
	if !to.IsZero() {
		q += " AND month <= ?"
		args = append(args, to.First().Time())
	}
	q += " ORDER BY measure_id, month"
	rows, err := r.query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("analytics: deciles: %w", err)
	}
	defer rows.Close()
	var out []variation.Deciles
	for rows.Next() {
		var (
			t                 time.Time
			p, cs             [9]sql.NullFloat64
			count             int
			method            sql.NullString
			target, phi, tau2 sql.NullFloat64
			adjusted          sql.NullBool
			d                 = variation.Deciles{Level: level, Values: map[int]float64{}}
		)
		dest := []any{&d.MeasureID, &t}
		for i := range p {
			dest = append(dest, &p[i])
		}
		dest = append(dest, &count, &d.Numerator, &d.Denominator)
		for i := range cs {
			dest = append(dest, &cs[i])
		}
		dest = append(dest, &method, &target, &phi, &tau2, &adjusted)
		if err := rows.Scan(dest...); err != nil {
			return nil, fmt.Errorf("analytics: deciles: %w", err)
		}
		d.Month, d.Count = monthOf(t), count
		for i, k := range variation.DecileKeys {
			if p[i].Valid {
				d.Values[k] = p[i].Float64
			}
			if cs[i].Valid {
				if d.CostSavings == nil {
					d.CostSavings = map[int]float64{}
				}
				d.CostSavings[k] = cs[i].Float64
			}
		}
		if method.Valid {
			d.Funnel = &variation.FunnelSummary{Method: method.String, Target: target.Float64, Phi: phi.Float64, Tau2: tau2.Float64, Adjusted: adjusted.Bool}
			if !phi.Valid {
				d.Funnel.Phi = math.NaN()
			}
		}
		out = append(out, d)
	}
	return out, rows.Err()
}
