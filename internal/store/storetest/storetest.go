// Package storetest is the conformance suite for sqlstore: every behaviour of
// every domain Store port, checked through the port interfaces on a real
// database, so that SQLite and PostgreSQL are known to behave alike. The
// tests of store/sqlite and store/postgres call Run with a function that
// opens a fresh, empty database for each test.
//
// # Adding a domain's suite
//
// A domain adds one file, storetest/<domain>.go, with an init function that
// registers its suite:
//
//	func init() { Register(Suite{Name: "finance", Run: financeSuite}) }
//
//	func financeSuite(t *testing.T, open Opener) {
//		for _, tc := range []struct{ name string; run func(t *testing.T, s finance.Store) }{...} {
//			t.Run(tc.name, func(t *testing.T) { tc.run(t, Migrated(t, open)) })
//		}
//	}
//
// Run runs every registered suite, in name order, as a subtest. Use
// Migrated for a fresh migrated store per test (open gives an empty,
// unmigrated one), test through the domain's port interface rather than
// *sqlstore.Store, and compare dates and times with Equal or String. Nothing
// else needs editing: the adapters' tests pick the new suite up.
package storetest

import (
	"context"
	"errors"
	"sort"
	"sync"
	"testing"

	"ccg/internal/store/sqlstore"
)

// Opener opens a fresh, empty (unmigrated) store for one test and arranges,
// with t.Cleanup, for it to be closed and its data removed.
type Opener func(t *testing.T) *sqlstore.Store

// Suite is one domain's conformance tests.
type Suite struct {
	// Name names the subtest, for example "registry" (go test -run 'Store/registry').
	Name string
	// Run runs the suite's tests, opening stores with open.
	Run func(t *testing.T, open Opener)
}

var (
	mu     sync.Mutex
	suites []Suite
)

// Register adds a suite to those Run runs. Call it from an init function;
// it panics on a duplicate or empty name.
func Register(s Suite) {
	mu.Lock()
	defer mu.Unlock()
	if s.Name == "" || s.Run == nil {
		panic("storetest: Register: a suite needs a name and a Run function")
	}
	for _, have := range suites {
		if have.Name == s.Name {
			panic("storetest: Register: duplicate suite " + s.Name)
		}
	}
	suites = append(suites, s)
}

// Suites returns the registered suites in name order.
func Suites() []Suite {
	mu.Lock()
	defer mu.Unlock()
	out := append([]Suite(nil), suites...)
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Run runs every registered suite against stores made by open, which must
// return a fresh, empty, unmigrated store on each call.
func Run(t *testing.T, open func(t *testing.T) *sqlstore.Store) {
	for _, s := range Suites() {
		t.Run(s.Name, func(t *testing.T) { s.Run(t, open) })
	}
}

// Migrated opens a fresh store and applies every migration, failing the
// test if that fails.
func Migrated(t *testing.T, open Opener) *sqlstore.Store {
	t.Helper()
	s := open(t)
	if _, err := s.Migrate(context.Background()); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	return s
}

// wantErr fails the test unless err wraps target (nil target: no error).
func wantErr(t testing.TB, what string, err, target error) {
	t.Helper()
	switch {
	case target == nil && err != nil:
		t.Fatalf("%s: unexpected error: %v", what, err)
	case target != nil && !errors.Is(err, target):
		t.Fatalf("%s: error = %v, want one wrapping %v", what, err, target)
	}
}

// must fails the test on an error.
func must(t testing.TB, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// wantChanged fails the test unless a write reported changed as expected.
func wantChanged(t testing.TB, what string, changed bool, err error, want bool) {
	t.Helper()
	must(t, what, err)
	if changed != want {
		t.Fatalf("%s: changed = %v, want %v", what, changed, want)
	}
}
