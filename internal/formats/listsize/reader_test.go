package listsize

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"ccg/internal/calendar"
	"ccg/internal/importing"
	"ccg/internal/registry"
)

func open(t *testing.T, name string) *importing.Source {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return importing.NewSource(name, f)
}

// readAll reads a fixture and returns its list sizes, rejections, skipped
// organisation types and the error that stopped it.
func readAll(t *testing.T, name string) ([]registry.ListSize, []importing.Rejection, []string, error) {
	t.Helper()
	rd, err := NewReader(open(t, name))
	if err != nil {
		return nil, nil, nil, err
	}
	var sizes []registry.ListSize
	var rejs []importing.Rejection
	var skipped []string
	for {
		row, rej, err := rd.Next()
		if err == io.EOF {
			return sizes, rejs, skipped, nil
		}
		if err != nil {
			return sizes, rejs, skipped, err
		}
		switch {
		case rej != nil:
			rejs = append(rejs, *rej)
		case row.OrgType != "":
			skipped = append(skipped, row.OrgType)
		default:
			sizes = append(sizes, row.Sizes...)
		}
	}
}

// headerHelp is the explanation every header error ends with; it is
// spelled out here so that a change to the message is a deliberate one.
const headerHelp = "a list-size file starts with a header naming ORG_CODE (or CODE), SEX, AGE_GROUP_5 (or AGE), " +
	"NUMBER_OF_PATIENTS and EXTRACT_DATE, or, in the older layout, Month, Practice Code and Male 0-4 … Female 75+"

func TestReaderRefusesBrokenFiles(t *testing.T) {
	tests := []struct{ file, want string }{
		{"quin_truncated.csv", "quin_truncated.csv:12:38: row has 5 columns, the header has 9 (is the file cut short?)"},
		{"quin_extra_column.csv", "quin_extra_column.csv:5:64: row has 10 columns, the header has 9 (is the file damaged?)"},
		{"quin_missing_column.csv", "quin_missing_column.csv:1:1: the header has no NUMBER_OF_PATIENTS column: " + headerHelp},
		{"empty.csv", "empty.csv:1:1: the file is empty: " + headerHelp},
		{"binary.csv", "binary.csv:2:1: byte 0x00 is not text: this is not a CSV file, or it is damaged"},
		{"epraccur_given_to_listsize.csv", "epraccur_given_to_listsize.csv:1:1: the first row is not a header (it starts with the code B99001): " + headerHelp},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			_, _, _, err := readAll(t, tt.file)
			var fe *importing.FileError
			if !errors.As(err, &fe) {
				t.Fatalf("got %v, want a *importing.FileError", err)
			}
			if err.Error() != tt.want {
				t.Errorf("got  %s\nwant %s", err, tt.want)
			}
		})
	}
}

func TestReaderLayouts(t *testing.T) {
	tests := []struct {
		file    string
		layout  Layout
		sizes   int
		skipped []string
		first   registry.ListSize
		last    registry.ListSize
	}{
		{"quin_2017_09_small.csv", LayoutQuinary, 86, nil,
			registry.ListSize{Practice: "B99001", Month: calendar.MustMonth("2017-09"), Sex: registry.SexAll, AgeBand: registry.AgeAll, Patients: 4950},
			registry.ListSize{Practice: "Z99999", Month: calendar.MustMonth("2017-09"), Sex: registry.SexMale, AgeBand: registry.AgeAll, Patients: 1380}},
		{"quin_new_names.csv", LayoutQuinary, 3, []string{"CCG"},
			registry.ListSize{Practice: "B99001", Month: calendar.MustMonth("2019-10"), Sex: registry.SexAll, AgeBand: registry.AgeAll, Patients: 5210},
			registry.ListSize{Practice: "B99001", Month: calendar.MustMonth("2019-10"), Sex: registry.SexMale, AgeBand: "95+", Patients: 3}},
		{"legacy_small.csv", LayoutLegacy, 42, nil,
			registry.ListSize{Practice: "B99001", Month: calendar.MustMonth("2011-04"), Sex: registry.SexMale, AgeBand: "0-4", Patients: 100},
			registry.ListSize{Practice: "B99002", Month: calendar.MustMonth("2011-04"), Sex: registry.SexAll, AgeBand: registry.AgeAll, Patients: 1710}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			rd, err := NewReader(open(t, tt.file))
			if err != nil {
				t.Fatal(err)
			}
			if rd.Layout() != tt.layout {
				t.Errorf("layout %s, want %s", rd.Layout(), tt.layout)
			}
			sizes, _, skipped, err := readAll(t, tt.file)
			if err != nil {
				t.Fatal(err)
			}
			if len(sizes) != tt.sizes || !slices.Equal(skipped, tt.skipped) {
				t.Fatalf("%d sizes, skipped %v; want %d, %v", len(sizes), skipped, tt.sizes, tt.skipped)
			}
			if sizes[0] != tt.first || sizes[len(sizes)-1] != tt.last {
				t.Errorf("first %+v last %+v\nwant  %+v last %+v", sizes[0], sizes[len(sizes)-1], tt.first, tt.last)
			}
		})
	}
}

func TestQuinaryRowsPerPractice(t *testing.T) {
	sizes, _, _, err := readAll(t, "quin_2017_09_small.csv")
	if err != nil {
		t.Fatal(err)
	}
	per := map[string][]string{}
	for _, s := range sizes {
		per[s.Practice] = append(per[s.Practice], string(s.Sex)+" "+s.AgeBand)
	}
	for code, keys := range per {
		t.Run(code, func(t *testing.T) {
			if len(keys) != 43 {
				t.Errorf("%d rows, want 43", len(keys))
			}
			for _, want := range []string{"all all", "female 0-4", "female 95+", "male all", "male 10-14"} {
				if !slices.Contains(keys, want) {
					t.Errorf("no %q row", want)
				}
			}
		})
	}
}

func TestReaderRejectsBadValues(t *testing.T) {
	_, rejs, _, err := readAll(t, "quin_bad_rows.csv")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		`3:47 SEX: the sex "UNKNOWN" is not ALL, MALE or FEMALE`,
		`4:52 AGE_GROUP_5: the age "7" is a single year of age: this import reads the five-year-band file (gp-reg-pat-prac-quin-age.csv)`,
		`5:52 AGE_GROUP_5: the age band "OLD" is not a band such as 0_4, 5_9 … 95+, or ALL`,
		`6:56 NUMBER_OF_PATIENTS: the number of patients is -3, below zero`,
		`7:56 NUMBER_OF_PATIENTS: the number of patients "*" is not a whole number`,
		`8:18 EXTRACT_DATE: the extract date "31SEP2017" is not a date (want a form such as 2017-09-01, 01/09/2017 or 01SEP2017)`,
		`9:31 ORG_CODE: the practice code "99001" is not an ODS code (want 6 letters and digits)`,
	}
	var got []string
	for _, r := range rejs {
		got = append(got, fmt.Sprintf("%d:%d %s: %s", r.Line, r.Column, r.Field, r.Reason))
	}
	for i := range max(len(got), len(want)) {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			if i >= len(got) || i >= len(want) || got[i] != want[i] {
				t.Errorf("rejections\n got %q\nwant %q", got, want)
			}
		})
	}
}

func TestBand(t *testing.T) {
	tests := []struct{ in, want, err string }{
		{"0_4", "0-4", ""}, {"5_9", "5-9", ""}, {"90_94", "90-94", ""}, {"95+", "95+", ""}, {"95_PLUS", "95+", ""},
		{"ALL", registry.AgeAll, ""}, {"all", registry.AgeAll, ""}, {"5-14", "5-14", ""}, {"75+", "75+", ""},
		{"7", "", "single year"}, {"9_5", "", "backwards"}, {"", "", "is not a band"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := Band(tt.in)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Errorf("Band(%q) = %q, %v; want an error about %q", tt.in, got, err, tt.err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("Band(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestSex(t *testing.T) {
	tests := []struct {
		in   string
		want registry.Sex
		ok   bool
	}{
		{"ALL", registry.SexAll, true}, {"MALE", registry.SexMale, true}, {"Female", registry.SexFemale, true},
		{"M", registry.SexMale, true}, {"F", registry.SexFemale, true}, {"X", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := Sex(tt.in)
			if (err == nil) != tt.ok || got != tt.want {
				t.Errorf("Sex(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
			}
		})
	}
}
