package duckdb

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"ccg/internal/calendar"
	"ccg/internal/importing"
)

const sharedPrescribing = "../../../../shared/data/prescribing"

func sharedFile(t *testing.T, name string) string {
	t.Helper()
	p := filepath.Join(sharedPrescribing, name)
	if _, err := os.Stat(p); err != nil {
		t.Skipf("shared data not available (%s): %v", p, err)
	}
	return p
}

func openTest(t *testing.T) *Store {
	t.Helper()
	s, err := Open(context.Background(), filepath.Join(t.TempDir(), "analytics.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func importFile(t *testing.T, s *Store, path string) (PrescribingImport, error) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	// The shared samples are renamed (pdpi_bnft_201410_sample.csv): their
	// month is the six digits in the name.
	var month calendar.Month
	if m := regexp.MustCompile(`_([0-9]{6})_`).FindStringSubmatch(filepath.Base(path)); m != nil {
		month = calendar.MustMonth(m[1])
	}
	ctx := context.Background()
	var res PrescribingImport
	err = s.change(ctx, func(d *Draft) error {
		var err error
		res, err = d.ImportPrescribing(ctx, importing.NewSource(filepath.Base(path), f), month)
		return err
	})
	return res, err
}

func count(t *testing.T, s *Store, q string) int64 {
	t.Helper()
	var n int64
	if err := s.DB().QueryRow(q).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestImportSharedFiles(t *testing.T) {
	for _, tc := range []struct {
		file      string
		layout    Layout
		month     string
		practices int
	}{
		{"epd_201709_4practices.csv", LayoutEPD, "2017-09", 4},
		{"epd_201710_4practices.csv", LayoutEPD, "2017-10", 4},
		{"pdpi_bnft_201410_sample.csv", LayoutPDPI, "2014-10", 0},
	} {
		t.Run(tc.file, func(t *testing.T) {
			s := openTest(t)
			res, err := importFile(t, s, sharedFile(t, tc.file))
			if err != nil {
				t.Fatal(err)
			}
			if res.Layout != tc.layout || len(res.Months) != 1 || res.Months[0] != calendar.MustMonth(tc.month) {
				t.Fatalf("layout %s months %v", res.Layout, res.Months)
			}
			if tc.practices > 0 && len(res.Practices) != tc.practices {
				t.Errorf("practices %v", res.Practices)
			}
			if res.Accepted != res.Rows || len(res.Rejected) != 0 || res.BadCodes != 0 {
				t.Errorf("rows %d accepted %d rejected %d bad %d (%s)", res.Rows, res.Accepted, len(res.Rejected), res.BadCodes, res.BadCodeExample)
			}
			if res.Facts == 0 || res.Facts > res.Rows {
				t.Errorf("facts %d rows %d", res.Facts, res.Rows)
			}
			if n := count(t, s, "SELECT count(*) FROM prescribing"); n != res.Facts {
				t.Errorf("stored %d facts, import says %d", n, res.Facts)
			}
			t.Logf("%+v", res)
			// Re-import replaces the month: same counts.
			before := count(t, s, "SELECT count(*) FROM prescribing")
			sum1 := count(t, s, "SELECT CAST(round(sum(actual_cost)*100) AS BIGINT) FROM prescribing")
			res2, err := importFile(t, s, sharedFile(t, tc.file))
			if err != nil {
				t.Fatal(err)
			}
			if res2.Replaced != before || count(t, s, "SELECT count(*) FROM prescribing") != before ||
				count(t, s, "SELECT CAST(round(sum(actual_cost)*100) AS BIGINT) FROM prescribing") != sum1 {
				t.Errorf("re-import changed the facts (replaced %d of %d)", res2.Replaced, before)
			}
		})
	}
}

func TestImportBroken(t *testing.T) {
	good := "YEAR_MONTH,PRACTICE_CODE,BNF_CODE,BNF_DESCRIPTION,ITEMS,TOTAL_QUANTITY,NIC,ACTUAL_COST\n" +
		"201709,A81001,0501013K0AAAAAA,Co-Amoxiclav,2,42,3.5,3.2\n"
	for _, tc := range []struct {
		name, body string
		line, col  int
		contains   string
	}{
		{"not prescribing", "a,b,c\n1,2,3\n", 1, 1, "neither"},
		{"missing column", "YEAR_MONTH,PRACTICE_CODE,BNF_CODE,ITEMS,TOTAL_QUANTITY,NIC\n", 1, 0, "actual cost"},
		{"too many columns", good + "201709,A81001,0501013K0AAAAAA,Co-Amoxiclav,2,42,3.5,3.2,9\n", 3, 0, "more columns"},
		{"too few columns", good + "201709,A81001,0501013K0AAAAAA,Co-Amoxiclav,2,42\n", 3, 0, "fewer columns"},
		{"broken quote", good + "201709,A81001,\"0501013K0AAAAAA,Co-Amoxiclav,2,42,3.5,3.2\n", 3, 0, ""},
		{"bad month", strings.Replace(good, "201709", "2017-13", 1), 0, 0, "not a month"},
		{"cut short", good + "201709,A81001,0501013K0AAA", 3, 15, "fewer columns"},
		{"binary junk", good + strings.Repeat("\xff\xfe\x00,\"", 500), 3, 1, "not UTF-8"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := openTest(t)
			// a month already there must survive
			if _, err := s.ImportPrescribing(context.Background(), importing.NewSource("EPD_201709.csv", strings.NewReader(good))); err != nil {
				t.Fatal(err)
			}
			_, err := s.ImportPrescribing(context.Background(), importing.NewSource("epd_201709_bad.csv", strings.NewReader(tc.body)))
			var fe *importing.FileError
			if !errors.As(err, &fe) {
				t.Fatalf("want a FileError, got %v", err)
			}
			if fe.File != "epd_201709_bad.csv" || fe.Line != tc.line || (tc.col > 0 && fe.Column != tc.col) || !strings.Contains(fe.Error(), tc.contains) {
				t.Errorf("got %v (line %d col %d)", fe, fe.Line, fe.Column)
			}
			if n := count(t, s, "SELECT count(*) FROM prescribing"); n != 1 {
				t.Errorf("store changed: %d facts", n)
			}
			t.Log(fe)
		})
	}
}

func TestImportRejectsBadNumber(t *testing.T) {
	s := openTest(t)
	body := "YEAR_MONTH,PRACTICE_CODE,BNF_CODE,BNF_DESCRIPTION,ITEMS,TOTAL_QUANTITY,NIC,ACTUAL_COST\n" +
		"201709,A81001,0501013K0AAAAAA,Co-Amoxiclav,2,42,3.5,3.2\n" +
		"201709,A81001,0501013K0AAAAAA,Co-Amoxiclav,1,21,1.5,1.2\n" +
		"201709,A81002,0501013K0AAAAAA,Co-Amoxiclav,x,21,1.5,1.2\n"
	res, err := s.ImportPrescribing(context.Background(), importing.NewSource("EPD_201709.csv", strings.NewReader(body)))
	if err != nil {
		t.Fatal(err)
	}
	if res.Rows != 3 || res.Accepted != 2 || res.Facts != 1 || len(res.Rejected) != 1 {
		t.Fatalf("%+v", res)
	}
	r := res.Rejected[0]
	if r.Line != 4 || r.Column != 44 || r.Field != "ITEMS" || res.RejectedPractices["A81002"] != 1 {
		t.Errorf("rejection %+v %v", r, res.RejectedPractices)
	}
	var items float64
	if err := s.DB().QueryRow("SELECT items FROM prescribing").Scan(&items); err != nil || items != 3 {
		t.Errorf("pack sizes not summed: %v %v", items, err)
	}
}

func TestImportBadAndPaddedCodes(t *testing.T) {
	s := openTest(t)
	body := "YEAR_MONTH,PRACTICE_CODE,BNF_CODE,BNF_DESCRIPTION,ITEMS,TOTAL_QUANTITY,NIC,ACTUAL_COST\n" +
		"201709,A81001,0501013K0AAAAAA,Co-Amoxiclav,2,42,3.5,3.2\n" +
		"201709,a81001 ,0501013K0AAAAAA  ,Co-Amoxiclav,1,21,1.5,1.2\n" +
		"201709,A81002,0501013K0,Co-Amoxiclav,5,21,1.5,1.2\n" +
		"201709,,0501013K0AAAAAA,Co-Amoxiclav,5,21,1.5,1.2\n"
	res, err := s.ImportPrescribing(context.Background(), importing.NewSource("EPD_201709.csv", strings.NewReader(body)))
	if err != nil {
		t.Fatal(err)
	}
	if res.Rows != 4 || res.Accepted != 2 || res.BadCodes != 2 || res.Facts != 1 || len(res.Practices) != 1 || res.Practices[0] != "A81001" {
		t.Fatalf("%+v", res)
	}
	var items float64
	var code string
	if err := s.DB().QueryRow("SELECT bnf_code, items FROM prescribing").Scan(&code, &items); err != nil || items != 3 || code != "0501013K0AAAAAA" {
		t.Errorf("padded keys not normalised and summed: %q %v %v", code, items, err)
	}
	var name string
	if err := s.DB().QueryRow("SELECT name FROM presentations").Scan(&name); err != nil || name != "Co-Amoxiclav" {
		t.Errorf("presentation name %q %v", name, err)
	}
}

// Every row is checked against the declared month and for whole,
// non-negative item counts and finite quantities and costs; a row that
// fails is rejected at its line and column and nothing of it is kept, and a
// stray row of another month never touches that month.
func TestImportRowChecks(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	head := "YEAR_MONTH,PRACTICE_CODE,BNF_CODE,BNF_DESCRIPTION,ITEMS,TOTAL_QUANTITY,NIC,ACTUAL_COST\n"
	aug := head + "201708,A81001,0501013K0AAAAAA,Co-Amoxiclav,7,42,3.5,3.2\n"
	if _, err := s.ImportPrescribing(ctx, importing.NewSource("EPD_201708.csv", strings.NewReader(aug))); err != nil {
		t.Fatal(err)
	}
	body := head +
		"201709,A81001,0501013K0AAAAAA,Co-Amoxiclav,2,42,3.5,3.2\n" + // 2: kept
		"2017_08,A81001,0501013K0AAAAAA,Co-Amoxiclav,1,1,1,1\n" + // 3: another month
		"201709,A81001,0501013K0AAAAAA,Co-Amoxiclav,1e400,1,1,1\n" + // 4
		"201709,A81001,0501013K0AAAAAA,Co-Amoxiclav,inf,1,1,1\n" + // 5
		"201709,A81001,0501013K0AAAAAA,Co-Amoxiclav,NaN,1,1,1\n" + // 6
		"201709,A81001,0501013K0AAAAAA,Co-Amoxiclav,1.5,1,1,1\n" + // 7
		"201709,A81001,0501013K0AAAAAA,Co-Amoxiclav,-3,1,1,1\n" + // 8
		"201709,A81001,0501013K0AAAAAA,Co-Amoxiclav,1,inf,1,1\n" + // 9
		"201709,A81001,0501013K0AAAAAA,Co-Amoxiclav,1,1,1,NaN\n" + // 10
		"201709,A81001,0501013K0AAAAAA,\"Co-Amoxiclav, 500mg\",3.0,1,1,1e2\n" // 11: kept (3.0 is whole)
	res, err := s.ImportPrescribing(ctx, importing.NewSource("EPD_201709.csv", strings.NewReader(body)))
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		line, col int
		field     string
	}{{3, 1, "YEAR_MONTH"}, {4, 44, "ITEMS"}, {5, 44, "ITEMS"}, {6, 44, "ITEMS"}, {7, 44, "ITEMS"}, {8, 44, "ITEMS"}, {9, 46, "TOTAL_QUANTITY"}, {10, 50, "ACTUAL_COST"}}
	if len(res.Rejected) != len(want) {
		t.Fatalf("rejected %+v", res.Rejected)
	}
	for i, w := range want {
		r := res.Rejected[i]
		if r.Line != w.line || r.Column != w.col || r.Field != w.field || r.Record == "" {
			t.Errorf("rejection %d: %+v, want line %d column %d %s", i, r, w.line, w.col, w.field)
		}
	}
	if !strings.Contains(res.Rejected[0].Reason, "2017-08") {
		t.Errorf("stray month reason: %s", res.Rejected[0].Reason)
	}
	if res.Accepted != 2 || res.RejectedPractices["A81001"] != 8 {
		t.Errorf("accepted %d, rejected by practice %v", res.Accepted, res.RejectedPractices)
	}
	var items, cost float64
	if err := s.DB().QueryRow("SELECT sum(items), sum(actual_cost) FROM prescribing WHERE month = DATE '2017-09-01'").Scan(&items, &cost); err != nil || items != 5 || cost != 103.2 {
		t.Errorf("September: %v items, £%v (%v); want 5, 103.2", items, cost, err)
	}
	if err := s.DB().QueryRow("SELECT sum(items) FROM prescribing WHERE month = DATE '2017-08-01'").Scan(&items); err != nil || items != 7 {
		t.Errorf("August changed by a stray row: %v items (%v)", items, err)
	}
	// A file whose name says one month and --month another is refused.
	d, err := s.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Finish(false)
	if _, err := d.ImportPrescribing(ctx, importing.NewSource("EPD_201709.csv", strings.NewReader(body)), calendar.MustMonth("2017-10")); err == nil {
		t.Error("a name and --month that disagree were accepted")
	}
}

// Cancelling an import at any moment stops it with an error and no panic
// (the feed's stop channel is closed once, by whoever asks first), and
// nothing is published.
func TestImportCancelled(t *testing.T) {
	s := openTest(t)
	head := "YEAR_MONTH,PRACTICE_CODE,BNF_CODE,BNF_DESCRIPTION,ITEMS,TOTAL_QUANTITY,NIC,ACTUAL_COST\n"
	body := head + strings.Repeat("201709,A81001,0501013K0AAAAAA,Co-Amoxiclav,2,42,3.5,3.2\n", 200_000)
	for _, after := range []time.Duration{0, time.Millisecond, 5 * time.Millisecond, 20 * time.Millisecond} {
		ctx, cancel := context.WithTimeout(context.Background(), after)
		_, err := s.ImportPrescribing(ctx, importing.NewSource("EPD_201709.csv", strings.NewReader(body)))
		cancel()
		if err == nil {
			continue // finished first
		}
		if n := count(t, s, "SELECT count(*) FROM prescribing"); n != 0 {
			t.Fatalf("cancelled after %v: %d facts published", after, n)
		}
	}
}
