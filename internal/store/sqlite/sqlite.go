// Package sqlite opens a ccg store in an SQLite database file, using the
// pure-Go modernc.org/sqlite driver. The store itself is sqlstore's; this
// package only chooses the connection settings: WAL journal, foreign keys on,
// a busy timeout, synchronous=NORMAL, one writer connection (transactions
// begin IMMEDIATE, so two writers queue instead of deadlocking) and a pool of
// read-only connections that read alongside it.
package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"

	"ccg/internal/store/sqlstore"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// BusyTimeoutMillis is how long a connection waits for a lock held by
// another connection or process before failing with "database is locked".
const BusyTimeoutMillis = 10000

// dsn returns the driver's data source name for path with the given
// parameters on top of the common ones.
func dsn(path string, extra url.Values) string {
	q := url.Values{}
	q.Set("_busy_timeout", fmt.Sprint(BusyTimeoutMillis))
	q.Set("_foreign_keys", "1")
	q.Set("_synchronous", "NORMAL")
	for k, v := range extra {
		q[k] = v
	}
	// An escaped file: URI, so that '?' or '#' in a path stay part of it.
	return "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + q.Encode()
}

// Open opens (creating if needed, with its folder) the SQLite database at
// path and returns a store over it. It does not migrate: call Migrate, or
// CheckMigrated to refuse an old schema.
func Open(ctx context.Context, path string) (*sqlstore.Store, error) {
	if path == "" {
		return nil, fmt.Errorf("sqlite: open: no database path given")
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	if err := os.MkdirAll(filepath.Dir(abs), 0o755); err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}

	write, err := sql.Open("sqlite", dsn(abs, url.Values{
		"_journal_mode": {"WAL"},
		"_txlock":       {"immediate"},
	}))
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	write.SetMaxOpenConns(1)
	write.SetMaxIdleConns(1)
	write.SetConnMaxLifetime(0)
	write.SetConnMaxIdleTime(0)
	// Connect now: creates the file and switches it to WAL before readers come.
	if err := write.PingContext(ctx); err != nil {
		write.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}

	read, err := sql.Open("sqlite", dsn(abs, url.Values{"_query_only": {"1"}}))
	if err != nil {
		write.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	n := max(4, runtime.NumCPU())
	read.SetMaxOpenConns(n)
	read.SetMaxIdleConns(n)
	if err := read.PingContext(ctx); err != nil {
		write.Close()
		read.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}

	s, err := sqlstore.New(sqlstore.SQLite, write, read)
	if err != nil {
		write.Close()
		read.Close()
		return nil, err
	}
	return s, nil
}
