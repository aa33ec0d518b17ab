package opcompat_test

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"ccg/internal/importing"
	"ccg/internal/variation"
)

// TestDraftMonth: a month imported in a draft (as the prescribing import
// does, computing over the service's Over(draft)) gets its query and
// custom measures from the draft's own facts, before anything is
// published.
func TestDraftMonth(t *testing.T) {
	dir := sharedMeasures(t)
	w := newWorld(t)
	ctx := context.Background()
	for _, id := range []string{"saba", "amox_500_15_caps"} {
		data, err := os.ReadFile(filepath.Join(dir, id+".json"))
		if err != nil {
			t.Fatal(err)
		}
		m, err := variation.ParseMeasure(id+".json", data)
		if err != nil {
			t.Fatal(err)
		}
		if err := w.svc.AddMeasure(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	d, err := w.an.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Finish(false)
	epd, err := os.ReadFile(filepath.Join("testdata", "epd_202401.csv"))
	if err != nil {
		t.Fatal(err)
	}
	// A corrected January in the draft: A81001's salbutamol is 8 inhalers,
	// not 2, so its SABA share is 8 / (8 + 3) in the draft while the
	// published January still says 2 / 5.
	fixed := strings.Replace(string(epd), "A81001,0301011R0AAAPAP,Salbutamol_Inha 100mcg (200 D) CFF,1,2,2,", "A81001,0301011R0AAAPAP,Salbutamol_Inha 100mcg (200 D) CFF,4,2,8,", 1)
	if fixed == string(epd) {
		t.Fatal("the fixture changed: no salbutamol row to correct")
	}
	if _, err := d.ImportPrescribing(ctx, importing.NewSource("EPD_202401.csv", strings.NewReader(fixed)), jan); err != nil {
		t.Fatal(err)
	}
	svc := w.svc.Over(d)
	if err := svc.ComputeMonth(ctx, jan); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		id   string
		want float64
	}{{"saba", 8.0 / 11}, {"amox_500_15_caps", 1}} {
		vs, err := svc.Values(ctx, tc.id, jan, variation.LevelPractice, "A81001")
		if err != nil || len(vs) != 1 || vs[0].Value == nil || math.Abs(*vs[0].Value-tc.want) > 1e-9 {
			t.Fatalf("%s in the draft: %+v %v", tc.id, vs, err)
		}
	}
	if v := value(t, w, "saba", "A81001"); v == nil || *v != 0.4 {
		t.Fatalf("published saba changed before publishing: %v", v)
	}
}
