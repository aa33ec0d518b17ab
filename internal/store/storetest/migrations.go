package storetest

import (
	"context"
	"strings"
	"testing"

	"ccg/internal/errs"
	"ccg/internal/store/sqlstore"
)

func init() { Register(Suite{Name: "foundation/migrations", Run: migrationsSuite}) }

func migrationsSuite(t *testing.T, open Opener) {
	ctx := context.Background()
	tests := []struct {
		name string
		run  func(t *testing.T)
	}{
		{"files are well formed and render for both engines", func(t *testing.T) {
			all, err := sqlstore.Migrations()
			must(t, "migrations", err)
			if len(all) == 0 {
				t.Fatal("no migrations embedded")
			}
			for i, m := range all {
				if i > 0 && all[i-1].Version >= m.Version {
					t.Errorf("migrations out of order: %s then %s", all[i-1], m)
				}
				if m.Version < 1 || m.Version > 9999 {
					t.Errorf("migration %s: version outside 0001-9999", m)
				}
				for _, d := range []sqlstore.Dialect{sqlstore.SQLite, sqlstore.Postgres} {
					body, err := m.SQL(d)
					must(t, m.String(), err)
					if strings.Contains(body, "{{") || strings.Contains(body, "<no value>") || strings.TrimSpace(body) == "" {
						t.Errorf("migration %s for %s did not render cleanly:\n%s", m, d, body)
					}
				}
			}
		}},
		{"a fresh database needs migrating", func(t *testing.T) {
			s := open(t)
			err := s.CheckMigrated(ctx)
			wantErr(t, "check migrated", err, errs.ErrConflict)
			if !strings.Contains(err.Error(), "database needs migrating: run 'ccg migrate'") {
				t.Errorf("check migrated: message %q does not tell what to run", err)
			}
			pending, err := s.Pending(ctx)
			must(t, "pending", err)
			all, _ := sqlstore.Migrations()
			if len(pending) != len(all) {
				t.Errorf("pending = %d migrations, want all %d", len(pending), len(all))
			}
		}},
		{"migrate applies all in order, then nothing", func(t *testing.T) {
			s := open(t)
			all, _ := sqlstore.Migrations()
			applied, err := s.Migrate(ctx)
			must(t, "first migrate", err)
			if len(applied) != len(all) {
				t.Fatalf("first migrate applied %v, want %v", applied, all)
			}
			for i := range all {
				if applied[i].Version != all[i].Version || applied[i].Name != all[i].Name {
					t.Fatalf("first migrate applied %v, want %v", applied, all)
				}
			}
			must(t, "check migrated", s.CheckMigrated(ctx))
			again, err := s.Migrate(ctx)
			must(t, "second migrate", err)
			if len(again) != 0 {
				t.Errorf("second migrate applied %v, want none", again)
			}
			pending, err := s.Pending(ctx)
			must(t, "pending", err)
			if len(pending) != 0 {
				t.Errorf("pending after migrate = %v", pending)
			}
			// each is recorded with its name and time
			rows, err := s.ReadDB().QueryContext(ctx, `SELECT version, name, applied_at FROM schema_migrations ORDER BY version`)
			must(t, "read schema_migrations", err)
			defer rows.Close()
			i := 0
			for rows.Next() {
				var v int
				var name, at string
				must(t, "scan", rows.Scan(&v, &name, &at))
				if i >= len(all) || v != all[i].Version || name != all[i].Name || at == "" {
					t.Errorf("schema_migrations row %d = (%d, %q, %q), want %v", i, v, name, at, all[i])
				}
				i++
			}
			must(t, "rows", rows.Err())
			if i != len(all) {
				t.Errorf("schema_migrations has %d rows, want %d", i, len(all))
			}
		}},
		{"a second store on the same database sees it migrated", func(t *testing.T) {
			s := Migrated(t, open)
			// The same pools through a new Store value: nothing is pending.
			s2, err := sqlstore.New(s.Dialect(), s.WriteDB(), s.ReadDB())
			must(t, "new", err)
			must(t, "check migrated", s2.CheckMigrated(ctx))
			applied, err := s2.Migrate(ctx)
			must(t, "migrate", err)
			if len(applied) != 0 {
				t.Errorf("migrate applied %v, want none", applied)
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, tc.run)
	}
}
