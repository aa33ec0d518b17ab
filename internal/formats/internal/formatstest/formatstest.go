// Package formatstest gives the format handlers' tests the real thing to run
// against: a migrated SQLite store in the test's temporary folder, with the
// registry service and an import service holding every format handler over
// it, wired as the CLI wires them. It is imported by tests only.
package formatstest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"ccg/internal/formats/listsize"
	"ccg/internal/formats/localities"
	"ccg/internal/formats/ods"
	"ccg/internal/importing"
	"ccg/internal/registry"
	"ccg/internal/store/sqlite"
	"ccg/internal/store/sqlstore"
)

// World is a migrated SQLite store with the registry and import services
// over it.
type World struct {
	Store    *sqlstore.Store
	Registry *registry.Service
	Imports  *importing.Service
}

// New opens and migrates a new SQLite store under t.TempDir, closed when the
// test ends.
func New(t testing.TB) World {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "ccg.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if _, err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	reg := registry.NewService(st)
	svc := importing.NewService(st,
		ods.NewPractices(reg), ods.NewCommissioners(reg), ods.NewRegions(reg), ods.NewSuccessions(reg),
		listsize.NewHandler(reg), localities.NewHandler(reg))
	return World{Store: st, Registry: reg, Imports: svc}
}

// Testdata returns the path of a file: a bare name is a fixture in the
// testing package's testdata folder; any other path is used as it is.
func Testdata(path string) string {
	if filepath.Base(path) == path {
		return filepath.Join("testdata", path)
	}
	return path
}

// Load imports the file at path (see Testdata) as kind.
func (w World) Load(t testing.TB, kind, path string) (importing.Summary, error) {
	t.Helper()
	return w.Imports.ImportFile(context.Background(), kind, Testdata(path), importing.Options{})
}

// MustLoad imports the file at path as kind and fails the test if the file
// is refused.
func (w World) MustLoad(t testing.TB, kind, path string) importing.Summary {
	t.Helper()
	s, err := w.Load(t, kind, path)
	if err != nil {
		t.Fatalf("import %s %s: %v", kind, filepath.Base(path), err)
	}
	return s
}

// Refuse imports the file at path as kind expecting the whole file to be
// refused: it fails the test unless the import returns an
// *importing.FileError and leaves the store exactly as it was. It returns
// the error's text for the caller to check.
func (w World) Refuse(t testing.TB, kind, path string) string {
	t.Helper()
	before := w.Dump(t)
	_, err := w.Load(t, kind, path)
	var fe *importing.FileError
	if !errors.As(err, &fe) {
		t.Fatalf("import %s %s: got %v, want a *importing.FileError", kind, filepath.Base(path), err)
	}
	if after := w.Dump(t); !slices.Equal(before, after) {
		t.Errorf("the refused import of %s changed the store:\nbefore %q\nafter  %q", filepath.Base(path), before, after)
	}
	return err.Error()
}

// AddOrganisations stores orgs as they are, for tests that need a registry
// to import into.
func (w World) AddOrganisations(t testing.TB, orgs ...registry.Organisation) {
	t.Helper()
	for _, o := range orgs {
		if _, err := w.Store.UpsertOrganisation(context.Background(), o); err != nil {
			t.Fatal(err)
		}
	}
}

// Organisation returns the stored organisation code, failing the test when
// there is none.
func (w World) Organisation(t testing.TB, code string) registry.Organisation {
	t.Helper()
	o, err := w.Registry.Organisation(context.Background(), code)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// Parents returns child's relationships of kind k as "PARENT FROM..TO",
// earliest first.
func (w World) Parents(t testing.TB, child string, k registry.RelationKind) []string {
	t.Helper()
	rs, err := w.Store.ParentsOf(context.Background(), child, k)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, r := range rs {
		out = append(out, r.Parent+" "+r.From.String()+".."+r.To.String())
	}
	return out
}

// Dump returns every row of the registry and import tables as text, in a
// fixed order, so that two states of the store can be compared exactly.
func (w World) Dump(t testing.TB) []string {
	t.Helper()
	return append(w.RegistryDump(t), w.Query(t,
		`SELECT 'run', id, kind, file, sha256, status, read_rows, accepted, rejected, changed FROM import_runs ORDER BY id`,
		`SELECT 'rej', run_id, seq, line, column_no, field, reason FROM import_rejections ORDER BY run_id, seq`,
	)...)
}

// RegistryDump returns every row of the registry tables (not the record of
// import runs) as text, in a fixed order.
func (w World) RegistryDump(t testing.TB) []string {
	t.Helper()
	return w.Query(t,
		`SELECT 'org', code, name, kind, address, postcode, phone, opened, closed, status, setting, source FROM organisations ORDER BY code`,
		`SELECT 'rel', child, kind, parent, from_date, to_date, source FROM relationships ORDER BY child, kind, parent, from_date`,
		`SELECT 'succ', predecessor, successor, effective, reason, indicator, source FROM successions ORDER BY predecessor, successor, effective`,
		`SELECT 'size', practice, month, sex, age_band, patients FROM list_sizes ORDER BY practice, month, sex, age_band`,
	)
}

// Relationships returns the facts of every relationship (not their Source)
// as "CHILD|KIND|PARENT|FROM|TO".
func (w World) Relationships(t testing.TB) []string {
	t.Helper()
	return w.Query(t, `SELECT child, kind, parent, from_date, to_date FROM relationships ORDER BY child, kind, parent, from_date`)
}

// Query runs each query and returns its rows, one string a row with the
// columns joined by "|".
func (w World) Query(t testing.TB, queries ...string) []string {
	t.Helper()
	var out []string
	for _, q := range queries {
		rows, err := w.Store.WriteDB().QueryContext(context.Background(), q)
		if err != nil {
			t.Fatal(err)
		}
		cols, err := rows.Columns()
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			parts := make([]string, len(vals))
			for i, v := range vals {
				parts[i] = fmt.Sprint(v)
				if b, ok := v.([]byte); ok {
					parts[i] = string(b)
				}
			}
			out = append(out, strings.Join(parts, "|"))
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		rows.Close()
	}
	return out
}

// Count returns the number of rows in table.
func (w World) Count(t testing.TB, table string) int {
	t.Helper()
	var n int
	if err := w.Store.WriteDB().QueryRowContext(context.Background(), "SELECT count(*) FROM "+table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// Resave copies the file at path (see Testdata) to a file called name in a
// temporary folder with its line ends switched (LF to CRLF, or CRLF to LF):
// the same rows in a file with another hash, as when a user saves a file
// again, so that the import service does not take it for one already
// imported.
func Resave(t testing.TB, path, name string) string {
	t.Helper()
	b, err := os.ReadFile(Testdata(path))
	if err != nil {
		t.Fatal(err)
	}
	lf := strings.ReplaceAll(string(b), "\r\n", "\n")
	s := strings.ReplaceAll(lf, "\n", "\r\n")
	if s == string(b) {
		s = lf
	}
	out := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(out, []byte(s), 0o600); err != nil {
		t.Fatal(err)
	}
	return out
}
