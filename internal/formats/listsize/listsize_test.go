package listsize_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"ccg/internal/calendar"
	"ccg/internal/formats/internal/formatstest"
	"ccg/internal/registry"
)

// newWorld returns a registry that knows the given practices.
func newWorld(t *testing.T, practices ...string) formatstest.World {
	t.Helper()
	w := formatstest.New(t)
	for _, p := range practices {
		w.AddOrganisations(t, registry.Organisation{Code: p, Name: p, Kind: registry.KindPractice})
	}
	return w
}

func TestImport(t *testing.T) {
	tests := []struct {
		file                              string
		read, accepted, rejected, changed int
		notes                             []string
	}{
		{"quin_2017_09_small.csv", 86, 86, 0, 86, []string{
			"list sizes for 2 practices, month 2017-09",
			"1 practices in the file are not in the registry (for example Z99999): their list sizes are kept and will count once the ODS practice file (ods-practices) that lists them is imported"}},
		{"quin_new_names.csv", 4, 4, 0, 3, []string{
			"list sizes for 1 practices, month 2019-10",
			"rows for organisations other than GP practices were left out (CCG 1)"}},
		// FEMALE 0_4 twice with different counts: both rows rejected; FEMALE
		// 5_9 twice with the same count: read once.
		{"quin_duplicates.csv", 5, 3, 2, 2, []string{"list sizes for 1 practices, month 2017-09"}},
		{"legacy_small.csv", 3, 2, 1, 42, []string{
			"older one-row-per-practice layout: each practice's bands were stored by sex, with totals for each sex and for all patients",
			"list sizes for 2 practices, month 2011-04"}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			w := newWorld(t, "B99001", "B99002")
			sum, err := w.Load(t, "list-sizes", tt.file)
			if err != nil {
				t.Fatal(err)
			}
			if sum.Read != tt.read || sum.Accepted != tt.accepted || sum.Rejected != tt.rejected || sum.Changed != tt.changed {
				t.Errorf("read %d accepted %d rejected %d changed %d, want %d %d %d %d",
					sum.Read, sum.Accepted, sum.Rejected, sum.Changed, tt.read, tt.accepted, tt.rejected, tt.changed)
			}
			if !slices.Equal(sum.Notes, tt.notes) {
				t.Errorf("notes\n got %q\nwant %q", sum.Notes, tt.notes)
			}
			again, err := w.Load(t, "list-sizes", formatstest.Resave(t, tt.file, tt.file))
			if err != nil {
				t.Fatal(err)
			}
			if again.AlreadyImported || again.Changed != 0 {
				t.Errorf("the same data again: already %v, changed %d; want a new run changing nothing", again.AlreadyImported, again.Changed)
			}
		})
	}
}

// A file larger than one batch is written in several batches and every row
// arrives; a changed count in the middle of a file is the only change.
func TestImportInBatches(t *testing.T) {
	var b strings.Builder
	b.WriteString("PUBLICATION,EXTRACT_DATE,TYPE,CODE,POSTCODE,SEX,AGE,NUMBER_OF_PATIENTS\n")
	const practices = 150 // 150 × 43 = 6,450 rows: two batches
	write := func(bump int) string {
		b.Reset()
		b.WriteString("PUBLICATION,EXTRACT_DATE,TYPE,CODE,POSTCODE,SEX,AGE,NUMBER_OF_PATIENTS\n")
		for p := range practices {
			code := fmt.Sprintf("B%05d", p)
			fmt.Fprintf(&b, "GP_PRAC_PAT_LIST,01/10/2019,GP,%s,,ALL,ALL,%d\n", code, 1000+p+bump)
			for _, sex := range []string{"FEMALE", "MALE"} {
				for lo := 0; lo < 95; lo += 5 {
					fmt.Fprintf(&b, "GP_PRAC_PAT_LIST,01/10/2019,GP,%s,,%s,%d_%d,%d\n", code, sex, lo, lo+4, lo)
				}
				fmt.Fprintf(&b, "GP_PRAC_PAT_LIST,01/10/2019,GP,%s,,%s,95+,1\n", code, sex)
				fmt.Fprintf(&b, "GP_PRAC_PAT_LIST,01/10/2019,GP,%s,,%s,ALL,%d\n", code, sex, 500)
			}
		}
		path := filepath.Join(t.TempDir(), fmt.Sprintf("quin_%d.csv", bump))
		if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	w := newWorld(t)
	steps := []struct {
		name    string
		bump    int
		changed int
		already bool
	}{{"first", 0, practices * 43, false}, {"totals changed", 1, practices, false}, {"same file again", 1, practices, true}}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			sum, err := w.Load(t, "list-sizes", write(s.bump))
			if err != nil {
				t.Fatal(err)
			}
			if sum.Read != practices*43 || sum.Changed != s.changed || sum.AlreadyImported != s.already {
				t.Errorf("read %d changed %d already %v, want %d %d %v", sum.Read, sum.Changed, sum.AlreadyImported, practices*43, s.changed, s.already)
			}
		})
	}
	got, err := w.Store.ListSizesForMonth(context.Background(), calendar.MustMonth("2019-10"))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != practices*43 {
		t.Errorf("%d list sizes stored, want %d", len(got), practices*43)
	}
}

func TestBrokenFileChangesNothing(t *testing.T) {
	tests := []struct{ file, want string }{
		{"quin_truncated.csv", "import list-sizes: quin_truncated.csv:12:38: row has 5 columns"},
		{"binary.csv", "import list-sizes: binary.csv:2:1: byte 0x00 is not text"},
		{"epraccur_given_to_listsize.csv", "import list-sizes: epraccur_given_to_listsize.csv:1:1: the first row is not a header"},
		{"empty.csv", "import list-sizes: empty.csv:1:1: the file is empty"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			w := newWorld(t, "B99001")
			if _, err := w.Load(t, "list-sizes", "quin_new_names.csv"); err != nil {
				t.Fatal(err)
			}
			if got := w.Refuse(t, "list-sizes", tt.file); !strings.HasPrefix(got, tt.want) {
				t.Errorf("got  %s\nwant %s…", got, tt.want)
			}
		})
	}
}
