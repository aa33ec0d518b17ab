package finance

import (
	"context"

	"ccg/internal/calendar"
	"ccg/internal/registry"
	"ccg/internal/txn"
)

// Store is what finance needs from persistence (store/sqlstore, migrations
// 0400-0499). Lookups of a missing thing return an error wrapping
// errs.ErrNotFound. The Service runs every change in InTx.
type Store interface {
	txn.Runner
	LedgerStore
	BudgetStore
	AllocationStore
	TransferStore
}

// LedgerStore keeps general-ledger actuals. The ledger import handler
// writes through it inside the import's transaction.
type LedgerStore interface {
	// PutActuals inserts or replaces actuals by ActualKey (org, period,
	// cost centre, programme, locality) and returns how many stored rows
	// were inserted or altered: a row equal to the stored one in amount,
	// description and source is not counted. Within one call keys are
	// unique.
	PutActuals(ctx context.Context, rows []Actual) (changed int, err error)
	// Actuals returns every actual with a period from from to to inclusive
	// (zero months: unbounded), of every organisation, ordered by org,
	// period, cost centre, programme, locality.
	Actuals(ctx context.Context, from, to calendar.Month) ([]Actual, error)
}

// BudgetStore keeps monthly budget lines.
type BudgetStore interface {
	// PutBudgetLines inserts or replaces lines keyed by org, locality,
	// programme and month, and returns how many changed.
	PutBudgetLines(ctx context.Context, lines []BudgetLine) (changed int, err error)
	// BudgetLines returns org's lines for the months of year, ordered by
	// locality, programme, month.
	BudgetLines(ctx context.Context, org string, year calendar.FinancialYear) ([]BudgetLine, error)
}

// AllocationStore keeps allocations with their lines and inputs. A saved
// allocation is never altered: a new one is saved instead.
type AllocationStore interface {
	// SaveAllocation stores a (a.ID is ignored) and returns its id.
	SaveAllocation(ctx context.Context, a Allocation) (int64, error)
	// Allocation returns one allocation with its lines and localities.
	Allocation(ctx context.Context, id int64) (Allocation, error)
	// Allocations returns org's allocations for year ("" org: every
	// organisation's), newest first, with their lines.
	Allocations(ctx context.Context, org string, year calendar.FinancialYear) ([]Allocation, error)
}

// TransferStore keeps transfer agreements and their receipts.
type TransferStore interface {
	// PutAgreement inserts (ID 0) or replaces an agreement and returns its id.
	PutAgreement(ctx context.Context, a Agreement) (int64, error)
	// Agreement returns one agreement.
	Agreement(ctx context.Context, id int64) (Agreement, error)
	// Agreements returns the agreements org pays or is paid ("" for all),
	// ordered by due date then id.
	Agreements(ctx context.Context, org string) ([]Agreement, error)
	// AddReceipt stores a receipt (r.ID ignored) and returns its id.
	AddReceipt(ctx context.Context, r Receipt) (int64, error)
	// Receipts returns an agreement's receipts, oldest first.
	Receipts(ctx context.Context, agreement int64) ([]Receipt, error)
}

// Auditor writes every change to the audit chain (implemented by the
// people-and-roles package).
type Auditor interface {
	Record(ctx context.Context, action, subject, detail string) error
}

// Population is what allocations need from the registry: which practices
// belonged to a commissioner, their list sizes, and its predecessors.
// RegistryPopulation implements it over a registry.Service.
type Population interface {
	// MembersAt returns the practices that belonged to commissioner on at,
	// with their locality.
	MembersAt(ctx context.Context, commissioner string, at calendar.Date, predecessors bool) ([]registry.MemberAt, error)
	// ListSizesForMonth returns every practice's list sizes for m.
	ListSizesForMonth(ctx context.Context, m calendar.Month) ([]registry.ListSize, error)
	// ListSizeMonths returns the months with list sizes, oldest first.
	ListSizeMonths(ctx context.Context) ([]calendar.Month, error)
	// Predecessors returns the successions by which other organisations
	// passed into code.
	Predecessors(ctx context.Context, code string) ([]registry.Succession, error)
}

// QualityChecks reports failed quality checks on list sizes made
// elsewhere (for example by a data-quality capability); optional.
type QualityChecks interface {
	// ListSizeWarnings returns plain-language warnings about month's list
	// sizes for the given practices (none: nil).
	ListSizeWarnings(ctx context.Context, month calendar.Month, practices []string) ([]string, error)
}

// RegistryPopulation adapts a registry.Service to Population.
type RegistryPopulation struct{ Reg *registry.Service }

// MembersAt implements Population.
func (r RegistryPopulation) MembersAt(ctx context.Context, c string, at calendar.Date, pred bool) ([]registry.MemberAt, error) {
	return r.Reg.MembersAt(ctx, c, at, pred)
}

// ListSizesForMonth implements Population.
func (r RegistryPopulation) ListSizesForMonth(ctx context.Context, m calendar.Month) ([]registry.ListSize, error) {
	return r.Reg.Store().ListSizesForMonth(ctx, m)
}

// ListSizeMonths implements Population.
func (r RegistryPopulation) ListSizeMonths(ctx context.Context) ([]calendar.Month, error) {
	return r.Reg.Store().ListSizeMonths(ctx)
}

// Predecessors implements Population.
func (r RegistryPopulation) Predecessors(ctx context.Context, code string) ([]registry.Succession, error) {
	return r.Reg.Predecessors(ctx, code)
}
