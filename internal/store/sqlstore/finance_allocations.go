package sqlstore

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"

	"ccg/internal/calendar"
	"ccg/internal/errs"
	"ccg/internal/finance"
)

// SaveAllocation implements finance.AllocationStore: the allocation, its
// pace policy and inputs (as JSON) and its lines in order, in one
// transaction. a.ID is ignored; the new id is returned.
func (s *Store) SaveAllocation(ctx context.Context, a finance.Allocation) (int64, error) {
	if a.Org == "" || !a.Programme.Valid() {
		return 0, fmt.Errorf("sqlstore: save allocation: org %q programme %q: an org and a known programme are required: %w", a.Org, a.Programme, errs.ErrInvalid)
	}
	pace, err := json.Marshal(a.Pace)
	if err != nil {
		return 0, fmt.Errorf("sqlstore: save allocation: pace: %w", err)
	}
	inputs, err := json.Marshal(a.Inputs)
	if err != nil {
		return 0, fmt.Errorf("sqlstore: save allocation: inputs: %w", err)
	}
	var id int64
	err = s.InTx(ctx, func(ctx context.Context) error {
		if err := s.queryRowWrite(ctx, `INSERT INTO finance_allocations (org, year, programme, total, pace, inputs, created, created_by)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			a.Org, int(a.Year), string(a.Programme), int64(a.Total), string(pace), cleanText(string(inputs)), timeArg(a.Created), a.CreatedBy).Scan(&id); err != nil {
			return err
		}
		for start := 0; start < len(a.Lines); start += financeBatch {
			batch := a.Lines[start:min(start+financeBatch, len(a.Lines))]
			args := make([]any, 0, 15*len(batch))
			for i, l := range batch {
				args = append(args, id, start+i, l.Practice, l.Locality, l.Patients, l.Weighted, l.Need, l.Adjusted,
					int64(l.Target), int64(l.Current), int64(l.Distance), l.DistancePct, int64(l.Budget), int64(l.Change), cleanText(linesArg(l.Warnings)))
			}
			if _, err := s.exec(ctx, `INSERT INTO finance_allocation_lines (allocation_id, seq, practice, locality, patients, weighted, need, adjusted,
				target, current_budget, distance, distance_pct, budget, change, warnings) VALUES `+placeholders(len(batch), 15), args...); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, wrapErr("save allocation", err)
	}
	return id, nil
}

// allocationHeads reads allocations (without lines) matching where.
func (s *Store) allocationHeads(ctx context.Context, where string, args ...any) ([]finance.Allocation, error) {
	rows, err := s.query(ctx, `SELECT id, org, year, programme, total, pace, inputs, created, created_by FROM finance_allocations `+where, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []finance.Allocation
	for rows.Next() {
		var a finance.Allocation
		var year int
		var prog, pace, inputs string
		var total int64
		if err := rows.Scan(&a.ID, &a.Org, &year, &prog, &total, &pace, &inputs, scanTime(&a.Created), &a.CreatedBy); err != nil {
			return nil, err
		}
		a.Year, a.Programme, a.Total = calendar.FinancialYear(year), finance.Programme(prog), finance.Money(total)
		if err := json.Unmarshal([]byte(pace), &a.Pace); err != nil {
			return nil, fmt.Errorf("allocation %d: stored pace: %w", a.ID, err)
		}
		if err := json.Unmarshal([]byte(inputs), &a.Inputs); err != nil {
			return nil, fmt.Errorf("allocation %d: stored inputs: %w", a.ID, err)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// allocationLines fills in each allocation's lines (in the order saved)
// and its locality roll-up.
func (s *Store) allocationLines(ctx context.Context, as []finance.Allocation) error {
	for i := range as {
		rows, err := s.query(ctx, `SELECT practice, locality, patients, weighted, need, adjusted, target, current_budget, distance,
			distance_pct, budget, change, warnings FROM finance_allocation_lines WHERE allocation_id = ? ORDER BY seq`, as[i].ID)
		if err != nil {
			return err
		}
		var lines []finance.AllocationLine
		for rows.Next() {
			var l finance.AllocationLine
			var target, current, distance, budget, change int64
			if err := rows.Scan(&l.Practice, &l.Locality, &l.Patients, &l.Weighted, &l.Need, &l.Adjusted, &target, &current, &distance,
				&l.DistancePct, &budget, &change, scanLines(&l.Warnings)); err != nil {
				rows.Close()
				return err
			}
			l.Target, l.Current, l.Distance = finance.Money(target), finance.Money(current), finance.Money(distance)
			l.Budget, l.Change = finance.Money(budget), finance.Money(change)
			lines = append(lines, l)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		as[i].Lines = lines
		as[i].Localities = finance.RollUp(lines)
	}
	return nil
}

// Allocation implements finance.AllocationStore.
func (s *Store) Allocation(ctx context.Context, id int64) (finance.Allocation, error) {
	op := "allocation " + strconv.FormatInt(id, 10)
	as, err := s.allocationHeads(ctx, `WHERE id = ?`, id)
	if err != nil {
		return finance.Allocation{}, wrapErr(op, err)
	}
	if len(as) == 0 {
		return finance.Allocation{}, fmt.Errorf("sqlstore: %s: %w", op, errs.ErrNotFound)
	}
	if err := s.allocationLines(ctx, as); err != nil {
		return finance.Allocation{}, wrapErr(op, err)
	}
	return as[0], nil
}

// Allocations implements finance.AllocationStore.
func (s *Store) Allocations(ctx context.Context, org string, year calendar.FinancialYear) ([]finance.Allocation, error) {
	op := fmt.Sprintf("allocations %s %s", org, year)
	var as []finance.Allocation
	var err error
	if org == "" {
		as, err = s.allocationHeads(ctx, `WHERE year = ? ORDER BY id DESC`, int(year))
	} else {
		as, err = s.allocationHeads(ctx, `WHERE org = ? AND year = ? ORDER BY id DESC`, org, int(year))
	}
	if err != nil {
		return nil, wrapErr(op, err)
	}
	if err := s.allocationLines(ctx, as); err != nil {
		return nil, wrapErr(op, err)
	}
	return as, nil
}

// PutAgreement implements finance.TransferStore: ID 0 inserts, any other
// ID replaces that agreement (a missing one wraps errs.ErrNotFound).
func (s *Store) PutAgreement(ctx context.Context, a finance.Agreement) (int64, error) {
	op := "put agreement"
	if a.ID == 0 {
		var id int64
		err := s.queryRowWrite(ctx, `INSERT INTO finance_agreements (from_org, to_org, description, amount, agreed, due, reference)
			VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			a.From, a.To, cleanText(a.Description), int64(a.Amount), dateArg(a.Agreed), dateArg(a.Due), cleanText(a.Reference)).Scan(&id)
		if err != nil {
			return 0, wrapErr(op, err)
		}
		return id, nil
	}
	res, err := s.exec(ctx, `UPDATE finance_agreements SET from_org = ?, to_org = ?, description = ?, amount = ?, agreed = ?, due = ?, reference = ?
		WHERE id = ?`, a.From, a.To, cleanText(a.Description), int64(a.Amount), dateArg(a.Agreed), dateArg(a.Due), cleanText(a.Reference), a.ID)
	if err != nil {
		return 0, wrapErr(op, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return 0, wrapErr(op, err)
	} else if n == 0 {
		return 0, fmt.Errorf("sqlstore: %s: agreement %d: %w", op, a.ID, errs.ErrNotFound)
	}
	return a.ID, nil
}

func (s *Store) agreements(ctx context.Context, where string, args ...any) ([]finance.Agreement, error) {
	rows, err := s.query(ctx, `SELECT id, from_org, to_org, description, amount, agreed, due, reference FROM finance_agreements `+where, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []finance.Agreement
	for rows.Next() {
		var a finance.Agreement
		var amt int64
		if err := rows.Scan(&a.ID, &a.From, &a.To, &a.Description, &amt, scanDate(&a.Agreed), scanDate(&a.Due), &a.Reference); err != nil {
			return nil, err
		}
		a.Amount = finance.Money(amt)
		out = append(out, a)
	}
	return out, rows.Err()
}

// Agreement implements finance.TransferStore.
func (s *Store) Agreement(ctx context.Context, id int64) (finance.Agreement, error) {
	op := "agreement " + strconv.FormatInt(id, 10)
	as, err := s.agreements(ctx, `WHERE id = ?`, id)
	if err != nil {
		return finance.Agreement{}, wrapErr(op, err)
	}
	if len(as) == 0 {
		return finance.Agreement{}, fmt.Errorf("sqlstore: %s: %w", op, errs.ErrNotFound)
	}
	return as[0], nil
}

// Agreements implements finance.TransferStore.
func (s *Store) Agreements(ctx context.Context, org string) ([]finance.Agreement, error) {
	var as []finance.Agreement
	var err error
	if org == "" {
		as, err = s.agreements(ctx, `ORDER BY due, id`)
	} else {
		as, err = s.agreements(ctx, `WHERE from_org = ? OR to_org = ? ORDER BY due, id`, org, org)
	}
	return as, wrapErr("agreements "+org, err)
}

// AddReceipt implements finance.TransferStore; a receipt against an
// agreement that does not exist wraps errs.ErrNotFound.
func (s *Store) AddReceipt(ctx context.Context, r finance.Receipt) (int64, error) {
	op := "add receipt"
	var id int64
	err := s.InTx(ctx, func(ctx context.Context) error {
		if _, err := s.Agreement(ctx, r.Agreement); err != nil {
			return err
		}
		return s.queryRowWrite(ctx, `INSERT INTO finance_receipts (agreement_id, received, amount, reference, note)
			VALUES (?, ?, ?, ?, ?) RETURNING id`, r.Agreement, dateArg(r.Received), int64(r.Amount), cleanText(r.Reference), cleanText(r.Note)).Scan(&id)
	})
	if err != nil {
		return 0, wrapErr(op, err)
	}
	return id, nil
}

// Receipts implements finance.TransferStore.
func (s *Store) Receipts(ctx context.Context, agreement int64) ([]finance.Receipt, error) {
	op := fmt.Sprintf("receipts of agreement %d", agreement)
	rows, err := s.query(ctx, `SELECT id, agreement_id, received, amount, reference, note FROM finance_receipts
		WHERE agreement_id = ? ORDER BY received, id`, agreement)
	if err != nil {
		return nil, wrapErr(op, err)
	}
	defer rows.Close()
	var out []finance.Receipt
	for rows.Next() {
		var r finance.Receipt
		var amt int64
		if err := rows.Scan(&r.ID, &r.Agreement, scanDate(&r.Received), &amt, &r.Reference, &r.Note); err != nil {
			return nil, wrapErr(op, err)
		}
		r.Amount = finance.Money(amt)
		out = append(out, r)
	}
	return out, wrapErr(op, rows.Err())
}

var _ finance.Store = (*Store)(nil)
