package finance

import (
	"errors"
	"math"
	"slices"
	"testing"

	"ccg/internal/calendar"
	"ccg/internal/errs"
	"ccg/internal/registry"
)

func TestApportion(t *testing.T) {
	tests := []struct {
		name    string
		total   Money
		weights []float64
		want    []Money
	}{
		{"exact", 1000, []float64{1, 2, 3, 4}, []Money{100, 200, 300, 400}},
		// 100/3 = 33.33 each; floors 99; the 1p left goes to the first of equals.
		{"thirds", 100, []float64{1, 1, 1}, []Money{34, 33, 33}},
		// quotas 200×1/7 = 28.571, 200×2/7 = 57.143, 200×4/7 = 114.286;
		// floors 28+57+114 = 199; largest remainder .571 takes the last 1p.
		{"sevenths", 200, []float64{1, 2, 4}, []Money{29, 57, 114}},
		// -10 is shared as 10 (4, 3, 3) and negated.
		{"negative", -10, []float64{1, 1, 1}, []Money{-4, -3, -3}},
		// 5 × 1/2 = 2.5 each for the second and third; the zero weight gets 0;
		// equal remainders and weights: the earlier position takes the 1p.
		{"zero weight", 5, []float64{0, 1, 1}, []Money{0, 3, 2}},
		// quotas 3×2/12 = 0.5, 3×4/12 = 1, 3×6/12 = 1.5; floors 0+1+1 = 2;
		// remainders .5 and .5 tie: the larger weight (6) takes the 1p.
		{"tie by weight", 3, []float64{2, 4, 6}, []Money{0, 1, 2}},
		{"zero total", 0, []float64{1, 2}, []Money{0, 0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Apportion(tt.total, tt.weights)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("Apportion(%d, %v) = %v, want %v", tt.total, tt.weights, got, tt.want)
			}
			if Sum(got) != tt.total {
				t.Errorf("shares sum to %d, want %d", Sum(got), tt.total)
			}
		})
	}
	for _, bad := range [][]float64{nil, {1, -1}, {0, 0}, {math.NaN()}, {math.Inf(1)}} {
		if _, err := Apportion(10, bad); !errors.Is(err, errs.ErrInvalid) {
			t.Errorf("Apportion(10, %v) error = %v, want ErrInvalid", bad, err)
		}
	}
}

func TestApportionAlwaysSums(t *testing.T) {
	weights := []float64{527.7398203052315, 1884.785072518684, 31.40270442391198, 0.1, 12345.678}
	for _, total := range []Money{1, 7, 99, 123456789, 98765432101, -555} {
		got, err := Apportion(total, weights)
		if err != nil {
			t.Fatal(err)
		}
		if Sum(got) != total {
			t.Errorf("total %d: shares %v sum to %d", total, got, Sum(got))
		}
	}
}

func TestParsePounds(t *testing.T) {
	tests := []struct {
		in      string
		want    Money
		wantErr bool
	}{
		{"1234.56", 123456, false},
		{"-1234.56", -123456, false},
		{"1,234.56", 123456, false},
		{"£1,234.5", 123450, false},
		{"(1,234.56)", -123456, false},
		{"+12", 1200, false},
		{"0.07", 7, false},
		{".5", 50, false},
		{" 1,000,000 ", 100000000, false},
		{"", 0, true},
		{"12.345", 0, true},
		{"1,23.00", 0, true},
		{"12a", 0, true},
		{"--5", 0, true},
		{"(-5)", 0, true},
		{"1.2.3", 0, true},
		{"-", 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParsePounds(tt.in)
			if (err != nil) != tt.wantErr {
				t.Fatalf("ParsePounds(%q) error %v, wantErr %v", tt.in, err, tt.wantErr)
			}
			if got != tt.want {
				t.Errorf("ParsePounds(%q) = %d, want %d", tt.in, got, tt.want)
			}
		})
	}
}

func TestMoneyString(t *testing.T) {
	tests := []struct {
		m    Money
		want string
	}{{0, "£0.00"}, {5, "£0.05"}, {-5, "-£0.05"}, {123456, "£1,234.56"}, {100000000, "£1,000,000.00"}}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if got := tt.m.String(); got != tt.want {
				t.Errorf("%d.String() = %q", tt.m, got)
			}
		})
	}
}

func TestRoundDiv(t *testing.T) {
	tests := []struct{ a, b, want int64 }{{5, 2, 3}, {-5, 2, -3}, {4, 3, 1}, {1200, 7, 171}, {7, -2, -4}}
	for _, tt := range tests {
		if got := RoundDiv(tt.a, tt.b); got != tt.want {
			t.Errorf("RoundDiv(%d, %d) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}

func ls(practice, sex, band string, n int) registry.ListSize {
	return registry.ListSize{Practice: practice, Month: calendar.MustMonth("2013-01"), Sex: registry.Sex(sex), AgeBand: band, Patients: n}
}

func TestWeightPopulation(t *testing.T) {
	rows := []registry.ListSize{
		// A: five-year bands mapped onto ASTRO-PU bands, with a matching total.
		ls("A", "male", "0-4", 100),    // × 1.0               = 100
		ls("A", "female", "0-4", 100),  // × 0.874764602225095 =  87.4764602225095
		ls("A", "male", "10-14", 50),   // × 0.871655388261018 =  43.5827694130509 (5-14)
		ls("A", "female", "75-79", 20), // × 9.88935302232237  } 30 × 9.88935302232237
		ls("A", "female", "95+", 10),   // × 9.88935302232237  } = 296.6805906696711 (75+)
		ls("A", "all", "all", 280),     // total: 100+100+50+20+10 = 280, matches
		ls("A", "male", "all", 150),    // a sex total: ignored
		// B: only a total of 1000: weighted at A and C's average per head.
		ls("B", "all", "all", 1000),
		// C: the legacy wider bands, and a total that does not match.
		ls("C", "male", "5-14", 10), // × 0.871655388261018 = 8.71655388261018
		ls("C", "male", "75+", 2),   // × 11.3430752706509  = 22.6861505413018
		ls("C", "all", "all", 25),   // bands sum to 12, not 25
	}
	got, err := WeightPopulation(rows, ASTROPU2013Cost())
	if err != nil {
		t.Fatal(err)
	}
	// A = 100 + 87.4764602225095 + 43.5827694130509 + 296.6805906696711 = 527.7398203052315
	// C = 8.71655388261018 + 22.6861505413018 = 31.40270442391198
	// average per head over A and C = (527.7398203052315 + 31.40270442391198) / (280 + 12)
	//                               = 559.1425247291435 / 292 = 1.914871660031313
	// B = 1000 × 1.914871660031313 = 1914.871660031313
	want := []struct {
		practice string
		patients int
		weighted float64
		warnings int
	}{
		{"A", 280, 527.7398203052315, 0},
		{"B", 1000, 1914.871660031313, 1},
		{"C", 12, 31.40270442391198, 1},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d practices, want %d: %+v", len(got), len(want), got)
	}
	for i, w := range want {
		t.Run(w.practice, func(t *testing.T) {
			g := got[i]
			if g.Practice != w.practice || g.Patients != w.patients || math.Abs(g.Weighted-w.weighted) > 1e-9 || len(g.Warnings) != w.warnings {
				t.Errorf("got %+v, want %+v", g, w)
			}
		})
	}
	if want := "C 2013-01: age-sex bands sum to 12 but the total list is 25 (difference -13); the bands were used"; got[2].Warnings[0] != want {
		t.Errorf("C warning %q, want %q", got[2].Warnings[0], want)
	}

	t.Run("straddling band on the default curve", func(t *testing.T) {
		// 75+ male straddles 75-84 (4.6) and 85+ (6.5): mean 5.55; 10 × 5.55 = 55.5.
		// 30-34 female lies in 25-34 (1.5): 4 × 1.5 = 6. Total 61.5.
		got, err := WeightPopulation([]registry.ListSize{ls("D", "male", "75+", 10), ls("D", "female", "30-34", 4)}, DefaultCostCurve())
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(got[0].Weighted-61.5) > 1e-9 || len(got[0].Warnings) != 1 {
			t.Errorf("got %+v, want 61.5 with one warning", got[0])
		}
	})
	t.Run("months mixed", func(t *testing.T) {
		r := ls("E", "male", "0-4", 1)
		r.Month = calendar.MustMonth("2013-02")
		if _, err := WeightPopulation([]registry.ListSize{ls("A", "male", "0-4", 1), r}, ASTROPU2013Cost()); !errors.Is(err, errs.ErrInvalid) {
			t.Errorf("error %v, want ErrInvalid", err)
		}
	})
	t.Run("only totals", func(t *testing.T) {
		if _, err := WeightPopulation([]registry.ListSize{ls("B", "all", "all", 5)}, ASTROPU2013Cost()); !errors.Is(err, errs.ErrInvalid) {
			t.Errorf("error %v, want ErrInvalid", err)
		}
	})
}

func TestWeightsValidate(t *testing.T) {
	for _, w := range []Weights{ASTROPU2013Cost(), ASTROPU2013Items(), DefaultCostCurve()} {
		if err := w.Validate(); err != nil {
			t.Errorf("%s: %v", w.ID(), err)
		}
	}
	bad := DefaultCostCurve()
	bad.Bands = bad.Bands[1:]
	bad.Male, bad.Female = bad.Male[1:], bad.Female[1:]
	if err := bad.Validate(); !errors.Is(err, errs.ErrInvalid) {
		t.Errorf("bands not from 0: error %v", err)
	}
}

func TestAllocate(t *testing.T) {
	// Worked example. Total £1,000.00 = 100000p.
	//   A: weighted 100 × need 1.2  = 120
	//   B: weighted 200 × need 1.0  = 200
	//   C: weighted 300, no need index: 1.0 and a warning = 300;  Σ = 620
	// quotas: 100000×120/620 = 19354.84, ×200/620 = 32258.06, ×300/620 = 48387.10
	// floors 19354 + 32258 + 48387 = 99999; A has the largest remainder (.84): 19355.
	// distance = current − target: A 20000−19355 = 645 (645/19355 = 3.33247%),
	// B 30000−32258 = −2258 (−2258/32258 = −6.99981%), C 50000−48387 = 1613 (1613/48387 = 3.33354%).
	shares := []Share{
		{Practice: "A", Locality: "L1", WeightedPopulation: WeightedPopulation{Practice: "A", Patients: 90, Weighted: 100}, Current: 20000},
		{Practice: "B", Locality: "L1", WeightedPopulation: WeightedPopulation{Practice: "B", Patients: 210, Weighted: 200}, Current: 30000},
		{Practice: "C", Locality: "L2", WeightedPopulation: WeightedPopulation{Practice: "C", Patients: 280, Weighted: 300,
			Warnings: []string{"C 2013-01: bands do not match"}}, Current: 50000},
	}
	need := &NeedIndex{Source: "test index", Values: map[string]float64{"A": 1.2, "B": 1.0}}
	a, err := Allocate(100000, shares, need, PacePolicy{Method: PaceNone}, Inputs{ListSizeMonth: calendar.MustMonth("2013-01"), Weights: "astro-pu-cost"})
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		practice         string
		target, distance Money
		pct              float64
	}{
		{"A", 19355, 645, 3.33247223},
		{"B", 32258, -2258, -6.99981400},
		{"C", 48387, 1613, 3.33354000},
	}
	for i, w := range want {
		t.Run(w.practice, func(t *testing.T) {
			l := a.Lines[i]
			if l.Target != w.target || l.Distance != w.distance || math.Abs(l.DistancePct-w.pct) > 1e-6 || l.Budget != w.target {
				t.Errorf("line %+v, want %+v", l, w)
			}
		})
	}
	if a.Inputs.NeedIndexSource != "test index" || len(a.Inputs.QualityWarnings) != 2 || !a.HasWarnings() {
		t.Errorf("inputs %+v: want the need index source and 2 warnings (C's data, C's missing index)", a.Inputs)
	}
	// Localities: L1 = 19355 + 32258 = 51613 (current 50000, distance −1613); L2 = 48387.
	wantLoc := []LocalityAllocation{
		{Locality: "L1", Practices: 2, Patients: 300, Weighted: 300, Adjusted: 320, Target: 51613, Current: 50000, Distance: -1613, Budget: 51613},
		{Locality: "L2", Practices: 1, Patients: 280, Weighted: 300, Adjusted: 300, Target: 48387, Current: 50000, Distance: 1613, Budget: 48387},
	}
	for i, w := range wantLoc {
		g := a.Localities[i]
		g.DistancePct = 0
		if g != w {
			t.Errorf("locality %d = %+v, want %+v", i, g, w)
		}
	}
	if _, err := Allocate(100, shares, &NeedIndex{Source: "x", Values: map[string]float64{"A": -1}}, PacePolicy{}, Inputs{}); !errors.Is(err, errs.ErrInvalid) {
		t.Errorf("negative need index: error %v", err)
	}
}

func ptr(f float64) *float64 { return &f }

func TestPaceOfChange(t *testing.T) {
	// Two practices, both £50,000.00 now; targets £60,000.00 and £40,000.00
	// every year (total flat at £100,000.00, so the general uplift is 1).
	targets := []Money{6000000, 4000000}
	type step struct{ a, b Money }
	tests := []struct {
		name   string
		policy func(year int) PacePolicy
		want   []step
	}{
		{
			// Half the gap each year:
			// y1 A = 50,000 + ½(60,000 − 50,000) = 55,000; B = 50,000 + ½(40,000 − 50,000) = 45,000
			// y2 A = 55,000 + ½(5,000) = 57,500; B = 42,500
			// y3 A = 57,500 + ½(2,500) = 58,750; B = 41,250
			name:   "gap share one half",
			policy: func(int) PacePolicy { return PacePolicy{Method: PaceGapShare, Share: 0.5} },
			want:   []step{{5500000, 4500000}, {5750000, 4250000}, {5875000, 4125000}},
		},
		{
			// On target in 3 years: close 1/3, then 1/2, then all of the gap.
			// y1 A = 5,000,000 + 1,000,000/3 = 5,333,333.33p; B = 4,666,666.67p;
			//    floors 5,333,333 + 4,666,666 = 9,999,999; B's remainder .67 > .33: B 4,666,667.
			// y2 A = 5,333,333 + ½(6,000,000 − 5,333,333) = 5,666,666.5;
			//    B = 4,666,667 + ½(4,000,000 − 4,666,667) = 4,333,333.5;
			//    remainders tie at .5: the larger (A) takes the penny: 5,666,667 and 4,333,333.
			// y3 at target.
			name:   "three years",
			policy: func(y int) PacePolicy { return PacePolicy{Method: PaceYears, Years: 3, YearIndex: y} },
			want:   []step{{5333333, 4666667}, {5666667, 4333333}, {6000000, 4000000}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cur := []Money{5000000, 5000000}
			for y, w := range tt.want {
				got, err := ApplyPace(cur, targets, tt.policy(y+1))
				if err != nil {
					t.Fatal(err)
				}
				if got[0] != w.a || got[1] != w.b {
					t.Errorf("year %d: got %v, want %v", y+1, got, w)
				}
				cur = got
			}
		})
	}

	t.Run("with growth", func(t *testing.T) {
		// Total rises 5% to £105,000: targets A 63,000, B 42,000; both now 50,000.
		// uplift u = 50,000 × 105,000/100,000 = 52,500 each;
		// A = 52,500 + ½(63,000 − 52,500) = 57,750; B = 52,500 + ½(42,000 − 52,500) = 47,250.
		got, err := ApplyPace([]Money{5000000, 5000000}, []Money{6300000, 4200000}, PacePolicy{Method: PaceGapShare, Share: 0.5})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, []Money{5775000, 4725000}) {
			t.Errorf("got %v", got)
		}
	})
	t.Run("floor", func(t *testing.T) {
		// Straight to target would cut B by 20%; the floor −5% holds B at
		// 47,500 and A takes the rest: 100,000 − 47,500 = 52,500.
		got, err := ApplyPace([]Money{5000000, 5000000}, targets, PacePolicy{Method: PaceNone, Floor: ptr(-0.05)})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, []Money{5250000, 4750000}) {
			t.Errorf("got %v", got)
		}
	})
	t.Run("floor and cap", func(t *testing.T) {
		// Cap +4% holds A at 52,000; B then gets 48,000 (a 4% cut, inside the floor).
		got, err := ApplyPace([]Money{5000000, 5000000}, targets, PacePolicy{Method: PaceNone, Floor: ptr(-0.05), Cap: ptr(0.04)})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, []Money{5200000, 4800000}) {
			t.Errorf("got %v", got)
		}
	})
	t.Run("infeasible floor", func(t *testing.T) {
		// Floors of +1% need 101,000 of the 100,000.
		if _, err := ApplyPace([]Money{5000000, 5000000}, targets, PacePolicy{Floor: ptr(0.01)}); !errors.Is(err, errs.ErrInvalid) {
			t.Errorf("error %v, want ErrInvalid", err)
		}
	})
	t.Run("new practice gets its target", func(t *testing.T) {
		// C is new (no budget): target 10,000. A and B share the other
		// 90,000 from 50,000 each: uplift 0.9 → 45,000 each, then all the gap
		// (gap-share 1): targets 50,000 and 40,000.
		got, err := ApplyPace([]Money{5000000, 5000000, 0}, []Money{5000000, 4000000, 1000000}, PacePolicy{Method: PaceGapShare, Share: 1})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, []Money{5000000, 4000000, 1000000}) {
			t.Errorf("got %v", got)
		}
	})
	for _, bad := range []PacePolicy{{Method: PaceGapShare}, {Method: PaceYears, Years: 3, YearIndex: 4}, {Method: "fast"}} {
		if _, err := ApplyPace([]Money{1}, []Money{1}, bad); !errors.Is(err, errs.ErrInvalid) {
			t.Errorf("%+v: error %v, want ErrInvalid", bad, err)
		}
	}
}

func months(vs ...Money) [12]Money {
	var out [12]Money
	copy(out[:], vs)
	return out
}

func flat(v Money) [12]Money {
	var out [12]Money
	for i := range out {
		out[i] = v
	}
	return out
}

func TestForecast(t *testing.T) {
	tests := []struct {
		name        string
		budget      [12]Money
		actual      [12]Money
		elapsed     int
		prior       []Money
		wantMethod  ForecastMethod
		wantOutturn Money
		wantMonthly [12]Money
	}{
		{
			// YTD 100,000 + 110,000 + 120,000 = 330,000 over 3 months;
			// outturn 330,000 × 12 / 3 = 1,320,000; 990,000 left = 110,000 a month.
			name: "run rate", budget: flat(100000), actual: months(100000, 110000, 120000), elapsed: 3,
			wantMethod: MethodRunRate, wantOutturn: 1320000,
			wantMonthly: months(100000, 110000, 120000, 110000, 110000, 110000, 110000, 110000, 110000, 110000, 110000, 110000),
		},
		{
			// YTD 100 over 7 months: 100 × 12 / 7 = 171.43 → 171; 71 over 5
			// months = 14.2: floors 70, the first month takes the last penny.
			name: "run rate rounding", budget: flat(15), actual: months(20, 10, 10, 10, 20, 20, 10), elapsed: 7,
			wantMethod: MethodRunRate, wantOutturn: 171,
			wantMonthly: months(20, 10, 10, 10, 20, 20, 10, 15, 14, 14, 14, 14),
		},
		{
			// Prior year: 80 a month April to September (480), then 100, 100,
			// 120, 120, 100, 80 (620): P = 1,100, Pe (six months) = 480.
			// This year 88 a month: YTD 528 (10% up).
			// outturn = 528 × 1,100 / 480 = 580,800 / 480 = 1,210;
			// 682 left in proportion 100:100:120:120:100:80 of 620 = ×1.1:
			// 110, 110, 132, 132, 110, 88.
			name: "seasonal", budget: flat(100), actual: months(88, 88, 88, 88, 88, 88), elapsed: 6,
			prior:      []Money{80, 80, 80, 80, 80, 80, 100, 100, 120, 120, 100, 80},
			wantMethod: MethodSeasonal, wantOutturn: 1210,
			wantMonthly: months(88, 88, 88, 88, 88, 88, 110, 110, 132, 132, 110, 88),
		},
		{
			// A negative prior month: no seasonal profile; run rate 528 × 2 = 1,056.
			name: "seasonal falls back", budget: flat(100), actual: months(88, 88, 88, 88, 88, 88), elapsed: 6,
			prior:      []Money{80, 80, 80, 80, 80, -80, 100, 100, 120, 120, 100, 80},
			wantMethod: MethodRunRate, wantOutturn: 1056,
			wantMonthly: months(88, 88, 88, 88, 88, 88, 88, 88, 88, 88, 88, 88),
		},
		{
			name: "no actuals", budget: flat(100), elapsed: 0,
			wantMethod: MethodBudget, wantOutturn: 1200, wantMonthly: flat(100),
		},
		{
			name: "year complete", budget: flat(100), actual: flat(99), elapsed: 12,
			wantMethod: MethodActual, wantOutturn: 1188, wantMonthly: flat(99),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := ForecastOutturn(tt.budget, tt.actual, tt.elapsed, tt.prior)
			if err != nil {
				t.Fatal(err)
			}
			if f.Method != tt.wantMethod || f.Outturn != tt.wantOutturn || f.Monthly != tt.wantMonthly {
				t.Errorf("got %s %d %v, want %s %d %v", f.Method, f.Outturn, f.Monthly, tt.wantMethod, tt.wantOutturn, tt.wantMonthly)
			}
			if Sum(f.Monthly[:]) != f.Outturn {
				t.Errorf("months sum to %d, outturn %d", Sum(f.Monthly[:]), f.Outturn)
			}
		})
	}
	if _, err := ForecastOutturn(flat(1), flat(1), 13, nil); !errors.Is(err, errs.ErrInvalid) {
		t.Errorf("13 months: error %v", err)
	}
}

func TestRAG(t *testing.T) {
	// Budget £1,000.00 = 100,000p: 1% = 1,000p, 3% = 3,000p, 5% = 5,000p.
	tests := []struct {
		name     string
		policy   RAGPolicy
		budget   Money
		forecast Money
		want     RAG
	}{
		{"on budget", DefaultRAG, 100000, 100000, Green},
		{"exactly 1% over", DefaultRAG, 100000, 101000, Green},
		{"1p beyond 1%", DefaultRAG, 100000, 101001, Amber},
		{"exactly 3% over", DefaultRAG, 100000, 103000, Amber},
		{"1p beyond 3%", DefaultRAG, 100000, 103001, Red},
		{"10% under", DefaultRAG, 100000, 90000, Green},
		{"exactly 5% under, underspend amber at 5%", RAGPolicy{1, 3, 5}, 100000, 95000, Green},
		{"1p beyond 5% under", RAGPolicy{1, 3, 5}, 100000, 94999, Amber},
		{"no budget, spend", DefaultRAG, 0, 1, Red},
		{"no budget, no spend", DefaultRAG, 0, 0, Green},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.policy.Rate(tt.budget, tt.forecast); got != tt.want {
				t.Errorf("Rate(%d, %d) = %s, want %s", tt.budget, tt.forecast, got, tt.want)
			}
		})
	}
	if err := (RAGPolicy{GreenPct: 3, AmberPct: 1}).Validate(); !errors.Is(err, errs.ErrInvalid) {
		t.Errorf("green above amber: %v", err)
	}
}

func TestBuildPositionBurnUp(t *testing.T) {
	// The run-rate example: budget 100,000 a month; actuals 100,000,
	// 110,000, 120,000; forecast 1,320,000 against 1,200,000: +120,000 = 10%: red.
	p, err := BuildPosition(2013, flat(100000), months(100000, 110000, 120000), 3, nil, DefaultRAG)
	if err != nil {
		t.Fatal(err)
	}
	if p.Budget != 1200000 || p.YTDBudget != 300000 || p.YTDActual != 330000 || p.YTDVariance != 30000 ||
		p.Variance != 120000 || math.Abs(p.VariancePct-10) > 1e-9 || p.RAG != Red || p.Inputs.Through.String() != "2013-06" {
		t.Errorf("position %+v", p)
	}
	want := []BurnPoint{
		{Month: calendar.MustMonth("2013-04"), Budget: 100000, Actual: 100000, HasActual: true, Forecast: 100000},
		{Month: calendar.MustMonth("2013-05"), Budget: 200000, Actual: 210000, HasActual: true, Forecast: 210000},
		{Month: calendar.MustMonth("2013-06"), Budget: 300000, Actual: 330000, HasActual: true, Forecast: 330000},
		{Month: calendar.MustMonth("2013-07"), Budget: 400000, Forecast: 440000},
	}
	if !slices.Equal(p.BurnUp[:4], want) || p.BurnUp[11].Forecast != 1320000 || p.BurnUp[11].Budget != 1200000 {
		t.Errorf("burn-up %+v", p.BurnUp)
	}
}

func TestPhase(t *testing.T) {
	// £1,000.01 over 12 months: 100001/12 = 8333.42: floors 99996, the first
	// five months take the 5p left (equal remainders: earliest first).
	got, err := Phase(100001, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := months(8334, 8334, 8334, 8334, 8334, 8333, 8333, 8333, 8333, 8333, 8333, 8333)
	if got != want {
		t.Errorf("Phase = %v, want %v", got, want)
	}
}

func TestStatusAgeing(t *testing.T) {
	// £10,000 due 2013-06-30; £4,000 received 2013-06-15 and £1,000 on 2013-09-01.
	a := Agreement{ID: 1, From: "5HP", To: "01X", Description: "handover balance", Amount: 1000000,
		Agreed: calendar.MustDate("2013-04-01"), Due: calendar.MustDate("2013-06-30")}
	rs := []Receipt{
		{Agreement: 1, Received: calendar.MustDate("2013-09-01"), Amount: 100000},
		{Agreement: 1, Received: calendar.MustDate("2013-06-15"), Amount: 400000},
		{Agreement: 2, Received: calendar.MustDate("2013-06-15"), Amount: 999}, // another agreement's
	}
	tests := []struct {
		asAt        string
		outstanding Money
		days        int
		bucket      Bucket
		esc         Escalation
	}{
		{"2013-06-10", 1000000, 0, BucketNotDue, EscNone}, // before any receipt
		{"2013-06-30", 600000, 0, BucketNotDue, EscNone},  // due today: not yet overdue
		{"2013-07-01", 600000, 1, Bucket0to30, EscReminder},
		{"2013-07-30", 600000, 30, Bucket0to30, EscReminder},
		{"2013-07-31", 600000, 31, Bucket31to60, EscCFO},
		{"2013-08-29", 600000, 60, Bucket31to60, EscCFO}, // 31 (July) + 29
		{"2013-08-30", 600000, 61, Bucket61to90, EscGoverningBody},
		{"2013-09-28", 500000, 90, Bucket61to90, EscGoverningBody}, // 31 + 31 + 28; £1,000 received 1 Sept
		{"2013-09-29", 500000, 91, Bucket90Plus, EscNHSEngland},
	}
	for _, tt := range tests {
		t.Run(tt.asAt, func(t *testing.T) {
			s := Status(a, rs, calendar.MustDate(tt.asAt))
			overdue := Money(0)
			if tt.days > 0 {
				overdue = tt.outstanding
			}
			if s.Outstanding != tt.outstanding || s.DaysOverdue != tt.days || s.Bucket != tt.bucket || s.Escalation != tt.esc || s.Overdue != overdue {
				t.Errorf("got outstanding %d days %d bucket %s esc %d overdue %d", s.Outstanding, s.DaysOverdue, s.Bucket, s.Escalation, s.Overdue)
			}
		})
	}
	t.Run("settled", func(t *testing.T) {
		s := Status(a, append(rs, Receipt{Agreement: 1, Received: calendar.MustDate("2013-10-01"), Amount: 500000}), calendar.MustDate("2014-01-01"))
		if !s.Settled || s.Outstanding != 0 || s.Escalation != EscNone || s.Bucket != BucketNotDue || len(s.Receipts) != 3 {
			t.Errorf("got %+v", s)
		}
	})
	t.Run("ageing", func(t *testing.T) {
		b := Agreement{ID: 2, From: "5HP", To: "01X", Description: "contracts", Amount: 5000, Due: calendar.MustDate("2013-09-15")}
		on := calendar.MustDate("2013-09-29")
		// a: £5,000 outstanding, 91 days: 90+; b: 5,000 − 999 = 4,001p, 14 days: 0-30.
		ag := Age(on, []AgreementStatus{Status(a, rs, on), Status(b, rs, on)})
		if ag.Outstanding != 504001 || ag.Overdue != 504001 || ag.ByBucket[Bucket90Plus] != 500000 ||
			ag.ByBucket[Bucket0to30] != 4001 || ag.Highest != EscNHSEngland {
			t.Errorf("ageing %+v", ag)
		}
	})
}

func TestAgreementValidate(t *testing.T) {
	good := Agreement{From: "5HP", To: "01X", Description: "d", Amount: 1, Due: calendar.MustDate("2013-06-30")}
	if err := good.Validate(); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		edit func(*Agreement)
	}{
		{"self", func(a *Agreement) { a.To = "5HP" }},
		{"zero amount", func(a *Agreement) { a.Amount = 0 }},
		{"no due date", func(a *Agreement) { a.Due = calendar.Date{} }},
		{"due before agreed", func(a *Agreement) { a.Agreed = calendar.MustDate("2013-07-01") }},
		{"no description", func(a *Agreement) { a.Description = " " }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := good
			tt.edit(&a)
			if err := a.Validate(); !errors.Is(err, errs.ErrInvalid) {
				t.Errorf("error %v, want ErrInvalid", err)
			}
		})
	}
}

func TestConsolidate(t *testing.T) {
	m := calendar.MustMonth
	budgets := []BudgetLine{
		{Org: "01A", Programme: ProgAcute, Month: m("2013-04"), Amount: 1000},
		{Org: "02B", Programme: ProgAcute, Month: m("2013-04"), Amount: 500, Locality: "02B-NORTH"},
		{Org: "99X", Programme: ProgAcute, Month: m("2013-04"), Amount: 200},
		{Org: "01A", Programme: ProgPrescribing, Month: m("2013-05"), Amount: 300},
		{Org: "03C", Programme: ProgAcute, Month: m("2013-04"), Amount: 999}, // not part of the merger
		{Org: "01A", Programme: ProgAcute, Month: m("2013-03"), Amount: 777}, // the year before
	}
	actuals := []Actual{
		{Org: "01A", Period: m("2013-04"), Programme: ProgAcute, Amount: 900},
		{Org: "", Period: m("2013-04"), Programme: ProgAcute, Amount: 50}, // the home org: 99X
		{Org: "03C", Period: m("2013-04"), Programme: ProgAcute, Amount: 1},
	}
	before := slices.Clone(budgets)
	c := Consolidate("99X", []string{"02B", "01A"}, 2013, budgets, actuals)
	// acute April: 1,000 + 500 + 200 = 1,700; prescribing May 300; total 2,000.
	if c.Budget != 2000 || len(c.Budgets) != 2 || c.Budgets[0].Amount != 1700 || c.Budgets[1].Amount != 300 {
		t.Fatalf("budgets %+v", c)
	}
	if by := c.Budgets[0].ByOrg; by["01A"] != 1000 || by["02B"] != 500 || by["99X"] != 200 || len(by) != 3 {
		t.Errorf("acute by org %v", by)
	}
	if c.BudgetByOrg["01A"] != 1300 || c.Actual != 950 || c.ActualByOrg["99X"] != 50 || c.ActualByOrg["01A"] != 900 {
		t.Errorf("totals %+v", c)
	}
	if !slices.Equal(c.Predecessors, []string{"01A", "02B"}) || !slices.Equal(budgets, before) {
		t.Errorf("predecessors %v; records changed: %v", c.Predecessors, !slices.Equal(budgets, before))
	}
}

func TestComparePrescribing(t *testing.T) {
	// Budget £1,200 a year = 10,000p a month. Data for April to June, May missing.
	// YTD (months with data): budget 20,000, actual 9,000 + 12,000 = 21,000.
	// Run rate over 3 months with May as nothing: 21,000 × 12 / 3 = 84,000.
	var has [12]bool
	has[0], has[2] = true, true
	p, err := ComparePrescribing(2013, flat(10000), months(9000, 0, 12000), has, DefaultRAG)
	if err != nil {
		t.Fatal(err)
	}
	if p.YTDBudget != 20000 || p.YTDActual != 21000 || p.YTDVariance != 1000 || p.Forecast.Outturn != 84000 ||
		p.Variance != -36000 || p.RAG != Green || len(p.Warnings) != 1 || p.Months[2].CumActual != 21000 || p.Months[2].Variance != 2000 {
		t.Errorf("got %+v", p)
	}
}

func TestParseProgramme(t *testing.T) {
	tests := []struct {
		in   string
		want Programme
	}{
		{"acute", ProgAcute}, {"Mental health", ProgMentalHealth}, {"MENTAL_HEALTH", ProgMentalHealth},
		{"CHC", ProgCHC}, {"Continuing Healthcare", ProgCHC}, {"running costs", ProgRunning}, {"primary care", ProgPrimaryCare},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got, err := ParseProgramme(tt.in); err != nil || got != tt.want {
				t.Errorf("ParseProgramme(%q) = %q, %v", tt.in, got, err)
			}
		})
	}
	if _, err := ParseProgramme("dentistry"); !errors.Is(err, errs.ErrInvalid) {
		t.Errorf("unknown: %v", err)
	}
}
