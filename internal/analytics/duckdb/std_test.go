package duckdb

import (
	"context"
	"database/sql"
	"path/filepath"
	"reflect"
	"strings"
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

// A measure-values file written before the standardised column existed
// is read beside a new one, its rows with no standardisation.
func TestStandardisedColumnMissingFromOldFile(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	dir := t.TempDir()
	d, ok := datasetNamed("measure_values")
	if !ok {
		t.Fatal("no measure_values dataset")
	}
	oldCols := strings.Replace(d.columns, ", standardised VARCHAR", "", 1)
	if oldCols == d.columns {
		t.Fatal("the dataset has no standardised column to leave out")
	}
	oldPath, newPath := filepath.Join(dir, "old.parquet"), filepath.Join(dir, "new.parquet")
	row := "'m', DATE '2024-01-01', 'practice', 'A', 1, 1, 1, 50, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, false, false, false, false, ''"
	for _, q := range []string{
		"CREATE TEMP TABLE old_values (" + oldCols + ")",
		"INSERT INTO old_values VALUES (" + row + ")",
		"COPY old_values TO '" + sqlString(oldPath) + "' (FORMAT parquet)",
		"CREATE TEMP TABLE new_values2 (" + d.columns + ")",
		"INSERT INTO new_values2 VALUES (" + strings.Replace(row, "'A'", "'B'", 1) + ", '{\"why\":\"no bands\"}')",
		"COPY new_values2 TO '" + sqlString(newPath) + "' (FORMAT parquet)",
		viewSQL(d, []string{oldPath, newPath}, true),
	} {
		if _, err := s.DB().ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	rows, err := s.DB().QueryContext(ctx, "SELECT org_code, standardised FROM measure_values ORDER BY org_code")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	got := map[string]string{}
	for rows.Next() {
		var code string
		var std sql.NullString
		if err := rows.Scan(&code, &std); err != nil {
			t.Fatal(err)
		}
		got[code] = std.String
		if !std.Valid {
			got[code] = "NULL"
		}
	}
	if got["A"] != "NULL" || got["B"] != `{"why":"no bands"}` {
		t.Errorf("standardised by practice: %v", got)
	}
}
