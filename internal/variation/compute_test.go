package variation

import (
	"math"
	"testing"

	"ccg/internal/calendar"
)

func approx(a, b float64) bool { return math.Abs(a-b) <= 1e-9*math.Max(1, math.Abs(b)) }

func boolp(b bool) *bool { return &b }

var month = calendar.MustMonth("2024-01")

// A list-size cost measure over four practices in two localities of one
// CCG, worked by hand.
func TestComputeRateMeasureByHand(t *testing.T) {
	m := Measure{ID: "lp", Name: "lp", Source: SourcePrescribing, CostBased: true, LowIsGood: boolp(true),
		Numerator: Part{Quantity: QuantityCost, Include: []string{"0407010Q0"}}, Denominator: Part{Quantity: QuantityListSize}}
	in := MonthInput{
		Measure: m, Month: month,
		Members: []Member{{"P1", "L1", "C1"}, {"P2", "L1", "C1"}, {"P3", "L2", "C1"}, {"P4", "L2", "C1"}, {"P5", "L2", "C1"}},
		Populations: map[string]Population{
			"P1": {ListSize: 1000}, "P2": {ListSize: 2000}, "P3": {ListSize: 1000}, "P4": {ListSize: 4000},
			// P5 has no list size: no value, flagged.
		},
		// values per 1,000: P1 10/1 = 10, P2 40/2 = 20, P3 20/1 = 20, P4 160/4 = 40
		Sums: map[string]PracticeSums{"P1": {Numerator: 10}, "P2": {Numerator: 40}, "P3": {Numerator: 20}, "P4": {Numerator: 160}, "P5": {Numerator: 5}},
	}
	values, deciles := Compute(in)
	byOrg := map[string]MeasureValue{}
	for _, v := range values {
		byOrg[string(v.Level)+":"+v.OrgCode] = v
	}
	want := map[string]struct {
		value, pct float64
	}{
		"practice:P1": {10, 0}, "practice:P2": {20, 100.0 / 3}, "practice:P3": {20, 100.0 / 3}, "practice:P4": {40, 100},
	}
	for k, w := range want {
		v := byOrg[k]
		if v.Value == nil || !approx(*v.Value, w.value) || v.Percentile == nil || !approx(*v.Percentile, w.pct) {
			t.Errorf("%s: value %v percentile %v, want %v %v", k, v.Value, v.Percentile, w.value, w.pct)
		}
	}
	p5 := byOrg["practice:P5"]
	if p5.Value != nil || p5.Percentile != nil || len(p5.Flags.Quality) == 0 || p5.Flags.Quality[0] != QualityNoListSize {
		t.Errorf("P5: %+v", p5)
	}
	// deciles of 10, 20, 20, 40 (type 7): 10th = 10 + 0.3*10 = 13; 50th = 20; 90th = 20 + 0.7*20 = 34
	pd := deciles[0]
	if pd.Level != LevelPractice || pd.Count != 4 || !approx(pd.Values[10], 13) || !approx(pd.Values[50], 20) || !approx(pd.Values[90], 34) {
		t.Errorf("practice deciles %+v", pd)
	}
	// cost savings at the 10th: numerator − 13 × denominator
	cs := map[string]float64{"P1": 10 - 13*1, "P2": 40 - 13*2, "P3": 20 - 13*1, "P4": 160 - 13*4, "P5": 5 - 13*0}
	total := 0.0
	for p, w := range cs {
		if got := byOrg["practice:"+p].CostSavings[10]; !approx(got, w) {
			t.Errorf("%s saving at 10th = %v, want %v", p, got, w)
		}
		if w > 0 {
			total += w
		}
	}
	eng := byOrg["england:"]
	if !approx(eng.CostSavings[10], total) || !approx(pd.CostSavings[10], total) {
		t.Errorf("England saving %v, practice-level total %v, want %v (positive only)", eng.CostSavings[10], pd.CostSavings[10], total)
	}
	// England: (10+40+20+160+5) / 8
	if eng.Value == nil || !approx(*eng.Value, 235.0/8) || eng.Numerator != 235 || eng.Denominator != 8 {
		t.Errorf("England %+v", eng)
	}
	// localities: L1 = 50/3, L2 = (20+160+5)/5 = 37
	l1, l2 := byOrg["locality:L1"], byOrg["locality:L2"]
	if !approx(*l1.Value, 50.0/3) || !approx(*l2.Value, 37) || *l1.Percentile != 0 || *l2.Percentile != 100 {
		t.Errorf("localities %+v %+v", l1, l2)
	}
	if len(l2.Flags.Quality) != 1 || l2.Flags.Quality[0] != QualityMemberFlags || len(l1.Flags.Quality) != 0 {
		t.Errorf("locality quality flags %v %v", l1.Flags.Quality, l2.Flags.Quality)
	}
	// locality deciles of 16.67 and 37, locality savings use them
	var ld Deciles
	for _, d := range deciles {
		if d.Level == LevelLocality {
			ld = d
		}
	}
	l10 := 50.0/3 + 0.1*(37-50.0/3)
	if !approx(ld.Values[10], l10) || !approx(l2.CostSavings[10], 185-l10*5) {
		t.Errorf("locality deciles %v, L2 saving %v", ld.Values, l2.CostSavings[10])
	}
	if c := byOrg["ccg:C1"]; !approx(*c.Value, 235.0/8) || *c.Percentile != 0 {
		t.Errorf("ccg %+v", c)
	}
}

// A percentage measure: the brand-versus-generic cost model, worked by hand.
func TestComputePercentageCostSavingsByHand(t *testing.T) {
	m := Measure{ID: "brand", Name: "brand", Source: SourcePrescribing, CostBased: true, IsPercentage: true, LowIsGood: boolp(true),
		Numerator:   Part{Quantity: QuantityQuantity, Include: []string{"0408010AEBB"}},
		Denominator: Part{Quantity: QuantityQuantity, Include: []string{"0408010AE"}}}
	in := MonthInput{Measure: m, Month: month,
		Members: []Member{{"P1", "", "C1"}, {"P2", "", "C1"}, {"P3", "", "C2"}},
		Sums: map[string]PracticeSums{
			// brand 100 of 1000 units; brand costs 2.00/unit, generic 0.10/unit
			"P1": {Numerator: 100, Denominator: 1000, NumQuantity: 100, NumCost: 200, DenQuantity: 1000, DenCost: 200 + 90},
			// no brand at all
			"P2": {Numerator: 0, Denominator: 500, DenQuantity: 500, DenCost: 50},
			// all brand
			"P3": {Numerator: 300, Denominator: 300, NumQuantity: 300, NumCost: 600, DenQuantity: 300, DenCost: 600},
		}}
	values, deciles := Compute(in)
	// values 0.1, 0, 1 → sorted 0, 0.1, 1; 10th = 0 + 0.2*0.1 = 0.02
	d10 := deciles[0].Values[10]
	if !approx(d10, 0.02) {
		t.Fatalf("10th decile %v", d10)
	}
	// England prices: per brand unit (200+600)/(100+300) = 2; per rest unit (290+50+600-800)/(1800-400) = 0.1
	numPrice, restPrice := 2.0, 0.1
	want := map[string]float64{
		"P1": 290 - (0.02*1000*2 + (1000-0.02*1000)*0.1),
		"P2": 50 - (0.02*500*numPrice + (500-0.02*500)*0.1), // no brand: England's brand price
		"P3": 600 - (0.02*300*2 + (300-0.02*300)*restPrice), // no generic: England's generic price
	}
	for _, v := range values {
		if v.Level != LevelPractice {
			continue
		}
		if got := v.CostSavings[10]; !approx(got, want[v.OrgCode]) {
			t.Errorf("%s: saving %v, want %v", v.OrgCode, got, want[v.OrgCode])
		}
	}
	if got := CostSavingPercentage(0, 0, 0, 0, 0.5, 2, 0.1); got != 0 {
		t.Errorf("nothing prescribed saves %v", got)
	}
}

func TestComputeNullWhenDenominatorZero(t *testing.T) {
	m := Measure{ID: "p", Name: "p", Source: SourcePrescribing, IsPercentage: true,
		Numerator: Part{Quantity: QuantityItems, Include: []string{"01"}}, Denominator: Part{Quantity: QuantityItems, Include: []string{"01"}}}
	values, deciles := Compute(MonthInput{Measure: m, Month: month, Members: []Member{{"P1", "", "C"}, {"P2", "", "C"}},
		Sums: map[string]PracticeSums{"P1": {Numerator: 1, Denominator: 2}}})
	for _, v := range values {
		if v.OrgCode == "P2" && (v.Value != nil || v.Percentile != nil || v.CostSavings != nil) {
			t.Errorf("P2 has no denominator: %+v", v)
		}
		if v.OrgCode == "P1" && (v.Value == nil || *v.Value != 0.5 || *v.Percentile != 0) {
			t.Errorf("P1 %+v", v)
		}
	}
	if deciles[0].Count != 1 || deciles[0].Values[50] != 0.5 {
		t.Errorf("deciles %+v", deciles[0])
	}
}

func TestFunnelFlags(t *testing.T) {
	m := Measure{ID: "p", Name: "p", Source: SourcePrescribing, IsPercentage: true,
		Numerator: Part{Quantity: QuantityItems, Include: []string{"01"}}, Denominator: Part{Quantity: QuantityItems, Include: []string{"01"}}}
	sums := map[string]PracticeSums{}
	var members []Member
	for i := 0; i < 30; i++ {
		code := string(rune('A'+i/10)) + string(rune('0'+i%10))
		members = append(members, Member{code, "", "C"})
		sums[code] = PracticeSums{Numerator: float64(100 + i%3), Denominator: 1000}
	}
	sums["C9"] = PracticeSums{Numerator: 400, Denominator: 1000} // a real outlier
	values, deciles := Compute(MonthInput{Measure: m, Month: month, Members: members, Sums: sums})
	if deciles[0].Funnel == nil || deciles[0].Funnel.Method != "proportion" {
		t.Fatalf("no funnel: %+v", deciles[0])
	}
	for _, v := range values {
		if v.Level != LevelPractice {
			continue
		}
		if v.Limits == nil {
			t.Fatalf("%s has no limits", v.OrgCode)
		}
		if v.OrgCode == "C9" && !(v.Flags.High998 && v.Flags.High95) {
			t.Errorf("C9 not flagged: %+v", v.Flags)
		}
		if v.OrgCode == "A0" && v.Flags.Outlier() {
			t.Errorf("A0 flagged: %+v %+v", v.Flags, v.Limits)
		}
	}
}

func TestBuildFunnel(t *testing.T) {
	m := Measure{ID: "p", Name: "p", Source: SourcePrescribing, IsPercentage: true,
		Numerator: Part{Quantity: QuantityItems, Include: []string{"01"}}, Denominator: Part{Quantity: QuantityItems, Include: []string{"01"}}}
	var vs []MeasureValue
	for i := 0; i < 12; i++ {
		n, d := float64(20+i), float64(100+10*i)
		v := n / d
		vs = append(vs, MeasureValue{OrgCode: string(rune('A' + i)), Numerator: n, Denominator: d, Value: &v, Flags: Flags{High998: true}})
	}
	fp := BuildFunnel(m, month, "C1", vs)
	if fp.Summary == nil || len(fp.Curve) < 50 || len(fp.Points) != 12 {
		t.Fatalf("%+v", fp)
	}
	for _, c := range fp.Curve {
		if !(c.Lower998 <= c.Lower95 && c.Lower95 <= fp.Summary.Target && fp.Summary.Target <= c.Upper95 && c.Upper95 <= c.Upper998) {
			t.Errorf("limits out of order at %v: %+v", c.Denominator, c)
		}
	}
	if fp.Points[0].Limits == nil || fp.Points[0].Flags.High998 {
		t.Errorf("flags not recomputed: %+v", fp.Points[0])
	}
	if !vs[0].Flags.High998 {
		t.Error("the input was changed")
	}
}
