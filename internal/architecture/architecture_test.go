package architecture

import (
	"go/build"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// module is the module path of the project (go.mod).
const module = "ccg"

// room is the kind of a package, deciding what it may import.
type room string

const (
	domain  room = "domain"
	format  room = "format"
	adapter room = "adapter"
	webRoom room = "web"
	wiring  room = "wiring" // cli, bench: may import anything
	testAid room = "test"   // helpers that exist for tests
)

// classify names the room of a package path relative to internal/.
func classify(rel string) room {
	first := strings.SplitN(rel, "/", 2)[0]
	switch {
	case strings.HasSuffix(rel, "test") && strings.Contains(rel, "/"):
		// storetest, formatstest, oidctest: test helpers.
		return testAid
	case first == "cli" || first == "bench":
		return wiring
	case first == "web":
		return webRoom
	case first == "store" || first == "analytics" || first == "oidc" || first == "smtp":
		return adapter
	case first == "formats":
		return format
	}
	return domain
}

// adapterImport reports whether an import path is an adapter or a
// technology that only adapters may use.
func adapterImport(path string) bool {
	for _, p := range []string{
		"database/sql", "net/http",
		"github.com/duckdb/", "github.com/jackc/", "modernc.org/sqlite",
		module + "/internal/store", module + "/internal/analytics", module + "/internal/oidc",
		module + "/internal/smtp", module + "/internal/web", module + "/internal/cli",
	} {
		if path == p || strings.HasPrefix(path, p+"/") {
			return true
		}
	}
	return false
}

// concreteStore reports whether an import path opens a concrete store.
func concreteStore(path string) bool {
	for _, p := range []string{"/internal/store/", "/internal/analytics/"} {
		if strings.HasPrefix(path, module+p) {
			return true
		}
	}
	return false
}

// knownDebt lists imports that break a rule today, each to be removed by
// the architecture work (issue 14: every file format in internal/formats,
// adapters only store). A pair that no longer occurs fails the test, so the
// list can only shrink.
var knownDebt = map[string]bool{
	"formats/prescribing -> ccg/internal/analytics/duckdb": true,
	"formats/referrals -> ccg/internal/analytics/duckdb":   true,
}

func TestImportRules(t *testing.T) {
	root := filepath.Join("..")
	var violations []string
	err := filepath.WalkDir(root, func(dir string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() || d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".") {
			if d.IsDir() && dir != root {
				return filepath.SkipDir
			}
			return nil
		}
		pkg, err := build.ImportDir(dir, 0)
		if err != nil {
			if _, ok := err.(*build.NoGoError); ok {
				return nil
			}
			t.Errorf("read %s: %v", dir, err)
			return nil
		}
		rel, _ := filepath.Rel(root, dir)
		rel = filepath.ToSlash(rel)
		r := classify(rel)
		for _, imp := range pkg.Imports {
			var why string
			switch r {
			case domain:
				if adapterImport(imp) {
					why = "a domain package imports no SQL, HTTP, DuckDB or adapter"
				}
			case format:
				if adapterImport(imp) {
					why = "a format package parses files and imports no adapter"
				}
			case adapter:
				if strings.HasPrefix(imp, module+"/internal/web") || strings.HasPrefix(imp, module+"/internal/cli") {
					why = "an adapter imports neither the web layer nor the CLI"
				}
			case webRoom:
				if concreteStore(imp) || strings.HasPrefix(imp, module+"/internal/cli") {
					why = "the web layer imports no concrete store (stores are wired in the CLI)"
				}
			}
			if why == "" {
				continue
			}
			key := rel + " -> " + imp
			if knownDebt[key] {
				delete(knownDebt, key)
				continue
			}
			violations = append(violations, key+": "+why)
		}
		return nil
	})
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	sort.Strings(violations)
	for _, v := range violations {
		t.Error(v)
	}
	for k := range knownDebt {
		t.Errorf("%s no longer occurs: remove it from knownDebt", k)
	}
}

func TestClassify(t *testing.T) {
	for _, tc := range []struct {
		rel  string
		want room
	}{
		{"registry", domain},
		{"variation", domain},
		{"formats/ods", format},
		{"formats/internal/formatstest", testAid},
		{"store/sqlstore", adapter},
		{"store/storetest", testAid},
		{"analytics/duckdb", adapter},
		{"oidc", adapter},
		{"oidc/oidctest", testAid},
		{"web", webRoom},
		{"cli", wiring},
	} {
		t.Run(tc.rel, func(t *testing.T) {
			if got := classify(tc.rel); got != tc.want {
				t.Errorf("classify(%q) = %s, want %s", tc.rel, got, tc.want)
			}
		})
	}
}
