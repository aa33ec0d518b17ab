package stats

import "math"

// This file holds the regularised incomplete gamma function and its inverse,
// which give the exact (chi-square) Poisson limits.
//
// P(a, x) = γ(a, x)/Γ(a) and Q(a, x) = 1 − P(a, x). The common factor
// x^a e^−x / Γ(a+1) is computed with Loader's saddle-point form
// (stirlerr + bd0, as in R's dpois_raw) so that it keeps full relative
// precision even when a and x are large; P is then summed as a power series
// when x < a+1 and Q as Legendre's continued fraction (modified Lentz)
// otherwise, each to machine precision. The quantile is found by a
// bracketed Halley iteration on whichever tail is the smaller, so its
// relative accuracy is about 1e-15 for the shapes that occur with counts.
//
// Sources: Loader C. Fast and accurate computation of binomial
// probabilities. 2000. Press WH et al. Numerical Recipes, 3rd edn, §6.2
// (series, continued fraction and the initial guess of invgammp).
// Abramowitz M, Stegun IA. Handbook of Mathematical Functions, 6.5 and
// 26.4.

const (
	dblMin        = 0x1p-1022 // smallest normal float64 (C's DBL_MIN)
	dblEpsilon    = 0x1p-52
	lnSqrt2Pi     = 0.918938533204672741780329736406 // log(sqrt(2π))
	hugeShape     = 1e10                             // beyond this, use the Wilson–Hilferty approximation
	maxSeriesIter = 2_000_000
)

// logf is math.Log, correct also for subnormal arguments: Go's amd64
// assembly Log returns about −709.09 for every subnormal input, which
// would silently corrupt tail probabilities and quantiles there.
func logf(x float64) float64 {
	if x > 0 && x < dblMin {
		fr, e := math.Frexp(x)
		return math.Log(fr) + float64(e)*math.Ln2
	}
	return math.Log(x)
}

// lgammaf is log|Γ(x)|, using logf for subnormal x (math.Lgamma calls the
// faulty Log there), where log Γ(x) = −log x to double precision.
func lgammaf(x float64) float64 {
	if x > 0 && x < dblMin {
		return -logf(x)
	}
	l, _ := math.Lgamma(x)
	return l
}

// sferrHalves holds stirlerr(n) for n = 0, 0.5, ..., 15 (R's nmath table).
var sferrHalves = [31]float64{
	0.0, // n=0: placeholder, never used
	0.1534264097200273452913848,
	0.0810614667953272582196702,
	0.0548141210519176538961390,
	0.0413406959554092940938221,
	0.03316287351993628748511048,
	0.02767792568499833914878929,
	0.02374616365629749597132920,
	0.02079067210376509311152277,
	0.01848845053267318523077934,
	0.01664469118982119216319487,
	0.01513497322191737887351255,
	0.01387612882307074799874573,
	0.01281046524292022692424986,
	0.01189670994589177009505572,
	0.01110455975820691732662991,
	0.010411265261972096497478567,
	0.009799416126158803298389475,
	0.009255462182712732917728637,
	0.008768700134139385462952823,
	0.008330563433362871256469318,
	0.007934114564314020547248100,
	0.007573675487951840794972024,
	0.007244554301320383179543912,
	0.006942840107209529865664152,
	0.006665247032707682442354394,
	0.006408994188004207068439631,
	0.006171712263039457647532867,
	0.005951370112758847735624416,
	0.005746216513010115682023589,
	0.005554733551962801371038690,
}

// stirlerr returns log(n!) − log(√(2πn) (n/e)^n), the error of Stirling's
// formula.
func stirlerr(n float64) float64 {
	const (
		s0 = 0.083333333333333333333       // 1/12
		s1 = 0.00277777777777777777778     // 1/360
		s2 = 0.00079365079365079365079365  // 1/1260
		s3 = 0.000595238095238095238095238 // 1/1680
		s4 = 0.0008417508417508417508417508
	)
	if n <= 15 {
		nn := n + n
		if nn == math.Trunc(nn) && nn >= 1 {
			return sferrHalves[int(nn)]
		}
		lg := lgammaf(n + 1)
		return lg - (n+0.5)*logf(n) + n - lnSqrt2Pi
	}
	nn := n * n
	switch {
	case n > 500:
		return (s0 - s1/nn) / n
	case n > 80:
		return (s0 - (s1-s2/nn)/nn) / n
	case n > 35:
		return (s0 - (s1-(s2-s3/nn)/nn)/nn) / n
	}
	return (s0 - (s1-(s2-(s3-s4/nn)/nn)/nn)/nn) / n
}

// bd0 returns the deviance term x log(x/np) + np − x, accurately when x is
// close to np.
func bd0(x, np float64) float64 {
	if math.Abs(x-np) < 0.1*(x+np) {
		v := (x - np) / (x + np)
		s := (x - np) * v
		ej := 2 * x * v
		v *= v
		for j := 1; j < 1000; j++ {
			ej *= v
			s1 := s + ej/float64(2*j+1)
			if s1 == s {
				return s1
			}
			s = s1
		}
		return s
	}
	return x*logf(x/np) + np - x
}

// dpoisRaw returns lambda^x e^−lambda / Γ(x+1) for real x ≥ 0.
func dpoisRaw(x, lambda float64) float64 {
	switch {
	case lambda == 0:
		if x == 0 {
			return 1
		}
		return 0
	case math.IsInf(lambda, 1), x < 0:
		return 0
	case x <= lambda*dblMin:
		return math.Exp(-lambda)
	case lambda < x*dblMin:
		lg := lgammaf(x + 1)
		return math.Exp(-lambda + x*logf(lambda) - lg)
	}
	return math.Exp(-stirlerr(x)-bd0(x, lambda)) / math.Sqrt(2*math.Pi*x)
}

// gammaDensity returns x^(a−1) e^−x / Γ(a), the gamma(a, 1) density.
func gammaDensity(a, x float64) float64 {
	if x <= 0 {
		return 0
	}
	if a < 1 {
		return dpoisRaw(a, x) * a / x
	}
	return dpoisRaw(a-1, x)
}

// gammaPQ returns the regularised incomplete gamma functions P(a, x) and
// Q(a, x) for a > 0, x ≥ 0. The smaller of the two is computed directly and
// keeps full relative precision.
func gammaPQ(a, x float64) (p, q float64) {
	switch {
	case math.IsNaN(a) || math.IsNaN(x) || a <= 0 || x < 0:
		return math.NaN(), math.NaN()
	case x == 0:
		return 0, 1
	case math.IsInf(x, 1):
		return 1, 0
	case math.IsInf(a, 1):
		return 0, 1
	case a > hugeShape:
		// Wilson–Hilferty: (x/a)^(1/3) is nearly normal with mean
		// 1 − 1/(9a) and variance 1/(9a); its error is O(1/a).
		z := (math.Cbrt(x/a) - (1 - 1/(9*a))) / math.Sqrt(1/(9*a))
		return NormalCDF(z), NormalCDF(-z)
	}
	if x < a+1 {
		// P = x^a e^−x / Γ(a+1) · Σ_n x^n / ((a+1)…(a+n)).
		sum, term := 1.0, 1.0
		for n := 1; n < maxSeriesIter; n++ {
			term *= x / (a + float64(n))
			sum += term
			if term <= sum*dblEpsilon/4 {
				break
			}
		}
		p = dpoisRaw(a, x) * sum
		if p > 1 {
			p = 1
		}
		return p, 1 - p
	}
	// Q = x^a e^−x / Γ(a) · 1/(x+1−a− 1(1−a)/(x+3−a− 2(2−a)/(x+5−a− …))),
	// evaluated with the modified Lentz algorithm.
	const tiny = 1e-300
	b := x + 1 - a
	c := 1 / tiny
	d := 1 / b
	h := d
	for i := 1; i < maxSeriesIter; i++ {
		an := -float64(i) * (float64(i) - a)
		b += 2
		d = an*d + b
		if math.Abs(d) < tiny {
			d = tiny
		}
		c = b + an/c
		if math.Abs(c) < tiny {
			c = tiny
		}
		d = 1 / d
		del := d * c
		h *= del
		if math.Abs(del-1) <= dblEpsilon/2 {
			break
		}
	}
	q = a * dpoisRaw(a, x) * h
	if q > 1 {
		q = 1
	}
	return 1 - q, q
}

// GammaP returns the regularised lower incomplete gamma function
// P(a, x) = γ(a, x)/Γ(a) = ∫₀ˣ t^(a−1) e^−t dt / Γ(a), the distribution
// function of a gamma(a, 1) variable. For integer a, P(a, x) is the
// probability that a Poisson(x) count is at least a.
//
// It returns NaN for a ≤ 0, x < 0 or NaN arguments. Accuracy is about 1e-15
// relative for a up to about 1e6 and degrades slowly beyond; above a = 1e10
// the Wilson–Hilferty approximation is used.
func GammaP(a, x float64) float64 {
	p, _ := gammaPQ(a, x)
	return p
}

// GammaQ returns the regularised upper incomplete gamma function
// Q(a, x) = 1 − P(a, x), computed directly (not by subtraction) so that
// small upper tails keep their relative precision. For integer a, Q(a, x)
// is the probability that a Poisson(x) count is at most a − 1.
//
// It returns NaN for a ≤ 0, x < 0 or NaN arguments.
func GammaQ(a, x float64) float64 {
	_, q := gammaPQ(a, x)
	return q
}

// GammaQuantile returns the p-quantile of the gamma(a, 1) distribution:
// the x ≥ 0 with P(a, x) = p. It is the inverse regularised incomplete gamma
// function; ChiSquareQuantile(p, 2a)/2 is the same number.
//
// It returns 0 for p = 0 or a = 0 (a point mass at zero), +Inf for p = 1,
// and NaN for p outside [0, 1], a < 0 or NaN arguments.
func GammaQuantile(p, a float64) float64 {
	return gammaQuantile(p, a, false)
}

// ChiSquareQuantile returns the p-quantile of the chi-square distribution
// with df degrees of freedom (R's qchisq(p, df)), computed as
// 2·GammaQuantile(p, df/2). It returns NaN for invalid arguments.
func ChiSquareQuantile(p, df float64) float64 {
	return 2 * gammaQuantile(p, df/2, false)
}

// gammaQuantile solves P(a, x) = p (upper = false) or Q(a, x) = p
// (upper = true) for x.
func gammaQuantile(p, a float64, upper bool) float64 {
	switch {
	case math.IsNaN(p) || math.IsNaN(a) || p < 0 || p > 1 || a < 0:
		return math.NaN()
	case a == 0:
		return 0
	case math.IsInf(a, 1):
		return math.Inf(1)
	}
	// Work in the tail whose probability is at most one half. For
	// p ≥ 0.5, 1 − p is exact in floating point (Sterbenz), so nothing is
	// lost by switching.
	if p > 0.5 {
		p = 1 - p
		upper = !upper
	}
	if p == 0 {
		if upper {
			return math.Inf(1)
		}
		return 0
	}
	if p == 0.5 && upper {
		upper = false
	}

	if !upper {
		// For small x, P(a, x) ≈ x^a / Γ(a+1): when that puts the root
		// below the smallest float64, the quantile is 0 to double precision.
		lg := lgammaf(a + 1)
		if (logf(p)+lg)/a < -745.2 {
			return 0
		}
	}
	pLower := p // lower-tail probability, for the initial guess
	if upper {
		pLower = 1 - p
	}
	x := gammaInitialGuess(pLower, a)

	// f(x) = T(a, x) − p, T = P or Q. f is increasing for P and decreasing
	// for Q; keep a bracket [lo, hi] with the root inside.
	tail := func(x float64) float64 {
		pp, qq := gammaPQ(a, x)
		if upper {
			return qq
		}
		return pp
	}
	lo, hi := 0.0, math.Inf(1)
	// below reports whether x lies below the root.
	below := func(t float64) bool {
		if upper {
			return t > p
		}
		return t < p
	}
	for i := 0; i < 400; i++ {
		if !(x > lo && x < hi) || math.IsNaN(x) {
			// Bisect, geometrically when the bracket spans orders of
			// magnitude (tiny shapes put roots far below 1).
			switch {
			case math.IsInf(hi, 1):
				x = 2*lo + 1
			case lo == 0:
				x = hi * 1e-20
				if x == 0 {
					x = hi / 2
				}
			case hi > 4*lo:
				x = math.Sqrt(lo) * math.Sqrt(hi)
			default:
				x = lo + (hi-lo)/2
			}
			if !(x > lo && x < hi) {
				break // the bracket cannot be split further
			}
		}
		t := tail(x)
		if t == p {
			return x
		}
		if below(t) {
			lo = x
		} else {
			hi = x
		}
		dens := gammaDensity(a, x)
		if dens <= 0 || math.IsInf(dens, 0) || math.IsNaN(dens) {
			x = math.NaN() // force bisection
			continue
		}
		f := t - p
		if upper {
			f = -f
		}
		u := f / dens
		// Halley: f''/f' = (a−1)/x − 1 for both tails; the correction is
		// bounded so that it can only damp or double a Newton step.
		h := u * ((a-1)/x - 1)
		if math.IsNaN(h) || h > 1 {
			h = 1
		} else if h < -1 {
			h = -1
		}
		step := u / (1 - 0.5*h)
		xn := x - step
		if math.Abs(step) <= 2*dblEpsilon*math.Abs(x) || (!math.IsInf(hi, 1) && hi-lo <= 4*dblEpsilon*hi) {
			if xn > lo && xn < hi {
				return xn
			}
			return x
		}
		x = xn
	}
	if !(x >= lo && x <= hi) {
		// Out of iterations (a root below the smallest float64, for
		// instance): return the bracket's best point.
		if math.IsInf(hi, 1) {
			return lo
		}
		return lo + (hi-lo)/2
	}
	return x
}

// gammaInitialGuess returns a starting value for the inverse of P(a, ·) at
// lower-tail probability p (Numerical Recipes' invgammp).
func gammaInitialGuess(p, a float64) float64 {
	if a > 1 {
		pp := p
		if p >= 0.5 {
			pp = 1 - p
		}
		t := math.Sqrt(-2 * logf(pp))
		x := (2.30753+t*0.27061)/(1+t*(0.99229+t*0.04481)) - t
		if p < 0.5 {
			x = -x
		}
		return math.Max(1e-3, a*math.Pow(1-1/(9*a)-x/(3*math.Sqrt(a)), 3))
	}
	t := 1 - a*(0.253+a*0.12)
	if p < t {
		return math.Pow(p/t, 1/a)
	}
	return 1 - logf(1-(p-t)/(1-t))
}
