package integration

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"ccg/internal/calendar"
	"ccg/internal/formats/internal/formatstest"
	"ccg/internal/importing"
	"ccg/internal/registry"
)

// loadAll imports our fixtures in the order a CCG would: the hierarchy,
// the practices, successions, list sizes, then its own localities.
var loadAll = []struct {
	kind, path                   string
	read, accepted, rejected, ch int
}{
	{"ods-regions", fixture("ods", "eauth_small.csv"), 5, 4, 1, 6},
	{"ods-commissioners", fixture("ods", "eccg_small.csv"), 4, 4, 0, 7},
	{"ods-practices", fixture("ods", "epraccur_snapshot_2018.csv"), 4, 4, 0, 8},
	{"ods-successions", fixture("ods", "succ_small.csv"), 6, 3, 3, 3},
	{"list-sizes", fixture("listsize", "quin_2017_09_small.csv"), 86, 86, 0, 86},
	{"localities", fixture("localities", "localities_small.csv"), 9, 4, 5, 12},
}

func TestFixturesThroughSQLite(t *testing.T) {
	w := formatstest.New(t)
	for _, f := range loadAll {
		t.Run(f.kind, func(t *testing.T) {
			s := w.MustLoad(t, f.kind, f.path)
			// A file of a size never imported is hashed as it is read: the
			// run must still carry the file's own SHA-256 and size.
			data, err := os.ReadFile(f.path)
			if err != nil {
				t.Fatal(err)
			}
			if sum := sha256.Sum256(data); s.Run.SHA256 != hex.EncodeToString(sum[:]) || s.Run.Bytes != int64(len(data)) {
				t.Errorf("run records sha256 %s of %d bytes, want %x of %d", s.Run.SHA256, s.Run.Bytes, sum, len(data))
			}
			if s.Read != f.read || s.Accepted != f.accepted || s.Rejected != f.rejected || s.Changed != f.ch {
				t.Errorf("read %d accepted %d rejected %d changed %d, want %d %d %d %d",
					s.Read, s.Accepted, s.Rejected, s.Changed, f.read, f.accepted, f.rejected, f.ch)
			}
		})
	}
	before := w.RegistryDump(t)
	t.Run("every file again", func(t *testing.T) {
		for _, f := range loadAll {
			s := w.MustLoad(t, f.kind, f.path)
			switch {
			case f.rejected == 0 && !s.AlreadyImported:
				t.Errorf("%s %s imported cleanly before, yet imported twice", f.kind, filepath.Base(f.path))
			case f.rejected > 0 && (s.AlreadyImported || s.Changed != 0 || s.Rejected != f.rejected):
				// a file whose rows were rejected may be run again (the rows
				// may pass now); nothing it accepted changes the second time
				t.Errorf("%s %s again: already=%v changed=%d rejected=%d, want a new run changing nothing",
					f.kind, filepath.Base(f.path), s.AlreadyImported, s.Changed, s.Rejected)
			}
		}
		if after := w.RegistryDump(t); !slices.Equal(before, after) {
			t.Error("importing the same files again changed the registry")
		}
	})
	t.Run("the registry answers", func(t *testing.T) {
		ctx := context.Background()
		ms, err := w.Registry.MembersAt(ctx, "03Z", calendar.MustDate("2018-06-01"), true)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, m := range ms {
			got = append(got, m.Code+" via "+m.Via+" in "+m.Locality)
		}
		want := []string{"B99001 via 01X in 01X-NORTH-WEST", "B99007 via 01X in ", "B99006 via 01X in 01X-SOUTH"}
		if !slices.Equal(got, want) {
			t.Errorf("members of 03Z (with predecessors) on 2018-06-01:\n got %q\nwant %q", got, want)
		}
		h, err := w.Registry.History(ctx, "01X")
		if err != nil {
			t.Fatal(err)
		}
		if h.Organisation.Kind != registry.KindCCG || len(h.SuccessorChain) != 1 || h.SuccessorChain[0].Successor != "03Z" {
			t.Errorf("history of 01X: %+v", h)
		}
		sizes, err := w.Store.ListSizes(ctx, "B99001", calendar.Month{}, calendar.Month{})
		if err != nil {
			t.Fatal(err)
		}
		if len(sizes) != 43 {
			t.Errorf("%d list sizes for B99001, want 43", len(sizes))
		}
	})
}

func TestRejectedRowsAreKept(t *testing.T) {
	w := formatstest.New(t)
	s := w.MustLoad(t, "ods-practices", fixture("ods", "epraccur_bad_rows.csv"))
	d, err := w.Imports.Detail(context.Background(), s.ID, 100)
	if err != nil {
		t.Fatal(err)
	}
	want := []importing.Rejection{
		{Line: 2, Column: 1, Field: "Organisation Code", Reason: "the organisation code is missing"},
		{Line: 3, Column: 1, Field: "Organisation Code", Reason: `the practice code "B9900" is not an ODS code (want 6 letters and digits)`},
		{Line: 4, Column: 86, Field: "Open Date", Reason: `the open date "19741301" is not a date (want YYYYMMDD, such as 20130401)`},
		{Line: 5, Column: 102, Field: "Status Code", Reason: `the status "X" is not one ODS uses (want A active, C closed, D dormant, P proposed, or ACTIVE/INACTIVE)`},
		{Line: 6, Column: 98, Field: "Close Date", Reason: "B99013 closes on 2009-04-01, before it opens on 2010-04-01"},
		{Line: 7, Column: 101, Field: "Status Code", Reason: "B99014 has no status; a practice file gives A (active), C (closed), D (dormant) or P (proposed)"},
		{Line: 8, Column: 110, Field: "Commissioner", Reason: `the commissioner code "0-X" is not an ODS code (want 3 to 5 letters and digits)`},
	}
	if d.Run.Rejected != len(want) || len(d.Rejections) != len(want) {
		t.Fatalf("run says %d rejected, %d kept; want %d", d.Run.Rejected, len(d.Rejections), len(want))
	}
	for i, w := range want {
		t.Run(w.Reason, func(t *testing.T) {
			g := d.Rejections[i]
			if g.Line != w.Line || g.Column != w.Column || g.Field != w.Field || g.Reason != w.Reason {
				t.Errorf("got  %d:%d %s: %s\nwant %d:%d %s: %s", g.Line, g.Column, g.Field, g.Reason, w.Line, w.Column, w.Field, w.Reason)
			}
			if !strings.Contains(g.Record, ",") {
				t.Errorf("record %q is not the row as read", g.Record)
			}
		})
	}
}

func TestBrokenFilesChangeNothing(t *testing.T) {
	tests := []struct{ kind, path, want string }{
		{"ods-practices", fixture("ods", "truncated_in_quote.csv"), "truncated_in_quote.csv:4:68: a quote is not closed"},
		{"ods-practices", fixture("ods", "truncated_between_fields.csv"), "truncated_between_fields.csv:4:38: row has 4 columns, an ODS practice file (epraccur.csv) has 26 or 27 (is the file cut short?)"},
		{"ods-practices", fixture("ods", "wrong_columns.csv"), "wrong_columns.csv:3:162: row has 21 columns"},
		{"ods-practices", fixture("ods", "binary.csv"), "binary.csv:1:3: byte 0x03 is not text"},
		{"ods-practices", fixture("ods", "empty.csv"), "empty.csv:1:1: the file is empty"},
		{"ods-practices", fixture("ods", "listsize_given_to_ods.csv"), "listsize_given_to_ods.csv:1:78: row has 9 columns"},
		{"ods-commissioners", fixture("ods", "truncated_between_fields.csv"), "truncated_between_fields.csv:4:38: row has 4 columns, an ODS commissioner file (eccg.csv) has 26 or 27"},
		{"ods-successions", fixture("ods", "succ_truncated.csv"), "succ_truncated.csv:4:13: row has 3 columns"},
		{"list-sizes", fixture("listsize", "quin_truncated.csv"), "quin_truncated.csv:12:38: row has 5 columns, the header has 9"},
		{"list-sizes", fixture("ods", "epraccur_small.csv"), "epraccur_small.csv:1:1: the first row is not a header"},
		{"localities", fixture("localities", "truncated_in_quote.csv"), "truncated_in_quote.csv:3:15: a quote is not closed"},
		{"localities", fixture("localities", "missing_column.csv"), "missing_column.csv:1:1: the header has no locality_name column"},
	}
	w := formatstest.New(t)
	for _, f := range loadAll {
		w.MustLoad(t, f.kind, f.path)
	}
	for _, tt := range tests {
		t.Run(tt.kind+" "+filepath.Base(tt.path), func(t *testing.T) {
			if got, want := w.Refuse(t, tt.kind, tt.path), "import "+tt.kind+": "+tt.want; !strings.HasPrefix(got, want) {
				t.Errorf("got  %s\nwant %s…", got, want)
			}
		})
	}
}

// Snapshots of the practice file imported old-then-new or new-then-old give
// the same relationships.
func TestSnapshotOrder(t *testing.T) {
	older, newer := fixture("ods", "epraccur_snapshot_2015.csv"), fixture("ods", "epraccur_snapshot_2018.csv")
	ra, rb := eitherOrder(t, older, newer)
	want := []string{
		"B99001|member-of|01X|2013-04-01|",
		"B99002|member-of|01X|2013-04-01|2017-10-31",
		"B99006|member-of|01X|2016-04-01|",
		"B99006|member-of|02Y|2013-04-01|2016-04-01",
		"B99007|member-of|01X|2017-01-01|",
	}
	if !slices.Equal(ra, want) || !slices.Equal(rb, want) {
		t.Errorf("old then new %q\nnew then old %q\nwant         %q", ra, rb, want)
	}
}

// A localities file imported before the practices is rejected row by row,
// each saying what to import first; once the practices are in, the same
// rows go in.
func TestLocalitiesNeedPractices(t *testing.T) {
	w := formatstest.New(t)
	early := w.MustLoad(t, "localities", fixture("localities", "localities_codes.csv"))
	if early.Accepted != 0 || early.Rejected != 6 || !strings.Contains(early.Rejections[0].Reason, "import the ODS practice file that lists it (ods-practices, epraccur.csv) first") {
		t.Fatalf("before the practices: %+v", early)
	}
	w.MustLoad(t, "ods-commissioners", fixture("ods", "eccg_small.csv"))
	w.MustLoad(t, "ods-practices", fixture("ods", "epraccur_snapshot_2018.csv"))
	// The import service treats a file it has seen as already imported, so the
	// CCG re-saves (or re-downloads) its file: the same rows, other bytes.
	late := w.MustLoad(t, "localities", formatstest.Resave(t, fixture("localities", "localities_codes.csv"), "localities_codes.csv"))
	// B99002 closed in 2017, so it had no CCG on the row's date: still rejected.
	if late.Accepted != 2 || late.Rejected != 4 || !strings.HasPrefix(late.Rejections[0].Reason, "practice B99002 was not a member of any CCG on 2019-04-01") {
		t.Errorf("after the practices: accepted %d rejected %d, want 2 4 (%+v)", late.Accepted, late.Rejected, late.Rejections)
	}
}
