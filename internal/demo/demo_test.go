package demo

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"ccg/internal/calendar"
)

// generate writes the world for seed into a fresh directory.
func generate(t *testing.T, seed int64) *World {
	t.Helper()
	w, err := Generate(t.TempDir(), seed)
	if err != nil {
		t.Fatalf("Generate: %v", err)
	}
	return w
}

// readTree returns every file under dir by slash-separated relative path.
func readTree(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		out[filepath.ToSlash(rel)] = b
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// readCSV reads a whole CSV file, rows of any width.
func readCSV(t *testing.T, path string) [][]string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	r := csv.NewReader(bytes.NewReader(b))
	r.FieldsPerRecord = -1
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return rows
}

// stepFile returns the path of the step whose file has the base name, or fails.
func stepFile(t *testing.T, w *World, base string) string {
	t.Helper()
	for _, s := range w.Steps {
		if filepath.Base(s.Path) == base {
			return s.Path
		}
	}
	t.Fatalf("no step imports %s", base)
	return ""
}

func TestGenerateDeterministic(t *testing.T) {
	tests := []struct {
		name         string
		a, b         int64
		wantSameODS  bool // the cast does not depend on the seed
		wantSameList bool
	}{
		{"same seed", 42, 42, true, true},
		{"same seed zero", 0, 0, true, true},
		{"different seed", 42, 43, true, false},
		{"negative seed", -7, 7, true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wa, wb := generate(t, tt.a), generate(t, tt.b)
			fa, fb := readTree(t, wa.Dir), readTree(t, wb.Dir)
			if !slices.Equal(sortedKeys(fa), sortedKeys(fb)) {
				t.Fatalf("file sets differ: %v vs %v", sortedKeys(fa), sortedKeys(fb))
			}
			listsDiffer := false
			for name, da := range fa {
				same := bytes.Equal(da, fb[name])
				switch {
				case seededFile(name):
					if tt.wantSameList && !same {
						t.Errorf("%s differs between runs with seed %d", name, tt.a)
					}
					listsDiffer = listsDiffer || !same
				case tt.wantSameODS && !same:
					t.Errorf("%s differs between seeds %d and %d", name, tt.a, tt.b)
				}
			}
			if !tt.wantSameList && !listsDiffer {
				t.Errorf("seeds %d and %d gave identical list sizes", tt.a, tt.b)
			}
			if len(wa.Steps) != len(wb.Steps) {
				t.Errorf("steps: %d vs %d", len(wa.Steps), len(wb.Steps))
			}
		})
	}
}

func sortedKeys(m map[string][]byte) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func TestSteps(t *testing.T) {
	w := generate(t, 1)
	var got []string
	for _, s := range w.Steps {
		if !strings.HasPrefix(s.Path, w.Dir) {
			t.Errorf("step %v is outside %s", s, w.Dir)
		}
		if _, err := os.Stat(s.Path); err != nil {
			t.Errorf("step %v: %v", s, err)
		}
		got = append(got, s.Kind+" "+filepath.ToSlash(strings.TrimPrefix(s.Path, w.Dir+string(filepath.Separator))))
	}
	want := []string{
		"ods-regions ods/eauth.csv",
		"ods-commissioners ods/epct.csv",
		"ods-commissioners ods/eccg.csv",
		"ods-practices ods/epraccur_20120331.csv",
		"ods-practices ods/epraccur_20190331.csv",
		"ods-practices ods/epraccur_20200401.csv",
		"ods-successions ods/succ.csv",
		"localities ccg/localities.csv",
	}
	for _, m := range w.Months {
		want = append(want, "list-sizes listsize/gp-reg-pat-prac-quin-age-"+m.String()+".csv")
	}
	first, last := w.Variation.Months[0], w.Variation.Months[len(w.Variation.Months)-1]
	want = append(want, "people people/practice-staff.csv", "referral-rates referrals/england-referral-rates.csv",
		fmt.Sprintf("referrals referrals/referrals_%04d%02d-%04d%02d.csv", first.Year, int(first.Mon), last.Year, int(last.Mon)))
	for _, m := range w.Months {
		want = append(want, fmt.Sprintf("prescribing prescribing/epd_%04d%02d.csv", m.Year, int(m.Mon)))
	}
	want = append(want, "questionnaire engagement/member-voice-questionnaire.json",
		"ledger finance/ledger-99X-2019.csv", "ledger finance/ledger-99Y-2019.csv", "ledger finance/ledger-99Z-2020.csv")
	if !slices.Equal(got, want) {
		t.Errorf("steps:\n got %q\nwant %q", got, want)
	}
	if s := w.Steps[0].String(); s != "ccg import ods-regions "+w.Steps[0].Path {
		t.Errorf("String() = %q", s)
	}
}

// seededFile reports whether a demo file's numbers are drawn from the seed
// (activity: list sizes, prescribing, referrals, the ledger) rather than
// being the world's fixed structure (organisations, localities, people,
// questionnaires).
func seededFile(name string) bool {
	for _, p := range []string{"listsize/", "prescribing/", "referrals/", "finance/"} {
		if strings.HasPrefix(name, p) {
			return true
		}
	}
	return false
}

var quotedRow = regexp.MustCompile(`^"[^"]*"(,"[^"]*")*$`)

func TestODSLayout(t *testing.T) {
	w := generate(t, 1)
	tests := []struct {
		file    string
		columns int
		rows    int
	}{
		{"eauth.csv", 27, 2},
		{"epct.csv", 27, 2},
		{"eccg.csv", 27, 3},
		{"epraccur_20120331.csv", 27, 40},
		{"epraccur_20190331.csv", 27, 40},
		{"epraccur_20200401.csv", 27, 41},
		{"succ.csv", 5, 4},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			path := stepFile(t, w, tt.file)
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.HasSuffix(b, []byte("\r\n")) {
				t.Errorf("does not end with CRLF")
			}
			lines := strings.Split(strings.TrimSuffix(string(b), "\r\n"), "\r\n")
			if len(lines) != tt.rows {
				t.Errorf("%d rows, want %d", len(lines), tt.rows)
			}
			for i, line := range lines {
				if strings.ContainsAny(line, "\r\n") {
					t.Errorf("line %d: stray line end", i+1)
				}
				if !quotedRow.MatchString(line) {
					t.Errorf("line %d: not every field quoted: %s", i+1, line)
				}
			}
			for i, row := range readCSV(t, path) {
				if len(row) != tt.columns {
					t.Errorf("line %d: %d columns, want %d", i+1, len(row), tt.columns)
				}
			}
		})
	}
}

// TestLayoutMatchesRealFiles compares the demo files with the real samples in
// ../shared when they are present.
func TestLayoutMatchesRealFiles(t *testing.T) {
	shared := filepath.Join("..", "..", "..", "shared", "data")
	if _, err := os.Stat(shared); err != nil {
		t.Skipf("real sample files not found at %s (the shared data is optional): %v", shared, err)
	}
	w := generate(t, 1)
	tests := []struct {
		name, real, demo string
	}{
		{"eauth", "ods/eauth_2017_08.csv", "eauth.csv"},
		{"eccg", "ods/eccg_2017_08_sample.csv", "eccg.csv"},
		{"epct as eccg", "ods/eccg_2017_08_sample.csv", "epct.csv"},
		{"epraccur", "ods/epraccur_2017_08_sample.csv", "epraccur_20190331.csv"},
		{"list sizes", "listsize/gp-reg-pat-prac-quin-age_2017_09_sample.csv", "gp-reg-pat-prac-quin-age-2019-04.csv"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			real := readCSV(t, filepath.Join(shared, filepath.FromSlash(tt.real)))
			demo := readCSV(t, stepFile(t, w, tt.demo))
			if len(real[0]) != len(demo[0]) {
				t.Fatalf("%d columns, real file has %d", len(demo[0]), len(real[0]))
			}
			rb, _ := os.ReadFile(filepath.Join(shared, filepath.FromSlash(tt.real)))
			db, _ := os.ReadFile(stepFile(t, w, tt.demo))
			if bytes.Contains(rb, []byte("\r\n")) != bytes.Contains(db, []byte("\r\n")) {
				t.Errorf("line ends differ from the real file")
			}
			if tt.name != "list sizes" {
				return
			}
			if !slices.Equal(real[0], demo[0]) {
				t.Errorf("header %q, real %q", demo[0], real[0])
			}
			// The sex and band sequence of one practice (43 rows) must match.
			for i := 1; i <= registryAllRows; i++ {
				if real[i][6] != demo[i][6] || real[i][7] != demo[i][7] {
					t.Errorf("row %d: %s/%s, real file has %s/%s", i+1, demo[i][6], demo[i][7], real[i][6], real[i][7])
				}
			}
			if len(real[1][1]) != len(demo[1][1]) {
				t.Errorf("EXTRACT_DATE %q, real %q", demo[1][1], real[1][1])
			}
		})
	}
}

func TestCommissionersAndMerger(t *testing.T) {
	w := generate(t, 1)
	byCode := map[string][]string{}
	for _, f := range []string{"eauth.csv", "epct.csv", "eccg.csv"} {
		for _, row := range readCSV(t, stepFile(t, w, f)) {
			byCode[row[0]] = row
		}
	}
	tests := []struct {
		code, nameHas, region, area, open, close, subType string
	}{
		{RegionCode, "REGION", "", "", "20121001", "", ""},
		{AreaTeamCode, "NHS ENGLAND", RegionCode, "", "20121001", "", "C"},
		{PCTNorth, "PRIMARY CARE TRUST", RegionCode, AreaTeamCode, "20020401", "20130331", ""},
		{PCTSouth, "PRIMARY CARE TRUST", RegionCode, AreaTeamCode, "20020401", "20130331", ""},
		{CCGNorth, "NHS RIVERSIDE NORTH CCG", RegionCode, AreaTeamCode, "20130401", "20200331", "C"},
		{CCGSouth, "NHS RIVERSIDE SOUTH CCG", RegionCode, AreaTeamCode, "20130401", "20200331", "C"},
		{CCGMerged, "NHS RIVERSIDE CCG", RegionCode, AreaTeamCode, "20200401", "", "C"},
	}
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			row, ok := byCode[tt.code]
			if !ok {
				t.Fatalf("%s not written", tt.code)
			}
			got := []string{row[2], row[3], row[10], row[11], row[12], row[13], row[21]}
			want := []string{tt.region, tt.area, tt.open, tt.close, "", tt.subType, "0"}
			if !slices.Equal(got, want) {
				t.Errorf("columns 3,4,11,12,13,14,22 = %q, want %q", got, want)
			}
			if !strings.Contains(row[1], tt.nameHas) {
				t.Errorf("name %q does not contain %q", row[1], tt.nameHas)
			}
		})
	}
	t.Run("succ", func(t *testing.T) {
		got := readCSV(t, stepFile(t, w, "succ.csv"))
		want := [][]string{
			{PCTNorth, CCGNorth, "Transfer", "20130401", "F"},
			{PCTSouth, CCGSouth, "Transfer", "20130401", "F"},
			{CCGNorth, CCGMerged, "Merger", "20200401", ""},
			{CCGSouth, CCGMerged, "Merger", "20200401", ""},
		}
		if !slices.EqualFunc(got, want, slices.Equal) {
			t.Errorf("succ.csv = %q, want %q", got, want)
		}
	})
	t.Run("world facts", func(t *testing.T) {
		if w.MergedCCG != CCGMerged || !slices.Equal(w.PredecessorCCGs, []string{CCGNorth, CCGSouth}) {
			t.Errorf("CCGs %v -> %s", w.PredecessorCCGs, w.MergedCCG)
		}
		if w.MergerDate != calendar.MustDate("2020-04-01") || w.CCGStart != calendar.MustDate("2013-04-01") {
			t.Errorf("dates %s %s", w.CCGStart, w.MergerDate)
		}
		for _, c := range w.PredecessorCCGs {
			cc := w.Commissioner(c)
			if cc == nil || cc.Successor != w.MergedCCG || cc.Closed.AddDays(1) != w.MergerDate {
				t.Errorf("%s: %+v", c, cc)
			}
		}
		if c := w.Commissioner(CCGMerged); c == nil || c.Opened != w.MergerDate || !c.Closed.IsZero() {
			t.Errorf("merged CCG: %+v", c)
		}
	})
}

func TestEpraccurSnapshots(t *testing.T) {
	w := generate(t, 1)
	type want struct {
		present                   bool
		status, comm, join, close string
	}
	tests := []struct {
		file  string
		cases map[string]want
		comms []string // every row's commissioner is one of these
		open  []string // every open row's commissioner is one of these
	}{
		{"epraccur_20120331.csv", map[string]want{
			"Y90001": {true, "A", PCTNorth, "20020401", ""},
			"Y90021": {true, "A", PCTSouth, "20020401", ""},
			"Y90008": {true, "A", PCTNorth, "20020401", ""},
			"Y90018": {true, "A", PCTNorth, "20020401", ""},
			"Y90090": {true, "A", PCTSouth, "20090401", ""},
			"Y90048": {present: false},
		}, []string{PCTNorth, PCTSouth}, []string{PCTNorth, PCTSouth}},
		{"epraccur_20190331.csv", map[string]want{
			"Y90001": {true, "A", CCGNorth, "20130401", ""},
			"Y90011": {true, "A", CCGNorth, "20130401", ""},
			"Y90041": {true, "A", CCGSouth, "20130401", ""},
			"Y90008": {true, "A", CCGNorth, "20130401", ""},
			"Y90018": {true, "C", CCGNorth, "20130401", "20160630"},
			"Y90090": {true, "A", CCGSouth, "20130401", ""},
			"Y90048": {present: false},
		}, []string{CCGNorth, CCGSouth}, []string{CCGNorth, CCGSouth}},
		{"epraccur_20200401.csv", map[string]want{
			"Y90001": {true, "A", CCGMerged, "20200401", ""},
			"Y90041": {true, "A", CCGMerged, "20200401", ""},
			"Y90008": {true, "C", CCGNorth, "20130401", "20190930"},
			"Y90037": {true, "C", CCGSouth, "20130401", "20200131"},
			"Y90018": {true, "C", CCGNorth, "20130401", "20160630"},
			"Y90048": {true, "A", CCGMerged, "20200401", ""},
			"Y90090": {true, "A", CCGMerged, "20200401", ""},
		}, []string{CCGMerged, CCGNorth, CCGSouth}, []string{CCGMerged}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			rows := map[string][]string{}
			for _, row := range readCSV(t, stepFile(t, w, tt.file)) {
				rows[row[0]] = row
				if !slices.Contains(tt.comms, row[14]) || row[23] != row[14] {
					t.Errorf("%s: commissioner %q/%q", row[0], row[14], row[23])
				}
				if row[2] != RegionCode || row[3] != AreaTeamCode || row[13] != "B" || row[21] != "0" {
					t.Errorf("%s: fixed columns %q", row[0], row)
				}
				if row[12] == "A" && !slices.Contains(tt.open, row[14]) {
					t.Errorf("%s: open practice in %s, want one of %q", row[0], row[14], tt.open)
				}
				p := w.Practice(row[0])
				if p == nil {
					t.Fatalf("%s not in the world", row[0])
				}
				if row[25] != p.Setting || row[9] != p.Postcode || row[1] != p.Name {
					t.Errorf("%s: setting/postcode/name %q %q %q", row[0], row[25], row[9], row[1])
				}
				if (row[12] == "C") != (row[11] != "") || row[11] != row[16] {
					t.Errorf("%s: status %q close %q left %q", row[0], row[12], row[11], row[16])
				}
			}
			for code, wt := range tt.cases {
				row, ok := rows[code]
				if ok != wt.present {
					t.Errorf("%s present = %v, want %v", code, ok, wt.present)
					continue
				}
				if !ok {
					continue
				}
				got := want{true, row[12], row[14], row[15], row[11]}
				if got != wt {
					t.Errorf("%s: %+v, want %+v", code, got, wt)
				}
			}
		})
	}
}

func TestLocalities(t *testing.T) {
	w := generate(t, 1)
	rows := readCSV(t, stepFile(t, w, "localities.csv"))
	if !slices.Equal(rows[0], localitiesHeader) {
		t.Fatalf("header %q", rows[0])
	}
	got := map[string][]string{} // practice -> "from locality ccg" rows
	for _, r := range rows[1:] {
		if len(r) != 5 {
			t.Fatalf("row %q", r)
		}
		if _, err := calendar.ParseDate(r[2]); err != nil || len(r[2]) != 10 {
			t.Errorf("date %q: %v", r[2], err)
		}
		loc := w.Locality(r[3])
		if loc == nil || loc.Name != r[1] {
			t.Errorf("locality %q %q", r[3], r[1])
		}
		got[r[0]] = append(got[r[0]], r[2]+" "+r[3]+" "+r[4])
	}
	tests := []struct {
		practice string
		want     []string
	}{
		{"Y90001", []string{"2013-04-01 LOC-NORTH 99X", "2020-04-01 LOC-NORTH 99Z"}},
		{"Y90011", []string{"2013-04-01 LOC-RIVERSIDE 99X", "2020-04-01 LOC-RIVERSIDE 99Z"}},
		{"Y90021", []string{"2013-04-01 LOC-MARKET 99Y", "2020-04-01 LOC-MARKET 99Z"}},
		{"Y90031", []string{"2013-04-01 LOC-COAST 99Y", "2020-04-01 LOC-COAST 99Z"}},
		{"Y90041", []string{"2013-04-01 LOC-CITY 99Y", "2020-04-01 LOC-CITY 99Z"}},
		{"Y90008", []string{"2013-04-01 LOC-NORTH 99X"}},
		{"Y90018", []string{"2013-04-01 LOC-RIVERSIDE 99X"}},
		{"Y90037", []string{"2013-04-01 LOC-COAST 99Y"}},
		{"Y90048", []string{"2019-10-01 LOC-CITY 99Y", "2020-04-01 LOC-CITY 99Z"}},
		{"Y90090", nil},
	}
	for _, tt := range tests {
		t.Run(tt.practice, func(t *testing.T) {
			if !slices.Equal(got[tt.practice], tt.want) {
				t.Errorf("rows %q, want %q", got[tt.practice], tt.want)
			}
		})
	}
	t.Run("every GP practice", func(t *testing.T) {
		for _, p := range w.Practices {
			if p.GP() && len(got[p.Code]) == 0 {
				t.Errorf("%s has no locality", p.Code)
			}
		}
		for i, l := range w.Localities {
			wantCCG := CCGSouth
			if i < 2 {
				wantCCG = CCGNorth
			}
			if l.CCG != wantCCG {
				t.Errorf("%s in %s, want %s", l.Code, l.CCG, wantCCG)
			}
		}
	})
}

func TestWorldQueries(t *testing.T) {
	w := generate(t, 1)
	tests := []struct {
		name, practice string
		on             string
		comm, locality string
	}{
		{"PCT era", "Y90001", "2012-06-01", PCTNorth, ""},
		{"CCG era", "Y90001", "2019-06-01", CCGNorth, "LOC-NORTH"},
		{"merged", "Y90041", "2020-04-01", CCGMerged, "LOC-CITY"},
		{"last day before merger", "Y90041", "2020-03-31", CCGSouth, "LOC-CITY"},
		{"closing day", "Y90008", "2019-09-30", CCGNorth, "LOC-NORTH"},
		{"after closing", "Y90008", "2019-10-01", "", ""},
		{"before opening", "Y90048", "2019-09-30", "", ""},
		{"walk-in centre", "Y90090", "2019-06-01", CCGSouth, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := w.Practice(tt.practice)
			if p == nil {
				t.Fatalf("no practice %s", tt.practice)
			}
			d := calendar.MustDate(tt.on)
			if got := p.CommissionerOn(d); got != tt.comm {
				t.Errorf("CommissionerOn = %q, want %q", got, tt.comm)
			}
			if got := p.LocalityOn(d); got != tt.locality {
				t.Errorf("LocalityOn = %q, want %q", got, tt.locality)
			}
			if members := w.MembersOn(tt.comm, d); tt.comm != "" && !slices.Contains(members, p) {
				t.Errorf("MembersOn(%s) lacks %s", tt.comm, tt.practice)
			}
		})
	}
	if w.Practice("Z00000") != nil {
		t.Errorf("unknown practice found")
	}
	// The merged CCG's list after the merger equals the two predecessors'
	// just before it, give or take a month's drift.
	before := w.RegisteredIn(CCGNorth, calendar.MustMonth("2020-03")) + w.RegisteredIn(CCGSouth, calendar.MustMonth("2020-03"))
	after := w.RegisteredIn(CCGMerged, calendar.MustMonth("2020-04"))
	if before == 0 || after < before*98/100 || after > before*102/100 {
		t.Errorf("registered before merger %d, after %d", before, after)
	}
	if n := w.RegisteredIn(CCGMerged, calendar.MustMonth("2020-03")); n != 0 {
		t.Errorf("merged CCG had %d patients before it existed", n)
	}
}
