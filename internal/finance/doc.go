// Package finance makes a commissioner's money visible and fair: fair-share
// allocations for practices and localities from weighted populations,
// budgets by programme and locality per financial year and month, general
// ledger actuals, forecast outturns with a red/amber/green position and a
// burn-up series, practice prescribing budgets against actual costs, and
// transfers between organisations at handover and merger.
//
// Money is Money, int64 pence. Every rounding is named where it happens:
// shares of a total are apportioned by the largest-remainder method
// (Apportion), so that they sum to the total exactly; single divisions
// round halves away from zero (RoundDiv).
//
// Every figure carries what it was built from: an Allocation its Inputs
// (list-size month, weights, need index, current budgets, quality
// warnings), a Position its PositionInputs (months of actuals, prior year,
// RAG thresholds, sources), so that a disputed figure can be traced.
//
// The package is pure: it imports neither database drivers nor net/http.
// It defines the Store port (store/sqlstore implements it, migrations
// 0400-0499), the Population port over the registry, the PrescribingCosts
// port over the prescribing analytics, and the Auditor; the Service
// applies the rules over them. The general-ledger file is read by
// formats/ledger through LedgerStore.
package finance
