package sqlstore

import (
	"context"
	"fmt"

	"ccg/internal/calendar"
	"ccg/internal/errs"
	"ccg/internal/finance"
)

// financeBatch is how many rows one multi-row INSERT of actuals or budget
// lines carries.
const financeBatch = 100

// PutActuals implements finance.LedgerStore: rows are upserted by their key
// (org, period, cost centre, programme, locality) in multi-row INSERTs,
// counting only rows inserted or whose amount, description or source
// changed. It joins the caller's transaction or starts one.
func (s *Store) PutActuals(ctx context.Context, rows []finance.Actual) (int, error) {
	for _, r := range rows {
		if r.Period.IsZero() || r.CostCentre == "" || !r.Programme.Valid() {
			return 0, fmt.Errorf("sqlstore: put actuals: period %q cost centre %q programme %q: period, cost centre and a known programme are required: %w",
				r.Period, r.CostCentre, r.Programme, errs.ErrInvalid)
		}
	}
	changed := 0
	err := s.InTx(ctx, func(ctx context.Context) error {
		for start := 0; start < len(rows); start += financeBatch {
			batch := rows[start:min(start+financeBatch, len(rows))]
			args := make([]any, 0, 8*len(batch))
			for _, r := range batch {
				args = append(args, r.Org, monthArg(r.Period), r.CostCentre, string(r.Programme), r.Locality, int64(r.Amount),
					cleanText(r.Description), cleanText(r.Source))
			}
			res, err := s.exec(ctx, `INSERT INTO finance_actuals (org, period, cost_centre, programme, locality, amount, description, source)
				VALUES `+placeholders(len(batch), 8)+`
				ON CONFLICT (org, period, cost_centre, programme, locality) DO UPDATE
				SET amount = excluded.amount, description = excluded.description, source = excluded.source
				WHERE finance_actuals.amount IS DISTINCT FROM excluded.amount
				   OR finance_actuals.description IS DISTINCT FROM excluded.description
				   OR finance_actuals.source IS DISTINCT FROM excluded.source`, args...)
			if err != nil {
				return err
			}
			n, err := res.RowsAffected()
			if err != nil {
				return err
			}
			changed += int(n)
		}
		return nil
	})
	if err != nil {
		return 0, wrapErr("put actuals", err)
	}
	return changed, nil
}

// Actuals implements finance.LedgerStore.
func (s *Store) Actuals(ctx context.Context, from, to calendar.Month) ([]finance.Actual, error) {
	q := `SELECT org, period, cost_centre, programme, locality, amount, description, source FROM finance_actuals WHERE 1 = 1`
	var args []any
	if !from.IsZero() {
		q += ` AND period >= ?`
		args = append(args, monthArg(from))
	}
	if !to.IsZero() {
		q += ` AND period <= ?`
		args = append(args, monthArg(to))
	}
	q += ` ORDER BY org, period, cost_centre, programme, locality`
	rows, err := s.query(ctx, q, args...)
	if err != nil {
		return nil, wrapErr("actuals", err)
	}
	defer rows.Close()
	var out []finance.Actual
	for rows.Next() {
		var a finance.Actual
		var prog string
		var amt int64
		if err := rows.Scan(&a.Org, scanMonth(&a.Period), &a.CostCentre, &prog, &a.Locality, &amt, &a.Description, &a.Source); err != nil {
			return nil, wrapErr("actuals", err)
		}
		a.Programme, a.Amount = finance.Programme(prog), finance.Money(amt)
		out = append(out, a)
	}
	return out, wrapErr("actuals", rows.Err())
}

// PutBudgetLines implements finance.BudgetStore: lines are upserted by org,
// locality, programme and month, counting only lines inserted or whose
// amount or source changed. When lines repeats a key, the last one wins.
func (s *Store) PutBudgetLines(ctx context.Context, lines []finance.BudgetLine) (int, error) {
	for _, l := range lines {
		if l.Org == "" || l.Month.IsZero() || !l.Programme.Valid() {
			return 0, fmt.Errorf("sqlstore: put budget lines: org %q month %q programme %q: org, month and a known programme are required: %w",
				l.Org, l.Month, l.Programme, errs.ErrInvalid)
		}
	}
	type key struct {
		org, loc, prog string
		m              calendar.Month
	}
	changed := 0
	err := s.InTx(ctx, func(ctx context.Context) error {
		var err error
		changed, err = upsertInBatches(lines, financeBatch,
			func(l finance.BudgetLine) key { return key{l.Org, l.Locality, string(l.Programme), l.Month} },
			func(batch []finance.BudgetLine) (int64, error) {
				args := make([]any, 0, 6*len(batch))
				for _, l := range batch {
					args = append(args, l.Org, l.Locality, string(l.Programme), monthArg(l.Month), int64(l.Amount), cleanText(l.Source))
				}
				res, err := s.exec(ctx, `INSERT INTO finance_budget_lines (org, locality, programme, month, amount, source)
				VALUES `+placeholders(len(batch), 6)+`
				ON CONFLICT (org, locality, programme, month) DO UPDATE SET amount = excluded.amount, source = excluded.source
				WHERE finance_budget_lines.amount IS DISTINCT FROM excluded.amount
				   OR finance_budget_lines.source IS DISTINCT FROM excluded.source`, args...)
				if err != nil {
					return 0, err
				}
				return res.RowsAffected()
			})
		return err
	})
	if err != nil {
		return 0, wrapErr("put budget lines", err)
	}
	return changed, nil
}

// BudgetLines implements finance.BudgetStore.
func (s *Store) BudgetLines(ctx context.Context, org string, year calendar.FinancialYear) ([]finance.BudgetLine, error) {
	rows, err := s.query(ctx, `SELECT org, locality, programme, month, amount, source FROM finance_budget_lines
		WHERE org = ? AND month >= ? AND month <= ? ORDER BY locality, programme, month`,
		org, monthArg(year.Start()), monthArg(year.Start().Add(11)))
	if err != nil {
		return nil, wrapErr("budget lines "+org, err)
	}
	defer rows.Close()
	var out []finance.BudgetLine
	for rows.Next() {
		var l finance.BudgetLine
		var prog string
		var amt int64
		if err := rows.Scan(&l.Org, &l.Locality, &prog, scanMonth(&l.Month), &amt, &l.Source); err != nil {
			return nil, wrapErr("budget lines "+org, err)
		}
		l.Programme, l.Amount = finance.Programme(prog), finance.Money(amt)
		out = append(out, l)
	}
	return out, wrapErr("budget lines "+org, rows.Err())
}
