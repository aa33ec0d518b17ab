package registry

import (
	"context"

	"ccg/internal/calendar"
	"ccg/internal/txn"
)

// Store is what the registry needs from persistence. Adapters (store/sqlite,
// store/postgres) implement it; the conformance suite in store/storetest
// checks that they behave alike. Lookups of a missing thing return an error
// wrapping errs.ErrNotFound.
type Store interface {
	txn.Runner

	// UpsertOrganisation inserts or replaces an organisation by code and
	// reports whether anything changed.
	UpsertOrganisation(ctx context.Context, o Organisation) (changed bool, err error)
	// Organisation returns one organisation by code.
	Organisation(ctx context.Context, code string) (Organisation, error)
	// SearchOrganisations returns the organisations matching f, ordered by
	// name then code, and the total number that match (ignoring paging).
	SearchOrganisations(ctx context.Context, f Filter) (orgs []Organisation, total int, err error)
	// CountOrganisations counts organisations by kind.
	CountOrganisations(ctx context.Context) (map[Kind]int, error)

	// PutRelationship inserts a relationship, or updates the one with the same
	// Child, Parent, Kind and From, and reports whether anything changed.
	PutRelationship(ctx context.Context, r Relationship) (changed bool, err error)
	// RelationshipsOf returns every relationship in which code is the child
	// or the parent, ordered by From then Kind.
	RelationshipsOf(ctx context.Context, code string) ([]Relationship, error)
	// ParentsOf returns the relationships of kind k in which child is the
	// child, ordered by From.
	ParentsOf(ctx context.Context, child string, k RelationKind) ([]Relationship, error)
	// ChildrenOf returns the relationships of kind k whose parent is parent
	// and which were active on at; a zero at returns them all.
	ChildrenOf(ctx context.Context, parent string, k RelationKind, at calendar.Date) ([]Relationship, error)
	// MembershipsOn returns, in one query, every member-of relationship
	// active on date at with the kinds of child and parent and the child's
	// locality on that date, ordered by parent name and code, then child
	// name and code.
	MembershipsOn(ctx context.Context, at calendar.Date) ([]Membership, error)

	// PutSuccession inserts or updates a succession keyed by Predecessor,
	// Successor and Effective, and reports whether anything changed.
	PutSuccession(ctx context.Context, s Succession) (changed bool, err error)
	// SuccessionsOf returns every succession in which code is the
	// predecessor or the successor, ordered by Effective.
	SuccessionsOf(ctx context.Context, code string) ([]Succession, error)

	// PutListSizes inserts or replaces list sizes keyed by practice, month,
	// sex and age band, and returns how many rows changed.
	PutListSizes(ctx context.Context, rows []ListSize) (changed int, err error)
	// ListSizes returns a practice's list sizes from one month to another
	// inclusive (zero months mean unbounded), ordered by month, sex, band.
	ListSizes(ctx context.Context, practice string, from, to calendar.Month) ([]ListSize, error)
	// ListSizesForMonth returns every practice's list sizes for a month.
	ListSizesForMonth(ctx context.Context, m calendar.Month) ([]ListSize, error)
	// ListSizeMonths returns the months for which any list size is held, oldest first.
	ListSizeMonths(ctx context.Context) ([]calendar.Month, error)
}
