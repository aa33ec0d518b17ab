package referrals_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"ccg/internal/analytics/duckdb"
	"ccg/internal/calendar"
	"ccg/internal/formats/referrals"
	"ccg/internal/importing"
	"ccg/internal/registry"
	"ccg/internal/store/sqlite"
	"ccg/internal/variation"
)

type world struct {
	svc     *variation.Service
	imports *importing.Service
}

// newWorld builds a real SQLite registry holding two practices of one CCG
// with list sizes, a real DuckDB analytics store, and the import service
// with the referrals kind.
func newWorld(t *testing.T) world {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	st, err := sqlite.Open(ctx, filepath.Join(dir, "ccg.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if _, err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	reg := registry.NewService(st)
	from := calendar.MustDate("2013-04-01")
	for _, o := range []registry.Organisation{
		{Code: "99Z", Name: "TEST CCG", Kind: registry.KindCCG},
		{Code: "P10001", Name: "FIRST PRACTICE", Kind: registry.KindPractice},
		{Code: "P10002", Name: "SECOND PRACTICE", Kind: registry.KindPractice},
	} {
		if _, err := st.UpsertOrganisation(ctx, o); err != nil {
			t.Fatal(err)
		}
	}
	for _, code := range []string{"P10001", "P10002"} {
		if _, err := reg.RecordRelationship(ctx, registry.Relationship{Child: code, Parent: "99Z", Kind: registry.RelMemberOf, From: from}); err != nil {
			t.Fatal(err)
		}
	}
	var sizes []registry.ListSize
	for _, m := range []string{"2020-01", "2020-02"} {
		sizes = append(sizes,
			registry.ListSize{Practice: "P10001", Month: calendar.MustMonth(m), Sex: registry.SexAll, AgeBand: registry.AgeAll, Patients: 5000},
			registry.ListSize{Practice: "P10002", Month: calendar.MustMonth(m), Sex: registry.SexAll, AgeBand: registry.AgeAll, Patients: 2500})
	}
	if _, err := st.PutListSizes(ctx, sizes); err != nil {
		t.Fatal(err)
	}
	an, err := duckdb.Open(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { an.Close() })
	svc := variation.NewService(an, variation.NewRegistryPort(reg))
	return world{svc: svc, imports: importing.NewService(st, referrals.NewHandler(an, reg, svc))}
}

func TestHandlerDescribesItself(t *testing.T) {
	h := referrals.NewHandler(nil, nil, nil)
	if h.Kind() != "referrals" || !strings.Contains(h.Describe(), "referrals") {
		t.Errorf("Kind %q, Describe %q", h.Kind(), h.Describe())
	}
	var _ importing.Handler = h
}

func TestImport(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	sum, err := w.imports.ImportFile(ctx, "referrals", "testdata/small.csv", importing.Options{Months: []calendar.Month{calendar.MustMonth("2020-01"), calendar.MustMonth("2020-02")}})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Read != 7 || sum.Accepted != 5 || sum.Rejected != 2 {
		t.Errorf("read %d accepted %d rejected %d, want 7, 5, 2", sum.Read, sum.Accepted, sum.Rejected)
	}
	// Same key rows are added together: 4 distinct rows stored.
	if sum.Changed != 4 {
		t.Errorf("changed %d, want 4", sum.Changed)
	}
	wantRejects := map[int]string{7: "referrals", 8: "practice_code"}
	for _, r := range sum.Rejections {
		if f, ok := wantRejects[r.Line]; !ok || f != r.Field {
			t.Errorf("unexpected rejection line %d field %q: %s", r.Line, r.Field, r.Reason)
		}
	}
	jan := calendar.MustMonth("2020-01")
	tests := []struct {
		name      string
		month     calendar.Month
		practice  string
		referrals float64
		per1000   float64
	}{
		{"rows added together", jan, "P10001", 15, 3},
		{"second practice", jan, "P10002", 5, 2},
		{"YYYYMM period", calendar.MustMonth("2020-02"), "P10001", 8, 1.6},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			vs, err := w.svc.Values(ctx, "referrals_orthopaedics", tc.month, variation.LevelPractice, tc.practice)
			if err != nil {
				t.Fatal(err)
			}
			if len(vs) != 1 {
				t.Fatalf("%d values, want 1", len(vs))
			}
			v := vs[0]
			if v.Numerator != tc.referrals || v.Value == nil || !close(*v.Value, tc.per1000) {
				t.Errorf("numerator %v value %v, want %v and %v per 1,000", v.Numerator, v.Value, tc.referrals, tc.per1000)
			}
		})
	}

	t.Run("same file again changes nothing", func(t *testing.T) {
		// The file had rejected rows, so it is read again (they may pass
		// now); the month is replaced by the same figures.
		if _, err := w.imports.ImportFile(ctx, "referrals", "testdata/small.csv", importing.Options{Months: []calendar.Month{calendar.MustMonth("2020-01")}}); err != nil {
			t.Fatal(err)
		}
		vs, err := w.svc.Values(ctx, "referrals_orthopaedics", jan, variation.LevelPractice, "P10001")
		if err != nil || len(vs) != 1 || vs[0].Numerator != 15 {
			t.Errorf("after importing again: %v, %v; want 15 referrals", vs, err)
		}
	})
	t.Run("a month is replaced", func(t *testing.T) {
		if _, err := w.imports.ImportFile(ctx, "referrals", "testdata/small_replace.csv", importing.Options{Months: []calendar.Month{calendar.MustMonth("2020-01")}}); err != nil {
			t.Fatal(err)
		}
		vs, err := w.svc.Values(ctx, "referrals_orthopaedics", jan, variation.LevelPractice, "")
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]float64{}
		for _, v := range vs {
			got[v.OrgCode] = v.Numerator
		}
		if got["P10001"] != 1 || got["P10002"] != 0 {
			t.Errorf("after replacing January: %v, want P10001 1 and P10002 none", got)
		}
	})
}

func TestImportRefusesBrokenFiles(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	for _, tc := range []struct{ name, file, want string }{
		{"no referrals column", "testdata/no_referrals_column.csv", "no referrals column"},
		{"missing file", "testdata/absent.csv", "absent.csv"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := w.imports.ImportFile(ctx, "referrals", tc.file, importing.Options{Months: []calendar.Month{calendar.MustMonth("2020-01")}})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one mentioning %q", err, tc.want)
			}
		})
	}
}

func close(a, b float64) bool { d := a - b; return d < 1e-9 && d > -1e-9 }
