package duckdb

import (
	"bytes"
	"context"
	"encoding/csv"
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"ccg/internal/calendar"
	"ccg/internal/importing"
	"ccg/internal/registry"
	"ccg/internal/variation"
)

// fakeRegistry is a registry port with fixed members and list sizes.
type fakeRegistry struct {
	members []variation.Member
	pops    map[calendar.Month]map[string]variation.Population
}

func (f fakeRegistry) Members(context.Context, calendar.Month) ([]variation.Member, error) {
	return f.members, nil
}

func (f fakeRegistry) Populations(_ context.Context, m calendar.Month) (map[string]variation.Population, error) {
	return f.pops[m], nil
}

func importPath(t *testing.T, s *Store, svc *variation.Service, path string) PrescribingImport {
	t.Helper()
	res, err := importFile(t, s, path)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range res.Months {
		if err := svc.ComputeMonth(context.Background(), m); err != nil {
			t.Fatal(err)
		}
	}
	return res
}

// An OpenPrescribing-format definition gives the figures OpenPrescribing's
// rules give, computed here by hand from the fixture's rows.
func TestOpenPrescribingReconciliation(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	reg := fakeRegistry{
		members: []variation.Member{{Practice: "T00001", Locality: "L1", CCG: "C1"}, {Practice: "T00002", Locality: "L1", CCG: "C1"},
			{Practice: "T00003", Locality: "L2", CCG: "C2"}, {Practice: "T00004", Locality: "L2", CCG: "C2"}},
		pops: map[calendar.Month]map[string]variation.Population{calendar.MustMonth("2018-01"): {
			"T00001": {ListSize: 5000}, "T00002": {ListSize: 8000}, "T00003": {ListSize: 3000}, "T00004": {ListSize: 4000}}},
	}
	svc := variation.NewService(s, reg)
	importPath(t, s, svc, "testdata/EPD_201801_fixture.csv")
	def, err := os.ReadFile("../../variation/testdata/op_nsaids.json")
	if err != nil {
		t.Fatal(err)
	}
	m, err := variation.ParseMeasure("op_nsaids.json", def)
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.AddMeasure(ctx, m); err != nil {
		t.Fatal(err)
	}

	// By hand: read the fixture, sum items per practice where the code is
	// an NSAID (100101…) and, for the numerator, not ibuprofen or naproxen.
	f, _ := os.Open("testdata/EPD_201801_fixture.csv")
	defer f.Close()
	r := csv.NewReader(f)
	head, _ := r.Read()
	col := map[string]int{}
	for i, h := range head {
		col[h] = i
	}
	num, den := map[string]float64{}, map[string]float64{}
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		code, prac := rec[col["BNF_CODE"]], rec[col["PRACTICE_CODE"]]
		items, _ := strconv.ParseFloat(rec[col["ITEMS"]], 64)
		if strings.HasPrefix(code, "100101") {
			den[prac] += items
			if !strings.HasPrefix(code, "1001010J0") && !strings.HasPrefix(code, "1001010P0") {
				num[prac] += items
			}
		}
	}
	// OpenPrescribing's rules: value = num/den (NULL when den = 0) for the
	// registry's practices; percentile = PERCENT_RANK × 100.
	members := []string{"T00001", "T00002", "T00003", "T00004"}
	var vals []float64
	for _, p := range members {
		if den[p] > 0 {
			vals = append(vals, num[p]/den[p])
		}
	}
	sort.Float64s(vals)
	rank := func(v float64) float64 {
		k := sort.SearchFloat64s(vals, v)
		return float64(k) / float64(len(vals)-1) * 100
	}
	got, err := svc.Values(ctx, "op_nsaids", calendar.MustMonth("2018-01"), variation.LevelPractice, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(members) {
		t.Fatalf("%d practice values, want %d (unknown practice X99999 left out)", len(got), len(members))
	}
	for _, v := range got {
		p := v.OrgCode
		if v.Numerator != num[p] || v.Denominator != den[p] {
			t.Errorf("%s: %v/%v, by hand %v/%v", p, v.Numerator, v.Denominator, num[p], den[p])
		}
		if den[p] == 0 {
			if v.Value != nil || v.Percentile != nil {
				t.Errorf("%s: no denominator, yet value %v", p, v.Value)
			}
			continue
		}
		if v.Value == nil || math.Abs(*v.Value-num[p]/den[p]) > 1e-12 || v.Percentile == nil || math.Abs(*v.Percentile-rank(num[p]/den[p])) > 1e-9 {
			t.Errorf("%s: value %v percentile %v, by hand %v %v", p, v.Value, v.Percentile, num[p]/den[p], rank(num[p]/den[p]))
		}
	}
	// The hand-worked figures, for the record: T00001 8/20, T00002 2/32, T00003 4/8.
	ds, err := svc.Deciles(ctx, "op_nsaids", variation.LevelPractice, calendar.Month{}, calendar.Month{})
	if err != nil || len(ds) != 1 {
		t.Fatalf("deciles %v %v", ds, err)
	}
	if d := ds[0].Values; math.Abs(d[10]-(0.0625+0.2*(0.4-0.0625))) > 1e-12 || d[50] != 0.4 || math.Abs(d[90]-0.48) > 1e-12 {
		t.Errorf("deciles %v", d)
	}
	eng, _ := svc.Values(ctx, "op_nsaids", calendar.MustMonth("2018-01"), variation.LevelEngland, "")
	if len(eng) != 1 || eng[0].Numerator != 14 || eng[0].Denominator != 60 {
		t.Errorf("England %+v", eng)
	}
	// A cost-based list-size measure from the library: co-proxamol.
	cp, _ := svc.Values(ctx, "lowvalue_coproxamol", calendar.MustMonth("2018-01"), variation.LevelPractice, "T00002")
	if len(cp) != 1 || cp[0].Numerator != 495 || cp[0].Denominator != 8 || *cp[0].Value != 495.0/8 {
		t.Fatalf("co-proxamol %+v", cp)
	}
	// deciles of 0, 61.875, 0, 0 → 50th = 0: saving = 495 - 0*8
	if cp[0].CostSavings[50] != 495 {
		t.Errorf("co-proxamol savings %v", cp[0].CostSavings)
	}
	// Export.
	var buf bytes.Buffer
	if err := variation.WriteValuesCSV(&buf, got); err != nil {
		t.Fatal(err)
	}
	if lines := strings.Count(buf.String(), "\n"); lines != 5 {
		t.Errorf("csv has %d lines", lines)
	}
	// Practice page and locality view.
	pm, err := svc.Practice(ctx, "T00001", calendar.MustMonth("2018-01"))
	if err != nil || len(pm) < 16 {
		t.Fatalf("practice page: %d measures, %v", len(pm), err)
	}
	lv, err := svc.Locality(ctx, "L1", calendar.MustMonth("2018-01"), []string{"op_nsaids", "broad_spectrum_antibiotics"})
	if err != nil || len(lv.Practices) != 2 || len(lv.Cells) != 2 || lv.Cells[0][0] == nil || lv.LocalityValues[0] == nil || lv.EnglandValues[0] == nil {
		t.Fatalf("locality view %+v %v", lv, err)
	}
	if lv.LocalityValues[0].Numerator != 10 || lv.LocalityValues[0].Denominator != 52 {
		t.Errorf("locality L1 %+v", lv.LocalityValues[0])
	}
}

// readListSizes reads the shared NHS Digital list-size sample (just enough
// of it for the test: ALL/ALL and the 5-year bands).
func readListSizes(t *testing.T, name string) map[string]variation.Population {
	t.Helper()
	f, err := os.Open(filepath.Join("../../../../shared/data/listsize", name))
	if err != nil {
		t.Skipf("shared list sizes not available: %v", err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = -1
	head, _ := r.Read()
	col := map[string]int{}
	for i, h := range head {
		col[h] = i
	}
	var rows []registry.ListSize
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		n, _ := strconv.Atoi(rec[col["NUMBER_OF_PATIENTS"]])
		sex := registry.Sex(strings.ToLower(rec[col["SEX"]]))
		band := strings.ReplaceAll(strings.ToLower(rec[col["AGE_GROUP_5"]]), "_", "-")
		rows = append(rows, registry.ListSize{Practice: rec[col["ORG_CODE"]], Sex: sex, AgeBand: band, Patients: n})
	}
	return variation.Populations(rows)
}

// The two real EPD months give sensible values for their four practices.
func TestSharedEPDMeasures(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	sep, oct := calendar.MustMonth("2017-09"), calendar.MustMonth("2017-10")
	reg := fakeRegistry{
		members: []variation.Member{{Practice: "B85010", CCG: "03A"}, {Practice: "B85054", CCG: "03A"},
			{Practice: "L84018", CCG: "11M"}, {Practice: "L84073", CCG: "11M"}},
		pops: map[calendar.Month]map[string]variation.Population{
			sep: readListSizes(t, "gp-reg-pat-prac-quin-age_2017_09_sample.csv"),
			oct: readListSizes(t, "gp-reg-pat-prac-quin-age_2017_10_sample.csv"),
		},
	}
	svc := variation.NewService(s, reg)
	importPath(t, s, svc, sharedFile(t, "epd_201709_4practices.csv"))
	importPath(t, s, svc, sharedFile(t, "epd_201710_4practices.csv"))
	ms, _ := svc.Measures(ctx)
	for _, month := range []calendar.Month{sep, oct} {
		for _, m := range ms {
			if m.Source != variation.SourcePrescribing {
				continue
			}
			vs, err := svc.Values(ctx, m.ID, month, variation.LevelPractice, "")
			if err != nil {
				t.Fatal(err)
			}
			if len(vs) != 4 {
				t.Errorf("%s %s: %d practices", m.ID, month, len(vs))
			}
			var line []string
			for _, v := range vs {
				if v.Value == nil {
					line = append(line, v.OrgCode+"=–")
					continue
				}
				x := *v.Value
				if x < 0 || (m.IsPercentage && x > 1) || math.IsNaN(x) {
					t.Errorf("%s %s %s: value %v", m.ID, month, v.OrgCode, x)
				}
				line = append(line, v.OrgCode+"="+strconv.FormatFloat(x, 'g', 4, 64))
			}
			t.Logf("%s %-32s %s", month, m.ID, strings.Join(line, " "))
		}
	}
	// Spot checks of plausible ranges (values per 1,000 patients a month).
	check := func(id string, lo, hi float64) {
		vs, _ := svc.Values(ctx, id, sep, variation.LevelPractice, "")
		for _, v := range vs {
			if v.Value == nil || *v.Value < lo || *v.Value > hi {
				t.Errorf("%s %s = %v, want %v..%v", id, v.OrgCode, v.Value, lo, hi)
			}
		}
	}
	check("broad_spectrum_antibiotics", 0.01, 0.4)
	check("antibiotics_per_star_pu", 20, 200)
	check("gabapentinoids_per_1000", 3, 60)
	check("ppi_per_astro_pu", 5, 100)
	check("hypnotics_anxiolytics_per_1000", 2, 60)
	// Re-import leaves the values as they were.
	before, _ := svc.Values(ctx, "broad_spectrum_antibiotics", sep, variation.LevelPractice, "")
	importPath(t, s, svc, sharedFile(t, "epd_201709_4practices.csv"))
	after, _ := svc.Values(ctx, "broad_spectrum_antibiotics", sep, variation.LevelPractice, "")
	for i := range before {
		if *before[i].Value != *after[i].Value {
			t.Errorf("re-import changed %s", before[i].OrgCode)
		}
	}
	// PDPI sample imports too.
	res, err := importFile(t, s, sharedFile(t, "pdpi_bnft_201410_sample.csv"))
	if err != nil || res.Layout != LayoutPDPI {
		t.Fatal(err)
	}
	_ = importing.Rejection{}
}
