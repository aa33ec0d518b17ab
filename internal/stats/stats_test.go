package stats

import (
	"math"
	"testing"
)

func relErr(got, want float64) float64 {
	if want == 0 {
		return math.Abs(got)
	}
	return math.Abs(got-want) / math.Abs(want)
}

// TestOfflineSpotChecks holds a few of PHE's published values (from
// PHEindicatormethods' tests) so that accuracy is checked even where
// ../shared is absent.
func TestOfflineSpotChecks(t *testing.T) {
	type row struct {
		name      string
		got, want float64
	}
	lo, hi := Wilson(65, 100, 0.95)
	blo, bhi := Byar(65, 0.998)
	r1 := CrudeRate(1, 100, 0.95, 100)
	r5 := CrudeRate(5, 100, 0.998, 100000)
	dsrCounts := []float64{127, 25, 18, 21, 12, 27, 48, 27, 29, 32, 32, 34, 45, 65, 38, 68, 74, 82, 91}
	dsrPops := []float64{636, 558, 609, 543, 384, 594, 669, 843, 660, 576, 606, 522, 426, 273, 300, 288, 153, 123, 207}
	esp2013 := []float64{5000, 5500, 5500, 5500, 6000, 6000, 6500, 7000, 7000, 7000, 7000, 6500, 6000, 5500, 5000, 4000, 2500, 1500, 1000}
	dsr, err := DSR(dsrCounts, dsrPops, esp2013, 0.95, 10000)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range []row{
		{"Wilson lower", lo, 0.55254443296887967},
		{"Wilson upper", hi, 0.73635751756902468},
		{"Byar lower", blo, 42.880261471480203},
		{"Byar upper", bhi, 94.000290844318016},
		{"exact rate lower", r1.Lower, 2.5317807984289897e-2},
		{"exact rate upper", r1.Upper, 5.571643390938898},
		{"exact rate 99.8% lower", r5.Lower, 739.37173191783893},
		{"exact rate 99.8% upper", r5.Upper, 16454.745203680104},
		{"DSR", dsr.Value, 1043.0247991469423},
		{"DSR lower", dsr.Lower, 971.77090679856803},
		{"DSR upper", dsr.Upper, 1117.894091547925},
	} {
		if e := relErr(r.got, r.want); !(e <= 1e-12) {
			t.Errorf("%s: got %.17g, want %.17g (rel error %.3g)", r.name, r.got, r.want, e)
		}
	}
	// PHE funnel: the expected count at which one event is on the upper
	// 95% limit (bisection; PHE prints 10 significant digits).
	_, u := PoissonFunnelExpected(1, 0.95)
	if e := relErr(u, 0.025317898); e > 1e-7 {
		t.Errorf("PoissonFunnelExpected(1): %v (rel error %.3g)", u, e)
	}
}

func TestNormalQuantile(t *testing.T) {
	for _, tc := range []struct{ p, want float64 }{
		{0.5, 0},
		{0.975, 1.959963984540054},
		{0.999, 3.090232306167813},
		{0.025, -1.959963984540054},
		{1e-10, -6.361340902404056},
		{0.8413447460685429, 1}, // Φ(1)
	} {
		if got := NormalQuantile(tc.p); relErr(got, tc.want) > 1e-14 {
			t.Errorf("NormalQuantile(%v) = %.17g, want %.17g", tc.p, got, tc.want)
		}
	}
	for _, p := range []float64{1e-300, 1e-20, 0.01, 0.3, 0.5, 0.77, 0.9999} {
		if got := NormalCDF(NormalQuantile(p)); relErr(got, p) > 1e-12 {
			t.Errorf("Φ(Φ⁻¹(%v)) = %v", p, got)
		}
	}
	if !math.IsInf(NormalQuantile(0), -1) || !math.IsInf(NormalQuantile(1), 1) || !math.IsNaN(NormalQuantile(-0.1)) || !math.IsNaN(NormalQuantile(math.NaN())) {
		t.Error("NormalQuantile edge cases")
	}
}

// TestGammaClosedForms checks P and Q against the Poisson sums they equal
// for integer shapes: Q(a, x) = e^−x Σ_{k<a} x^k/k!.
func TestGammaClosedForms(t *testing.T) {
	for _, a := range []float64{1, 2, 3, 5, 10, 25} {
		for _, x := range []float64{0.01, 0.5, 1, 2.5, 7, 15, 40} {
			var sum, term float64 = 0, 1
			for k := 0; k < int(a); k++ {
				if k > 0 {
					term *= x / float64(k)
				}
				sum += term
			}
			q := math.Exp(-x) * sum
			if got := GammaQ(a, x); relErr(got, q) > 1e-13 {
				t.Errorf("Q(%v, %v) = %.17g, want %.17g", a, x, got, q)
			}
			if got := GammaP(a, x); math.Abs(got-(1-q)) > 1e-15 {
				t.Errorf("P(%v, %v) = %.17g, want %.17g", a, x, got, 1-q)
			}
		}
	}
	// χ² with 1 and 2 degrees of freedom have closed-form quantiles.
	if got, want := ChiSquareQuantile(0.95, 1), NormalQuantile(0.975)*NormalQuantile(0.975); relErr(got, want) > 1e-14 {
		t.Errorf("qchisq(0.95, 1) = %.17g, want %.17g", got, want)
	}
	for _, p := range []float64{1e-12, 0.001, 0.025, 0.5, 0.975, 0.999} {
		if got, want := ChiSquareQuantile(p, 2), -2*math.Log1p(-p); relErr(got, want) > 1e-14 {
			t.Errorf("qchisq(%v, 2) = %.17g, want %.17g", p, got, want)
		}
	}
}

// TestGammaQuantileRoundTrip: P(a, GammaQuantile(p, a)) = p over a wide
// range of shapes, including small and large ones.
func TestGammaQuantileRoundTrip(t *testing.T) {
	for _, a := range []float64{0.01, 0.1, 0.5, 1, 1.5, 3, 9, 10, 11, 100, 1e4, 1e6} {
		for _, p := range []float64{1e-10, 0.001, 0.025, 0.3, 0.5, 0.7, 0.975, 0.999, 1 - 1e-10} {
			x := GammaQuantile(p, a)
			if x == 0 {
				// Only when the root underflows: x^a/Γ(a+1) = p below 1e-323.
				if lg, _ := math.Lgamma(a + 1); (math.Log(p)+lg)/a > -740 {
					t.Errorf("a=%v p=%v: quantile 0", a, p)
				}
				continue
			}
			pp, qq := gammaPQ(a, x)
			got, want := pp, p
			if p > 0.5 {
				got, want = qq, 1-p
			}
			// The tail probability is reproduced to rounding, scaled by
			// how fast it changes with x.
			tol := 1e-14 + 8*dblEpsilon*gammaDensity(a, x)*x/want
			if relErr(got, want) > tol {
				t.Errorf("a=%v p=%v: x=%v gives tail %.17g, want %.17g", a, p, x, got, want)
			}
		}
	}
	if GammaQuantile(0, 3) != 0 || !math.IsInf(GammaQuantile(1, 3), 1) || GammaQuantile(0.5, 0) != 0 || !math.IsNaN(GammaQuantile(0.5, -1)) || !math.IsNaN(GammaQuantile(2, 1)) {
		t.Error("GammaQuantile edge cases")
	}
}

func TestStudentT(t *testing.T) {
	// Closed forms: df = 1 (Cauchy) and df = 2.
	for _, p := range []float64{0.001, 0.025, 0.3, 0.6, 0.975, 0.999} {
		if got, want := StudentTQuantile(p, 1), math.Tan(math.Pi*(p-0.5)); relErr(got, want) > 1e-12 {
			t.Errorf("qt(%v, 1) = %.17g, want %.17g", p, got, want)
		}
		if got, want := StudentTQuantile(p, 2), (2*p-1)/math.Sqrt(2*p*(1-p)); relErr(got, want) > 1e-12 {
			t.Errorf("qt(%v, 2) = %.17g, want %.17g", p, got, want)
		}
	}
	for _, x := range []float64{-30, -2, -0.1, 0, 0.7, 4, 100} {
		if got, want := StudentTCDF(x, 1), 0.5+math.Atan(x)/math.Pi; math.Abs(got-want) > 1e-14 {
			t.Errorf("pt(%v, 1) = %v, want %v", x, got, want)
		}
		if got, want := StudentTCDF(x, 2), 0.5+x/(2*math.Sqrt(2+x*x)); math.Abs(got-want) > 1e-14 {
			t.Errorf("pt(%v, 2) = %v, want %v", x, got, want)
		}
	}
	// Round trips, including Welch's fractional degrees of freedom.
	for _, df := range []float64{0.5, 1.7, 3, 4.4, 10, 17.776, 30, 120, 1e4, 1e6} {
		for _, p := range []float64{1e-8, 0.001, 0.025, 0.2, 0.5, 0.8, 0.975, 0.999} {
			q := StudentTQuantile(p, df)
			if got := StudentTCDF(q, df); relErr(got, p) > 1e-12 && math.Abs(got-p) > 1e-15 {
				t.Errorf("pt(qt(%v, %v) = %v) = %.17g", p, df, q, got)
			}
		}
	}
	// Large df tends to the normal.
	if got := StudentTQuantile(0.975, 1e9); relErr(got, 1.959963984540054) > 1e-8 {
		t.Errorf("qt(0.975, 1e9) = %v", got)
	}
}

// TestNewcombe checks method 10 against Newcombe (1998), Table II (to the
// four decimal places printed there).
func TestNewcombe(t *testing.T) {
	for _, tc := range []struct {
		x1, n1, x2, n2 float64
		lo, hi         float64
	}{
		{56, 70, 48, 80, 0.0524, 0.3339},
		{9, 10, 3, 10, 0.1705, 0.8090},
		{6, 7, 2, 7, 0.0582, 0.8062},
		{5, 56, 0, 29, -0.0381, 0.1926},
		{0, 10, 0, 20, -0.1611, 0.2775},
		{0, 10, 0, 10, -0.2775, 0.2775},
		{10, 10, 0, 20, 0.6791, 1.0000},
		{10, 10, 0, 10, 0.6075, 1.0000},
	} {
		d, lo, hi := Newcombe(tc.x1, tc.n1, tc.x2, tc.n2, 0.95)
		if d != tc.x1/tc.n1-tc.x2/tc.n2 || math.Abs(lo-tc.lo) > 5e-5 || math.Abs(hi-tc.hi) > 5e-5 {
			t.Errorf("%v/%v − %v/%v: %.4f [%.4f, %.4f], want [%.4f, %.4f]", tc.x1, tc.n1, tc.x2, tc.n2, d, lo, hi, tc.lo, tc.hi)
		}
	}
}

// TestWelch reproduces R's t.test(extra ~ group, data = sleep): Welch
// df = 17.776, 95% CI −3.3654832 to 0.2054832.
func TestWelch(t *testing.T) {
	g1 := []float64{0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0}
	g2 := []float64{1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4}
	d, lo, hi := WelchSamples(g1, g2, 0.95)
	if math.Abs(d-(-1.58)) > 1e-12 || math.Abs(lo-(-3.3654832)) > 1e-7 || math.Abs(hi-0.2054832) > 1e-7 {
		t.Errorf("Welch: %v [%.7f, %.7f]", d, lo, hi)
	}
	if d, lo, hi := Welch(5, 0, 10, 3, 0, 10, 0.95); d != 2 || lo != 2 || hi != 2 {
		t.Errorf("zero variance: %v [%v, %v]", d, lo, hi)
	}
	for _, bad := range [][7]float64{
		{1, 1, 1, 1, 1, 10, 0.95},  // n1 < 2
		{1, -1, 5, 1, 1, 10, 0.95}, // negative sd
		{1, 1, 5, 1, 1, 10, 1},     // confidence
		{math.NaN(), 1, 5, 1, 1, 10, 0.95},
	} {
		if d, lo, hi := Welch(bad[0], bad[1], bad[2], bad[3], bad[4], bad[5], bad[6]); !math.IsNaN(d) || !math.IsNaN(lo) || !math.IsNaN(hi) {
			t.Errorf("Welch%v = %v, %v, %v; want NaN", bad, d, lo, hi)
		}
	}
}

// TestCronbachAlpha by hand: three items, four respondents.
//
//	item 1: 1 2 3 4   variance 5/3
//	item 2: 2 3 3 4   variance 2/3
//	item 3: 1 3 4 4   variance 2
//	totals: 4 8 10 12 variance 35/3
//
// α = 3/2 · (1 − (13/3)/(35/3)) = 3/2 · 22/35 = 33/35.
func TestCronbachAlpha(t *testing.T) {
	items := [][]float64{{1, 2, 3, 4}, {2, 3, 3, 4}, {1, 3, 4, 4}}
	if got := CronbachAlpha(items); relErr(got, 33.0/35) > 1e-14 {
		t.Errorf("alpha = %v, want %v", got, 33.0/35)
	}
	// A respondent with a missing answer is dropped.
	withNaN := [][]float64{{1, 2, 3, 4, 5}, {2, 3, 3, 4, math.NaN()}, {1, 3, 4, 4, 1}}
	if got := CronbachAlpha(withNaN); relErr(got, 33.0/35) > 1e-14 {
		t.Errorf("alpha with NaN = %v, want %v", got, 33.0/35)
	}
	for name, bad := range map[string][][]float64{
		"one item":   {{1, 2, 3}},
		"ragged":     {{1, 2, 3}, {1, 2}},
		"constant":   {{1, 1, 1}, {2, 2, 2}},
		"one person": {{1}, {2}},
		"Inf":        {{1, math.Inf(1)}, {2, 3}},
		"nil":        nil,
	} {
		if got := CronbachAlpha(bad); !math.IsNaN(got) {
			t.Errorf("%s: alpha = %v, want NaN", name, got)
		}
	}
}

func TestRankPercentiles(t *testing.T) {
	got := RankPercentiles([]float64{20, 10, 30, 20, math.NaN()})
	want := []float64{1.0 / 3, 0, 1, 1.0 / 3, math.NaN()}
	for i := range want {
		if !(got[i] == want[i] || math.IsNaN(got[i]) && math.IsNaN(want[i])) {
			t.Errorf("percentile %d = %v, want %v", i, got[i], want[i])
		}
	}
	if got := RankPercentiles([]float64{5}); got[0] != 0 {
		t.Errorf("single value: %v", got[0])
	}
	if got := RankPercentiles(nil); len(got) != 0 {
		t.Errorf("nil: %v", got)
	}
}

func TestQuantiles(t *testing.T) {
	xs := []float64{10, 1, 9, 2, 8, 3, 7, 4, 6, 5, math.NaN()}
	// R: quantile(1:10, seq(0.1, 0.9, 0.1)) = 1.9, 2.8, ..., 9.1.
	d := Deciles(xs)
	for i, want := range []float64{1.9, 2.8, 3.7, 4.6, 5.5, 6.4, 7.3, 8.2, 9.1} {
		if math.Abs(d[i]-want) > 1e-12 {
			t.Errorf("decile %d = %v, want %v", i+1, d[i], want)
		}
	}
	// numpy.percentile([1, 2, 3, 4], [0, 10, 50, 100]) = 1, 1.3, 2.5, 4.
	for _, tc := range []struct{ p, want float64 }{{0, 1}, {0.1, 1.3}, {0.5, 2.5}, {1, 4}} {
		if got := Quantile([]float64{4, 2, 3, 1}, tc.p); math.Abs(got-tc.want) > 1e-12 {
			t.Errorf("Quantile(%v) = %v, want %v", tc.p, got, tc.want)
		}
	}
	if !math.IsNaN(Quantile(nil, 0.5)) || !math.IsNaN(Quantile(xs, 1.5)) || !math.IsNaN(Quantiles(xs, -1)[0]) {
		t.Error("Quantile edge cases")
	}
	// Infinite values do not produce NaN.
	if got := Quantile([]float64{math.Inf(-1), 0, 1}, 0.25); !math.IsInf(got, -1) {
		t.Errorf("quantile with -Inf = %v", got)
	}
}

func TestPHEQuantiles(t *testing.T) {
	vals := []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}
	want := []int{1, 1, 2, 2, 3, 3, 4, 4, 5, 5}
	got := PHEQuantiles(vals, 5, false)
	inv := PHEQuantiles(vals, 5, true)
	for i := range vals {
		if got[i] != want[i] || inv[i] != want[len(want)-1-i] {
			t.Errorf("value %v: quintile %d (inverted %d), want %d (%d)", vals[i], got[i], inv[i], want[i], want[len(want)-1-i])
		}
	}
	if q := PHEQuantiles([]float64{3, math.NaN(), 3}, 5, false); q[1] != 0 || q[0] != q[2] {
		t.Errorf("NaN and ties: %v", q)
	}
	if PHEQuantiles(vals, 0, false) != nil {
		t.Error("nq = 0 should give nil")
	}
	if QuintileLabel(1, LowIsGood) != "Best" || QuintileLabel(5, HighIsGood) != "Best" || QuintileLabel(3, NoJudgement) != "Middle" || QuintileLabel(6, NoJudgement) != "" {
		t.Error("QuintileLabel")
	}
}

func TestCompareWithBenchmark(t *testing.T) {
	for _, tc := range []struct {
		lo, hi, bench float64
		pol           Polarity
		want          Comparison
	}{
		{1, 2, 3, NoJudgement, Lower},
		{1, 2, 3, LowIsGood, Better},
		{1, 2, 3, HighIsGood, Worse},
		{4, 5, 3, NoJudgement, Higher},
		{4, 5, 3, LowIsGood, Worse},
		{4, 5, 3, HighIsGood, Better},
		{2, 4, 3, HighIsGood, Similar},
		{3, 4, 3, HighIsGood, Similar}, // touching counts as overlapping
		{math.NaN(), 4, 3, HighIsGood, NotCompared},
		{5, 4, 3, HighIsGood, NotCompared},
	} {
		if got := CompareWithBenchmark(tc.lo, tc.hi, tc.bench, tc.pol); got != tc.want {
			t.Errorf("[%v, %v] vs %v (%v): %v, want %v", tc.lo, tc.hi, tc.bench, tc.pol, got, tc.want)
		}
	}
	if Better.String() != "Better" || NotCompared.String() != "Not compared" {
		t.Error("Comparison.String")
	}
}

func TestDisclosure(t *testing.T) {
	d := DefaultDisclosure
	for n, want := range map[int]bool{-1: false, 0: false, 1: true, 4: true, 5: false, 1000: false} {
		if d.SuppressCount(n) != want {
			t.Errorf("SuppressCount(%d) = %v", n, !want)
		}
	}
	for n, want := range map[int]bool{0: false, 4: false, 5: true, 50: true} {
		if d.AllowGroup(n) != want {
			t.Errorf("AllowGroup(%d) = %v", n, !want)
		}
	}
	strict := Disclosure{MinCount: 10, MinGroup: 30}
	if !strict.SuppressCount(9) || strict.SuppressCount(10) || strict.AllowGroup(29) || !strict.AllowGroup(30) {
		t.Error("custom policy")
	}
	none := Disclosure{}
	if none.SuppressCount(1) || !none.AllowGroup(1) || none.AllowGroup(0) {
		t.Error("zero policy")
	}
}

func TestInvalidInputsGiveNaN(t *testing.T) {
	nan := math.NaN()
	for name, f := range map[string]func() (float64, float64){
		"Wilson x<0":       func() (float64, float64) { return Wilson(-1, 10, 0.95) },
		"Wilson x>n":       func() (float64, float64) { return Wilson(11, 10, 0.95) },
		"Wilson n=0":       func() (float64, float64) { return Wilson(0, 0, 0.95) },
		"Wilson NaN":       func() (float64, float64) { return Wilson(nan, 10, 0.95) },
		"Wilson conf 1":    func() (float64, float64) { return Wilson(1, 10, 1) },
		"Wilson conf 95":   func() (float64, float64) { return Wilson(1, 10, 95) },
		"Byar x<0":         func() (float64, float64) { return Byar(-1, 0.95) },
		"Byar NaN":         func() (float64, float64) { return Byar(nan, 0.95) },
		"Byar conf 0":      func() (float64, float64) { return Byar(3, 0) },
		"Exact x<0":        func() (float64, float64) { return PoissonExact(-1, 0.95) },
		"Exact Inf":        func() (float64, float64) { return PoissonExact(math.Inf(1), 0.95) },
		"Exact conf NaN":   func() (float64, float64) { return PoissonExact(3, nan) },
		"PropFunnel n=0":   func() (float64, float64) { return ProportionFunnel(0, 0.5, 0.95) },
		"PropFunnel avg>1": func() (float64, float64) { return ProportionFunnel(10, 1.5, 0.95) },
		"PoisFunnel E=0":   func() (float64, float64) { return PoissonFunnel(0, 0.95) },
		"PoisFunnelExp<0":  func() (float64, float64) { return PoissonFunnelExpected(-1, 0.95) },
	} {
		lo, hi := f()
		if !math.IsNaN(lo) || !math.IsNaN(hi) {
			t.Errorf("%s: %v, %v; want NaN, NaN", name, lo, hi)
		}
	}
	for name, e := range map[string]Estimate{
		"CrudeRate n=0":      CrudeRate(1, 0, 0.95, 1e5),
		"CrudeRate mult=0":   CrudeRate(1, 10, 0.95, 0),
		"Proportion x>n":     Proportion(11, 10, 0.95, 100),
		"Proportion mult<0":  Proportion(1, 10, 0.95, -1),
		"CrudeRate conf 1.5": CrudeRate(1, 10, 1.5, 1e5),
	} {
		if !math.IsNaN(e.Value) || !math.IsNaN(e.Lower) || !math.IsNaN(e.Upper) || e.Method != MethodNone {
			t.Errorf("%s: %+v; want NaN", name, e)
		}
	}
	if d, lo, hi := Newcombe(1, 0, 1, 10, 0.95); !math.IsNaN(d) || !math.IsNaN(lo) || !math.IsNaN(hi) {
		t.Error("Newcombe with n1 = 0")
	}
	// Edge values that are valid.
	if lo, hi := Byar(0, 0.95); lo != 0 || !(hi > 0) {
		t.Errorf("Byar(0) = %v, %v", lo, hi)
	}
	if lo, _ := Byar(1, 0.998); !math.IsNaN(lo) {
		t.Errorf("Byar(1, 0.998) lower = %v, want NaN (negative)", lo)
	}
	if lo, hi := PoissonExact(0, 0.95); lo != 0 || relErr(hi, -math.Log(0.025)) > 1e-14 {
		t.Errorf("PoissonExact(0) = %v, %v", lo, hi)
	}
}

func TestDSRAndISRErrors(t *testing.T) {
	ok := []float64{1, 2}
	if _, err := DSR(ok, ok, []float64{1}, 0.95, 1e5); err == nil {
		t.Error("DSR length mismatch")
	}
	if _, err := DSR(nil, nil, nil, 0.95, 1e5); err == nil {
		t.Error("DSR empty")
	}
	if _, err := DSR([]float64{-1, 2}, ok, ok, 0.95, 1e5); err == nil {
		t.Error("DSR negative count")
	}
	if _, err := DSR(ok, []float64{0, 2}, ok, 0.95, 1e5); err == nil {
		t.Error("DSR zero population")
	}
	if _, err := DSR(ok, ok, []float64{0, 0}, 0.95, 1e5); err == nil {
		t.Error("DSR zero standard population")
	}
	if _, err := DSR(ok, ok, ok, 1, 1e5); err == nil {
		t.Error("DSR confidence 1")
	}
	if _, err := DSR(ok, ok, ok, 0.95, 0); err == nil {
		t.Error("DSR multiplier 0")
	}
	// Fewer than 10 events: NA, not an error; NaN counts are zero.
	r, err := DSR([]float64{4, math.NaN()}, ok, ok, 0.95, 1e5)
	if err != nil || !math.IsNaN(r.Value) || r.TotalCount != 4 || r.Method != MethodNone {
		t.Errorf("DSR small: %+v, %v", r, err)
	}
	if _, err := ISR(10, ok, ok, []float64{1}, 0.95, 1e5); err == nil {
		t.Error("ISR length mismatch")
	}
	if _, err := ISR(-1, ok, ok, ok, 0.95, 1e5); err == nil {
		t.Error("ISR negative observed")
	}
	if _, err := ISR(10, ok, ok, []float64{0, 1}, 0.95, 1e5); err == nil {
		t.Error("ISR zero reference population")
	}
	if _, err := ISR(10, []float64{0, 0}, ok, ok, 0.95, 1e5); err == nil {
		t.Error("ISR zero expected")
	}
	if _, err := ISR(math.NaN(), ok, ok, ok, 0.95, 1e5); err == nil {
		t.Error("ISR NaN observed")
	}
	r2, err := ISR(0, ok, ok, ok, 0.95, 1e5)
	if err != nil || r2.Ratio.Value != 0 || r2.Ratio.Lower != 0 || !(r2.Ratio.Upper > 0) || r2.Ratio.Method != MethodExact {
		t.Errorf("ISR with no events: %+v, %v", r2, err)
	}
}

func TestPHEFunnelErrors(t *testing.T) {
	if _, err := PHEFunnelSignificance(nil, PHEProportion, 100); err == nil {
		t.Error("empty")
	}
	if _, err := PHEFunnelSignificance([]PHEFunnelPoint{{3, 2, 0}}, PHEProportion, 100); err == nil {
		t.Error("proportion > 1")
	}
	if _, err := PHEFunnelSignificance([]PHEFunnelPoint{{0, math.NaN(), 5}}, PHERateCrude, 1e5); err == nil {
		t.Error("crude rate, no events, no denominator")
	}
	if _, err := PHEFunnelSignificance([]PHEFunnelPoint{{1, 2, 0}}, PHEStatistic(9), 1); err == nil {
		t.Error("unknown statistic")
	}
	if _, err := PHEFunnelLimits([]PHEFunnelPoint{{10, 100, 0}}, PHEProportion, PHEFunnelOptions{}); err == nil {
		t.Error("missing multiplier")
	}
	if _, err := PHEFunnelLimits([]PHEFunnelPoint{{10, math.NaN(), 5}}, PHERateDSR, PHEFunnelOptions{Multiplier: 1e5}); err == nil {
		t.Error("missing years")
	}
	if _, err := PHEFunnelChartPoints(nil, PHERatio, PHEFunnelOptions{Multiplier: 1, YearsOfData: 1}); err == nil {
		t.Error("chart points for a ratio")
	}
	// DSR points below 10 events are not applicable.
	sig, err := PHEFunnelSignificance([]PHEFunnelPoint{{5, math.NaN(), 50}, {500, math.NaN(), 100}, {800, math.NaN(), 120}}, PHERateDSR, 1e5)
	if err != nil || sig[0] != NotApplicable {
		t.Errorf("DSR significance: %v, %v", sig, err)
	}
}

func TestRNchar(t *testing.T) {
	for v, want := range map[float64]int{0: 1, 7: 1, 95000: 5, 100000: 5, 123456: 6, 1200000: 7, 3000000: 5, 1e15: 5, 110000: 6} {
		if got := rNchar(v); got != want {
			t.Errorf("nchar(%v) = %d, want %d", v, got, want)
		}
	}
}

func TestPHERateFunnel(t *testing.T) {
	// Three areas of 100,000 people: 100, 300 and 0 events. Average rate
	// 400/300,000. The 300-event area is far above it; the area with no
	// events is far below (its 99.8% upper limit is −log(0.001) ≈ 6.9
	// events).
	pts := []PHEFunnelPoint{{100, math.NaN(), 100}, {300, math.NaN(), 300}, {0, 1e5, 0}}
	sig, err := PHEFunnelSignificance(pts, PHERateCrude, 1e5)
	if err != nil {
		t.Fatal(err)
	}
	if sig[1] != High998 || sig[2] != Low998 {
		t.Errorf("significance %v", sig)
	}
	tab, err := PHEFunnelLimits(pts[:2], PHERateCrude, PHEFunnelOptions{Multiplier: 1e5, YearsOfData: 1})
	if err != nil {
		t.Fatal(err)
	}
	if relErr(tab.Average, 400.0/2e5) > 1e-15 || len(tab.Rows) != 100 {
		t.Fatalf("average %v, %d rows", tab.Average, len(tab.Rows))
	}
	for _, r := range tab.Rows {
		if !(r.Lower998 < r.Lower95 && r.Lower95 < tab.Baseline && tab.Baseline < r.Upper95 && r.Upper95 < r.Upper998) {
			t.Errorf("row %v: limits not nested around the baseline %v: %+v", r.X, tab.Baseline, r)
		}
	}
	for _, m := range []FunnelMethod{FunnelSHMI, FunnelCQC, FunnelProportion, FunnelRatioOfCounts, FunnelRate, 9} {
		if m.String() == "" {
			t.Errorf("FunnelMethod(%d) has no name", m)
		}
	}
}
