// Package sqlstore is the one SQL implementation of every ccg domain Store
// port (registry.Store, importing.Store, and later the people, governance,
// engagement, finance and variation ports), portable across SQLite and
// PostgreSQL. The adapters store/sqlite and store/postgres only open
// connections with the right settings and hand them to New; everything else
// lives here, so the two engines cannot drift apart.
//
// # Portability rules
//
// SQL is written once, with ? placeholders; for PostgreSQL the helpers rebind
// them to $1, $2, ... (question marks inside quotes and comments are left
// alone). Only portable SQL is used: INSERT ... ON CONFLICT (...) DO UPDATE SET
// x = excluded.x, RETURNING, IS DISTINCT FROM, window functions, recursive
// CTEs, lower(), replace(). Values are stored as:
//
//   - dates as TEXT 'YYYY-MM-DD', with an empty string for the zero date (dateArg, scanDate);
//   - months as TEXT 'YYYY-MM' (monthArg, scanMonth);
//   - timestamps as TEXT, RFC 3339 in UTC with a fixed nine-digit fraction so
//     that text order is time order (timeArg, scanTime);
//   - money as BIGINT pence;
//   - lists of lines as TEXT joined with "\n" (linesArg, scanLines).
//
// Columns that hold dates or timestamps are declared TEXT (never DATE or
// TIMESTAMP, which the SQLite driver would try to turn into time.Time).
//
// An upsert reports a change only when a row was inserted or a stored value
// really changed: it ends with
//
//	ON CONFLICT (key) DO UPDATE SET a = excluded.a, b = excluded.b
//	WHERE (t.a, t.b) IS DISTINCT FROM (excluded.a, excluded.b)
//
// and the caller tests RowsAffected (see UpsertOrganisation).
//
// On PostgreSQL an error inside a transaction aborts the whole transaction,
// while SQLite carries on: never catch a constraint error inside InTx and keep
// going; use ON CONFLICT instead.
//
// # Connections and transactions
//
// A Store holds a write pool and a read pool (the same *sql.DB on
// PostgreSQL; on SQLite a single writer connection and a read-only pool).
// InTx begins a transaction on the write pool and puts it in the context;
// the helpers s.exec, s.query, s.queryRow and s.queryRowWrite use that
// transaction whenever the context carries one (a statement run more than
// once in a transaction is prepared once and reused, so per-row statements
// of an import are parsed once), and otherwise the write
// pool for writes and the read pool for reads. Nested InTx calls join the
// outer transaction. Inside InTx always pass on the context fn was given: on
// SQLite a write made with the outer context would wait for the single
// writer connection that the transaction holds.
//
// Errors: mapErr turns sql.ErrNoRows into errs.ErrNotFound, and unique and
// foreign-key violations into errs.ErrConflict (check violations into
// errs.ErrInvalid), on both engines, keeping the driver's message.
//
// # Migrations
//
// Schema changes are the files migrations/NNNN_name.sql, embedded in the
// binary, rendered with text/template (see MigrationVars for the
// placeholders such as {{.AutoID}} and {{.Blob}}) and applied in version
// order, each in its own transaction, recorded in schema_migrations(version,
// name, applied_at). A migration, once released, is never edited: add a new
// one. Versions are reserved in blocks, one per domain:
//
//	0001-0099  foundation: registry and imports
//	0100-0199  people and security
//	0200-0299  governance
//	0300-0399  engagement
//	0400-0499  finance
//	0500-0599  variation
//
// # Adding a domain
//
// A domain (say finance, with port finance.Store) adds, without touching the
// other files:
//
//  1. migrations/0400_finance.sql (then 0401_..., ...) in its block, using
//     only portable SQL and the template placeholders;
//  2. finance.go in this package with the port's methods on *Store, built on
//     s.exec/s.query/s.queryRow/s.InTx and the codec helpers, and a
//     compile-time check `var _ finance.Store = (*Store)(nil)`. Method names
//     share one type with every other domain: prefix them when a name could
//     be ambiguous (Budget, not Get);
//  3. store/storetest/finance.go with its conformance suite, registered with
//     storetest.Register from an init function (see package storetest).
package sqlstore
