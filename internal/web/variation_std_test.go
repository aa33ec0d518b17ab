package web

import (
	"context"
	"strings"
	"testing"

	"ccg/internal/access"
	"ccg/internal/analytics/duckdb"
	"ccg/internal/calendar"
	"ccg/internal/registry"
	"ccg/internal/variation"
)

// Referrals imported by practice only cannot be standardised until a
// reference table is imported: the measure page says why and shows the
// crude funnel; with England's table it shows the standardised view by
// default, and ?view=crude the crude one.
func TestMeasurePageStandardisation(t *testing.T) {
	ctx := context.Background()
	st := openSQLite(t)
	w := newAccessWorld(t, st)
	reg := registry.NewService(st)
	jan := calendar.MustMonth("2020-01")
	if _, err := st.UpsertOrganisation(ctx, registry.Organisation{Code: "C1", Name: "Test CCG", Kind: registry.KindCCG}); err != nil {
		t.Fatal(err)
	}
	var sizes []registry.ListSize
	for i, code := range []string{"A1", "A2", "B1"} {
		if _, err := reg.RecordRelationship(ctx, registry.Relationship{Child: code, Parent: "C1", Kind: registry.RelMemberOf, From: mustDate("2013-04-01")}); err != nil {
			t.Fatal(err)
		}
		old, young := 200+300*i, 800-300*i
		sizes = append(sizes,
			registry.ListSize{Practice: code, Month: jan, Sex: registry.SexAll, AgeBand: registry.AgeAll, Patients: 1000},
			registry.ListSize{Practice: code, Month: jan, Sex: registry.SexFemale, AgeBand: "70-74", Patients: old},
			registry.ListSize{Practice: code, Month: jan, Sex: registry.SexFemale, AgeBand: "20-24", Patients: young})
	}
	if _, err := st.PutListSizes(ctx, sizes); err != nil {
		t.Fatal(err)
	}
	an := w.vari.Analytics().(*duckdb.Store)
	if _, err := an.ReplaceReferrals(ctx, []variation.Referral{
		{Month: jan, Practice: "A1", FunctionCode: "130", Sex: "all", AgeBand: "all", Referrals: 20},
		{Month: jan, Practice: "A2", FunctionCode: "130", Sex: "all", AgeBand: "all", Referrals: 30},
		{Month: jan, Practice: "B1", FunctionCode: "130", Sex: "all", AgeBand: "all", Referrals: 40},
	}); err != nil {
		t.Fatal(err)
	}
	w.vari.SetReferenceStore(st)
	if err := w.vari.ComputeMonth(ctx, jan); err != nil {
		t.Fatal(err)
	}
	// Practice-level referral figures are the CCG's own data: an analyst
	// sees them (issue 13).
	get := func(path string) string {
		t.Helper()
		rec := w.asRole(t, access.RoleAnalyst, path)
		if rec.Code != 200 {
			t.Fatalf("GET %s: %d\n%.600s", path, rec.Code, rec.Body.String())
		}
		return rec.Body.String()
	}
	page := "/prescribing/measures/referrals_ophthalmology?month=2020-01"
	body := get(page)
	for _, want := range []string{`id="std-why"`, "Not standardised for age and sex", "ccg import referral-rates", "Showing the crude rate", `id="funnel"`} {
		if !strings.Contains(body, want) {
			t.Errorf("without a reference table the page lacks %q", want)
		}
	}
	if strings.Contains(body, `id="std-funnel"`) {
		t.Error("a standardised funnel without a reference")
	}

	if _, err := st.ReplaceReferenceRates(ctx, []variation.ReferenceRate{
		{Month: jan, Area: "england", FunctionCode: "130", Sex: "female", AgeBand: "70-74", Referrals: 50, Patients: 1000},
		{Month: jan, Area: "england", FunctionCode: "130", Sex: "female", AgeBand: "20-24", Referrals: 10, Patients: 1000},
	}); err != nil {
		t.Fatal(err)
	}
	if err := w.vari.RecomputeSource(ctx, variation.SourceReferrals); err != nil {
		t.Fatal(err)
	}
	body = get(page + "&practice=B1")
	for _, want := range []string{`id="std-funnel"`, `id="std-trend"`, "Showing the standardised ratio", "England&#39;s referral rates", `data-practice="B1"`, `id="std-explain"`, "That comes to 42.0; it had 40"} {
		if !strings.Contains(body, want) {
			t.Errorf("with England's table the page lacks %q", want)
		}
	}
	if strings.Contains(body, `id="funnel"`) || strings.Contains(body, `id="std-why"`) {
		t.Error("the standardised view also shows the crude funnel or a refusal")
	}
	if crude := get(page + "&view=crude"); !strings.Contains(crude, `id="funnel"`) || strings.Contains(crude, `id="std-funnel"`) || !strings.Contains(crude, `id="std-values"`) {
		t.Error("?view=crude shows the crude funnel with the side-by-side table")
	}
	if csv := get("/prescribing/measures/referrals_ophthalmology/funnel.csv?month=2020-01&view=standardised"); !strings.Contains(csv, "Expected referrals") || !strings.Contains(csv, "B1") {
		t.Errorf("the standardised funnel's CSV:\n%s", csv)
	}
	api := get("/api/v1/measures/referrals_ophthalmology/values?month=2020-01&level=practice&org=B1")
	for _, want := range []string{`"expected": 42`, `"ratio":`, `"lower":`, `"upper":`, `"method": "Byars"`} {
		if !strings.Contains(api, want) {
			t.Errorf("the values API lacks %s:\n%s", want, api)
		}
	}
}

// The practice page says which measures the crude funnel flags and the
// standardised one does not, and the other way round.
func TestPracticeStdSummary(t *testing.T) {
	ref := func(id, name string) variation.Measure {
		return variation.Measure{ID: id, Name: name, Source: variation.SourceReferrals,
			Numerator: variation.Part{Quantity: variation.QuantityReferrals}, Denominator: variation.Part{Quantity: variation.QuantityListSize}}
	}
	row := func(m variation.Measure, crudeHigh bool, std *variation.StdValue) PracticeMeasureRow {
		return PracticeMeasureRow{PracticeMeasure: variation.PracticeMeasure{Measure: m,
			Value: variation.MeasureValue{Flags: variation.Flags{High95: crudeHigh}, Std: std}}}
	}
	v := PracticeMeasuresView{Measures: []PracticeMeasureRow{
		row(ref("eye", "Eyes"), true, &variation.StdValue{Ratio: 1}),
		row(ref("bone", "Bones"), false, &variation.StdValue{Ratio: 2, High95: true}),
		row(ref("skin", "Skin"), true, &variation.StdValue{Ratio: 2, High95: true}),
		row(ref("ent", "Ears"), true, nil),
	}}
	got := v.StdSummary()
	for _, want := range []string{"within them once the patients’ ages and sexes are allowed for: Eyes.", "outside them once the patients’ ages and sexes are allowed for: Bones."} {
		if !strings.Contains(got, want) {
			t.Errorf("summary %q lacks %q", got, want)
		}
	}
	if strings.Contains(got, "Skin") || strings.Contains(got, "Ears") {
		t.Errorf("summary %q names a measure flagged both ways or not standardised", got)
	}
}
