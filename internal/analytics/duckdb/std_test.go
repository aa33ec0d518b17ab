package duckdb

import (
	"context"
	"path/filepath"
	"reflect"
	"testing"

	"ccg/internal/calendar"
	"ccg/internal/variation"
)

// A value's standardised ratio (or the reason it has none) survives the
// store, and a value without one comes back without one.
func TestStandardisedValuesRoundTrip(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	month := calendar.MustMonth("2024-01")
	one := 1.5
	std := &variation.StdValue{Basis: variation.BasisAgeSex, Reference: "england", ReferenceNote: "England's rates", Observed: 30, Expected: 42,
		Ratio: 30.0 / 42, Lower: 0.48, Upper: 1.02, Lower998: 0.4, Upper998: 1.2, Method: "Byars",
		Limits: &variation.Limits{Lower95: 0.7, Upper95: 1.3, Lower998: 0.6, Upper998: 1.5, Adjusted: true, Z: -1.2}, Low95: false}
	in := []variation.MeasureValue{
		{MeasureID: "m", Level: variation.LevelPractice, OrgCode: "A", Month: month, Numerator: 30, Denominator: 1, Value: &one, Std: std},
		{MeasureID: "m", Level: variation.LevelPractice, OrgCode: "B", Month: month, Numerator: 3, Denominator: 1, Value: &one, StdWhy: "no bands"},
		{MeasureID: "m", Level: variation.LevelPractice, OrgCode: "C", Month: month, Numerator: 3, Denominator: 1, Value: &one},
	}
	if err := s.ReplaceResults(ctx, month, []string{"m"}, in, nil); err != nil {
		t.Fatal(err)
	}
	out, err := s.Values(ctx, variation.ValueQuery{MeasureIDs: []string{"m"}, Month: month})
	if err != nil {
		t.Fatal(err)
	}
	if len(out) != 3 {
		t.Fatalf("%d values", len(out))
	}
	if !reflect.DeepEqual(out[0].Std, std) {
		t.Errorf("A: %+v, want %+v", out[0].Std, std)
	}
	if out[1].Std != nil || out[1].StdWhy != "no bands" {
		t.Errorf("B: %+v %q", out[1].Std, out[1].StdWhy)
	}
	if out[2].Std != nil || out[2].StdWhy != "" {
		t.Errorf("C: %+v %q", out[2].Std, out[2].StdWhy)
	}
}

// An analytics file made before standardisation (no standardised column)
// gains the column when opened, keeps its values, and stores new ones.
func TestStandardisedColumnAddedToOldFile(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "analytics.duckdb")
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	month := calendar.MustMonth("2024-01")
	one := 1.0
	if err := s.ReplaceResults(ctx, month, []string{"m"}, []variation.MeasureValue{{MeasureID: "m", Level: variation.LevelPractice, OrgCode: "A", Month: month, Value: &one}}, nil); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		"DROP INDEX measure_values_org",
		"ALTER TABLE measure_values DROP COLUMN standardised",
		"CREATE INDEX measure_values_org ON measure_values (org_code)", // as an old file has it
	} {
		if _, err := s.DB().ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	s.Close()
	s, err = Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	vs, err := s.Values(ctx, variation.ValueQuery{MeasureIDs: []string{"m"}})
	if err != nil || len(vs) != 1 || vs[0].Std != nil {
		t.Fatalf("old value: %+v %v", vs, err)
	}
	in := []variation.MeasureValue{{MeasureID: "m", Level: variation.LevelPractice, OrgCode: "A", Month: month, Value: &one, StdWhy: "why"}}
	if err := s.ReplaceResults(ctx, month, []string{"m"}, in, nil); err != nil {
		t.Fatal(err)
	}
	if vs, err = s.Values(ctx, variation.ValueQuery{MeasureIDs: []string{"m"}}); err != nil || len(vs) != 1 || vs[0].StdWhy != "why" {
		t.Errorf("new value: %+v %v", vs, err)
	}
}
