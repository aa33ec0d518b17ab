package ods

import (
	"errors"
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

// readAll reads a fixture with a Reader and returns its records, rejections
// and the error that stopped it (nil at the end of a good file).
func readAll(t *testing.T, name string) ([]Record, []importing.Rejection, error) {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rd := NewReader(importing.NewSource(name, f), "an ODS practice file (epraccur.csv)")
	var recs []Record
	var rejs []importing.Rejection
	for {
		r, rej, err := rd.Next()
		if err == io.EOF {
			return recs, rejs, nil
		}
		if err != nil {
			return recs, rejs, err
		}
		if rej != nil {
			rejs = append(rejs, *rej)
			continue
		}
		recs = append(recs, r)
	}
}

func TestReaderRefusesBrokenFiles(t *testing.T) {
	tests := []struct {
		file string
		want string
	}{
		{"truncated_in_quote.csv", "truncated_in_quote.csv:4:68: a quote is not closed or is misplaced (is the file cut short or damaged?)"},
		{"truncated_between_fields.csv", "truncated_between_fields.csv:4:38: row has 4 columns, an ODS practice file (epraccur.csv) has 26 or 27 (is the file cut short?)"},
		{"wrong_columns.csv", "wrong_columns.csv:3:162: row has 21 columns, an ODS practice file (epraccur.csv) has 26 or 27 (is the file cut short?)"},
		{"width_changes.csv", "width_changes.csv:2:153: row has 26 columns, the rows before it have 27 (is the file cut short or damaged?)"},
		{"empty.csv", "empty.csv:1:1: the file is empty: an ODS practice file (epraccur.csv) has one row per organisation"},
		{"binary.csv", "binary.csv:1:3: byte 0x03 is not text: this is not a CSV file, or it is damaged"},
		{"stray_quote.csv", "stray_quote.csv:3:53: a quote is not closed or is misplaced (is the file cut short or damaged?)"},
		{"with_header.csv", `with_header.csv:1:1: an ODS practice file (epraccur.csv) has no header row, but this file starts with one (Organisation Code,Name,National Grouping,High Level Health Geography,…): is it the right kind of file?`},
		{"listsize_given_to_ods.csv", "listsize_given_to_ods.csv:1:78: row has 9 columns, an ODS practice file (epraccur.csv) has 26 or 27 and no header row; " +
			"this file starts with a header (PUBLICATION,EXTRACT_DATE,ORG_TYPE,ORG_CODE,…): is it the right kind of file?"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			_, _, err := readAll(t, tt.file)
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

func TestReaderReadsTheLayout(t *testing.T) {
	tests := []struct {
		file  string
		count int
		first Record
	}{
		{"epraccur_small.csv", 6, Record{
			Line: 1, Code: "B99001", Name: "CANAL SIDE SURGERY", NationalGrouping: "Y60", HealthGeography: "Q90",
			Address: []string{"CANAL SIDE SURGERY", "1 LOCK LANE", "EXAMPLETON"}, Postcode: "EX1 1AA",
			Opened: calendar.MustDate("19740401"), Status: registry.StatusActive, SubType: "B", Commissioner: "01X",
			Joined: calendar.MustDate("20130401"), Phone: "01632 960001", Purchaser: "01X", Setting: "4",
		}},
		{"epraccur_26col.csv", 2, Record{
			Line: 1, Code: "B99001", Name: "CANAL SIDE SURGERY", NationalGrouping: "Y60", HealthGeography: "Q90",
			Address: []string{"CANAL SIDE SURGERY", "1 LOCK LANE", "EXAMPLETON"}, Postcode: "EX1 1AA",
			Opened: calendar.MustDate("19740401"), Status: registry.StatusActive, SubType: "B", Commissioner: "01X",
			Joined: calendar.MustDate("20130401"), Phone: "01632 960001", Purchaser: "01X", Setting: "4",
		}},
		{"epraccur_newer.csv", 3, Record{
			Line: 1, Code: "B99001", Name: "CANAL SIDE SURGERY", NationalGrouping: "Y60", HealthGeography: "Q90",
			Address: []string{"CANAL SIDE SURGERY", "1 LOCK LANE", "EXAMPLETON"}, Postcode: "EX1 1AA",
			Opened: calendar.MustDate("19740401"), Status: registry.StatusActive, SubType: "B", Commissioner: "01X",
			Joined: calendar.MustDate("20130401"), Phone: "01632 960001", Purchaser: "01X", Setting: "RO76",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			recs, rejs, err := readAll(t, tt.file)
			if err != nil || len(rejs) > 0 {
				t.Fatalf("err %v, rejections %v", err, rejs)
			}
			if len(recs) != tt.count {
				t.Fatalf("read %d records, want %d", len(recs), tt.count)
			}
			if !sameRecord(recs[0], tt.first) {
				t.Errorf("first record\n got %+v\nwant %+v", recs[0], tt.first)
			}
		})
	}
}

func sameRecord(a, b Record) bool {
	return slices.Equal(a.Address, b.Address) && a.Line == b.Line && a.Code == b.Code && a.Name == b.Name &&
		a.NationalGrouping == b.NationalGrouping && a.HealthGeography == b.HealthGeography && a.Postcode == b.Postcode &&
		a.Opened.String() == b.Opened.String() && a.Closed.String() == b.Closed.String() && a.Status == b.Status &&
		a.SubType == b.SubType && a.Commissioner == b.Commissioner && a.Joined.String() == b.Joined.String() &&
		a.Left.String() == b.Left.String() && a.Phone == b.Phone && a.Amended == b.Amended &&
		a.Purchaser == b.Purchaser && a.Setting == b.Setting
}

func TestReaderRejectsBadValues(t *testing.T) {
	recs, rejs, err := readAll(t, "epraccur_bad_rows.csv")
	if err != nil {
		t.Fatal(err)
	}
	// The reader checks what every standard-layout file shares; the practice
	// handler checks the rest (code shape, status present, parent code).
	if len(recs) != 5 {
		t.Errorf("read %d good records, want 5", len(recs))
	}
	want := []importing.Rejection{
		{Line: 2, Column: 1, Field: "Organisation Code", Reason: "the organisation code is missing"},
		{Line: 4, Column: 86, Field: "Open Date", Reason: `the open date "19741301" is not a date (want YYYYMMDD, such as 20130401)`},
		{Line: 5, Column: 102, Field: "Status Code", Reason: `the status "X" is not one ODS uses (want A active, C closed, D dormant, P proposed, or ACTIVE/INACTIVE)`},
		{Line: 6, Column: 98, Field: "Close Date", Reason: "B99013 closes on 2009-04-01, before it opens on 2010-04-01"},
	}
	if len(rejs) != len(want) {
		t.Fatalf("got %d rejections, want %d: %+v", len(rejs), len(want), rejs)
	}
	for i, w := range want {
		t.Run(w.Field, func(t *testing.T) {
			g := rejs[i]
			if g.Line != w.Line || g.Column != w.Column || g.Field != w.Field || g.Reason != w.Reason {
				t.Errorf("got  %d:%d %s: %s\nwant %d:%d %s: %s", g.Line, g.Column, g.Field, g.Reason, w.Line, w.Column, w.Field, w.Reason)
			}
			if g.Record == "" {
				t.Error("the rejected row is not kept")
			}
		})
	}
}

func TestColumnName(t *testing.T) {
	tests := []struct {
		col  int
		want string
	}{
		{ColCode, "Organisation Code"}, {ColAddress1 + 2, "Address Line 3"}, {ColSetting, "Prescribing Setting"}, {18, "column 19"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if got := ColumnName(tt.col); got != tt.want {
				t.Errorf("ColumnName(%d) = %q, want %q", tt.col, got, tt.want)
			}
		})
	}
}

func TestNamesColumns(t *testing.T) {
	tests := []struct {
		code, date string
		want       bool
	}{
		{"A81001", "19740401", false},
		{"A", "19940401", false}, // a government office region in eauth.csv
		{"Q70", "", false},
		{"Organisation Code", "Open Date", true},
		{"ORG_CODE", "", true},
		{"CODE", "OPEN_DATE", true},
	}
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			if got := namesColumns(tt.code, tt.date); got != tt.want {
				t.Errorf("namesColumns(%q, %q) = %v, want %v", tt.code, tt.date, got, tt.want)
			}
		})
	}
}

// Two rows for one organisation with different details are both rejected;
// an exact repeat is read once.
func TestReaderDuplicates(t *testing.T) {
	recs, rejs, err := readAll(t, "epraccur_duplicates.csv")
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 1 || recs[0].Code != "B99001" {
		t.Errorf("records %+v, want B99001 once", recs)
	}
	if len(rejs) != 2 || rejs[0].Line != 2 || rejs[1].Line != 4 || rejs[0].Column != 1 || !strings.Contains(rejs[0].Reason, "line 4") || !strings.Contains(rejs[1].Reason, "line 2") {
		t.Errorf("rejections %+v, want lines 2 and 4 naming each other", rejs)
	}
}
