package sqlite_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"ccg/internal/store/sqlite"
	"ccg/internal/store/sqlstore"
	"ccg/internal/store/storetest"
)

// open opens a fresh database file in a temporary folder.
func open(tb testing.TB) *sqlstore.Store {
	tb.Helper()
	s, err := sqlite.Open(context.Background(), filepath.Join(tb.TempDir(), "sub", "ccg.db"))
	if err != nil {
		tb.Fatalf("open: %v", err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}

func TestStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T) *sqlstore.Store { return open(t) })
}

func TestOpenSettings(t *testing.T) {
	ctx := context.Background()
	s := open(t)
	tests := []struct {
		pragma string
		want   string
	}{
		{"journal_mode", "wal"},
		{"foreign_keys", "1"},
		{"busy_timeout", "10000"},
		{"synchronous", "1"},
	}
	for _, tc := range tests {
		var got string
		if err := s.WriteDB().QueryRowContext(ctx, "PRAGMA "+tc.pragma).Scan(&got); err != nil {
			t.Fatalf("%s: %v", tc.pragma, err)
		}
		if got != tc.want {
			t.Errorf("writer %s = %q, want %q", tc.pragma, got, tc.want)
		}
	}
	var qo string
	if err := s.ReadDB().QueryRowContext(ctx, "PRAGMA query_only").Scan(&qo); err != nil || qo != "1" {
		t.Errorf("reader query_only = %q (%v), want 1", qo, err)
	}
	if _, err := s.ReadDB().ExecContext(ctx, "CREATE TABLE nope (x)"); err == nil {
		t.Error("the read pool accepted a write")
	}
	if n := s.WriteDB().Stats().MaxOpenConnections; n != 1 {
		t.Errorf("writer max open connections = %d, want 1", n)
	}
}

func TestOpenOddPath(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a folder?#%", "ccg.db")
	s, err := sqlite.Open(context.Background(), path)
	if err != nil {
		t.Fatalf("open %q: %v", path, err)
	}
	defer s.Close()
	if _, err := s.Migrate(context.Background()); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Errorf("the database is not at %q: %v", path, err)
	}
}

func BenchmarkStore(b *testing.B) { storetest.Bench(b, open) }
