// Package txn defines the unit of work that lets domain services make several
// store writes all-or-nothing without knowing what a database is.
//
// A store that implements Runner starts a transaction, puts it in the context
// it passes to fn, and uses that transaction for every call made with that
// context. If fn returns an error, nothing fn wrote is kept.
package txn

import "context"

// Runner runs fn in one transaction.
type Runner interface {
	// InTx runs fn with a context that carries a transaction; it commits when
	// fn returns nil and rolls back otherwise (or on panic). Calls nested
	// inside fn join the outer transaction.
	InTx(ctx context.Context, fn func(ctx context.Context) error) error
}
