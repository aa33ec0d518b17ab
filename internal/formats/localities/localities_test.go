package localities_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"ccg/internal/calendar"
	"ccg/internal/formats/internal/formatstest"
	"ccg/internal/formats/localities"
	"ccg/internal/importing"
	"ccg/internal/registry"
)

// newWorld returns a registry holding two CCGs and four practices, with the
// memberships the fixtures rely on.
func newWorld(t *testing.T) formatstest.World {
	t.Helper()
	w := formatstest.New(t)
	w.AddOrganisations(t,
		registry.Organisation{Code: "01X", Name: "NHS EXAMPLE NORTH CCG", Kind: registry.KindCCG},
		registry.Organisation{Code: "02Y", Name: "NHS EXAMPLE SOUTH CCG", Kind: registry.KindCCG},
		registry.Organisation{Code: "B99001", Name: "CANAL SIDE SURGERY", Kind: registry.KindPractice},
		registry.Organisation{Code: "B99002", Name: "HILLTOP MEDICAL PRACTICE", Kind: registry.KindPractice},
		registry.Organisation{Code: "B99006", Name: "RIVERSIDE PRACTICE", Kind: registry.KindPractice},
		registry.Organisation{Code: "B99007", Name: "NEW TOWN PRACTICE", Kind: registry.KindPractice},
	)
	rels := []registry.Relationship{
		{Child: "B99001", Parent: "01X", From: calendar.MustDate("2013-04-01")},
		{Child: "B99002", Parent: "01X", From: calendar.MustDate("2013-04-01")},
		{Child: "B99006", Parent: "02Y", From: calendar.MustDate("2013-04-01")},
		{Child: "B99006", Parent: "01X", From: calendar.MustDate("2016-04-01")},
		{Child: "B99007", Parent: "01X", From: calendar.MustDate("2017-01-01")},
	}
	for _, r := range rels {
		r.Kind = registry.RelMemberOf
		if _, err := w.Registry.RecordRelationship(context.Background(), r); err != nil {
			t.Fatal(err)
		}
	}
	return w
}

func rejections(s importing.Summary) []string {
	var out []string
	for _, r := range s.Rejections {
		out = append(out, fmt.Sprintf("%d:%d %s: %s", r.Line, r.Column, r.Field, r.Reason))
	}
	return out
}

func TestImport(t *testing.T) {
	w := newWorld(t)
	sum, err := w.Load(t, "localities", "localities_small.csv")
	if err != nil {
		t.Fatal(err)
	}
	if sum.Read != 9 || sum.Accepted != 4 || sum.Rejected != 5 {
		t.Errorf("read %d accepted %d rejected %d, want 9 4 5", sum.Read, sum.Accepted, sum.Rejected)
	}
	wantRej := []string{
		"6:1 practice_code: practice Z99999 is not in the registry: import the ODS practice file that lists it (ods-practices, epraccur.csv) first, then this file again",
		"7:14 from_date: practice B99001 was not a member of any CCG on 2010-01-01 as far as the registry knows: import the ODS practice file (ods-practices, epraccur.csv) that covers that date first, or give the CCG in a ccg_code column",
		"8:8 locality_name: the locality name is missing",
		`9:14 from_date: the from date "2018-31-04" is not a date (want YYYY-MM-DD or DD/MM/YYYY)`,
		"10:1 practice_code: practice B99001 is already placed in locality 01X-NORTH-WEST from 2018-04-01 (line 2)",
	}
	if got := rejections(sum); !slices.Equal(got, wantRej) {
		t.Errorf("rejections\n got %q\nwant %q", got, wantRej)
	}
	if want := []string{"columns not used: notes"}; !slices.Equal(sum.Notes, want) {
		t.Errorf("notes %q, want %q", sum.Notes, want)
	}
	t.Run("localities", func(t *testing.T) {
		tests := []struct {
			code, name, opened string
		}{
			{"01X-NORTH-WEST", "North & West", "2016-04-01"}, // the earliest from date in the file
			{"01X-SOUTH", "South", "2018-04-01"},
			{"01X-RIVERSIDE", "Riverside", "2016-04-01"},
		}
		for _, tt := range tests {
			o, err := w.Registry.Organisation(context.Background(), tt.code)
			if err != nil {
				t.Fatal(err)
			}
			if o.Kind != registry.KindLocality || o.Name != tt.name || o.Opened.String() != tt.opened || o.Source != "localities localities_small.csv" {
				t.Errorf("%s: got %+v", tt.code, o)
			}
		}
	})
	t.Run("relationships", func(t *testing.T) {
		tests := []struct {
			child string
			kind  registry.RelationKind
			want  []string
		}{
			{"01X-NORTH-WEST", registry.RelLocalityOf, []string{"01X 2016-04-01..", "01X 2018-04-01.."}},
			{"B99001", registry.RelInLocality, []string{"01X-NORTH-WEST 2018-04-01.."}},
			{"B99002", registry.RelInLocality, []string{"01X-NORTH-WEST 2016-04-01.."}},
			// one locality at a time: the later placement closes the earlier
			{"B99006", registry.RelInLocality, []string{"01X-RIVERSIDE 2016-04-01..2018-04-01", "01X-SOUTH 2018-04-01.."}},
		}
		for _, tt := range tests {
			if got := w.Parents(t, tt.child, tt.kind); !slices.Equal(got, tt.want) {
				t.Errorf("%s %s: got %q, want %q", tt.child, tt.kind, got, tt.want)
			}
		}
	})
	t.Run("members with their locality", func(t *testing.T) {
		ms, err := w.Registry.MembersAt(context.Background(), "01X", calendar.MustDate("2018-06-01"), false)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, m := range ms {
			got = append(got, m.Code+" "+m.Locality)
		}
		want := []string{"B99001 01X-NORTH-WEST", "B99002 01X-NORTH-WEST", "B99007 ", "B99006 01X-SOUTH"}
		if !slices.Equal(got, want) {
			t.Errorf("got %q, want %q", got, want)
		}
	})
}

func TestImportWithCodes(t *testing.T) {
	w := newWorld(t)
	sum, err := w.Load(t, "localities", "localities_codes.csv")
	if err != nil {
		t.Fatal(err)
	}
	if sum.Read != 6 || sum.Accepted != 3 || sum.Rejected != 3 {
		t.Errorf("read %d accepted %d rejected %d, want 6 3 3", sum.Read, sum.Accepted, sum.Rejected)
	}
	wantRej := []string{
		"5:26 ccg_code: CCG 9ZZ is not in the registry: import the ODS commissioner file that lists it (ods-commissioners, eccg.csv) first, then this file again",
		`6:26 locality_code: locality LOC-C is called "Central" on line 2; this row calls it "Middle"`,
		"7:27 locality_code: the code B99001 already belongs to CANAL SIDE SURGERY, a GP practice, not a locality",
	}
	if got := rejections(sum); !slices.Equal(got, wantRej) {
		t.Errorf("rejections\n got %q\nwant %q", got, wantRej)
	}
	for child, want := range map[string][]string{"LOC-C": {"01X 2019-04-01.."}, "02Y-OUTER": {"02Y 2019-04-01.."}} {
		if got := w.Parents(t, child, registry.RelLocalityOf); !slices.Equal(got, want) {
			t.Errorf("%s locality of %q, want %q", child, got, want)
		}
	}
}

func TestReimportChangesNothing(t *testing.T) {
	w := newWorld(t)
	if _, err := w.Load(t, "localities", "localities_small.csv"); err != nil {
		t.Fatal(err)
	}
	sum, err := w.Load(t, "localities", formatstest.Resave(t, "localities_small.csv", "localities-2.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if sum.AlreadyImported || sum.Accepted != 4 || sum.Changed != 0 {
		t.Errorf("already %v accepted %d changed %d, want a new run accepting 4 and changing nothing", sum.AlreadyImported, sum.Accepted, sum.Changed)
	}
}

func TestBrokenFiles(t *testing.T) {
	const help = "a localities file starts with the header practice_code,locality_name,from_date (and may add locality_code and ccg_code)"
	tests := []struct{ file, want string }{
		{"missing_column.csv", "missing_column.csv:1:1: the header has no locality_name column: " + help},
		{"no_header.csv", "no_header.csv:1:1: the first row is not a header (it starts with the practice code B99001): " + help},
		{"truncated_in_quote.csv", "truncated_in_quote.csv:3:15: a quote is not closed or is misplaced (is the file cut short or damaged?)"},
		{"truncated_between_fields.csv", "truncated_between_fields.csv:3:8: row has 2 columns, the header has 3 (is the file cut short?)"},
		{"unquoted_comma.csv", "unquoted_comma.csv:2:20: row has 4 columns, the header has 3 (is a comma missing its quotes?)"},
		{"header_only.csv", "header_only.csv:2:1: the file has a header but no rows: " + help + ", then one row per practice"},
		{"empty.csv", "empty.csv:1:1: the file is empty: " + help},
		{"binary.csv", "binary.csv:2:10: byte 0x00 is not text: this is not a CSV file, or it is damaged"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			w := newWorld(t)
			if _, err := w.Load(t, "localities", "localities_codes.csv"); err != nil {
				t.Fatal(err)
			}
			if got, want := w.Refuse(t, "localities", tt.file), "import localities: "+tt.want; got != want {
				t.Errorf("got  %s\nwant %s", got, want)
			}
		})
	}
}

func TestCode(t *testing.T) {
	tests := []struct{ ccg, name, want string }{
		{"01X", "North & West", "01X-NORTH-WEST"},
		{"01X", "  st. john's  (east) ", "01X-ST-JOHN-S-EAST"},
		{"15N", "Exeter", "15N-EXETER"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := localities.Code(tt.ccg, tt.name); got != tt.want {
				t.Errorf("Code(%q, %q) = %q, want %q", tt.ccg, tt.name, got, tt.want)
			}
		})
	}
}

func TestParseDate(t *testing.T) {
	tests := []struct{ in, want string }{
		{"2018-04-01", "2018-04-01"}, {"01/04/2018", "2018-04-01"}, {"1/4/2018", "2018-04-01"},
		{"20180401", ""}, {"04/31/2018", ""}, {"", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			d, err := localities.ParseDate(tt.in)
			if tt.want == "" {
				if err == nil {
					t.Errorf("ParseDate(%q) = %s, want an error", tt.in, d)
				}
				return
			}
			if err != nil || d.String() != tt.want {
				t.Errorf("ParseDate(%q) = %s, %v; want %s", tt.in, d, err, tt.want)
			}
		})
	}
}
