package stats

import (
	"math"
	"testing"
)

func near(a, b, tol float64) bool {
	if a == b {
		return true
	}
	d := math.Abs(a - b)
	if m := math.Max(math.Abs(a), math.Abs(b)); m > 1 {
		d /= m
	}
	return d <= tol
}

// TestFunnelCQCByHand checks φ and τ² on a dataset small enough to do by
// hand. With the CQC method z = (√(O/E) − 1)·2√E = 2(√O − √E):
//
//	E    O    √O  √E   z
//	100  144  12  10   4
//	100   64   8  10  −4
//	400  400  20  20   0
//	400  441  21  20   2
//	400  361  19  20  −2
//
// No trimming: φ = (16 + 16 + 0 + 4 + 4)/5 = 8.
// w = 1/s² = 4E = 400, 400, 1600, 1600, 1600: Σw = 5600,
// Σw² = 2·160000 + 3·2560000 = 8000000, Σw²/Σw = 10000/7,
// Σw − Σw²/Σw = 29200/7; nφ − (n − 1) = 40 − 4 = 36;
// τ² = 36·7/29200 = 63/7300 ≈ 0.008630137.
// The first point: adjusted z = 0.2/√(1/400 + 63/7300) ≈ 1.8957, inside the
// 95% limits, although its unadjusted z of 4 is far outside.
func TestFunnelCQCByHand(t *testing.T) {
	pts := []FunnelPoint{
		{"A", 144, 100}, {"B", 64, 100}, {"C", 400, 400}, {"D", 441, 400}, {"E", 361, 400},
	}
	res, err := Funnel(pts, FunnelOptions{Method: FunnelCQC, Trim: TrimNone})
	if err != nil {
		t.Fatal(err)
	}
	wantZ := []float64{4, -4, 0, 2, -2}
	for i, p := range res.Points {
		if !near(p.Z, wantZ[i], 1e-12) {
			t.Errorf("%s: z = %v, want %v", p.Label, p.Z, wantZ[i])
		}
	}
	if res.N != 5 || !near(res.Phi, 8, 1e-12) {
		t.Errorf("n = %d, φ = %v; want 5, 8", res.N, res.Phi)
	}
	if !near(res.Tau2, 63.0/7300, 1e-12) {
		t.Errorf("τ² = %v, want %v", res.Tau2, 63.0/7300)
	}
	if !res.Adjusted {
		t.Error("φ = 8 > 1 but the result is not adjusted")
	}
	a := res.Points[0]
	wantZA := 0.2 / math.Sqrt(1.0/400+63.0/7300)
	if !near(a.ZAdjusted, wantZA, 1e-12) {
		t.Errorf("adjusted z = %v, want %v", a.ZAdjusted, wantZA)
	}
	// Adjusted limits on the ratio scale: (1 ± z·√(s² + τ²))².
	sd := math.Sqrt(1.0/400 + 63.0/7300)
	if !near(a.Adj95.Upper, math.Pow(1+z95*sd, 2), 1e-12) || !near(a.Adj95.Lower, math.Pow(1-z95*sd, 2), 1e-12) {
		t.Errorf("adjusted 95%% limits %v, want (1 ± %v·%v)²", a.Adj95, z95, sd)
	}
	if a.Outlier95 || a.Outlier998 {
		t.Errorf("A flagged as an outlier after adjustment: %+v", a)
	}
	// Unadjusted, A (1.44 at E = 100) is far above the Poisson limits.
	if !(a.Value > a.L998.Upper) {
		t.Errorf("A = %v not above the unadjusted 99.8%% limit %v", a.Value, a.L998.Upper)
	}
	off, err := Funnel(pts, FunnelOptions{Method: FunnelCQC, Trim: TrimNone, Adjust: AdjustOff})
	if err != nil {
		t.Fatal(err)
	}
	if off.Adjusted || !off.Points[0].Outlier998 || !off.Points[1].Outlier998 || off.Points[2].Outlier95 {
		t.Errorf("unadjusted flags wrong: %+v", off.Points)
	}
}

// TestFunnelWinsorisationByHand: ten CQC points at E = 100 with
// O = (10 + z/2)², so z = 2(√O − 10) is exactly
//
//	−6, −2, −1, −0.5, 0, 0.5, 1, 1.5, 2, 8.
//
// 10% quantiles (R type 7, index = 9p): lz = 0.1·(−6) + 0.9·(−2) = −2.4,
// uz = 0.9·2 + 0.1·8 = 2.6. Winsorised: −6 → −2.4 and 8 → 2.6.
// Σz_w² = 5.76 + 4 + 1 + 0.25 + 0 + 0.25 + 1 + 2.25 + 4 + 6.76 = 25.27,
// φ = 2.527. w = 4E = 400 each: Σw − Σw²/Σw = 4000 − 400 = 3600,
// τ² = (25.27 − 9)/3600 = 16.27/3600.
func TestFunnelWinsorisationByHand(t *testing.T) {
	zs := []float64{-6, -2, -1, -0.5, 0, 0.5, 1, 1.5, 2, 8}
	var pts []FunnelPoint
	for _, z := range zs {
		o := (10 + z/2) * (10 + z/2)
		pts = append(pts, FunnelPoint{Numerator: o, Denominator: 100})
	}
	res, err := Funnel(pts, FunnelOptions{Method: FunnelCQC}) // winsorises 10% by default
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range res.Points {
		want := zs[i]
		trimmed := false
		if want == -6 {
			want, trimmed = -2.4, true
		}
		if want == 8 {
			want, trimmed = 2.6, true
		}
		if !near(p.ZTrimmed, want, 1e-12) || p.Trimmed != trimmed {
			t.Errorf("z %v: winsorised to %v (trimmed %v), want %v (%v)", zs[i], p.ZTrimmed, p.Trimmed, want, trimmed)
		}
	}
	if !near(res.Phi, 2.527, 1e-12) || !near(res.Tau2, 16.27/3600, 1e-12) || res.N != 10 {
		t.Errorf("φ = %v, τ² = %v, n = %d; want 2.527, %v, 10", res.Phi, res.Tau2, res.N, 16.27/3600)
	}
}

// TestFunnelSHMITruncationByHand: twenty SHMI points at E = 100 with
// z = 10·log(O/100) = −10, −9, …, 9. With k = 1/0.1 = 10 groups, a point
// of rank r is in group ⌊10r/21⌋; groups 0 and 9 are dropped: ranks 1, 2
// (⌊0.48⌋, ⌊0.95⌋ = 0) and 19, 20 (⌊9.05⌋, ⌊9.52⌋ = 9), i.e. z = −10, −9,
// 8, 9. The 16 kept z-scores are −8 … 7: Σz² = 204 + 140 = 344,
// φ = 344/16 = 21.5. w = 1/s² = E = 100: Σw − Σw²/Σw = 1600 − 100 = 1500,
// τ² = (16·21.5 − 15)/1500 = 329/1500.
func TestFunnelSHMITruncationByHand(t *testing.T) {
	var pts []FunnelPoint
	for z := -10.0; z <= 9; z++ {
		pts = append(pts, FunnelPoint{Numerator: 100 * math.Exp(z/10), Denominator: 100})
	}
	res, err := Funnel(pts, FunnelOptions{}) // SHMI, truncation, 10%
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range res.Points {
		z := float64(i) - 10
		drop := z == -10 || z == -9 || z == 8 || z == 9
		if p.Trimmed != drop || math.IsNaN(p.ZTrimmed) != drop {
			t.Errorf("z %v: truncated %v (ZTrimmed %v), want %v", z, p.Trimmed, p.ZTrimmed, drop)
		}
		if !near(p.Z, z, 1e-12) {
			t.Errorf("z = %v, want %v", p.Z, z)
		}
	}
	if res.N != 16 || !near(res.Phi, 21.5, 1e-12) || !near(res.Tau2, 329.0/1500, 1e-12) {
		t.Errorf("n = %d, φ = %v, τ² = %v; want 16, 21.5, %v", res.N, res.Phi, res.Tau2, 329.0/1500)
	}
	// SHMI adjusted limits: exp(±z·√(1/E + τ²)).
	sd := math.Sqrt(1.0/100 + 329.0/1500)
	p := res.Points[0]
	if !near(p.Adj998.Lower, math.Exp(-z998*sd), 1e-12) || !near(p.Adj998.Upper, math.Exp(z998*sd), 1e-12) {
		t.Errorf("adjusted 99.8%% limits %v", p.Adj998)
	}
}

// TestFunnelProportionByHand: arcsine method. Target t = 90/300 = 0.3.
// Point (30, 100): y = asin √0.3, s = 1/20, z = 20·(asin √0.3 − asin √0.3) = 0.
// Point (40, 100): z = 20·(asin √0.4 − asin √0.3).
func TestFunnelProportionByHand(t *testing.T) {
	pts := []FunnelPoint{{"a", 30, 100}, {"b", 40, 100}, {"c", 20, 100}}
	res, err := Funnel(pts, FunnelOptions{Method: FunnelProportion, Trim: TrimNone, Adjust: AdjustOff})
	if err != nil {
		t.Fatal(err)
	}
	th := math.Asin(math.Sqrt(0.3))
	if !near(res.Target, 0.3, 1e-15) || !near(res.TargetY, th, 1e-15) {
		t.Fatalf("target %v (%v)", res.Target, res.TargetY)
	}
	if !near(res.Points[1].Z, 20*(math.Asin(math.Sqrt(0.4))-th), 1e-12) {
		t.Errorf("z = %v", res.Points[1].Z)
	}
	lo := math.Pow(math.Sin(th-z95/20), 2)
	hi := math.Pow(math.Sin(th+z95/20), 2)
	if l := res.Points[0].L95; !near(l.Lower, lo, 1e-12) || !near(l.Upper, hi, 1e-12) {
		t.Errorf("95%% limits %v, want [%v, %v]", l, lo, hi)
	}
	// φ = (0 + z_b² + z_c²)/3; the curve at n = 100 is the points' limits.
	if got := res.LimitsAt(100); got != res.Points[0].FunnelLimits {
		t.Errorf("LimitsAt(100) = %+v, point limits %+v", got, res.Points[0].FunnelLimits)
	}
}

// TestFunnelOnLimitIsNotOutlier: a value exactly on a limit is not an
// outlier; one just beyond it is.
func TestFunnelOnLimitIsNotOutlier(t *testing.T) {
	// One CQC point at E = 1: s = ½, τ² = 0 (a single point carries no
	// between-unit information), so the adjusted 95% upper limit is
	// (1 + z/2)².
	on := (1 + z95*0.5) * (1 + z95*0.5)
	for _, tc := range []struct {
		o       float64
		outlier bool
	}{{on, false}, {math.Nextafter(on, math.Inf(1)), true}, {math.Nextafter(on, 0), false}} {
		res, err := Funnel([]FunnelPoint{{"x", tc.o, 1}}, FunnelOptions{Method: FunnelCQC, Adjust: AdjustOn, Trim: TrimNone})
		if err != nil {
			t.Fatal(err)
		}
		p := res.Points[0]
		if res.Tau2 != 0 || p.Adj95.Upper != on {
			t.Fatalf("τ² = %v, upper = %v, want 0, %v", res.Tau2, p.Adj95.Upper, on)
		}
		if p.Outlier95 != tc.outlier {
			t.Errorf("O = %.17g on limit %.17g: outlier %v, want %v", tc.o, on, p.Outlier95, tc.outlier)
		}
	}
	// The same with unadjusted Poisson limits (SHMI, E = 4).
	_, up := PoissonFunnel(4, 0.95)
	for _, tc := range []struct {
		o       float64
		outlier bool
	}{{up * 4, false}, {math.Nextafter(up*4, math.Inf(1)), true}} {
		res, err := Funnel([]FunnelPoint{{"x", tc.o, 4}}, FunnelOptions{Method: FunnelSHMI, Adjust: AdjustOff})
		if err != nil {
			t.Fatal(err)
		}
		if p := res.Points[0]; p.Outlier95 != tc.outlier {
			t.Errorf("O/E = %.17g, limit %.17g: outlier %v, want %v", p.Value, p.L95.Upper, p.Outlier95, tc.outlier)
		}
	}
}

// TestFunnelNoOverdispersion: when every area is exactly as expected, φ = 0
// and AdjustAuto keeps the unadjusted limits.
func TestFunnelNoOverdispersion(t *testing.T) {
	pts := []FunnelPoint{{"a", 10, 10}, {"b", 50, 50}, {"c", 200, 200}}
	for _, m := range []FunnelMethod{FunnelSHMI, FunnelCQC} {
		res, err := Funnel(pts, FunnelOptions{Method: m})
		if err != nil {
			t.Fatal(err)
		}
		if res.Phi != 0 || res.Tau2 != 0 || res.Adjusted {
			t.Errorf("%v: φ = %v, τ² = %v, adjusted %v", m, res.Phi, res.Tau2, res.Adjusted)
		}
		for _, p := range res.Points {
			if p.Outlier95 || p.Outlier998 {
				t.Errorf("%v: %s flagged", m, p.Label)
			}
		}
	}
}

// TestFunnelLimitsAtMatchesPoints: the curve passes through each point's
// limits (all methods but ratios of counts, whose points use their own s).
func TestFunnelLimitsAtMatchesPoints(t *testing.T) {
	pts := []FunnelPoint{{"a", 12, 30}, {"b", 40, 45}, {"c", 90, 200}, {"d", 5, 9.5}, {"e", 300, 320}}
	for _, m := range []FunnelMethod{FunnelSHMI, FunnelCQC, FunnelProportion, FunnelRate} {
		res, err := Funnel(pts, FunnelOptions{Method: m})
		if err != nil {
			t.Fatalf("%v: %v", m, err)
		}
		for _, p := range res.Points {
			if got := res.LimitsAt(p.Denominator); got != p.FunnelLimits {
				t.Errorf("%v %s: LimitsAt %+v != point %+v", m, p.Label, got, p.FunnelLimits)
			}
			for _, l := range []Limits{p.L95, p.L998, p.Adj95, p.Adj998} {
				if !(l.Lower <= l.Upper) {
					t.Errorf("%v %s: limits %+v", m, p.Label, l)
				}
			}
			if !(p.Adj998.Lower <= p.Adj95.Lower && p.Adj95.Upper <= p.Adj998.Upper) {
				t.Errorf("%v %s: 99.8%% limits inside 95%%", m, p.Label)
			}
		}
	}
}

func TestFunnelRatioOfCountsAndRate(t *testing.T) {
	pts := []FunnelPoint{{"a", 30, 100}, {"b", 80, 100}, {"c", 200, 1000}, {"d", 20, 90}}
	res, err := Funnel(pts, FunnelOptions{Method: FunnelRatioOfCounts, Trim: TrimNone})
	if err != nil {
		t.Fatal(err)
	}
	// y = log((N + ½)/(D + ½)), s² = N/(N + ½)² + D/(D + ½)².
	b := res.Points[1]
	y := math.Log(80.5 / 100.5)
	s := math.Sqrt(80/(80.5*80.5) + 100/(100.5*100.5))
	if !near(res.Target, 330.0/1290, 1e-15) || !near(b.Y, y, 1e-15) || !near(b.S, s, 1e-15) {
		t.Errorf("target %v, y %v, s %v", res.Target, b.Y, b.S)
	}
	if !near(b.Z, (y-math.Log(330.0/1290))/s, 1e-12) {
		t.Errorf("z = %v", b.Z)
	}
	// Flags agree with the z-scores.
	for _, p := range res.Points {
		z := p.Z
		if res.Adjusted {
			z = p.ZAdjusted
		}
		if p.Outlier95 != (math.Abs(z) > z95) {
			t.Errorf("%s: outlier %v but z %v", p.Label, p.Outlier95, z)
		}
	}
	rate, err := Funnel(pts, FunnelOptions{Method: FunnelRate})
	if err != nil {
		t.Fatal(err)
	}
	if !near(rate.Target, 330.0/1290, 1e-15) {
		t.Errorf("rate target %v", rate.Target)
	}
	// Rate limits are the SR limits at E = n·target, times the target.
	p := rate.Points[2]
	lo, hi := PoissonFunnel(1000*rate.Target, 0.95)
	if !near(p.L95.Lower, lo*rate.Target, 1e-15) || !near(p.L95.Upper, hi*rate.Target, 1e-15) {
		t.Errorf("rate limits %+v, want [%v, %v]", p.L95, lo*rate.Target, hi*rate.Target)
	}
}

func TestFunnelRoundExpected(t *testing.T) {
	pts := []FunnelPoint{{"a", 12, 10.004}, {"b", 20, 19.996}}
	res, err := Funnel(pts, FunnelOptions{RoundExpected: true})
	if err != nil {
		t.Fatal(err)
	}
	if res.Points[0].Denominator != 10 || res.Points[1].Denominator != 20 {
		t.Errorf("expected not rounded: %v, %v", res.Points[0].Denominator, res.Points[1].Denominator)
	}
}

func TestFunnelErrors(t *testing.T) {
	good := []FunnelPoint{{"a", 1, 2}}
	for name, tc := range map[string]struct {
		pts  []FunnelPoint
		opts FunnelOptions
	}{
		"empty":              {nil, FunnelOptions{}},
		"negative numerator": {[]FunnelPoint{{"a", -1, 2}}, FunnelOptions{}},
		"zero denominator":   {[]FunnelPoint{{"a", 1, 0}}, FunnelOptions{}},
		"NaN":                {[]FunnelPoint{{"a", math.NaN(), 2}}, FunnelOptions{}},
		"Inf":                {[]FunnelPoint{{"a", 1, math.Inf(1)}}, FunnelOptions{}},
		"proportion over 1":  {[]FunnelPoint{{"a", 3, 2}}, FunnelOptions{Method: FunnelProportion}},
		"trim 0.5":           {good, FunnelOptions{TrimFraction: 0.5}},
		"trim negative":      {good, FunnelOptions{TrimFraction: -0.1}},
		"trim NaN":           {good, FunnelOptions{TrimFraction: math.NaN()}},
		"method":             {good, FunnelOptions{Method: 99}},
		"adjust":             {good, FunnelOptions{Adjust: -1}},
		"trim method":        {good, FunnelOptions{Trim: 42}},
		"log of zero target": {[]FunnelPoint{{"a", 0, 2}}, FunnelOptions{Method: FunnelRatioOfCounts}},
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := Funnel(tc.pts, tc.opts); err == nil {
				t.Error("no error")
			}
		})
	}
}

// TestRoundR checks R's round(x, 2) (R >= 4.0.0) on exact halves and on
// doubles just either side of a half. The wanted values follow R's
// documented algorithm worked by hand in exact decimal arithmetic on the
// stored doubles (0.125, 0.375, 1.125 are exact binary halves; 2.675 is
// stored as 2.67499999999999982236...).
func TestRoundR(t *testing.T) {
	for _, tc := range []struct {
		x      float64
		digits int
		want   float64
	}{
		{0.125, 2, 0.12},   // exact half: to even
		{0.375, 2, 0.38},   // exact half: to even
		{0.625, 2, 0.62},   // exact half: to even
		{2.5, 0, 2},        // exact half: to even
		{3.5, 0, 4},        // exact half: to even
		{10.125, 2, 10.12}, // exact half (10.125 is a binary fraction)
		{10.375, 2, 10.38},
		{-0.125, 2, -0.12},
		{2.675, 2, 2.67},   // the double is below 2.675
		{1.005, 2, 1},      // the double is below 1.005
		{0.285, 2, 0.28},   // the double is below 0.285
		{1.115, 2, 1.11},   // below the half
		{0.025, 2, 0.03},   // the double is above 0.025
		{12.345, 2, 12.35}, // the double is above 12.345
		{1.125, 2, 1.12},   // exact half: to even
		{0.135, 2, 0.14},   // the double is above 0.135
		{10.004, 2, 10},
		{19.996, 2, 20},
		{0.15, 1, 0.1}, // R's own example: 0.15 is stored below the half
		{0.25, 1, 0.2}, // exact half: to even
		{0.35, 1, 0.3}, // below the half
		{123456789.125, 2, 123456789.12},
		{1e300, 2, 1e300},
		{0, 2, 0},
	} {
		if got := RoundR(tc.x, tc.digits); got != tc.want {
			t.Errorf("RoundR(%v, %d) = %v, want %v", tc.x, tc.digits, got, tc.want)
		}
	}
	if !math.IsNaN(RoundR(math.NaN(), 2)) || !math.IsInf(RoundR(math.Inf(1), 2), 1) {
		t.Error("NaN or Inf not passed through")
	}
	// The old rounding (math.Round(x*100)/100) took exact halves away from
	// zero: a funnel with an expected count of 0.125 must now use 0.12.
	res, err := Funnel([]FunnelPoint{{"a", 1, 0.125}, {"b", 3, 2.675}}, FunnelOptions{RoundExpected: true})
	if err != nil {
		t.Fatal(err)
	}
	if res.Points[0].Denominator != 0.12 || res.Points[1].Denominator != 2.67 {
		t.Errorf("expected rounded to %v and %v, want 0.12 and 2.67", res.Points[0].Denominator, res.Points[1].Denominator)
	}
}
