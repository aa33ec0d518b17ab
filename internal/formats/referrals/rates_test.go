package referrals_test

import (
	"context"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"ccg/internal/analytics/duckdb"
	"ccg/internal/calendar"
	"ccg/internal/formats/referrals"
	"ccg/internal/importing"
	"ccg/internal/registry"
	"ccg/internal/store/sqlite"
	"ccg/internal/store/sqlstore"
	"ccg/internal/variation"
)

// Referrals without bands are not standardised until a reference table is
// imported; then each practice's expected count comes from its list by
// band and England's rates.
func TestImportReferenceRates(t *testing.T) {
	ctx := context.Background()
	jan := calendar.MustMonth("2020-01")
	var sizes []registry.ListSize
	for code, b := range map[string][2]int{"P10001": {800, 200}, "P10002": {200, 800}} {
		sizes = append(sizes,
			registry.ListSize{Practice: code, Month: jan, Sex: registry.SexAll, AgeBand: registry.AgeAll, Patients: 1000},
			registry.ListSize{Practice: code, Month: jan, Sex: registry.SexFemale, AgeBand: "70-74", Patients: b[0]},
			registry.ListSize{Practice: code, Month: jan, Sex: registry.SexFemale, AgeBand: "20-24", Patients: b[1]})
	}
	w := newRatesWorld(t, []string{"P10001", "P10002"}, sizes)
	an, svc, imports := w.an, w.svc, w.imports
	if _, err := an.ReplaceReferrals(ctx, []variation.Referral{
		{Month: jan, Practice: "P10001", FunctionCode: "110", Sex: "all", AgeBand: "all", Referrals: 30},
		{Month: jan, Practice: "P10002", FunctionCode: "110", Sex: "all", AgeBand: "all", Referrals: 30},
	}); err != nil {
		t.Fatal(err)
	}
	if err := svc.ComputeMonth(ctx, jan); err != nil {
		t.Fatal(err)
	}
	vs, err := svc.Values(ctx, "referrals_orthopaedics", jan, variation.LevelPractice, "P10001")
	if err != nil || len(vs) != 1 {
		t.Fatal(vs, err)
	}
	if vs[0].Std != nil || !strings.Contains(vs[0].StdWhy, "referral-rates") {
		t.Fatalf("standardised without a reference: %+v %q", vs[0].Std, vs[0].StdWhy)
	}

	sum, err := imports.ImportFile(ctx, "referral-rates", "testdata/rates_england.csv", importing.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Read != 8 || sum.Accepted != 3 || sum.Rejected != 5 || sum.Changed != 3 {
		t.Errorf("read %d accepted %d rejected %d changed %d, want 8, 3, 5, 3", sum.Read, sum.Accepted, sum.Rejected, sum.Changed)
	}
	want := map[int][2]any{5: {"referrals", 30}, 6: {"age_band", 28}, 7: {"patients", 36}, 8: {"area", 9}, 9: {"sex", 21}}
	for _, r := range sum.Rejections {
		w, ok := want[r.Line]
		if !ok || w[0] != r.Field || w[1] != r.Column {
			t.Errorf("rejection line %d column %d field %q: %s", r.Line, r.Column, r.Field, r.Reason)
		}
	}
	for code, e := range map[string]float64{"P10001": 42, "P10002": 18} {
		vs, err := svc.Values(ctx, "referrals_orthopaedics", jan, variation.LevelPractice, code)
		if err != nil || len(vs) != 1 {
			t.Fatal(vs, err)
		}
		s := vs[0].Std
		if s == nil || math.Abs(s.Expected-e) > 1e-9 || s.Observed != 30 || s.Reference != "england" {
			t.Errorf("%s: %+v %q, want 30 observed of %v expected against England", code, s, vs[0].StdWhy, e)
		}
	}
	again, err := imports.ImportFile(ctx, "referral-rates", "testdata/rates_england.csv", importing.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if again.Changed != 0 {
		t.Errorf("importing the same table again changed %d rows", again.Changed)
	}
	if _, err := imports.ImportFile(ctx, "referral-rates", "testdata/rates_england.csv", importing.Options{Strict: true}); err == nil ||
		!strings.Contains(err.Error(), "rates_england.csv:5:") {
		t.Errorf("strict import: %v, want an error naming rates_england.csv:5:COLUMN", err)
	}
}

// A strict import that is refused leaves neither the table nor figures made
// from it: the referral measures are recomputed only once the table is
// committed.
func TestStrictRatesImportLeavesNoFigures(t *testing.T) {
	ctx := context.Background()
	jan := calendar.MustMonth("2020-01")
	w := newRatesWorld(t, []string{"P10001"}, []registry.ListSize{
		{Practice: "P10001", Month: jan, Sex: registry.SexAll, AgeBand: registry.AgeAll, Patients: 1000},
		{Practice: "P10001", Month: jan, Sex: registry.SexFemale, AgeBand: "70-74", Patients: 1000},
	})
	st, an, svc, imports := w.st, w.an, w.svc, w.imports
	if _, err := an.ReplaceReferrals(ctx, []variation.Referral{{Month: jan, Practice: "P10001", FunctionCode: "110", Sex: "all", AgeBand: "all", Referrals: 30}}); err != nil {
		t.Fatal(err)
	}
	if err := svc.ComputeMonth(ctx, jan); err != nil {
		t.Fatal(err)
	}
	if _, err := imports.ImportFile(ctx, "referral-rates", "testdata/rates_england.csv", importing.Options{Strict: true}); err == nil {
		t.Fatal("a strict import of a file with bad rows succeeded")
	}
	if months, err := st.ReferenceRateMonths(ctx); err != nil || len(months) != 0 {
		t.Errorf("the refused import left reference months %v (%v)", months, err)
	}
	vs, err := svc.Values(ctx, "referrals_orthopaedics", jan, variation.LevelPractice, "P10001")
	if err != nil || len(vs) != 1 {
		t.Fatal(vs, err)
	}
	if vs[0].Std != nil {
		t.Errorf("figures made from a refused table: %+v", vs[0].Std)
	}
	// Imported properly, the figures follow.
	if _, err := imports.ImportFile(ctx, "referral-rates", "testdata/rates_england.csv", importing.Options{}); err != nil {
		t.Fatal(err)
	}
	vs, _ = svc.Values(ctx, "referrals_orthopaedics", jan, variation.LevelPractice, "P10001")
	if len(vs) != 1 || vs[0].Std == nil || vs[0].Std.Expected != 50 {
		t.Errorf("after the import: %+v", vs)
	}
}

// ratesWorld is a migrated SQLite store whose CCG 99Z has the given
// practices with the given list sizes, a DuckDB analytics store, the
// variation service over both (with the reference store) and the import
// service with the referrals and referral-rates kinds.
type ratesWorld struct {
	st      *sqlstore.Store
	an      *duckdb.Store
	svc     *variation.Service
	imports *importing.Service
}

func newRatesWorld(t *testing.T, practices []string, sizes []registry.ListSize) ratesWorld {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "ccg.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if _, err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	reg := registry.NewService(st)
	if _, err := st.UpsertOrganisation(ctx, registry.Organisation{Code: "99Z", Name: "TEST CCG", Kind: registry.KindCCG}); err != nil {
		t.Fatal(err)
	}
	for _, code := range practices {
		if _, err := st.UpsertOrganisation(ctx, registry.Organisation{Code: code, Name: "PRACTICE " + code, Kind: registry.KindPractice}); err != nil {
			t.Fatal(err)
		}
		if _, err := reg.RecordRelationship(ctx, registry.Relationship{Child: code, Parent: "99Z", Kind: registry.RelMemberOf, From: calendar.MustDate("2013-04-01")}); err != nil {
			t.Fatal(err)
		}
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
	svc.SetReferenceStore(st)
	return ratesWorld{st: st, an: an, svc: svc,
		imports: importing.NewService(st, referrals.NewHandler(an, reg, svc), referrals.NewRatesHandler(st, svc))}
}
