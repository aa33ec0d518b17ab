// Package postgres opens a ccg store in a PostgreSQL database through the
// pgx driver's database/sql adapter. The store itself is sqlstore's; one
// pool serves reads and writes.
package postgres

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"ccg/internal/store/sqlstore"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
)

// MaxConns bounds the connections the store opens.
const MaxConns = 16

// Open connects to the PostgreSQL database named by url (for example
// postgres://user@host:5432/ccg?sslmode=disable; a search_path=... query
// parameter selects a schema) and returns a store over it. It does not
// migrate: call Migrate, or CheckMigrated to refuse an old schema.
func Open(ctx context.Context, url string) (*sqlstore.Store, error) {
	if url == "" {
		return nil, fmt.Errorf("postgres: open: no database URL given")
	}
	db, err := sql.Open("pgx", url)
	if err != nil {
		return nil, fmt.Errorf("postgres: open: %w", err)
	}
	db.SetMaxOpenConns(MaxConns)
	db.SetMaxIdleConns(MaxConns)
	db.SetConnMaxIdleTime(5 * time.Minute)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("postgres: open: %w", err)
	}
	s, err := sqlstore.New(sqlstore.Postgres, db, db)
	if err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}
