// Package financetest is an in-memory finance.Store for tests of the
// finance service, the ledger import handler and, later, the web pages.
// InTx takes a snapshot and restores it when fn fails, so that
// all-or-nothing behaviour can be tested without a database. It is a test
// double: store/sqlstore is the real implementation.
package financetest

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sort"
	"sync"

	"ccg/internal/calendar"
	"ccg/internal/errs"
	"ccg/internal/finance"
)

type budgetKey struct {
	org, locality string
	programme     finance.Programme
	month         calendar.Month
}

type data struct {
	actuals     map[finance.ActualKey]finance.Actual
	budgets     map[budgetKey]finance.BudgetLine
	allocations map[int64]finance.Allocation
	agreements  map[int64]finance.Agreement
	receipts    map[int64]finance.Receipt
	nextID      int64
}

func (d data) clone() data {
	return data{maps.Clone(d.actuals), maps.Clone(d.budgets), maps.Clone(d.allocations),
		maps.Clone(d.agreements), maps.Clone(d.receipts), d.nextID}
}

// Store holds everything in maps.
type Store struct {
	mu sync.Mutex
	d  data
}

// New returns an empty store.
func New() *Store {
	return &Store{d: data{actuals: map[finance.ActualKey]finance.Actual{}, budgets: map[budgetKey]finance.BudgetLine{},
		allocations: map[int64]finance.Allocation{}, agreements: map[int64]finance.Agreement{}, receipts: map[int64]finance.Receipt{}}}
}

type txKey struct{}

// InTx implements txn.Runner: fn's writes are undone when it fails.
func (s *Store) InTx(ctx context.Context, fn func(ctx context.Context) error) error {
	if ctx.Value(txKey{}) != nil {
		return fn(ctx)
	}
	s.mu.Lock()
	snap := s.d.clone()
	s.mu.Unlock()
	if err := fn(context.WithValue(ctx, txKey{}, true)); err != nil {
		s.mu.Lock()
		s.d = snap
		s.mu.Unlock()
		return err
	}
	return nil
}

// PutActuals implements finance.LedgerStore.
func (s *Store) PutActuals(_ context.Context, rows []finance.Actual) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	changed := 0
	for _, r := range rows {
		if old, ok := s.d.actuals[r.Key()]; ok && old == r {
			continue
		}
		s.d.actuals[r.Key()] = r
		changed++
	}
	return changed, nil
}

// Actuals implements finance.LedgerStore.
func (s *Store) Actuals(_ context.Context, from, to calendar.Month) ([]finance.Actual, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []finance.Actual
	for _, a := range s.d.actuals {
		if (!from.IsZero() && a.Period.Before(from)) || (!to.IsZero() && to.Before(a.Period)) {
			continue
		}
		out = append(out, a)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Org != b.Org {
			return a.Org < b.Org
		}
		if a.Period != b.Period {
			return a.Period.Before(b.Period)
		}
		if a.CostCentre != b.CostCentre {
			return a.CostCentre < b.CostCentre
		}
		if a.Programme != b.Programme {
			return a.Programme < b.Programme
		}
		return a.Locality < b.Locality
	})
	return out, nil
}

// PutBudgetLines implements finance.BudgetStore.
func (s *Store) PutBudgetLines(_ context.Context, lines []finance.BudgetLine) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	changed := 0
	for _, l := range lines {
		k := budgetKey{l.Org, l.Locality, l.Programme, l.Month}
		if old, ok := s.d.budgets[k]; ok && old == l {
			continue
		}
		s.d.budgets[k] = l
		changed++
	}
	return changed, nil
}

// BudgetLines implements finance.BudgetStore.
func (s *Store) BudgetLines(_ context.Context, org string, year calendar.FinancialYear) ([]finance.BudgetLine, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []finance.BudgetLine
	for _, l := range s.d.budgets {
		if l.Org == org && l.Month.FinancialYear() == year {
			out = append(out, l)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Locality != b.Locality {
			return a.Locality < b.Locality
		}
		if a.Programme != b.Programme {
			return a.Programme < b.Programme
		}
		return a.Month.Before(b.Month)
	})
	return out, nil
}

// SaveAllocation implements finance.AllocationStore.
func (s *Store) SaveAllocation(_ context.Context, a finance.Allocation) (int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.d.nextID++
	a.ID = s.d.nextID
	a.Lines = slices.Clone(a.Lines)
	s.d.allocations[a.ID] = a
	return a.ID, nil
}

// Allocation implements finance.AllocationStore.
func (s *Store) Allocation(_ context.Context, id int64) (finance.Allocation, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.d.allocations[id]
	if !ok {
		return finance.Allocation{}, fmt.Errorf("allocation %d: %w", id, errs.ErrNotFound)
	}
	return a, nil
}

// Allocations implements finance.AllocationStore.
func (s *Store) Allocations(_ context.Context, org string, year calendar.FinancialYear) ([]finance.Allocation, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []finance.Allocation
	for _, a := range s.d.allocations {
		if (org == "" || a.Org == org) && a.Year == year {
			out = append(out, a)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID > out[j].ID })
	return out, nil
}

// PutAgreement implements finance.TransferStore.
func (s *Store) PutAgreement(_ context.Context, a finance.Agreement) (int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if a.ID == 0 {
		s.d.nextID++
		a.ID = s.d.nextID
	} else if _, ok := s.d.agreements[a.ID]; !ok {
		return 0, fmt.Errorf("agreement %d: %w", a.ID, errs.ErrNotFound)
	}
	s.d.agreements[a.ID] = a
	return a.ID, nil
}

// Agreement implements finance.TransferStore.
func (s *Store) Agreement(_ context.Context, id int64) (finance.Agreement, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.d.agreements[id]
	if !ok {
		return finance.Agreement{}, fmt.Errorf("agreement %d: %w", id, errs.ErrNotFound)
	}
	return a, nil
}

// Agreements implements finance.TransferStore.
func (s *Store) Agreements(_ context.Context, org string) ([]finance.Agreement, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []finance.Agreement
	for _, a := range s.d.agreements {
		if org == "" || a.From == org || a.To == org {
			out = append(out, a)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Due != out[j].Due {
			return out[i].Due.Before(out[j].Due)
		}
		return out[i].ID < out[j].ID
	})
	return out, nil
}

// AddReceipt implements finance.TransferStore.
func (s *Store) AddReceipt(_ context.Context, r finance.Receipt) (int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.d.agreements[r.Agreement]; !ok {
		return 0, fmt.Errorf("agreement %d: %w", r.Agreement, errs.ErrNotFound)
	}
	s.d.nextID++
	r.ID = s.d.nextID
	s.d.receipts[r.ID] = r
	return r.ID, nil
}

// Receipts implements finance.TransferStore.
func (s *Store) Receipts(_ context.Context, agreement int64) ([]finance.Receipt, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []finance.Receipt
	for _, r := range s.d.receipts {
		if r.Agreement == agreement {
			out = append(out, r)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Received != out[j].Received {
			return out[i].Received.Before(out[j].Received)
		}
		return out[i].ID < out[j].ID
	})
	return out, nil
}

var _ finance.Store = (*Store)(nil)
