package stats

import "math"

// Method names the confidence-interval method behind an Estimate.
type Method int

// The confidence-interval methods used in this package.
const (
	MethodNone   Method = iota // no interval (for example, suppressed or not computable)
	MethodWilson               // Wilson score interval for a proportion
	MethodByar                 // Byar's approximation to exact Poisson limits
	MethodExact                // exact Poisson limits from chi-square (gamma) quantiles
	MethodDobson               // Dobson's method for a weighted sum of Poisson counts (DSR)
)

// String returns the label PHEindicatormethods prints in its method column
// ("Wilson", "Byars", "Exact", "Dobson"), or "" for MethodNone.
func (m Method) String() string {
	switch m {
	case MethodWilson:
		return "Wilson"
	case MethodByar:
		return "Byars"
	case MethodExact:
		return "Exact"
	case MethodDobson:
		return "Dobson"
	}
	return ""
}

// Estimate is an indicator value with its confidence limits, all on the
// reporting scale (already multiplied by the multiplier, e.g. per 100,000).
// Invalid input gives NaN in all three numbers and MethodNone.
type Estimate struct {
	Value  float64
	Lower  float64
	Upper  float64
	Method Method
}

// nanEstimate is the Estimate returned for invalid input.
func nanEstimate() Estimate {
	return Estimate{Value: math.NaN(), Lower: math.NaN(), Upper: math.NaN()}
}

// Wilson returns the Wilson score interval for a proportion x/n, without
// continuity correction, as proportions between 0 and 1:
//
//	lower, upper = (2x + z² ∓ z·√(z² + 4x(1 − x/n))) / (2(n + z²)),
//	z = Φ⁻¹(c + (1 − c)/2)
//
// evaluated in exactly the order of PHEindicatormethods' wilson_lower and
// wilson_upper. x need not be an integer (weighted survey counts are
// allowed).
//
// It returns NaN, NaN when x < 0, x > n, n ≤ 0, any argument is NaN or
// infinite, or confidence is not in (0, 1).
//
// Sources: Wilson EB. Probable inference, the law of succession, and
// statistical inference. J Am Stat Assoc 1927;22:209-212. Newcombe RG,
// Altman DG. Proportions and their differences. In: Altman DG et al.,
// Statistics with Confidence, 2nd edn. BMJ Books 2000, pp 46-48.
func Wilson(x, n, confidence float64) (lower, upper float64) {
	if !finite(x, n) || x < 0 || n <= 0 || x > n || !validConfidence(confidence) {
		return math.NaN(), math.NaN()
	}
	z := zTwoSided(confidence)
	root := z * math.Sqrt(z*z+4*x*(1-(x/n)))
	lower = (2*x + z*z - root) / 2 / (n + z*z)
	upper = (2*x + z*z + root) / 2 / (n + z*z)
	// The limits are exactly 0 at x = 0 and 1 at x = n; pin them there
	// rather than leave the last-bit rounding of the formula.
	if lower < 0 || x == 0 {
		lower = 0
	}
	if upper > 1 || x == n {
		upper = 1
	}
	return lower, upper
}

// Byar returns Byar's approximation to the exact confidence limits of a
// Poisson count x:
//
//	lower = x (1 − 1/(9x) − z/(3√x))³
//	upper = (x+1) (1 − 1/(9(x+1)) + z/(3√(x+1)))³
//
// with z = Φ⁻¹(c + (1 − c)/2), as PHEindicatormethods' byars_lower and
// byars_upper. The lower limit is NaN when the formula would make it
// negative (very small x or very high confidence, where Byar's method
// breaks down); for x = 0 the lower limit is 0.
//
// It returns NaN, NaN for x < 0, NaN or infinite x, or confidence not in
// (0, 1).
//
// Source: Breslow NE, Day NE. Statistical Methods in Cancer Research,
// volume II: The Design and Analysis of Cohort Studies. IARC, Lyon 1987.
func Byar(x, confidence float64) (lower, upper float64) {
	if !finite(x) || x < 0 || !validConfidence(confidence) {
		return math.NaN(), math.NaN()
	}
	z := zTwoSided(confidence)
	return byarLower(x, z), byarUpper(x, z)
}

func byarLower(x, z float64) float64 {
	if x == 0 {
		return 0
	}
	b := 1 - 1/(9*x) - z/(3*math.Sqrt(x))
	l := x * (b * b * b)
	if l < 0 {
		return math.NaN()
	}
	return l
}

func byarUpper(x, z float64) float64 {
	x1 := x + 1
	b := 1 - 1/(9*x1) + z/(3*math.Sqrt(x1))
	return x1 * (b * b * b)
}

// PoissonExact returns the exact (Garwood) confidence limits for the mean
// of a Poisson count x, from chi-square quantiles:
//
//	lower = χ²(α/2; 2x)/2,   upper = χ²(1 − α/2; 2x + 2)/2,   α = 1 − c
//
// computed as gamma quantiles (lower = GammaQuantile(α/2, x),
// upper = GammaQuantile(1 − α/2, x + 1)) to about 1e-15 relative. The lower
// limit for x = 0 is 0. Non-integer x is accepted (the continuous
// extension).
//
// It returns NaN, NaN for x < 0, NaN or infinite x, or confidence not in
// (0, 1).
//
// Source: Garwood F. Fiducial limits for the Poisson distribution.
// Biometrika 1936;28:437-442. Armitage P, Berry G. Statistical Methods in
// Medical Research, 4th edn. Blackwell 2002.
func PoissonExact(x, confidence float64) (lower, upper float64) {
	if !finite(x) || x < 0 || !validConfidence(confidence) {
		return math.NaN(), math.NaN()
	}
	return exactLower(x, confidence), exactUpper(x, confidence)
}

// exactLower is qchisq((1−c)/2, 2x)/2 as PHE writes it.
func exactLower(x, c float64) float64 {
	if x == 0 {
		return 0
	}
	return gammaQuantile((1-c)/2, x, false)
}

// exactUpper is qchisq(c + (1−c)/2, 2x+2)/2 as PHE writes it.
func exactUpper(x, c float64) float64 {
	return gammaQuantile(c+(1-c)/2, x+1, false)
}

// pheCountLimits returns PHE's confidence limits for a Poisson count:
// exact below 10 events, Byar's from 10.
func pheCountLimits(x, c float64) (lower, upper float64, m Method) {
	if x < 10 {
		return exactLower(x, c), exactUpper(x, c), MethodExact
	}
	z := zTwoSided(c)
	return byarLower(x, z), byarUpper(x, z), MethodByar
}

// Proportion returns the proportion x/n and its Wilson score limits, all
// multiplied by multiplier (1 for a proportion, 100 for a percentage), as
// PHEindicatormethods' calculate_proportion.
//
// Invalid input (see Wilson, or multiplier not finite and positive) gives
// NaN values and MethodNone.
func Proportion(x, n, confidence, multiplier float64) Estimate {
	if !finite(multiplier) || multiplier <= 0 {
		return nanEstimate()
	}
	lo, hi := Wilson(x, n, confidence)
	if math.IsNaN(lo) {
		return nanEstimate()
	}
	return Estimate{
		Value:  x / n * multiplier,
		Lower:  lo * multiplier,
		Upper:  hi * multiplier,
		Method: MethodWilson,
	}
}

// CrudeRate returns the crude rate x/n × multiplier (e.g. multiplier
// 100000 for a rate per 100,000) with PHE's confidence limits for the count
// scaled the same way: exact chi-square limits when x < 10 (MethodExact),
// Byar's approximation otherwise (MethodByar), as PHEindicatormethods'
// calculate_rate.
//
// Invalid input (x < 0, n ≤ 0, NaN or infinite arguments, multiplier ≤ 0,
// confidence not in (0, 1)) gives NaN values and MethodNone.
func CrudeRate(x, n, confidence, multiplier float64) Estimate {
	if !finite(x, n, multiplier) || x < 0 || n <= 0 || multiplier <= 0 || !validConfidence(confidence) {
		return nanEstimate()
	}
	lo, hi, m := pheCountLimits(x, confidence)
	return Estimate{
		Value:  x / n * multiplier,
		Lower:  lo / n * multiplier,
		Upper:  hi / n * multiplier,
		Method: m,
	}
}

// Newcombe returns the difference of two proportions, p1 − p2 with
// p1 = x1/n1 and p2 = x2/n2, and its hybrid Wilson score interval (Newcombe
// 1998, method 10):
//
//	lower = d − √((p1 − l1)² + (u2 − p2)²)
//	upper = d + √((u1 − p1)² + (p2 − l2)²)
//
// where (l1, u1) and (l2, u2) are the Wilson intervals of the two
// proportions at the same confidence. The result is on the proportion scale
// (−1 to 1).
//
// It returns NaN, NaN, NaN when either proportion is invalid (see Wilson).
//
// Source: Newcombe RG. Interval estimation for the difference between
// independent proportions: comparison of eleven methods. Stat Med
// 1998;17:873-890.
func Newcombe(x1, n1, x2, n2, confidence float64) (diff, lower, upper float64) {
	l1, u1 := Wilson(x1, n1, confidence)
	l2, u2 := Wilson(x2, n2, confidence)
	if math.IsNaN(l1) || math.IsNaN(l2) {
		return math.NaN(), math.NaN(), math.NaN()
	}
	p1, p2 := x1/n1, x2/n2
	diff = p1 - p2
	lower = diff - math.Sqrt((p1-l1)*(p1-l1)+(u2-p2)*(u2-p2))
	upper = diff + math.Sqrt((u1-p1)*(u1-p1)+(p2-l2)*(p2-l2))
	return diff, lower, upper
}

// Welch returns the difference of two means, mean1 − mean2, and its Welch
// (unequal variances) confidence interval from summary statistics:
//
//	se = √(s1²/n1 + s2²/n2)
//	df = se⁴ / ((s1²/n1)²/(n1−1) + (s2²/n2)²/(n2−1))   (Welch–Satterthwaite)
//	diff ± t(c + (1−c)/2; df) · se
//
// sd1 and sd2 are sample standard deviations (n − 1 denominator). When both
// standard deviations are zero the interval collapses to the difference.
//
// It returns NaN, NaN, NaN when n1 or n2 is below 2, a standard deviation
// is negative, an argument is NaN or infinite, or confidence is not in
// (0, 1).
//
// Source: Welch BL. The generalization of "Student's" problem when several
// different population variances are involved. Biometrika 1947;34:28-35.
func Welch(mean1, sd1, n1, mean2, sd2, n2, confidence float64) (diff, lower, upper float64) {
	if !finite(mean1, sd1, n1, mean2, sd2, n2) || n1 < 2 || n2 < 2 || sd1 < 0 || sd2 < 0 || !validConfidence(confidence) {
		return math.NaN(), math.NaN(), math.NaN()
	}
	diff = mean1 - mean2
	v1, v2 := sd1*sd1/n1, sd2*sd2/n2
	se := math.Sqrt(v1 + v2)
	if se == 0 {
		return diff, diff, diff
	}
	df := (v1 + v2) * (v1 + v2) / (v1*v1/(n1-1) + v2*v2/(n2-1))
	t := StudentTQuantile(confidence+(1-confidence)/2, df)
	return diff, diff - t*se, diff + t*se
}

// WelchSamples is Welch computed from two samples: it takes their means and
// sample standard deviations and returns Welch's interval for the
// difference of means. NaN values in the samples are ignored.
func WelchSamples(a, b []float64, confidence float64) (diff, lower, upper float64) {
	m1, s1, n1 := meanSD(a)
	m2, s2, n2 := meanSD(b)
	return Welch(m1, s1, n1, m2, s2, n2, confidence)
}

// meanSD returns the mean, sample standard deviation and count of the
// non-NaN values of xs (two-pass algorithm).
func meanSD(xs []float64) (mean, sd, n float64) {
	var sum float64
	for _, x := range xs {
		if !math.IsNaN(x) {
			sum += x
			n++
		}
	}
	if n == 0 {
		return math.NaN(), math.NaN(), 0
	}
	mean = sum / n
	var ss, comp float64
	for _, x := range xs {
		if !math.IsNaN(x) {
			d := x - mean
			ss += d * d
			comp += d
		}
	}
	if n < 2 {
		return mean, math.NaN(), n
	}
	ss -= comp * comp / n
	if ss < 0 {
		ss = 0
	}
	return mean, math.Sqrt(ss / (n - 1)), n
}

// finite reports whether every argument is a finite number.
func finite(xs ...float64) bool {
	for _, x := range xs {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return false
		}
	}
	return true
}
