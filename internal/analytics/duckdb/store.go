// Package duckdb is ccg's analytics store: prescribing and referral facts,
// measure definitions and computed measure values, kept in one DuckDB file
// in the data folder beside the SQL store. It implements the
// variation.Analytics port.
//
// Prescribing files are read by DuckDB itself (read_csv with explicit
// columns and types, summed per practice × presentation × month as they are
// read), fed through named pipes so that ccg's import pipeline can count the
// bytes for its progress bar and DuckDB can still parse in parallel. See
// ImportPrescribing.
package duckdb

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sync"

	duckdbdriver "github.com/duckdb/duckdb-go/v2"
)

// Store is the DuckDB analytics store. It is safe for concurrent use;
// imports and result replacements are serialised.
type Store struct {
	db    *sql.DB
	conn  *duckdbdriver.Connector
	path  string
	tmp   string
	write sync.Mutex // one import or replacement at a time

	stmtMu sync.Mutex
	stmts  map[string]*sql.Stmt
}

// Options tune the store. The zero value suits a desktop machine.
type Options struct {
	// MemoryLimit caps DuckDB's memory (for example "3GB"); "" means 3GB.
	MemoryLimit string
	// Threads caps DuckDB's threads; 0 means the number of CPUs.
	Threads int
}

// Open opens (creating if needed) the analytics database at path, or an
// in-memory one when path is "" or ":memory:".
func Open(ctx context.Context, path string) (*Store, error) {
	return OpenWith(ctx, path, Options{})
}

// OpenWith is Open with options.
func OpenWith(ctx context.Context, path string, opts Options) (*Store, error) {
	if opts.MemoryLimit == "" {
		opts.MemoryLimit = "3GB"
	}
	if opts.Threads <= 0 {
		opts.Threads = runtime.NumCPU()
	}
	dsn := path
	tmp := ""
	if path == "" || path == ":memory:" {
		dsn = ""
		d, err := os.MkdirTemp("", "ccg-analytics-*")
		if err != nil {
			return nil, fmt.Errorf("analytics: open: %w", err)
		}
		tmp = d
	} else {
		if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
			return nil, fmt.Errorf("analytics: open %s: %w", path, err)
		}
		tmp = path + ".tmp"
		if err := os.MkdirAll(tmp, 0o750); err != nil {
			return nil, fmt.Errorf("analytics: open %s: %w", path, err)
		}
	}
	connector, err := duckdbdriver.NewConnector(dsn, nil)
	if err != nil {
		return nil, fmt.Errorf("analytics: open %s: %w", path, err)
	}
	db := sql.OpenDB(connector)
	s := &Store{db: db, conn: connector, path: path, tmp: tmp}
	settings := []string{
		fmt.Sprintf("SET memory_limit = '%s'", opts.MemoryLimit),
		fmt.Sprintf("SET threads = %d", opts.Threads),
		fmt.Sprintf("SET temp_directory = '%s'", sqlString(tmp)),
		"SET preserve_insertion_order = false",
	}
	for _, q := range settings {
		if _, err := db.ExecContext(ctx, q); err != nil {
			db.Close()
			return nil, fmt.Errorf("analytics: open %s: %s: %w", path, q, err)
		}
	}
	if err := s.migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

// Close closes the database.
func (s *Store) Close() error {
	s.stmtMu.Lock()
	for _, st := range s.stmts {
		st.Close()
	}
	s.stmts = nil
	s.stmtMu.Unlock()
	err := s.db.Close()
	if s.path == "" || s.path == ":memory:" {
		os.RemoveAll(s.tmp)
	}
	return err
}

// DB returns the database handle, for benchmarks and ad-hoc queries.
func (s *Store) DB() *sql.DB { return s.db }

const schema = `
CREATE TABLE IF NOT EXISTS prescribing (
	month       DATE    NOT NULL,
	practice    VARCHAR NOT NULL,
	bnf_code    VARCHAR NOT NULL,
	items       DOUBLE  NOT NULL,
	quantity    DOUBLE  NOT NULL, -- total quantity (pack quantity × items)
	actual_cost DOUBLE  NOT NULL, -- pounds
	nic         DOUBLE  NOT NULL, -- net ingredient cost, pounds
	adq         DOUBLE            -- ADQ usage, where the file gives it
);
CREATE TABLE IF NOT EXISTS presentations (
	bnf_code VARCHAR PRIMARY KEY,
	name     VARCHAR NOT NULL
);
CREATE TABLE IF NOT EXISTS referrals (
	month         DATE    NOT NULL,
	practice      VARCHAR NOT NULL,
	function_code VARCHAR NOT NULL,
	sex           VARCHAR NOT NULL, -- male, female, or all
	age_band      VARCHAR NOT NULL, -- "0-4", ..., or all
	priority      VARCHAR NOT NULL, -- routine, urgent, two-week-wait, or ''
	referrals     DOUBLE  NOT NULL
);
CREATE TABLE IF NOT EXISTS data_issues (
	month    DATE    NOT NULL,
	source   VARCHAR NOT NULL,
	practice VARCHAR NOT NULL,
	issue    VARCHAR NOT NULL,
	row_count BIGINT NOT NULL
);
CREATE TABLE IF NOT EXISTS measures (
	id         VARCHAR PRIMARY KEY,
	definition VARCHAR NOT NULL,
	updated    TIMESTAMP NOT NULL
);
CREATE TABLE IF NOT EXISTS measure_values (
	measure_id  VARCHAR NOT NULL,
	month       DATE    NOT NULL,
	level       VARCHAR NOT NULL,
	org_code    VARCHAR NOT NULL,
	numerator   DOUBLE  NOT NULL,
	denominator DOUBLE  NOT NULL,
	value       DOUBLE,
	percentile  DOUBLE,
	cs10 DOUBLE, cs20 DOUBLE, cs30 DOUBLE, cs40 DOUBLE, cs50 DOUBLE,
	cs60 DOUBLE, cs70 DOUBLE, cs80 DOUBLE, cs90 DOUBLE,
	lower95 DOUBLE, upper95 DOUBLE, lower998 DOUBLE, upper998 DOUBLE,
	adjusted BOOLEAN, z DOUBLE,
	high95 BOOLEAN NOT NULL, low95 BOOLEAN NOT NULL, high998 BOOLEAN NOT NULL, low998 BOOLEAN NOT NULL,
	quality VARCHAR NOT NULL
);
CREATE INDEX IF NOT EXISTS measure_values_org ON measure_values (org_code);
CREATE TABLE IF NOT EXISTS measure_deciles (
	measure_id VARCHAR NOT NULL,
	month      DATE    NOT NULL,
	level      VARCHAR NOT NULL,
	p10 DOUBLE, p20 DOUBLE, p30 DOUBLE, p40 DOUBLE, p50 DOUBLE, p60 DOUBLE, p70 DOUBLE, p80 DOUBLE, p90 DOUBLE,
	org_count   INTEGER NOT NULL,
	numerator   DOUBLE  NOT NULL,
	denominator DOUBLE  NOT NULL,
	cs10 DOUBLE, cs20 DOUBLE, cs30 DOUBLE, cs40 DOUBLE, cs50 DOUBLE,
	cs60 DOUBLE, cs70 DOUBLE, cs80 DOUBLE, cs90 DOUBLE,
	funnel_method VARCHAR, target DOUBLE, phi DOUBLE, tau2 DOUBLE, adjusted BOOLEAN
);
`

func (s *Store) migrate(ctx context.Context) error {
	if _, err := s.db.ExecContext(ctx, schema); err != nil {
		return fmt.Errorf("analytics: create schema: %w", err)
	}
	return nil
}

// sqlString escapes s for a single-quoted SQL literal.
func sqlString(s string) string {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == '\'' {
			out = append(out, '\'')
		}
		out = append(out, s[i])
	}
	return string(out)
}

// rollback undoes an open transaction on conn, ignoring "no transaction".
func rollback(ctx context.Context, c *sql.Conn) {
	_, _ = c.ExecContext(context.WithoutCancel(ctx), "ROLLBACK")
}

// inTx runs fn in one DuckDB transaction on a dedicated connection.
func (s *Store) inTx(ctx context.Context, c *sql.Conn, fn func() error) error {
	if _, err := c.ExecContext(ctx, "BEGIN TRANSACTION"); err != nil {
		return err
	}
	if err := fn(); err != nil {
		rollback(ctx, c)
		return err
	}
	if _, err := c.ExecContext(ctx, "COMMIT"); err != nil {
		rollback(ctx, c)
		return err
	}
	return nil
}
