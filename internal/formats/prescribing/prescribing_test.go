package prescribing_test

import (
	"context"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"ccg/internal/analytics/duckdb"
	"ccg/internal/calendar"
	"ccg/internal/formats/prescribing"
	"ccg/internal/formats/referrals"
	"ccg/internal/importing"
	"ccg/internal/registry"
	"ccg/internal/store/sqlite"
	"ccg/internal/variation"
)

const shared = "../../../../shared/data"

type world struct {
	reg     *registry.Service
	an      *duckdb.Store
	svc     *variation.Service
	imports *importing.Service
}

// newWorld builds a real SQLite registry with three of the four practices
// of the shared EPD sample (L84073 is left unknown), a locality, and list
// sizes, and the import service with the prescribing, referrals and
// measures kinds.
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
		{Code: "03A", Name: "GREATER HUDDERSFIELD CCG", Kind: registry.KindCCG},
		{Code: "11M", Name: "GLOUCESTERSHIRE CCG", Kind: registry.KindCCG},
		{Code: "03A-N", Name: "NORTH KIRKLEES", Kind: registry.KindLocality},
		{Code: "B85010", Name: "DALTON SURGERY", Kind: registry.KindPractice},
		{Code: "B85054", Name: "COLNE VALLEY GROUP PRACTICE", Kind: registry.KindPractice},
		{Code: "L84018", Name: "AVENUE SURGERY", Kind: registry.KindPractice},
	} {
		if _, err := st.UpsertOrganisation(ctx, o); err != nil {
			t.Fatal(err)
		}
	}
	for _, r := range []registry.Relationship{
		{Child: "B85010", Parent: "03A", Kind: registry.RelMemberOf, From: from},
		{Child: "B85054", Parent: "03A", Kind: registry.RelMemberOf, From: from},
		{Child: "L84018", Parent: "11M", Kind: registry.RelMemberOf, From: from},
		{Child: "03A-N", Parent: "03A", Kind: registry.RelLocalityOf, From: from},
		{Child: "B85010", Parent: "03A-N", Kind: registry.RelInLocality, From: from},
		{Child: "B85054", Parent: "03A-N", Kind: registry.RelInLocality, From: from},
	} {
		if _, err := reg.RecordRelationship(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	var sizes []registry.ListSize
	sep := calendar.MustMonth("2017-09")
	for code, n := range map[string]int{"B85010": 6939, "B85054": 10529, "L84018": 9000} {
		sizes = append(sizes, registry.ListSize{Practice: code, Month: sep, Sex: registry.SexAll, AgeBand: registry.AgeAll, Patients: n})
	}
	sizes = append(sizes,
		registry.ListSize{Practice: "B85010", Month: sep, Sex: registry.SexFemale, AgeBand: "65-69", Patients: 100},
		registry.ListSize{Practice: "B85054", Month: sep, Sex: registry.SexFemale, AgeBand: "65-69", Patients: 200},
		registry.ListSize{Practice: "B85054", Month: sep, Sex: registry.SexMale, AgeBand: "70-74", Patients: 150},
		registry.ListSize{Practice: "L84018", Month: sep, Sex: registry.SexFemale, AgeBand: "0-4", Patients: 300})
	if _, err := st.PutListSizes(ctx, sizes); err != nil {
		t.Fatal(err)
	}
	an, err := duckdb.Open(ctx, filepath.Join(dir, "analytics.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { an.Close() })
	svc := variation.NewService(an, variation.NewRegistryPort(reg))
	imports := importing.NewService(st,
		prescribing.NewHandler(an, reg, svc),
		referrals.NewHandler(an, reg, svc),
		variation.NewMeasuresHandler(svc))
	return world{reg: reg, an: an, svc: svc, imports: imports}
}

func sharedFile(t *testing.T, rel string) string {
	t.Helper()
	p := filepath.Join(shared, rel)
	if _, err := os.Stat(p); err != nil {
		t.Skipf("shared data not available (%s): %v", p, err)
	}
	return p
}

func TestImportPrescribingThroughPipeline(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	file := sharedFile(t, "prescribing/epd_201709_4practices.csv")
	sum, err := w.imports.ImportFile(ctx, "prescribing", file, importing.Options{})
	if err != nil {
		t.Fatal(err)
	}
	notes := strings.Join(sum.Notes, "\n")
	if sum.Read != 10027 || sum.Accepted != 10027 || sum.Rejected != 0 || !strings.Contains(notes, "not in the registry (L84073)") ||
		!strings.Contains(notes, "measures computed for 2017-09") {
		t.Errorf("summary %+v\n%s", sum.Run, notes)
	}
	again, err := w.imports.ImportFile(ctx, "prescribing", file, importing.Options{})
	if err != nil || !again.AlreadyImported {
		t.Errorf("re-import: %+v %v", again, err)
	}
	sep := calendar.MustMonth("2017-09")
	vs, err := w.svc.Values(ctx, "gabapentinoids_per_1000", sep, variation.LevelPractice, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(vs) != 3 {
		t.Fatalf("%d practice values (want the 3 registry practices): %+v", len(vs), vs)
	}
	loc, err := w.svc.Values(ctx, "gabapentinoids_per_1000", sep, variation.LevelLocality, "03A-N")
	if err != nil || len(loc) != 1 || loc[0].Denominator != (6939.0+10529.0)/1000 {
		t.Fatalf("locality %+v %v", loc, err)
	}
	ccg, err := w.svc.Values(ctx, "gabapentinoids_per_1000", sep, variation.LevelCCG, "")
	if err != nil || len(ccg) != 2 {
		t.Fatalf("ccgs %+v %v", ccg, err)
	}
	view, err := w.svc.Locality(ctx, "03A-N", sep, nil)
	if err != nil || len(view.Practices) != 2 || len(view.Measures) < 15 {
		t.Fatalf("locality view %v %v", view.Practices, err)
	}

	// An OpenPrescribing definition imports and is computed.
	sum, err = w.imports.ImportFile(ctx, "measures", "../../variation/testdata/op_nsaids.json", importing.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if vs, _ := w.svc.Values(ctx, "op_nsaids", sep, variation.LevelPractice, ""); len(vs) != 3 || vs[0].Value == nil {
		t.Errorf("op_nsaids values %+v", vs)
	}
	// One it cannot take says why, and changes nothing.
	bad := filepath.Join(t.TempDir(), "custom_measure.json")
	os.WriteFile(bad, []byte(`{"name": "x", "numerator_type": "custom", "numerator_columns": "SUM(x)", "denominator_type": "list_size", "is_percentage": false, "is_cost_based": false, "low_is_good": true}`), 0o600)
	_, err = w.imports.ImportFile(ctx, "measures", bad, importing.Options{})
	var fe *importing.FileError
	if !errors.As(err, &fe) || !strings.Contains(err.Error(), "custom") || !errors.Is(err, variation.ErrUnsupportedDefinition) {
		t.Errorf("custom measure: %v", err)
	}
	if _, err := w.svc.Measure(ctx, "custom_measure"); err == nil {
		t.Error("a refused measure was stored")
	}
	broken := filepath.Join(t.TempDir(), "broken.json")
	os.WriteFile(broken, []byte("{\n  \"name\": \"x\",\n  oops\n}"), 0o600)
	if _, err := w.imports.ImportFile(ctx, "measures", broken, importing.Options{}); !errors.As(err, &fe) || fe.Line != 3 {
		t.Errorf("broken JSON: %v", err)
	}
}

func TestImportReferrals(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	sum, err := w.imports.ImportFile(ctx, "referrals", "../referrals/testdata/referrals.csv", importing.Options{Months: []calendar.Month{calendar.MustMonth("2017-09")}})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Read != 9 || sum.Accepted != 7 || sum.Rejected != 2 {
		t.Fatalf("summary %+v %+v", sum.Run, sum.Rejections)
	}
	if r := sum.Rejections[0]; r.Line != 9 || r.Field != "referrals" {
		t.Errorf("rejection %+v", r)
	}
	if r := sum.Rejections[1]; r.Line != 10 || r.Field != "period" || r.Column != 1 {
		t.Errorf("rejection %+v", r)
	}
	notes := strings.Join(sum.Notes, "\n")
	if !strings.Contains(notes, "not in the registry (for example Z99999)") {
		t.Errorf("notes %s", notes)
	}
	sep := calendar.MustMonth("2017-09")
	vs, err := w.svc.Values(ctx, "referrals_orthopaedics", sep, variation.LevelPractice, "")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]float64{"B85010": 6, "B85054": 5, "L84018": 8}
	for _, v := range vs {
		if v.Numerator != want[v.OrgCode] {
			t.Errorf("%s: %v referrals, want %v", v.OrgCode, v.Numerator, want[v.OrgCode])
		}
	}
	if len(vs) != 3 {
		t.Errorf("%d values", len(vs))
	}
	// Standardised by sex and age band against each CCG's own rates (no
	// England table is imported): 03A's female 65-69 rate is 6/300, its male
	// 70-74 rate 5/150.
	for _, v := range vs {
		x := v.Std
		if x == nil {
			t.Fatalf("%s not standardised: %s", v.OrgCode, v.StdWhy)
		}
		switch v.OrgCode {
		case "B85010": // 6 in female 65-69 → expected 100 × 0.02 = 2; 95% interval above 1
			if x.Observed != 6 || math.Abs(x.Expected-2) > 1e-9 || !(x.Lower > 1) || x.Reference != "ccg:03A" {
				t.Errorf("%+v", x)
			}
		case "B85054": // 200 × 0.02 + 150 × 5/150 = 9 expected
			if x.Observed != 5 || math.Abs(x.Expected-9) > 1e-9 || x.Upper < 1 {
				t.Errorf("%+v", x)
			}
		case "L84018": // 7 referrals without a band are shared out: its CCG's ratio is 1
			if x.Observed != 8 || math.Abs(x.Ratio-1) > 1e-12 || x.Reference != "ccg:11M" {
				t.Errorf("%+v", x)
			}
		}
	}
	// Importing the month again replaces it: the same figures.
	if _, err := w.imports.ImportFile(ctx, "referrals", "../referrals/testdata/referrals.csv", importing.Options{Months: []calendar.Month{calendar.MustMonth("2017-09")}}); err != nil {
		t.Fatal(err)
	}
}

// --strict and the rejected-rows share decide before anything is
// published: a refused import leaves no fact, no value and no run.
func TestStrictDecidesBeforePublish(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	dir := t.TempDir()
	head := "YEAR_MONTH,PRACTICE_CODE,BNF_CODE,BNF_DESCRIPTION,ITEMS,TOTAL_QUANTITY,NIC,ACTUAL_COST\n"
	good := "201709,B85010,0407010H0AAAAAA,Paracetamol,2,42,3.5,3.2\n"
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	gen := w.an.Generation(ctx)
	strict := write("EPD_201709.csv", head+good+"201709,B85010,0407010H0AAAAAA,Paracetamol,1.5,1,1,1\n")
	_, err := w.imports.ImportFile(ctx, "prescribing", strict, importing.Options{Strict: true})
	var fe *importing.FileError
	if !errors.As(err, &fe) || fe.Line != 3 || fe.Column != 43 {
		t.Fatalf("strict: %v", err)
	}
	var bad strings.Builder
	bad.WriteString(head + good)
	for i := 0; i < 20; i++ {
		bad.WriteString("201708,B85010,0407010H0AAAAAA,Paracetamol,1,1,1,1\n")
	}
	_, err = w.imports.ImportFile(ctx, "prescribing", write("epd_201709_b.csv", bad.String()), importing.Options{})
	if !errors.As(err, &fe) || !strings.Contains(err.Error(), "21 rows rejected") && !strings.Contains(err.Error(), "20 of 21 rows rejected") {
		t.Fatalf("reject share: %v", err)
	}
	if g := w.an.Generation(ctx); g != gen {
		t.Errorf("generation %d -> %d: something was published", gen, g)
	}
	if ms, err := w.an.Months(ctx, variation.SourcePrescribing); err != nil || len(ms) != 0 {
		t.Errorf("months %v %v", ms, err)
	}
	if runs, err := w.imports.History(ctx, 10); err != nil || len(runs) != 0 {
		t.Errorf("runs %v %v", runs, err)
	}
}
