package variation

import (
	"encoding/csv"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"ccg/internal/stats"
)

var refMeasure = Measure{ID: "ref_ortho", Source: SourceReferrals,
	Numerator:   Part{Quantity: QuantityReferrals, Include: []string{"110"}},
	Denominator: Part{Quantity: QuantityListSize}}

func valueOf(t *testing.T, vs []MeasureValue, level Level, code string) MeasureValue {
	t.Helper()
	for _, v := range vs {
		if v.Level == level && v.OrgCode == code {
			return v
		}
	}
	t.Fatalf("no %s value for %q", level, code)
	return MeasureValue{}
}

// An old list and a young list with the same crude rate: worked by hand.
//
// England's monthly orthopaedic referral rates: 10 per 1,000 women aged
// 20-24, 50 per 1,000 women aged 70-74. OLD has 800 women aged 70-74 and 200
// aged 20-24; YOUNG the other way round. Both made 30 referrals from 1,000
// patients: a crude rate of 30 per 1,000 each.
//
//	expected OLD   = 800 × 0.05 + 200 × 0.01 = 40 + 2 = 42, ratio 30/42 = 0.714
//	expected YOUNG = 200 × 0.05 + 800 × 0.01 = 10 + 8 = 18, ratio 30/18 = 1.667
//
// Byar's 95% limits of 30 events are 20.237 and 42.828, so OLD's ratio lies
// within 20.237/42 .. 42.828/42 = 0.482 .. 1.020 (not significantly
// different from England's rates), while YOUNG's 20.237/18 .. 42.828/18 =
// 1.124 .. 2.379 lies wholly above 1.
func TestStandardiseOldAndYoungLists(t *testing.T) {
	members := []Member{{"OLD", "L1", "C1"}, {"YOUNG", "L1", "C1"}}
	pops := map[string]Population{
		"OLD":   {ListSize: 1000, Bands: map[string]float64{"female:70-74": 800, "female:20-24": 200}},
		"YOUNG": {ListSize: 1000, Bands: map[string]float64{"female:70-74": 200, "female:20-24": 800}},
	}
	sums := map[string]PracticeSums{"OLD": {Numerator: 30}, "YOUNG": {Numerator: 30}}
	table := []ReferenceRate{
		{Month: month, Area: "england", FunctionCode: "110", Sex: "female", AgeBand: "20-24", Referrals: 10, Patients: 1000},
		{Month: month, Area: "england", FunctionCode: "110", Sex: "female", AgeBand: "70-74", Referrals: 50, Patients: 1000},
		{Month: month, Area: "england", FunctionCode: "330", Sex: "female", AgeBand: "70-74", Referrals: 999, Patients: 1000}, // not this measure
	}
	in := MonthInput{Measure: refMeasure, Month: month, Members: members, Populations: pops, Sums: sums}
	in.Std = referralStdInput(refMeasure, month, members, pops, sums, nil, table, month)
	vs, _ := Compute(in)
	old, young := valueOf(t, vs, LevelPractice, "OLD"), valueOf(t, vs, LevelPractice, "YOUNG")
	if *old.Value != 30 || *young.Value != 30 {
		t.Fatalf("crude rates %v and %v, want 30 and 30 per 1,000", *old.Value, *young.Value)
	}
	for _, tc := range []struct {
		v                    MeasureValue
		expected, lo, hi     float64
		high95, withinLimits bool
	}{
		{old, 42, 0.482, 1.020, false, true},
		{young, 18, 1.124, 2.379, true, false},
	} {
		s := tc.v.Std
		if s == nil {
			t.Fatalf("%s: not standardised: %s", tc.v.OrgCode, tc.v.StdWhy)
		}
		if s.Expected != tc.expected || s.Observed != 30 || math.Abs(s.Ratio-30/tc.expected) > 1e-15 {
			t.Errorf("%s: %v / %v = %v, want 30 / %v", tc.v.OrgCode, s.Observed, s.Expected, s.Ratio, tc.expected)
		}
		if math.Abs(s.Lower-tc.lo) > 0.0005 || math.Abs(s.Upper-tc.hi) > 0.0005 || s.Method != "Byars" {
			t.Errorf("%s: limits %.4f .. %.4f (%s), want %.3f .. %.3f (Byars)", tc.v.OrgCode, s.Lower, s.Upper, s.Method, tc.lo, tc.hi)
		}
		if (s.Lower > 1) != tc.high95 || (s.Lower <= 1 && s.Upper >= 1) != tc.withinLimits {
			t.Errorf("%s: interval %v .. %v against 1", tc.v.OrgCode, s.Lower, s.Upper)
		}
		if s.Reference != ReferenceEngland || !strings.Contains(s.ReferenceNote, "England") {
			t.Errorf("%s: reference %q (%s)", tc.v.OrgCode, s.Reference, s.ReferenceNote)
		}
	}
	// The locality adds its practices: 60 observed, 60 expected.
	loc := valueOf(t, vs, LevelLocality, "L1")
	if loc.Std == nil || loc.Std.Observed != 60 || loc.Std.Expected != 60 || loc.Std.Ratio != 1 {
		t.Errorf("locality %+v", loc.Std)
	}
}

// Against the CCG's own rates from referrals by band: the CCG's ratio is 1
// by construction, and referrals without a band are shared out.
func TestStandardiseOwnCCGRates(t *testing.T) {
	members := []Member{{"P1", "", "C1"}, {"P2", "", "C1"}, {"P3", "", "C2"}}
	pops := map[string]Population{
		"P1": {ListSize: 400, Bands: map[string]float64{"female:65-69": 100, "male:25-29": 300}},
		"P2": {ListSize: 400, Bands: map[string]float64{"female:65-69": 300, "male:25-29": 100}},
		"P3": {ListSize: 50, Bands: map[string]float64{"female:65-69": 50}},
	}
	// P2 made 2 more referrals that came without a band.
	sums := map[string]PracticeSums{"P1": {Numerator: 13}, "P2": {Numerator: 27}, "P3": {Numerator: 6}}
	bands := []BandCount{
		{"P1", "female", "65-69", 10}, {"P1", "male", "25-29", 3},
		{"P2", "female", "65-69", 24}, {"P2", "male", "25-29", 1},
		{"P3", "female", "65-69", 6},
	}
	in := MonthInput{Measure: refMeasure, Month: month, Members: members, Populations: pops, Sums: sums}
	in.Std = referralStdInput(refMeasure, month, members, pops, sums, bands, nil, month)
	vs, _ := Compute(in)
	// C1: female 65-69 34/400, male 25-29 4/400, scaled by 40/38.
	scale := 40.0 / 38
	f, m := 34.0/400*scale, 4.0/400*scale
	for code, want := range map[string][2]float64{"P1": {13, 100*f + 300*m}, "P2": {27, 300*f + 100*m}, "P3": {6, 50 * 6.0 / 50}} {
		s := valueOf(t, vs, LevelPractice, code).Std
		if s == nil || s.Observed != want[0] || math.Abs(s.Expected-want[1]) > 1e-12 {
			t.Errorf("%s: %+v, want %v / %v", code, s, want[0], want[1])
			continue
		}
		lo, hi := stats.Byar(want[0], 0.95)
		method := "Byars"
		if want[0] < 10 {
			lo, hi = stats.PoissonExact(want[0], 0.95)
			method = "Exact"
		}
		if s.Method != method || math.Abs(s.Lower-lo/want[1]) > 1e-12 || math.Abs(s.Upper-hi/want[1]) > 1e-12 {
			t.Errorf("%s: limits %v %v (%s), want %v %v (%s)", code, s.Lower, s.Upper, s.Method, lo/want[1], hi/want[1], method)
		}
	}
	for _, c := range []string{"C1", "C2"} {
		s := valueOf(t, vs, LevelCCG, c).Std
		if s == nil || math.Abs(s.Ratio-1) > 1e-12 || s.Reference != "ccg:"+c {
			t.Errorf("CCG %s against its own rates: %+v", c, s)
		}
	}
	// Practices of two references are not added up for England.
	if e := valueOf(t, vs, LevelEngland, ""); e.Std != nil || e.StdWhy == "" {
		t.Errorf("England mixes references: %+v %q", e.Std, e.StdWhy)
	}
}

// Without bands and without a reference table nothing is standardised, and
// the value says why; a CCG table then makes it possible.
func TestStandardiseRefusesWithoutReference(t *testing.T) {
	members := []Member{{"P1", "", "C1"}, {"P2", "", "C1"}}
	pops := map[string]Population{
		"P1": {ListSize: 100, Bands: map[string]float64{"male:0-4": 100}},
		"P2": {ListSize: 100}, // no bands
	}
	sums := map[string]PracticeSums{"P1": {Numerator: 5}, "P2": {Numerator: 5}}
	in := MonthInput{Measure: refMeasure, Month: month, Members: members, Populations: pops, Sums: sums}
	in.Std = referralStdInput(refMeasure, month, members, pops, sums, nil, nil, month)
	vs, _ := Compute(in)
	for _, v := range vs {
		if v.Std != nil || v.StdWhy == "" {
			t.Errorf("%s %s: %+v %q", v.Level, v.OrgCode, v.Std, v.StdWhy)
		}
	}
	if p := valueOf(t, vs, LevelPractice, "P1"); !strings.Contains(p.StdWhy, "referral-rates") {
		t.Errorf("the reason does not say what to import: %q", p.StdWhy)
	}
	earlier := month.Add(-2)
	table := []ReferenceRate{{Month: earlier, Area: "C1", FunctionCode: "110", Sex: "male", AgeBand: "0-4", Referrals: 4, Patients: 200}}
	in.Std = referralStdInput(refMeasure, month, members, pops, sums, nil, table, earlier)
	vs, _ = Compute(in)
	p1 := valueOf(t, vs, LevelPractice, "P1")
	if p1.Std == nil || p1.Std.Expected != 2 || p1.Std.Reference != "ccg:C1" || !strings.Contains(p1.Std.ReferenceNote, "nearest month") {
		t.Errorf("P1 against the CCG table: %+v", p1.Std)
	}
	if p2 := valueOf(t, vs, LevelPractice, "P2"); p2.Std != nil || !strings.Contains(p2.StdWhy, "age and sex") {
		t.Errorf("P2 has no bands: %+v %q", p2.Std, p2.StdWhy)
	}
	for _, order := range [][]Member{members, {members[1], members[0]}} {
		in.Members = order
		vs, _ := Compute(in)
		if c := valueOf(t, vs, LevelCCG, "C1"); c.Std != nil || !strings.Contains(c.StdWhy, "Not every practice") {
			t.Errorf("C1 with a practice not standardised (%s first): %+v %q", order[0].Practice, c.Std, c.StdWhy)
		}
	}
	in.Members = members
	// A table without one of the practice's bands would understate what is
	// expected: refused, naming the band.
	pops["P1"] = Population{ListSize: 130, Bands: map[string]float64{"male:0-4": 100, "female:95+": 30}}
	in.Std = referralStdInput(refMeasure, month, members, pops, sums, nil, table, earlier)
	vs, _ = Compute(in)
	if p1 := valueOf(t, vs, LevelPractice, "P1"); p1.Std != nil || !strings.Contains(p1.StdWhy, "30 of this practice's patients (for example female 95+)") {
		t.Errorf("P1 with a band the table lacks: %+v %q", p1.Std, p1.StdWhy)
	}
}

// Items per 1,000 patients standardised by ASTRO-PU: expected = the
// practice's ASTRO-PU × all practices' items per ASTRO-PU.
func TestStandardiseASTROPU(t *testing.T) {
	m := Measure{ID: "items", Source: SourcePrescribing, Numerator: Part{Quantity: QuantityItems, Include: []string{"0401"}}, Denominator: Part{Quantity: QuantityListSize}}
	if !Standardisable(m) {
		t.Fatal("an items per 1,000 measure is standardisable")
	}
	if Standardisable(Measure{Source: SourcePrescribing, Numerator: Part{Quantity: QuantityCost}, Denominator: Part{Quantity: QuantityListSize}}) {
		t.Error("cost is not a count of events")
	}
	members := []Member{{"P1", "", "C1"}, {"P2", "", "C1"}}
	pops := map[string]Population{
		"P1": {ListSize: 1000, Banded: true, ASTROPUItems: 3000},
		"P2": {ListSize: 1000, Banded: true, ASTROPUItems: 9000},
	}
	sums := map[string]PracticeSums{"P1": {Numerator: 400}, "P2": {Numerator: 800}}
	in := MonthInput{Measure: m, Month: month, Members: members, Populations: pops, Sums: sums, Std: astroPUStdInput(members, pops, sums)}
	vs, _ := Compute(in)
	// 1,200 items over 12,000 ASTRO-PU: 0.1 per ASTRO-PU.
	for code, e := range map[string]float64{"P1": 300, "P2": 900} {
		s := valueOf(t, vs, LevelPractice, code).Std
		if s == nil || math.Abs(s.Expected-e) > 1e-9 || s.Basis != BasisASTROPU {
			t.Errorf("%s: %+v, want expected %v", code, s, e)
		}
	}
}

// The ISR funnel flags against limits around 1 and gives a curve.
func TestBuildStdFunnel(t *testing.T) {
	var vs []MeasureValue
	for i, oe := range [][2]float64{{10, 10}, {22, 20}, {28, 30}, {80, 40}, {41, 40}, {19, 20}, {31, 30}, {52, 50}, {48, 50}, {60, 61}} {
		vs = append(vs, MeasureValue{OrgCode: string(rune('A' + i)), Level: LevelPractice, Std: &StdValue{Observed: oe[0], Expected: oe[1], Ratio: oe[0] / oe[1]}})
	}
	vs = append(vs, MeasureValue{OrgCode: "X", Level: LevelPractice}) // not standardised: left out
	fp := BuildStdFunnel(vs)
	if len(fp.Points) != 10 || fp.Summary == nil || len(fp.Curve) == 0 {
		t.Fatalf("%+v", fp)
	}
	if !fp.Points[3].Std.High95 || fp.Points[0].Std.Outlier() {
		t.Errorf("D (80 of 40 expected) must be high, A (10 of 10) within: %+v %+v", fp.Points[3].Std, fp.Points[0].Std)
	}
	if vs[3].Std.High95 {
		t.Error("BuildStdFunnel changed its input")
	}
}

// PHEindicatormethods' ISR test data, run through the referral path: the
// reference counts and populations become an imported England table, the
// area's populations a practice's list by band, its counts its referrals.
func TestStandardisePHEVectors(t *testing.T) {
	dir := filepath.Join("..", "..", "..", "shared", "data", "stats")
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("the PHE reference vectors (../shared/data/stats) are not here: %v", err)
	}
	read := func(name string) []map[string]string {
		f, err := os.Open(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		recs, err := csv.NewReader(f).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		var out []map[string]string
		for _, r := range recs[1:] {
			m := map[string]string{}
			for i, c := range recs[0] {
				m[c] = strings.TrimSpace(r[i])
			}
			out = append(out, m)
		}
		return out
	}
	num := func(s string) float64 {
		if s == "" || s == "NA" {
			return 0 // PHE: na.zero
		}
		v, err := strconv.ParseFloat(s, 64)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	type area struct {
		pop      map[string]float64
		observed float64
		table    []ReferenceRate
	}
	areas := map[string]*area{}
	for _, r := range read("phe_isr_inputs.csv") {
		a := areas[r["area"]]
		if a == nil {
			a = &area{pop: map[string]float64{}}
			areas[r["area"]] = a
		}
		a.pop[BandKey("female", r["ageband"])] += num(r["pop"])
		a.observed += num(r["count"])
		a.table = append(a.table, ReferenceRate{Month: month, Area: "england", FunctionCode: "110", Sex: "female", AgeBand: r["ageband"],
			Referrals: int64(num(r["refcount"])), Patients: int64(num(r["refpop"]))})
	}
	rel := func(got, want float64) bool { return math.Abs(got-want) <= 1e-12*math.Abs(want) }
	checked := 0
	for i, r := range read("phe_isr_expected.csv") {
		if r["function"] != "ISRatio" {
			continue
		}
		a := areas[r["area"]]
		members := []Member{{"P1", "", "C1"}}
		pops := map[string]Population{"P1": {ListSize: 1, Bands: a.pop}}
		sums := map[string]PracticeSums{"P1": {Numerator: a.observed}}
		in := MonthInput{Measure: refMeasure, Month: month, Members: members, Populations: pops, Sums: sums}
		in.Std = referralStdInput(refMeasure, month, members, pops, sums, nil, a.table, month)
		vs, _ := Compute(in)
		s := valueOf(t, vs, LevelPractice, "P1").Std
		if s == nil {
			t.Fatalf("row %d: not standardised", i+2)
		}
		mult := num(r["multiplier_or_refvalue"])
		for _, c := range []struct {
			col  string
			got  float64
			want string
		}{
			{"observed", s.Observed, r["observed"]}, {"expected", s.Expected, r["expected"]},
			{"value", s.Ratio * mult, r["value"]},
			{"lower95_0cl", s.Lower * mult, r["lower95_0cl"]}, {"upper95_0cl", s.Upper * mult, r["upper95_0cl"]},
			{"lower99_8cl", s.Lower998 * mult, r["lower99_8cl"]}, {"upper99_8cl", s.Upper998 * mult, r["upper99_8cl"]},
		} {
			if c.want == "" {
				continue
			}
			if !rel(c.got, num(c.want)) {
				t.Errorf("phe_isr_expected.csv row %d (%s) %s: %v, want %s", i+2, r["area"], c.col, c.got, c.want)
			}
			checked++
		}
		if s.Method != r["method"] {
			t.Errorf("row %d: method %s, want %s", i+2, s.Method, r["method"])
		}
	}
	if checked < 30 {
		t.Errorf("only %d figures checked", checked)
	}
}

// The CSV carries the standardised ratio in its last columns, and the
// reason when there is none.
func TestValuesCSVStandardised(t *testing.T) {
	var b strings.Builder
	vs := []MeasureValue{
		{MeasureID: "m", Month: month, Level: LevelPractice, OrgCode: "A", Std: &StdValue{Basis: BasisAgeSex, Reference: "england", ReferenceNote: "England's rates",
			Observed: 30, Expected: 42, Ratio: 0.75, Lower: 0.5, Upper: 1.02, Lower998: 0.4, Upper998: 1.2, Method: "Byars"}},
		{MeasureID: "m", Month: month, Level: LevelPractice, OrgCode: "B", StdWhy: "=no bands"},
	}
	if err := WriteValuesCSV(&b, vs); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(strings.NewReader(b.String())).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, c := range recs[0] {
		col[c] = i
	}
	for name, want := range map[string]string{"expected": "42", "ratio": "0.75", "ratio_lower_95": "0.5", "ratio_upper_95": "1.02", "ratio_method": "Byars", "ratio_reference": "england"} {
		if got := recs[1][col[name]]; got != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
	if got := recs[2][col["ratio_note"]]; got != "'=no bands" || recs[2][col["ratio"]] != "" {
		t.Errorf("B: note %q ratio %q", got, recs[2][col["ratio"]])
	}
}

// A service over a draft keeps the reference tables (imports compute their
// months over a draft).
func TestOverKeepsReferenceStore(t *testing.T) {
	s := &Service{}
	var refs ReferenceStore = fakeRefs{}
	s.SetReferenceStore(refs)
	if s.Over(nil).References() == nil {
		t.Error("Over dropped the reference store")
	}
}

type fakeRefs struct{ ReferenceStore }
