package ledger

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"ccg/internal/calendar"
	"ccg/internal/importing"
	"ccg/internal/store/sqlite"
	"ccg/internal/store/sqlstore"
)

type env struct {
	fin *sqlstore.Store
	svc *importing.Service
}

// newEnv opens a fresh, migrated SQLite store (the real one, not a fake)
// and an import service with the ledger handler over it.
func newEnv(t *testing.T) env {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "ccg.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if _, err := st.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return env{fin: st, svc: importing.NewService(st, NewHandler(st))}
}

func (e env) load(t *testing.T, name string) (importing.Summary, error) {
	t.Helper()
	return e.svc.ImportFile(context.Background(), "ledger", filepath.Join("testdata", name), importing.Options{})
}

func (e env) actuals(t *testing.T) []string {
	t.Helper()
	as, err := e.fin.Actuals(context.Background(), calendar.Month{}, calendar.Month{})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, a := range as {
		out = append(out, fmt.Sprintf("%s|%s|%s|%s|%s|%d|%s", a.Org, a.Period, a.CostCentre, a.Programme, a.Locality, a.Amount, a.Description))
	}
	return out
}

func rejections(s importing.Summary) []string {
	var out []string
	for _, r := range s.Rejections {
		out = append(out, fmt.Sprintf("%d:%d %s: %s", r.Line, r.Column, r.Field, r.Reason))
	}
	return out
}

func TestImport(t *testing.T) {
	e := newEnv(t)
	sum, err := e.load(t, "ledger_small.csv")
	if err != nil {
		t.Fatal(err)
	}
	if sum.Read != 10 || sum.Accepted != 6 || sum.Rejected != 4 || sum.Changed != 5 {
		t.Errorf("read %d accepted %d rejected %d changed %d, want 10 6 4 5", sum.Read, sum.Accepted, sum.Rejected, sum.Changed)
	}
	wantRej := []string{
		`7:15 programme: the programme "dentistry" is not one of acute, community, mental-health, prescribing, primary-care, continuing-healthcare, running-costs`,
		`8:1 period: the period "2013-13" is not a month (want YYYY-MM, such as 2013-04)`,
		`9:21 amount: the amount "12.345" is not an amount of pounds (it has more than two decimal places; want a form such as 1234.56, -1234.56 or 1,234.56)`,
		`10:9 cost_centre: the cost centre is missing`,
	}
	if got := rejections(sum); !slices.Equal(got, wantRej) {
		t.Errorf("rejections\n got %q\nwant %q", got, wantRej)
	}
	// The two April CC100 acute lines are journal lines of one figure:
	// 1,234.56 + 100.44 = 1,335.00 = 133500p.
	want := []string{
		"|2013-04|CC100|acute|01X-NORTH|133500|Acute contract North",
		"|2013-04|CC200|mental-health||-25000|Credit note",
		"|2013-04|CC300|prescribing||200050|",
		"|2013-05|CC100|acute|01X-NORTH|150000|",
		"|2013-05|CC500|continuing-healthcare||-7525|Continuing care refund",
	}
	if got := e.actuals(t); !slices.Equal(got, want) {
		t.Errorf("actuals\n got %q\nwant %q", got, want)
	}
	wantNotes := []string{
		"6 rows were journal lines of the same period, cost centre and programme and were added together into 5 figures",
		"columns not used: notes",
	}
	if !slices.Equal(sum.Notes, wantNotes) {
		t.Errorf("notes %q, want %q", sum.Notes, wantNotes)
	}

	t.Run("same file again", func(t *testing.T) {
		// a file with rejected rows may be run again (they may pass now);
		// a clean one is recognised; either way nothing changes
		again, err := e.load(t, "ledger_small.csv")
		if err != nil || again.AlreadyImported != (sum.Rejected == 0) || again.Changed != 0 {
			t.Errorf("again: AlreadyImported = %v, changed %d (first run rejected %d), err %v",
				again.AlreadyImported, again.Changed, sum.Rejected, err)
		}
	})
	t.Run("same rows in another file change nothing", func(t *testing.T) {
		dir := t.TempDir()
		b, err := os.ReadFile(filepath.Join("testdata", "ledger_small.csv"))
		if err != nil {
			t.Fatal(err)
		}
		// same rows with the header columns in their order, CRLF ends: a different hash
		copyPath := filepath.Join(dir, "ledger_copy.csv")
		if err := os.WriteFile(copyPath, []byte(strings.ReplaceAll(string(b), "\n", "\r\n")), 0o600); err != nil {
			t.Fatal(err)
		}
		s, err := e.svc.ImportFile(context.Background(), "ledger", copyPath, importing.Options{})
		if err != nil {
			t.Fatal(err)
		}
		// Source names the new file, so the stored rows differ only in Source:
		// the key-replace counts them as changed only if amount or text differ.
		if s.AlreadyImported || s.Accepted != 6 {
			t.Errorf("got %+v", s.Run)
		}
	})
}

func TestReplaceByKey(t *testing.T) {
	e := newEnv(t)
	if _, err := e.load(t, "ledger_crlf.csv"); err != nil {
		t.Fatal(err)
	}
	// 100.00 + 200.00 summed into one figure of 30000p.
	if got, want := e.actuals(t), []string{"|2013-04|CC100|acute||30000|"}; !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
	dir := t.TempDir()
	p := filepath.Join(dir, "ledger_corrected.csv")
	if err := os.WriteFile(p, []byte("period,cost_centre,programme,amount\n2013-04,CC100,acute,275.00\n2013-05,CC100,acute,1.00\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := e.svc.ImportFile(context.Background(), "ledger", p, importing.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if s.Changed != 2 {
		t.Errorf("changed %d, want 2 (April replaced, May added)", s.Changed)
	}
	if got, want := e.actuals(t), []string{"|2013-04|CC100|acute||27500|", "|2013-05|CC100|acute||100|"}; !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestOrganisations(t *testing.T) {
	e := newEnv(t)
	sum, err := e.load(t, "ledger_orgs.csv")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := e.actuals(t), []string{"|2013-04|CC100|acute||5000|", "01A|2013-04|CC100|acute||10000|"}; !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
	if got := rejections(sum); len(got) != 1 || !strings.HasPrefix(got[0], "4:26 organisation: the organisation code \"0!\"") {
		t.Errorf("rejections %q", got)
	}
}

func TestBrokenFiles(t *testing.T) {
	tests := []struct {
		file string
		want string
	}{
		{"empty.csv", "empty.csv:1:1: the file is empty: " + wantHeader},
		{"header_only.csv", "header_only.csv:2:1: the file has a header but no rows: " + wantHeader + ", then one row per period, cost centre and programme"},
		{"no_header.csv", "no_header.csv:1:1: the first row is not a header (it starts with the period 2013-04): " + wantHeader},
		{"missing_column.csv", "missing_column.csv:1:1: the header has no programme column: " + wantHeader},
		{"truncated_in_quote.csv", "truncated_in_quote.csv:"},
		{"truncated_row.csv", "truncated_row.csv:3:9: row has 2 columns, the header has 4 (is the file cut short?)"},
		{"ledger_unquoted.csv", "ledger_unquoted.csv:5:39: row has 8 columns, the header has 7 (is an amount with a thousands comma missing its quotes?)"},
		{"binary.csv", "binary.csv:2:11: byte 0x00 is not text: this is not a CSV file, or it is damaged"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			e := newEnv(t)
			_, err := e.load(t, tt.file)
			var fe *importing.FileError
			if !errors.As(err, &fe) {
				t.Fatalf("error %v, want a *importing.FileError", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error\n got %s\nwant %s", err, tt.want)
			}
			if got := e.actuals(t); len(got) != 0 {
				t.Errorf("a failed import wrote %q", got)
			}
		})
	}
}
