package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
)

// Dialect names the SQL engine a Store talks to, and carries the few
// differences between engines.
type Dialect string

// The supported engines.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// Valid reports whether d is a supported dialect.
func (d Dialect) Valid() bool { return d == SQLite || d == Postgres }

// String returns the dialect's name ("sqlite" or "postgres").
func (d Dialect) String() string { return string(d) }

// Store is the SQL implementation of the domain Store ports. It is safe for
// concurrent use.
type Store struct {
	dialect Dialect
	write   *sql.DB // every write and every transaction
	read    *sql.DB // reads outside a transaction; may be the same as write

	rebound sync.Map // query text -> rebound text (PostgreSQL only)
}

// New returns a Store over the given pools: write is used for every
// transaction and every write made outside one, read for reads made outside
// a transaction. Pass the same *sql.DB twice when the engine needs no split.
// The Store owns the pools: Close closes them.
func New(d Dialect, write, read *sql.DB) (*Store, error) {
	if !d.Valid() {
		return nil, fmt.Errorf("sqlstore: unknown dialect %q", d)
	}
	if write == nil {
		return nil, errors.New("sqlstore: a write pool is required")
	}
	if read == nil {
		read = write
	}
	return &Store{dialect: d, write: write, read: read}, nil
}

// Dialect returns the engine the store talks to.
func (s *Store) Dialect() Dialect { return s.dialect }

// WriteDB returns the pool used for writes and transactions (for tools such
// as backups; domain code uses the port methods).
func (s *Store) WriteDB() *sql.DB { return s.write }

// ReadDB returns the pool used for reads outside a transaction.
func (s *Store) ReadDB() *sql.DB { return s.read }

// Close closes the store's pools.
func (s *Store) Close() error {
	err := s.write.Close()
	if s.read != s.write {
		err = errors.Join(err, s.read.Close())
	}
	return err
}

// txKey is the context key under which InTx puts the current transaction.
type txKey struct{}

// maxCachedStmts bounds the prepared statements kept per transaction; a
// transaction that runs more distinct statements than this runs the rest
// unprepared.
const maxCachedStmts = 256

// tx is a transaction travelling in a context, with the statements prepared
// in it so far. A statement is prepared the second time the transaction
// runs it, and reused from then on, so that per-row statements are parsed
// once while one-off statements cost no extra round trips (preparing, and
// closing at commit).
type tx struct {
	owner *sql.DB
	tx    *sql.Tx

	mu    sync.Mutex
	seen  map[string]bool      // statements run once, unprepared
	stmts map[string]*sql.Stmt // statements prepared
}

// stmt returns the prepared form of q (already rebound) in this
// transaction, preparing it when it is run for the second time; it returns
// nil when q should run unprepared (first use, or the cache is full).
func (t *tx) stmt(ctx context.Context, q string) (*sql.Stmt, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if st, ok := t.stmts[q]; ok {
		return st, nil
	}
	if !t.seen[q] {
		if t.seen == nil {
			t.seen = map[string]bool{}
		}
		if len(t.seen) < 4*maxCachedStmts {
			t.seen[q] = true
		}
		return nil, nil
	}
	if len(t.stmts) >= maxCachedStmts {
		return nil, nil
	}
	st, err := t.tx.PrepareContext(ctx, q)
	if err != nil {
		return nil, err
	}
	if t.stmts == nil {
		t.stmts = map[string]*sql.Stmt{}
	}
	t.stmts[q] = st
	return st, nil
}

// txFrom returns the transaction ctx carries for this store, or nil.
func (s *Store) txFrom(ctx context.Context) *tx {
	t, _ := ctx.Value(txKey{}).(*tx)
	if t == nil || t.owner != s.write {
		return nil
	}
	return t
}

// InTx implements txn.Runner: it runs fn in one transaction on the write
// pool, committing when fn returns nil and rolling back when it returns an
// error or panics. A call made inside fn with fn's context joins the outer
// transaction.
func (s *Store) InTx(ctx context.Context, fn func(ctx context.Context) error) (err error) {
	if s.txFrom(ctx) != nil {
		return fn(ctx)
	}
	sqlTx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlstore: begin: %w", mapErr(err))
	}
	t := &tx{owner: s.write, tx: sqlTx}
	done := false
	defer func() {
		if !done {
			// fn panicked: undo, then let the panic go on.
			_ = sqlTx.Rollback()
		}
	}()
	err = fn(context.WithValue(ctx, txKey{}, t))
	done = true
	if err != nil {
		if rbErr := sqlTx.Rollback(); rbErr != nil && !errors.Is(rbErr, sql.ErrTxDone) {
			return errors.Join(err, fmt.Errorf("sqlstore: rollback: %w", rbErr))
		}
		return err
	}
	if err := sqlTx.Commit(); err != nil {
		return fmt.Errorf("sqlstore: commit: %w", mapErr(err))
	}
	return nil
}

// InTransaction reports whether ctx carries a transaction of this store.
func (s *Store) InTransaction(ctx context.Context) bool { return s.txFrom(ctx) != nil }

// exec runs a statement that writes, in the context's transaction when there
// is one (prepared once per transaction), else on the write pool. q uses ?
// placeholders. Errors are returned as the driver gave them: pass them
// through mapErr.
func (s *Store) exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	q = s.rebind(q)
	if t := s.txFrom(ctx); t != nil {
		st, err := t.stmt(ctx, q)
		if err != nil {
			return nil, err
		}
		if st != nil {
			return st.ExecContext(ctx, args...)
		}
		return t.tx.ExecContext(ctx, q, args...)
	}
	return s.write.ExecContext(ctx, q, args...)
}

// query runs a statement that reads, in the context's transaction when there
// is one, else on the read pool.
func (s *Store) query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	q = s.rebind(q)
	if t := s.txFrom(ctx); t != nil {
		st, err := t.stmt(ctx, q)
		if err != nil {
			return nil, err
		}
		if st != nil {
			return st.QueryContext(ctx, args...)
		}
		return t.tx.QueryContext(ctx, q, args...)
	}
	return s.read.QueryContext(ctx, q, args...)
}

// Row is the result of queryRow: like *sql.Row, its Scan reports
// sql.ErrNoRows when there was no row (pass that through mapErr).
type Row struct {
	row *sql.Row
	err error
}

// Scan copies the row's columns into dest.
func (r *Row) Scan(dest ...any) error {
	if r.err != nil {
		return r.err
	}
	return r.row.Scan(dest...)
}

// Err reports an error running the query, without scanning.
func (r *Row) Err() error {
	if r.err != nil {
		return r.err
	}
	return r.row.Err()
}

// queryRow runs a statement that reads one row, in the context's transaction
// when there is one, else on the read pool.
func (s *Store) queryRow(ctx context.Context, q string, args ...any) *Row {
	return s.queryRowOn(ctx, s.read, q, args...)
}

// queryRowWrite runs a statement that writes and returns one row (INSERT ...
// RETURNING), in the context's transaction when there is one, else on the
// write pool.
func (s *Store) queryRowWrite(ctx context.Context, q string, args ...any) *Row {
	return s.queryRowOn(ctx, s.write, q, args...)
}

func (s *Store) queryRowOn(ctx context.Context, db *sql.DB, q string, args ...any) *Row {
	q = s.rebind(q)
	if t := s.txFrom(ctx); t != nil {
		st, err := t.stmt(ctx, q)
		switch {
		case err != nil:
			return &Row{err: err}
		case st != nil:
			return &Row{row: st.QueryRowContext(ctx, args...)}
		}
		return &Row{row: t.tx.QueryRowContext(ctx, q, args...)}
	}
	return &Row{row: db.QueryRowContext(ctx, q, args...)}
}

// rebind turns ? placeholders into the dialect's form: unchanged for
// SQLite, $1, $2, ... for PostgreSQL. Question marks inside quoted strings,
// quoted identifiers and comments are left alone.
func (s *Store) rebind(q string) string {
	if s.dialect != Postgres {
		return q
	}
	if v, ok := s.rebound.Load(q); ok {
		return v.(string)
	}
	r := rebindDollar(q)
	s.rebound.Store(q, r)
	return r
}

// rebindDollar rewrites ? placeholders as $1, $2, ...
func rebindDollar(q string) string {
	if !strings.Contains(q, "?") {
		return q
	}
	var b strings.Builder
	b.Grow(len(q) + 16)
	n := 0
	for i := 0; i < len(q); i++ {
		c := q[i]
		switch {
		case c == '\'' || c == '"':
			// copy a quoted string or identifier ('' and "" escape themselves)
			j := i + 1
			for j < len(q) {
				if q[j] == c {
					if j+1 < len(q) && q[j+1] == c {
						j += 2
						continue
					}
					break
				}
				j++
			}
			if j >= len(q) {
				j = len(q) - 1
			}
			b.WriteString(q[i : j+1])
			i = j
		case c == '-' && i+1 < len(q) && q[i+1] == '-':
			j := strings.IndexByte(q[i:], '\n')
			if j < 0 {
				j = len(q) - i - 1
			}
			b.WriteString(q[i : i+j+1])
			i += j
		case c == '/' && i+1 < len(q) && q[i+1] == '*':
			j := strings.Index(q[i+2:], "*/")
			end := len(q) - 1
			if j >= 0 {
				end = i + 2 + j + 1
			}
			b.WriteString(q[i : end+1])
			i = end
		case c == '?':
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// placeholders returns "(?,?,?),(?,?,?)": rows groups of cols placeholders,
// for multi-row VALUES lists.
func placeholders(rows, cols int) string {
	one := "(" + strings.TrimSuffix(strings.Repeat("?,", cols), ",") + ")"
	return strings.TrimSuffix(strings.Repeat(one+",", rows), ",")
}
