package cli

import (
	"bytes"
	"context"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestImportFolders imports a dm+d release folder and a folder of
// OpenPrescribing definitions through 'ccg import': the library prints one
// line per definition with its kind and result, refuses the unsafe and the
// unrunnable with the reason, and fails only with --strict.
func TestImportFolders(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	run := func(args ...string) (string, error) {
		var out bytes.Buffer
		err := Run(ctx, append(args, "--data", dir), &out)
		return out.String(), err
	}
	release := filepath.Join("..", "analytics", "opcompat", "testdata", "release")
	out, err := run("import", "dmd", release)
	if err != nil || !strings.Contains(out, "vmp 11") || !strings.Contains(out, "1 rejected") {
		t.Fatalf("import dmd: %v\n%s", err, out)
	}
	// The release had a rejected element, so importing it again runs again
	// (the element may pass now) and replaces the release by itself.
	if out, err = run("import", "dmd", release); err != nil || !strings.Contains(out, "52 records replace 52") {
		t.Fatalf("import dmd again: %v\n%s", err, out)
	}
	library := filepath.Join("testdata", "opmeasures")
	out, err = run("import", "measures", library)
	if err != nil {
		t.Fatalf("import measures: %v\n%s", err, out)
	}
	for _, want := range []string{
		`needs_adq\s+custom\s+refused\s+numerator_columns/from/where: it reads my_adq, which ccg does not provide`,
		`oral_antibacterials\s+query\s+imported`,
		`reads_a_file\s+custom\s+refused\s+numerator_from: READ_CSV is not allowed`,
		`trimethoprim_items\s+filter\s+imported`,
		`2 of 4 definitions imported, 2 refused`,
	} {
		if !regexp.MustCompile(want).MatchString(out) {
			t.Errorf("library table lacks %q:\n%s", want, out)
		}
	}
	if _, err := run("import", "--strict", "measures", library); err == nil || !strings.Contains(err.Error(), "2 of 4 definitions refused") {
		t.Fatalf("--strict: %v", err)
	}
	if _, err := run("import", "ods-practices", library); err == nil || !strings.Contains(err.Error(), "only the dmd and measures kinds import a folder") {
		t.Fatalf("a folder for a file kind: %v", err)
	}
}
