package ods_test

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"testing"

	"ccg/internal/calendar"
	"ccg/internal/formats/internal/formatstest"
	"ccg/internal/formats/ods"
	"ccg/internal/registry"
)

func TestPracticesImport(t *testing.T) {
	w := formatstest.New(t)
	sum := w.MustLoad(t, "ods-practices", "epraccur_small.csv")
	if sum.Read != 6 || sum.Accepted != 6 || sum.Rejected != 0 || sum.Changed != 12 {
		t.Errorf("read %d accepted %d rejected %d changed %d, want 6 6 0 12", sum.Read, sum.Accepted, sum.Rejected, sum.Changed)
	}
	t.Run("kinds", func(t *testing.T) {
		for code, want := range map[string]registry.Kind{
			"B99001": registry.KindPractice, "B99002": registry.KindPractice, "B99003": registry.KindPrescriber,
			"B99004": registry.KindPractice, "W99005": registry.KindPrescriber, "GUE901": registry.KindPrescriber,
		} {
			if got := w.Organisation(t, code).Kind; got != want {
				t.Errorf("%s is %s, want %s", code, got, want)
			}
		}
	})
	t.Run("organisation", func(t *testing.T) {
		o := w.Organisation(t, "B99002")
		want := registry.Organisation{Code: "B99002", Name: "HILLTOP MEDICAL PRACTICE", Kind: registry.KindPractice,
			Address: []string{"HILLTOP HOUSE", "2 HIGH STREET", "EXAMPLETON", "WESTSHIRE"}, Postcode: "EX1 2BB", Phone: "01632 960002",
			Opened: calendar.MustDate("1974-04-01"), Closed: calendar.MustDate("2017-10-31"), Status: registry.StatusClosed,
			Setting: "4", Source: "ods-practices epraccur_small.csv"}
		if !sameOrg(o, want) {
			t.Errorf("got  %+v\nwant %+v", o, want)
		}
	})
	t.Run("memberships", func(t *testing.T) {
		for code, want := range map[string][]string{
			"B99001": {"01X 2013-04-01.."},
			"B99002": {"01X 2013-04-01..2017-10-31"},
			"B99003": {"02Y 2015-04-01.."},
			"B99004": {"02Y 1980-01-01.."}, // no join date: from the open date
			"W99005": {"7A9 2009-10-01.."},
			"GUE901": {"YAD 1990-01-01.."}, // column 15 blank: column 24
		} {
			if got := w.Parents(t, code, registry.RelMemberOf); !slices.Equal(got, want) {
				t.Errorf("%s member of %v, want %v", code, got, want)
			}
		}
	})
	t.Run("notes", func(t *testing.T) {
		joined := strings.Join(sum.Notes, "\n")
		for _, want := range []string{"1 Welsh organisations (national grouping W00) imported: 0 as GP practices and 1 as other prescribing settings (Welsh rows leave",
			"1 organisations have no commissioner in column 15"} {
			if !strings.Contains(joined, want) {
				t.Errorf("notes %q lack %q", sum.Notes, want)
			}
		}
	})
	t.Run("same file again", func(t *testing.T) {
		again := w.MustLoad(t, "ods-practices", "epraccur_small.csv")
		if !again.AlreadyImported {
			t.Error("the same file was imported twice")
		}
	})
	t.Run("same data in another file", func(t *testing.T) {
		again := w.MustLoad(t, "ods-practices", formatstest.Resave(t, "epraccur_small.csv", "epraccur.csv"))
		if again.AlreadyImported || again.Read != 6 || again.Changed != 0 {
			t.Errorf("already %v read %d changed %d, want a new run of 6 rows changing nothing", again.AlreadyImported, again.Read, again.Changed)
		}
	})
}

func sameOrg(a, b registry.Organisation) bool {
	return a.Code == b.Code && a.Name == b.Name && a.Kind == b.Kind && slices.Equal(a.Address, b.Address) &&
		a.Postcode == b.Postcode && a.Phone == b.Phone && a.Opened.String() == b.Opened.String() &&
		a.Closed.String() == b.Closed.String() && a.Status == b.Status && a.Setting == b.Setting && a.Source == b.Source
}

func TestPracticesVariants(t *testing.T) {
	tests := []struct {
		file     string
		code     string
		kind     registry.Kind
		status   registry.Status
		setting  string
		accepted int
	}{
		{"epraccur_26col.csv", "B99006", registry.KindPractice, registry.StatusActive, "4", 2},
		{"epraccur_newer.csv", "B99001", registry.KindPractice, registry.StatusActive, "RO76", 3},
		{"epraccur_newer.csv", "B99002", registry.KindPractice, registry.StatusClosed, "RO76", 3},
		{"epraccur_newer.csv", "B99003", registry.KindPrescriber, registry.StatusActive, "RO87", 3},
	}
	for _, tt := range tests {
		t.Run(tt.file+" "+tt.code, func(t *testing.T) {
			w := formatstest.New(t)
			sum := w.MustLoad(t, "ods-practices", tt.file)
			if sum.Accepted != tt.accepted || sum.Rejected != 0 {
				t.Errorf("accepted %d rejected %d, want %d 0", sum.Accepted, sum.Rejected, tt.accepted)
			}
			o := w.Organisation(t, tt.code)
			if o.Kind != tt.kind || o.Status != tt.status || o.Setting != tt.setting {
				t.Errorf("got %s %s %q, want %s %s %q", o.Kind, o.Status, o.Setting, tt.kind, tt.status, tt.setting)
			}
		})
	}
}

func TestPracticesRejectRows(t *testing.T) {
	w := formatstest.New(t)
	sum := w.MustLoad(t, "ods-practices", "epraccur_bad_rows.csv")
	if sum.Read != 9 || sum.Accepted != 2 || sum.Rejected != 7 {
		t.Errorf("read %d accepted %d rejected %d, want 9 2 7", sum.Read, sum.Accepted, sum.Rejected)
	}
	d, err := w.Imports.Detail(context.Background(), sum.ID, 100)
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		line, col int
		field     string
		reason    string
	}{
		{2, 1, "Organisation Code", "the organisation code is missing"},
		{3, 1, "Organisation Code", `the practice code "B9900" is not an ODS code (want 6 letters and digits)`},
		{4, 86, "Open Date", `the open date "19741301" is not a date (want YYYYMMDD, such as 20130401)`},
		{5, 102, "Status Code", `the status "X" is not one ODS uses`},
		{6, 98, "Close Date", "B99013 closes on 2009-04-01, before it opens on 2010-04-01"},
		{7, 101, "Status Code", "B99014 has no status"},
		{8, 110, "Commissioner", `the commissioner code "0-X" is not an ODS code`},
	}
	if len(d.Rejections) != len(want) {
		t.Fatalf("kept %d rejections, want %d: %+v", len(d.Rejections), len(want), d.Rejections)
	}
	for i, w := range want {
		t.Run(w.reason, func(t *testing.T) {
			g := d.Rejections[i]
			if g.Line != w.line || g.Column != w.col || g.Field != w.field || !strings.HasPrefix(g.Reason, w.reason) {
				t.Errorf("got %d:%d %s: %s, want %d:%d %s: %s…", g.Line, g.Column, g.Field, g.Reason, w.line, w.col, w.field, w.reason)
			}
		})
	}
}

func TestBrokenFileChangesNothing(t *testing.T) {
	tests := []struct {
		kind, file, want string
	}{
		{"ods-practices", "truncated_in_quote.csv", "import ods-practices: truncated_in_quote.csv:4:68: a quote is not closed"},
		{"ods-practices", "truncated_between_fields.csv", "import ods-practices: truncated_between_fields.csv:4:38: row has 4 columns"},
		{"ods-practices", "wrong_columns.csv", "import ods-practices: wrong_columns.csv:3:162: row has 21 columns"},
		{"ods-practices", "binary.csv", "import ods-practices: binary.csv:1:3: byte 0x03 is not text"},
		{"ods-practices", "empty.csv", "import ods-practices: empty.csv:1:1: the file is empty"},
		{"ods-practices", "listsize_given_to_ods.csv", "import ods-practices: listsize_given_to_ods.csv:1:78: row has 9 columns"},
		{"ods-successions", "succ_truncated.csv", `import ods-successions: succ_truncated.csv:4:13: row has 3 columns, an ODS succession file (succ.csv) has 5 (is the file cut short?)`},
		{"ods-successions", "epraccur_small.csv", "import ods-successions: epraccur_small.csv:1:64: row has 27 columns, an ODS succession file (succ.csv) has 5 (is it the right kind of file?)"},
		{"ods-successions", "succ_with_header.csv", "import ods-successions: succ_with_header.csv:1:1: an ODS succession file (succ.csv) has no header row, but this file starts with one"},
		{"ods-regions", "empty.csv", "import ods-regions: empty.csv:1:1: the file is empty: an ODS regions file (eauth.csv) has one row per organisation"},
	}
	for _, tt := range tests {
		t.Run(tt.kind+" "+tt.file, func(t *testing.T) {
			w := formatstest.New(t)
			w.MustLoad(t, "ods-practices", "epraccur_snapshot_2015.csv")
			if got := w.Refuse(t, tt.kind, tt.file); !strings.HasPrefix(got, tt.want) {
				t.Errorf("got  %s\nwant %s…", got, tt.want)
			}
		})
	}
}

// accountable is what the registry should hold about an organisation in the
// NHS hierarchy: its kind, status and accountable-to relationships.
type accountable struct {
	code   string
	kind   registry.Kind
	status registry.Status
	parent []string
}

func checkAccountable(t *testing.T, w formatstest.World, tests []accountable) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			o := w.Organisation(t, tt.code)
			if o.Kind != tt.kind || o.Status != tt.status {
				t.Errorf("got %s %s, want %s %s", o.Kind, o.Status, tt.kind, tt.status)
			}
			if got := w.Parents(t, tt.code, registry.RelAccountableTo); !slices.Equal(got, tt.parent) {
				t.Errorf("accountable to %v, want %v", got, tt.parent)
			}
		})
	}
}

func TestCommissionersImport(t *testing.T) {
	w := formatstest.New(t)
	sum := w.MustLoad(t, "ods-commissioners", "eccg_small.csv")
	if sum.Read != 4 || sum.Accepted != 4 || sum.Rejected != 0 {
		t.Errorf("read %d accepted %d rejected %d, want 4 4 0", sum.Read, sum.Accepted, sum.Rejected)
	}
	tests := []accountable{
		{"01X", registry.KindCCG, registry.StatusActive, []string{"Q90 2013-04-01.."}},
		{"02Y", registry.KindCCG, registry.StatusClosed, []string{"Q91 2013-04-01..2020-03-31"}},
		{"5X9", registry.KindPCT, registry.StatusClosed, nil},
		{"03Z", registry.KindCCG, registry.StatusActive, []string{"Q90 2020-04-01.."}},
	}
	checkAccountable(t, w, tests)
	if !slices.ContainsFunc(sum.Notes, func(n string) bool { return strings.HasPrefix(n, "1 rows are primary care trusts") }) {
		t.Errorf("notes %q do not count the PCT", sum.Notes)
	}
}

func TestCommissionerKind(t *testing.T) {
	tests := []struct {
		code, name string
		want       registry.Kind
	}{
		{"00K", "NHS HARTLEPOOL AND STOCKTON-ON-TEES CCG", registry.KindCCG},
		{"5N1", "LEEDS PCT", registry.KindPCT},
		{"TAK", "BASSETLAW CARE TRUST", registry.KindPCT},
		{"Q99", "SOMEWHERE PRIMARY CARE TRUST", registry.KindPCT},
		{"15N", "NHS DEVON CCG", registry.KindCCG},
	}
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			if got := ods.CommissionerKind(tt.code, tt.name); got != tt.want {
				t.Errorf("CommissionerKind(%q, %q) = %s, want %s", tt.code, tt.name, got, tt.want)
			}
		})
	}
}

func TestRegionsImport(t *testing.T) {
	w := formatstest.New(t)
	sum := w.MustLoad(t, "ods-regions", "eauth_small.csv")
	if sum.Read != 5 || sum.Accepted != 4 || sum.Rejected != 1 {
		t.Errorf("read %d accepted %d rejected %d, want 5 4 1", sum.Read, sum.Accepted, sum.Rejected)
	}
	if r := sum.Rejections; len(r) != 1 || r[0].Line != 4 || !strings.HasPrefix(r[0].Reason, "W01 (EXAMPLE DEVOLVED GOVERNMENT) is not an NHS England region") {
		t.Errorf("rejections %+v", r)
	}
	tests := []accountable{
		{"Z", registry.KindRegion, registry.StatusActive, nil},
		{"Q90", registry.KindAreaTeam, registry.StatusActive, []string{"Y60 2013-04-01.."}},
		{"Q91", registry.KindAreaTeam, registry.StatusClosed, []string{"Y60 2015-04-01..2016-03-31"}},
		{"Y60", registry.KindRegion, registry.StatusActive, nil},
	}
	checkAccountable(t, w, tests)
}

func TestSuccessionsImport(t *testing.T) {
	w := formatstest.New(t)
	sum := w.MustLoad(t, "ods-successions", "succ_small.csv")
	if sum.Read != 6 || sum.Accepted != 3 || sum.Rejected != 3 || sum.Changed != 3 {
		t.Errorf("read %d accepted %d rejected %d changed %d, want 6 3 3 3", sum.Read, sum.Accepted, sum.Rejected, sum.Changed)
	}
	wantRej := []string{
		"4:7 Successor Code: the successor code is missing",
		`5:17 Effective Date: the effective date "2020-13-01" is not a date (want YYYYMMDD, such as 20130401)`,
		"6:7 Successor Code: 03Z cannot succeed itself",
	}
	var got []string
	for _, r := range sum.Rejections {
		got = append(got, strings.Join([]string{strconv.Itoa(r.Line) + ":" + strconv.Itoa(r.Column), r.Field + ":", r.Reason}, " "))
	}
	if !slices.Equal(got, wantRej) {
		t.Errorf("rejections\n got %q\nwant %q", got, wantRej)
	}
	ctx := context.Background()
	chain, err := w.Registry.SuccessorChain(ctx, "5X9", calendar.Date{})
	if err != nil {
		t.Fatal(err)
	}
	var steps []string
	for _, s := range chain {
		steps = append(steps, s.Predecessor+">"+s.Successor+" "+s.Effective.String()+" "+s.Reason+" "+s.Indicator)
	}
	if want := []string{"5X9>01X 2013-04-01 R F", "01X>03Z 2020-04-01 R F"}; !slices.Equal(steps, want) {
		t.Errorf("chain %q, want %q", steps, want)
	}
	again := w.MustLoad(t, "ods-successions", formatstest.Resave(t, "succ_small.csv", "succ.csv"))
	if again.Changed != 0 {
		t.Errorf("the same successions under another name changed %d records", again.Changed)
	}
}
