package opcompat_test

import (
	"context"
	"errors"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"ccg/internal/analytics/duckdb"
	"ccg/internal/analytics/opcompat"
	"ccg/internal/calendar"
	"ccg/internal/errs"
	"ccg/internal/formats/bnfsnomed"
	dmdformat "ccg/internal/formats/dmd"
	"ccg/internal/formats/measureref"
	"ccg/internal/importing"
	"ccg/internal/store/sqlite"
	"ccg/internal/store/sqlstore"
	"ccg/internal/variation"
)

var jan = calendar.Month{Year: 2024, Mon: 1}

// registry is the fixture's three practices of CCG 00A with their list
// sizes (the variation service's Registry port).
type registry struct{}

func (registry) Members(context.Context, calendar.Month) ([]variation.Member, error) {
	return []variation.Member{{Practice: "A81001", CCG: "00A"}, {Practice: "A81002", CCG: "00A"}, {Practice: "A81003", CCG: "00A"}}, nil
}

func (registry) Populations(context.Context, calendar.Month) (map[string]variation.Population, error) {
	return map[string]variation.Population{
		"A81001": {ListSize: 2000, Bands: map[string]float64{"female:35-39": 100, "female:40-44": 100, "female:45-49": 150, "female:50-54": 150,
			"female:55-59": 100, "female:60-64": 100, "female:65-69": 50, "female:70-74": 50, "female:75-79": 40, "male:35-39": 99}},
		"A81002": {ListSize: 1000, Bands: map[string]float64{"female:35-39": 5, "female:40-44": 5, "female:45-49": 300}},
		"A81003": {ListSize: 4000, Bands: map[string]float64{"female:35-39": 20}},
	}, nil
}

// world is the fixture: a SQLite store with the fixture's dm+d release,
// BNF-SNOMED mapping and reference tables; a DuckDB analytics store with
// January 2024's prescribing; the variation service over opcompat.
type world struct {
	sql     *sqlstore.Store
	an      *duckdb.Store
	op      *opcompat.Analytics
	svc     *variation.Service
	imports *importing.Service
	dmdRun  importing.Summary
}

// writeMapping writes the fixture's BNF-SNOMED mapping as an .xlsx in the
// NHSBSA layout (codes kept as text with a leading apostrophe, as there).
func writeMapping(t testing.TB, path string) {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	rows := [][]string{
		{"Presentation / Pack Level", "VMP / VMPP/ AMP / AMPP", "BNF Code", "MDR: Product Description", "SNOMED Code", "DM+D: Product Description", "DM+D: Product and Pack Description"},
		{"Presentation", "VMP", "'0501013B0AAABAB", "Amoxicillin_Cap 500mg", "'3000001", "Amoxicillin 500mg capsules", ""},
		{"Presentation", "VMP", "'0501080W0AAAAAA", "Trimethoprim_Tab 200mg", "'3000002", "Trimethoprim 200mg tablets", ""},
		{"Presentation", "VMP", "'0501040H0AAAAAA", "Gentamicin Sulf_Inj 80mg/2ml Amp", "'3000003", "Gentamicin 80mg/2ml", ""},
		{"Presentation", "VMP", "'0301011R0AAAPAP", "Salbutamol_Inha 100mcg (200 D) CFF", "'3000004", "Salbutamol inhaler", ""},
		{"Presentation", "VMP", "'0302000C0AAAAAA", "Beclometasone_Inha 100mcg (200 D) CFF", "'3000005", "Beclometasone inhaler", ""},
		// The colecalciferol VMP is mapped under its previous identifier only.
		{"Presentation", "VMP", "'0906040G0AACSCS", "Colecalciferol_Cap 800u", "'9000006", "Colecalciferol 800unit capsules", ""},
		{"Presentation", "VMP", "'0906040N0AAAEAE", "Calc Carb/Colecal_Tab Chble 1.5g/400u", "'3000007", "Calcium/colecalciferol", ""},
		{"Presentation", "VMP", "'0407010N0AAACAC", "Oxycodone HCl_Tab 40mg M/R", "'3000008", "Oxycodone 40mg MR", ""},
		{"Presentation", "VMP", "'0407010N0AAAAAA", "Oxycodone HCl_Tab 10mg M/R", "'3000009", "Oxycodone 10mg MR", ""},
		{"Presentation", "VMP", "'1001010AGAAAAAA", "Glucosamine Sulf_Tab 1.5g", "'3000010", "Glucosamine 1.5g tablets", ""},
		{"Presentation", "VMP", "'0803041S0AAAAAA", "Tamoxifen Cit_Tab 20mg", "'3000011", "Tamoxifen 20mg tablets", ""},
		{"Presentation", "AMP", "'1001010AGBBAAAA", "Alateris_Tab 1.5g", "'4000010", "Alateris 1.5g tablets", ""},
		{"Pack", "VMPP", "", "", "'6000001", "Amoxicillin 500mg capsules", "Amoxicillin 500mg capsules 21 capsule"},
	}
	for i, r := range rows {
		for j, v := range r {
			cell, _ := excelize.CoordinatesToCellName(j+1, i+1)
			if err := f.SetCellValue("Sheet1", cell, v); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
}

func newWorld(t testing.TB) *world {
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
	an, err := duckdb.Open(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { an.Close() })
	w := &world{sql: st, an: an}
	w.imports = importing.NewService(st, dmdformat.NewHandler(st), bnfsnomed.NewHandler(st), measureref.NewHandler(st))
	b, err := dmdformat.OpenFolder(filepath.Join("testdata", "release"))
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if w.dmdRun, err = w.imports.Import(ctx, "dmd", b.Name, b, b.Size, importing.Options{}); err != nil {
		t.Fatal(err)
	}
	mapping := filepath.Join(dir, "mapping.xlsx")
	writeMapping(t, mapping)
	if _, err := w.imports.ImportFile(ctx, "bnf-snomed-mapping", mapping, importing.Options{Strict: true}); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"bdz_adq.csv", "opioid_ing_form_ome.csv"} {
		if _, err := w.imports.ImportFile(ctx, "measure-reference", filepath.Join("testdata", f), importing.Options{Strict: true}); err != nil {
			t.Fatal(err)
		}
	}
	epd, err := os.Open(filepath.Join("testdata", "epd_202401.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer epd.Close()
	if _, err := an.ImportPrescribing(ctx, importing.NewSource("EPD_202401.csv", epd)); err != nil {
		t.Fatal(err)
	}
	reg := registry{}
	w.op = opcompat.New(an, opcompat.Sources{DMD: st, Facts: an, Registry: reg})
	w.svc = variation.NewService(w.op, reg)
	return w
}

// sharedMeasures returns ../shared/data/openprescribing-measures, or skips.
func sharedMeasures(t *testing.T) string {
	t.Helper()
	d := filepath.Join("..", "..", "..", "..", "shared", "data", "openprescribing-measures")
	if _, err := os.Stat(filepath.Join(d, "saba.json")); err != nil {
		t.Skip("../shared/data/openprescribing-measures not present (a user's clone): shared definitions test skipped")
	}
	return d
}

func value(t *testing.T, w *world, id, practice string) *float64 {
	t.Helper()
	vs, err := w.svc.Values(context.Background(), id, jan, variation.LevelPractice, practice)
	if err != nil {
		t.Fatalf("%s values: %v", id, err)
	}
	if len(vs) != 1 {
		t.Fatalf("%s %s: %d values", id, practice, len(vs))
	}
	return vs[0].Value
}

func TestDMDFixtureImport(t *testing.T) {
	w := newWorld(t)
	// The AMP whose APID is "ABC" is rejected with its file and line; the
	// AMP that names its VMP by the previous identifier is followed.
	if w.dmdRun.Rejected != 1 || len(w.dmdRun.Rejections) != 1 {
		t.Fatalf("dm+d run %+v", w.dmdRun)
	}
	r := w.dmdRun.Rejections[0]
	if !strings.Contains(r.Reason, "f_amp2_0000001.xml") || !strings.Contains(r.Reason, "APID") || r.Line != 6 {
		t.Fatalf("rejection %+v", r)
	}
	notes := strings.Join(w.dmdRun.Notes, "\n")
	if !strings.Contains(notes, "1 references to previous VMP identifiers") {
		t.Fatalf("notes %q", notes)
	}
}

// TestSharedDefinitions imports all 13 shared OpenPrescribing definitions
// and checks each query and custom one's practice values against figures
// worked out by hand from testdata/epd_202401.csv, the fixture release and
// mapping, and the fixture's list sizes.
func TestSharedDefinitions(t *testing.T) {
	dir := sharedMeasures(t)
	w := newWorld(t)
	ctx := context.Background()
	files, _ := filepath.Glob(filepath.Join(dir, "*.json"))
	sort.Strings(files)
	kinds := map[string]string{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		m, err := variation.ParseMeasure(filepath.Base(f), data)
		if err != nil {
			t.Fatalf("%s: %v", filepath.Base(f), err)
		}
		if err := w.svc.AddMeasure(ctx, m); err != nil {
			t.Fatalf("%s: %v", filepath.Base(f), err)
		}
		kinds[m.ID] = m.Kind()
	}
	if len(kinds) != 13 {
		t.Fatalf("%d definitions imported, want 13", len(kinds))
	}
	// lpzomnibus sums the low-priority measures (here lpcoprox and
	// lpglucosamine are imported; the other 22 count nothing).
	omni, err := os.ReadFile(filepath.Join("testdata", "lpzomnibus.json"))
	if err != nil {
		t.Fatal(err)
	}
	lpz, err := variation.ParseMeasure("lpzomnibus.json", omni)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.svc.AddMeasure(ctx, lpz); err != nil {
		t.Fatal(err)
	}
	count := map[string]int{}
	for _, k := range kinds {
		count[k]++
	}
	if count[variation.KindFilter] != 5 || count[variation.KindQuery] != 4 || count[variation.KindCustom] != 4 {
		t.Fatalf("kinds %v", count)
	}
	nan := math.NaN()
	for _, tc := range []struct {
		id   string
		want [3]float64 // A81001, A81002, A81003; NaN: no value
	}{
		// oral antibacterials (amoxicillin capsules and trimethoprim
		// tablets, not gentamicin injection) per 1,000 patients:
		// A81001 (2 + 1) / 2.0, A81002 (4 + 5) / 1.0, A81003 0 / 4.0
		{"all_antibiotics", [3]float64{1.5, 9, 0}},
		// salbutamol inhaler quantity over salbutamol + corticosteroid
		// inhalers: 2 / (2 + 3), 6 / 6, 0 / 0
		{"saba", [3]float64{0.4, 1, nan}},
		// single-ingredient colecalciferol cost per 1,000 (the calcium
		// combination is left out; the capsules' BNF code is reached
		// through VPIDPREV): 10.00 / 2, 0 / 1, 0 / 4
		{"vitamind", [3]float64{5, 0, 0}},
		// glucosamine cost per 1,000, generic and branded (the AMP):
		// 5.00 / 2, 3.00 / 1, 0 / 4
		{"lpglucosamine", [3]float64{2.5, 3, 0}},
		// amoxicillin 500mg items with more than 15 capsules per item over
		// all: 2 / 2 (21 per item), 0 / 4 (15 per item), none
		{"amox_500_15_caps", [3]float64{1, 0, nan}},
		// diazepam quantity × 0.2 ADQ per 1,000: 100 × 0.2 / 2, 50 × 0.2 / 1, 0
		{"bdzper1000", [3]float64{10, 10, 0}},
		// tamoxifen ADQs (10mg counts half) per 1,000 women 35-74 where
		// women 35-44 are more than 10: 56 / 0.8; A81002 has 10 so no
		// denominator; 0 / 0.02
		{"tamoxifen", [3]float64{70, nan, 0}},
		// high-dose opioid items per 1,000: oxycodone MR 40mg (3 items) /
		// 2; 10mg is below the threshold; 0
		{"opioidper1000", [3]float64{1.5, 0, 0}},
		// every low-priority cost per 1,000: (0 co-proxamol + 5.00
		// glucosamine) / (24 × 2.0 / 24), (0 + 3.00) / 1.0, 0 / 4.0
		{"lpzomnibus", [3]float64{2.5, 3, 0}},
		// a filter measure for comparison: trimethoprim share
		{"trimethoprim", [3]float64{1, 1, nan}},
	} {
		t.Run(tc.id, func(t *testing.T) {
			for i, p := range []string{"A81001", "A81002", "A81003"} {
				got := value(t, w, tc.id, p)
				want := tc.want[i]
				switch {
				case math.IsNaN(want) && got != nil:
					t.Errorf("%s: value %v, want none", p, *got)
				case !math.IsNaN(want) && got == nil:
					t.Errorf("%s: no value, want %v", p, want)
				case got != nil && math.Abs(*got-want) > 1e-9:
					t.Errorf("%s: value %v, want %v", p, *got, want)
				}
			}
		})
	}
	// Percentiles and cost savings come from the same code as filter
	// measures: all_antibiotics ranks 1.5 between 0 and 9; vitamind's
	// median practice is 0, so A81001 would save 10.00 − 0 × 2 at the 50th.
	vs, err := w.svc.Values(ctx, "all_antibiotics", jan, variation.LevelPractice, "A81001")
	if err != nil || vs[0].Percentile == nil || *vs[0].Percentile != 50 {
		t.Fatalf("all_antibiotics A81001 percentile: %+v %v", vs, err)
	}
	vd, err := w.svc.Values(ctx, "vitamind", jan, variation.LevelPractice, "A81001")
	if err != nil || vd[0].CostSavings[50] != 10 {
		t.Fatalf("vitamind A81001 savings: %+v %v", vd, err)
	}
	eng, err := w.svc.Values(ctx, "vitamind", jan, variation.LevelEngland, "")
	if err != nil || eng[0].CostSavings[50] != 10 || eng[0].Numerator != 10 {
		t.Fatalf("vitamind England: %+v %v", eng, err)
	}
}

// TestRefusals: definition SQL that is not a single query over the
// compatibility tables is refused with the clause and the reason.
func TestRefusals(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	base := variation.Measure{ID: "x", Name: "x", Source: variation.SourcePrescribing, Denominator: variation.Part{Quantity: variation.QuantityListSize}}
	for _, tc := range []struct {
		name, clause, says string
		num                variation.Part
	}{
		{"a write", "numerator_bnf_codes_query", "DELETE is not allowed", variation.Part{Quantity: variation.QuantityItems, Query: "DELETE FROM dmd.vmp"}},
		{"two statements", "numerator_bnf_codes_query", "only one statement", variation.Part{Quantity: variation.QuantityItems, Query: "SELECT bnf_code FROM dmd.vmp; SELECT 1"}},
		{"reading a file", "numerator_where", "READ_CSV is not allowed", variation.Part{Quantity: variation.QuantityCustom,
			SQL: &variation.CustomSQL{Columns: "SUM(items) AS numerator", From: "{hscic}.normalised_prescribing", Where: "bnf_code IN (SELECT * FROM read_csv('/etc/passwd'))"}}},
		{"unknown placeholder", "numerator_from", "{project_x}", variation.Part{Quantity: variation.QuantityCustom,
			SQL: &variation.CustomSQL{Columns: "SUM(items) AS numerator", From: "{project_x}.t"}}},
		{"a table ccg lacks", "numerator_columns/from/where", "ccg does not provide", variation.Part{Quantity: variation.QuantityCustom,
			SQL: &variation.CustomSQL{Columns: "SUM(items) AS numerator", From: "{hscic}.prescribing_v2"}}},
		{"not a query", "numerator_bnf_codes_query", "must be one SELECT", variation.Part{Quantity: variation.QuantityItems, Query: "VALUES ('0501013B0AAABAB')"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := base
			m.Numerator = tc.num
			err := w.op.PutMeasure(ctx, m)
			if !errors.Is(err, errs.ErrInvalid) || !strings.Contains(err.Error(), `measure "x": `+tc.clause) || !strings.Contains(err.Error(), tc.says) {
				t.Fatalf("got %v", err)
			}
		})
	}
	stored, err := w.an.StoredMeasures(ctx)
	if err != nil || len(stored) != 0 {
		t.Fatalf("refused measures were stored: %v %v", stored, err)
	}
}

func TestTranslate(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"SELECT DISTINCT(bnf_code)\nFROM {measures}.vw__dmd_objs_with_form_route # oral\nWHERE form_route LIKE '%.oral'",
			"SELECT DISTINCT(bnf_code)\nFROM measures.vw__dmd_objs_with_form_route  \nWHERE form_route LIKE '%.oral'"},
		{"SELECT a FROM `ebmdatalab.hscic.bnf` UNION DISTINCT SELECT b FROM {project}.{dmd}.vmp", "SELECT a FROM hscic.bnf UNION SELECT b FROM dmd.vmp"},
		{`SELECT IEEE_DIVIDE(x, y), SAFE_DIVIDE(x, y), TIMESTAMP(month), SUBSTR(c, 0, 9), CAST(x AS INT64), "a.b"`,
			`SELECT ieee_divide(x, y), safe_divide(x, y), bq_timestamp(month), bq_substr(c, 0, 9), CAST(x AS BIGINT), 'a.b'`},
	} {
		got, err := opcompat.Translate("q", "query", tc.in)
		if err != nil || got != tc.want {
			t.Errorf("Translate(%q)\n got %q, %v\nwant %q", tc.in, got, err, tc.want)
		}
	}
}

// TestPassesOn: the wrapper passes on referrals by band, which the
// standardised referral rates need from the store.
func TestPassesOn(t *testing.T) {
	w := newWorld(t)
	lib, err := variation.Library()
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range lib {
		if m.Source != variation.SourceReferrals {
			continue
		}
		if _, err := w.op.ReferralBands(context.Background(), jan, m); err != nil {
			t.Fatalf("referral bands of %s: %v", m.ID, err)
		}
		return
	}
	t.Fatal("no referral measure in the library")
}
