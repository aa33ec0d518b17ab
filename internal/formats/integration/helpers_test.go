package integration

import (
	"os"
	"path/filepath"
	"testing"

	"ccg/internal/formats/internal/formatstest"
)

// fixture returns the path of a handler package's own test file.
func fixture(pkg, name string) string { return filepath.Join("..", pkg, "testdata", name) }

// sharedData returns the folder of real public sample files, ../shared/data
// from the project's root, or skips the test when it is absent (a user's
// clone has no ../shared).
func sharedData(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Skip("../shared/data not present (a user's clone): real-file test skipped")
		}
		dir = parent
	}
	data := filepath.Join(dir, "..", "shared", "data")
	if _, err := os.Stat(filepath.Join(data, "ods")); err != nil {
		t.Skip("../shared/data not present (a user's clone): real-file test skipped")
	}
	return data
}

// eitherOrder imports two practice files into two new stores, older then
// newer and newer then older, and returns each store's relationships.
func eitherOrder(t testing.TB, older, newer string) (oldFirst, newFirst []string) {
	t.Helper()
	a, b := formatstest.New(t), formatstest.New(t)
	a.MustLoad(t, "ods-practices", older)
	a.MustLoad(t, "ods-practices", newer)
	b.MustLoad(t, "ods-practices", newer)
	b.MustLoad(t, "ods-practices", older)
	return a.Relationships(t), b.Relationships(t)
}
