package storetest

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"ccg/internal/errs"
	"ccg/internal/importing"
	"ccg/internal/registry"
)

func init() { Register(Suite{Name: "foundation/importing", Run: importingSuite}) }

func importingSuite(t *testing.T, open Opener) {
	ctx := context.Background()
	started := time.Date(2024, 5, 6, 7, 8, 9, 123456789, time.FixedZone("BST", 3600))
	tests := []struct {
		name string
		run  func(t *testing.T, s importing.Store)
	}{
		{"record, find and read back a run", func(t *testing.T, s importing.Store) {
			run := importing.Run{
				Kind: "ods-practices", File: "epraccur_20180831.csv", SHA256: "abc123", Bytes: 4567,
				Started: started, Finished: started.Add(1500 * time.Millisecond), Status: importing.StatusImported,
				Read: 10, Accepted: 8, Rejected: 2, Changed: 7,
				Notes: []string{"3 practices are not in the registry", "Wales skipped"}, Actor: "cli",
			}
			stamp := func() string {
				t.Helper()
				st, ok := s.(interface {
					ImportsStamp(context.Context) (string, error)
				})
				if !ok {
					t.Fatal("the store has no ImportsStamp")
				}
				x, err := st.ImportsStamp(ctx)
				must(t, "imports stamp", err)
				return x
			}
			before := stamp()
			id, err := s.RecordImport(ctx, run, nil)
			must(t, "record", err)
			if id <= 0 {
				t.Fatalf("id = %d", id)
			}
			// The stamp the registry cache of `ccg serve` is keyed on changes
			// with every recorded run.
			if after := stamp(); after == before || after != stamp() {
				t.Errorf("imports stamp %q before a run, %q after: want a change, then stable", before, after)
			}
			run.ID = id
			got, err := s.Import(ctx, id)
			must(t, "import", err)
			if !got.Started.Equal(run.Started) || !got.Finished.Equal(run.Finished) || got.Started.Location() != time.UTC {
				t.Errorf("times: got %v..%v, want %v..%v in UTC", got.Started, got.Finished, run.Started, run.Finished)
			}
			got.Started, got.Finished = run.Started, run.Finished
			if !reflect.DeepEqual(got, run) {
				t.Errorf("round trip:\n got %+v\nwant %+v", got, run)
			}
			found, err := s.FindImport(ctx, "ods-practices", "abc123")
			must(t, "find", err)
			if found.ID != id {
				t.Errorf("find gave run %d, want %d", found.ID, id)
			}
			_, err = s.FindImport(ctx, "list-sizes", "abc123")
			wantErr(t, "find another kind", err, errs.ErrNotFound)
			_, err = s.FindImport(ctx, "ods-practices", "other")
			wantErr(t, "find another hash", err, errs.ErrNotFound)
			_, err = s.Import(ctx, id+1000)
			wantErr(t, "missing run", err, errs.ErrNotFound)
			for _, c := range []struct {
				kind  string
				bytes int64
				want  bool
			}{{"ods-practices", 4567, true}, {"ods-practices", 4568, false}, {"list-sizes", 4567, false}} {
				has, err := s.HasImportOfSize(ctx, c.kind, c.bytes)
				must(t, "has import of size", err)
				if has != c.want {
					t.Errorf("HasImportOfSize(%s, %d) = %v, want %v", c.kind, c.bytes, has, c.want)
				}
			}
		}},
		{"the same file imported twice is a conflict", func(t *testing.T, s importing.Store) {
			run := importing.Run{Kind: "k", File: "f.csv", SHA256: "h", Status: importing.StatusImported}
			_, err := s.RecordImport(ctx, run, []importing.Rejection{{Line: 2, Reason: "x"}})
			must(t, "first", err)
			_, err = s.RecordImport(ctx, run, nil)
			wantErr(t, "second", err, errs.ErrConflict)
			runs, err := s.Imports(ctx, 0)
			must(t, "imports", err)
			if len(runs) != 1 {
				t.Errorf("%d runs after the conflict, want 1", len(runs))
			}
			run.Kind = "other-kind"
			_, err = s.RecordImport(ctx, run, nil)
			must(t, "same file as another kind", err)
			_, err = s.RecordImport(ctx, importing.Run{Kind: "k"}, nil)
			wantErr(t, "no hash", err, errs.ErrInvalid)
		}},
		{"imports newest first, with a limit", func(t *testing.T, s importing.Store) {
			for i := range 5 {
				_, err := s.RecordImport(ctx, importing.Run{Kind: "k", File: fmt.Sprintf("f%d.csv", i), SHA256: fmt.Sprint(i),
					Status: importing.StatusImported, Started: started.Add(time.Duration(i) * time.Hour)}, nil)
				must(t, "record", err)
			}
			runs, err := s.Imports(ctx, 3)
			must(t, "imports", err)
			var files []string
			for _, r := range runs {
				files = append(files, r.File)
			}
			if !reflect.DeepEqual(files, []string{"f4.csv", "f3.csv", "f2.csv"}) {
				t.Errorf("imports = %v", files)
			}
			runs, err = s.Imports(ctx, 0)
			must(t, "all imports", err)
			if len(runs) != 5 || runs[0].Notes != nil {
				t.Errorf("all imports: %d, notes %#v", len(runs), runs[0].Notes)
			}
		}},
		{"every rejection is kept, in file order", func(t *testing.T, s importing.Store) {
			var rej []importing.Rejection
			for i := 1000; i >= 1; i-- { // handlers may report out of order
				rej = append(rej, importing.Rejection{Line: i + 1, Column: i % 27, Field: fmt.Sprintf("col%d", i%27),
					Reason: "not a date", Record: fmt.Sprintf(`"A%05d","SURGERY, ""QUOTED""",%d`, i, i)})
			}
			rej = append(rej, importing.Rejection{Line: 2, Column: 0, Reason: "second problem on line 2"})
			id, err := s.RecordImport(ctx, importing.Run{Kind: "k", SHA256: "h", Status: importing.StatusImported, Rejected: len(rej)}, rej)
			must(t, "record", err)
			all, err := s.Rejections(ctx, id, 0)
			must(t, "rejections", err)
			if len(all) != len(rej) {
				t.Fatalf("%d rejections kept, want %d", len(all), len(rej))
			}
			if all[0] != rej[999] || all[1] != rej[1000] || all[len(all)-1] != rej[0] {
				t.Errorf("order: first %+v, second %+v, last %+v", all[0], all[1], all[len(all)-1])
			}
			some, err := s.Rejections(ctx, id, 10)
			must(t, "10 rejections", err)
			if len(some) != 10 || some[9].Line != 10 {
				t.Errorf("limit 10: %d rows, last line %d", len(some), some[len(some)-1].Line)
			}
			none, err := s.Rejections(ctx, id+1000, 10)
			must(t, "unknown run", err)
			if len(none) != 0 {
				t.Errorf("unknown run has %d rejections", len(none))
			}
		}},
		{"rejected bytes that are not text are stored", func(t *testing.T, s importing.Store) {
			bad := "A81001,\xff\xfeBAD\x00NUL,\"é\""
			id, err := s.RecordImport(ctx, importing.Run{Kind: "k", SHA256: "h", Status: importing.StatusImported,
				Notes: []string{"odd \xff note"}},
				[]importing.Rejection{{Line: 1, Reason: "bad \xff bytes", Record: bad}})
			must(t, "record", err)
			got, err := s.Rejections(ctx, id, 0)
			must(t, "rejections", err)
			if len(got) != 1 || !strings.HasPrefix(got[0].Record, "A81001,") || !strings.HasSuffix(got[0].Record, "\"é\"") ||
				strings.ContainsRune(got[0].Record, 0) {
				t.Errorf("record = %q", got[0].Record)
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.run(t, Migrated(t, open)) })
	}

	t.Run("service imports all-or-nothing, once", func(t *testing.T) {
		s := Migrated(t, open)
		reg := registry.NewService(s)
		svc := importing.NewService(s, orgLines{reg})
		file := []byte("P1,Alpha,C1\nP2,Bravo,C1\nbad line\nP3,Charlie,C2\n")
		sum, err := svc.Import(ctx, "test-orgs", "orgs.csv", bytes.NewReader(file), 0, importing.Options{Actor: "test"})
		must(t, "import", err)
		if sum.AlreadyImported || sum.Read != 4 || sum.Accepted != 3 || sum.Rejected != 1 || sum.Changed != 6 || sum.ID == 0 {
			t.Errorf("summary = %+v", sum)
		}
		// a file whose run rejected rows may be imported again (the rows may
		// pass now); what was accepted changes nothing the second time
		again, err := svc.Import(ctx, "test-orgs", "orgs-copy.csv", bytes.NewReader(file), 0, importing.Options{})
		must(t, "import again", err)
		if again.AlreadyImported || again.ID == sum.ID || again.Changed != 0 || again.Rejected != 1 || len(again.Notes) == 0 {
			t.Errorf("second import of a file with rejections = %+v, want a new run changing nothing", again)
		}
		// a file that imported cleanly is imported once
		clean := []byte("P7,Golf,C1\n")
		first, err := svc.Import(ctx, "test-orgs", "clean.csv", bytes.NewReader(clean), 0, importing.Options{})
		must(t, "clean import", err)
		repeat, err := svc.Import(ctx, "test-orgs", "clean-copy.csv", bytes.NewReader(clean), 0, importing.Options{})
		must(t, "clean import again", err)
		if !repeat.AlreadyImported || repeat.ID != first.ID {
			t.Errorf("second import of a clean file = %+v, want the first run", repeat)
		}
		rej, err := s.Rejections(ctx, sum.ID, 0)
		must(t, "rejections", err)
		if len(rej) != 1 || rej[0].Line != 3 || rej[0].Record != "bad line" {
			t.Errorf("rejections = %+v", rej)
		}
		// the same rows in another file change nothing
		same, err := svc.Import(ctx, "test-orgs", "orgs2.csv", bytes.NewReader(append(file, "\n"...)), 0, importing.Options{})
		must(t, "same rows", err)
		if same.Changed != 0 {
			t.Errorf("same rows in another file changed %d, want 0", same.Changed)
		}
		// strict: a rejected row fails the whole import, leaving nothing behind
		_, err = svc.Import(ctx, "test-orgs", "strict.csv", bytes.NewReader([]byte("P9,Zulu,C9\nbad\n")), 0, importing.Options{Strict: true})
		if err == nil {
			t.Fatal("strict import with a bad row succeeded")
		}
		_, err = s.Organisation(ctx, "P9")
		wantErr(t, "organisation from a failed import", err, errs.ErrNotFound)
		runs, err := s.Imports(ctx, 0)
		must(t, "imports", err)
		if len(runs) != 4 {
			t.Errorf("%d runs recorded, want 4 (the failed one and the repeat are not)", len(runs))
		}
	})
}

// orgLines is a test import handler: lines "CODE,NAME,CCG" become a
// practice and its membership of the CCG from 2013-04-01.
type orgLines struct{ reg *registry.Service }

// Kind implements importing.Handler.
func (orgLines) Kind() string { return "test-orgs" }

// Describe implements importing.Handler.
func (orgLines) Describe() string { return "test organisations" }

// Load implements importing.Handler.
func (h orgLines) Load(ctx context.Context, src *importing.Source, rec *importing.Recorder) error {
	sc := bufio.NewScanner(src.Reader())
	line := 0
	for sc.Scan() {
		line++
		if sc.Text() == "" {
			continue
		}
		rec.Row()
		f := strings.Split(sc.Text(), ",")
		if len(f) != 3 {
			rec.Reject(importing.Rejection{Line: line, Reason: "want CODE,NAME,CCG", Record: sc.Text()})
			continue
		}
		n := 0
		c, err := h.reg.Store().UpsertOrganisation(ctx, registry.Organisation{Code: f[0], Name: f[1], Kind: registry.KindPractice, Source: src.Name})
		if err != nil {
			return err
		}
		if c {
			n++
		}
		c, err = h.reg.RecordRelationship(ctx, registry.Relationship{Child: f[0], Parent: f[2], Kind: registry.RelMemberOf, From: d("2013-04-01"), Source: src.Name})
		if err != nil {
			return err
		}
		if c {
			n++
		}
		rec.Accept(n)
	}
	return sc.Err()
}
