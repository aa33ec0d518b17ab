package postgres_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"sync"
	"testing"

	"ccg/internal/store/postgres"
	"ccg/internal/store/sqlstore"
	"ccg/internal/store/storetest"

	_ "github.com/jackc/pgx/v5/stdlib"
)

var (
	adminOnce sync.Once
	admin     *sql.DB
	adminErr  error
)

// baseURL returns CCG_TEST_POSTGRES, or skips.
func baseURL(tb testing.TB) string {
	tb.Helper()
	u := os.Getenv("CCG_TEST_POSTGRES")
	if u == "" {
		tb.Skip("CCG_TEST_POSTGRES not set: PostgreSQL suite skipped")
	}
	return u
}

// open creates a schema with a random name, opens a store whose
// search_path is that schema, and drops the schema when the test ends.
func open(tb testing.TB) *sqlstore.Store {
	tb.Helper()
	base := baseURL(tb)
	adminOnce.Do(func() {
		admin, adminErr = sql.Open("pgx", base)
		if adminErr == nil {
			adminErr = admin.Ping()
		}
	})
	if adminErr != nil {
		tb.Fatalf("connect to CCG_TEST_POSTGRES: %v", adminErr)
	}
	ctx := context.Background()
	var b [8]byte
	rand.Read(b[:])
	schema := "ccgtest_" + hex.EncodeToString(b[:])
	if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		tb.Fatalf("create schema: %v", err)
	}
	u, err := url.Parse(base)
	if err != nil {
		tb.Fatalf("CCG_TEST_POSTGRES: %v", err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	s, err := postgres.Open(ctx, u.String())
	if err != nil {
		tb.Fatalf("open: %v", err)
	}
	tb.Cleanup(func() {
		s.Close()
		if _, err := admin.ExecContext(context.Background(), "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			tb.Errorf("drop schema %s: %v", schema, err)
		}
	})
	return s
}

func TestStore(t *testing.T) {
	baseURL(t)
	storetest.Run(t, func(t *testing.T) *sqlstore.Store { return open(t) })
}

func TestSearchPathIsolates(t *testing.T) {
	a, b := open(t), open(t)
	ctx := context.Background()
	if _, err := a.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if err := b.CheckMigrated(ctx); err == nil {
		t.Error("a second schema saw the first one's migrations")
	}
}

func BenchmarkStore(b *testing.B) {
	baseURL(b)
	storetest.Bench(b, open)
}
