package stats

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// This file reproduces the funnel plots of Public Health England's
// Fingertips (PHEindicatormethods' calculate_funnel_limits,
// assign_funnel_significance and calculate_funnel_points).

// ProportionFunnel returns the funnel-plot control limits for a proportion
// at denominator n around the average proportion p̄ (both as fractions
// between 0 and 1), as PHE computes them: the observed proportions whose
// Wilson score interval at sample size n just reaches p̄, which is
// algebraically the normal approximation p̄ ± z√(p̄(1 − p̄)/n). PHE's
// sigma_adjustment writes it as
//
//	limits = (A ∓ √D / 8) / (1/z² + 1/n) / n
//	A = p̄ (n/z² + 1)
//	D = (8A)² − 64 (1/z² + 1/n) p̄ (n (p̄ (n/z² + 2) − 1) + z² (p̄ − 1))
//
// and this function evaluates that form term for term, with
// z = Φ⁻¹(c + (1 − c)/2), clamped to [0, 1]. Use confidence 0.95 and
// 0.998 for PHE's "2 sigma" and "3 sigma" limits.
//
// It returns NaN, NaN when n ≤ 0, average is outside [0, 1], an argument is
// NaN or infinite, or confidence is not in (0, 1).
//
// Source: PHEindicatormethods sigma_adjustment; Public Health England.
// Fingertips Technical Guidance: funnel plots.
func ProportionFunnel(n, average, confidence float64) (lower, upper float64) {
	if !finite(n, average) || n <= 0 || average < 0 || average > 1 || !validConfidence(confidence) {
		return math.NaN(), math.NaN()
	}
	p := confidence + (1-confidence)/2
	lower = math.Max(0, sigmaAdjustment(p, n, average, false, 1))
	upper = math.Min(1, sigmaAdjustment(p, n, average, true, 1))
	return lower, upper
}

// sigmaAdjustment is PHEindicatormethods' sigma_adjustment, term for term.
func sigmaAdjustment(p, population, avg float64, high bool, multiplier float64) float64 {
	z := NormalQuantile(p)
	z2 := z * z
	firstPart := avg * (population/z2 + 1)
	t := -8 * avg * (population/z2 + 1)
	adj := math.Sqrt(t*t - 64*(1/z2+1/population)*avg*(population*(avg*(population/z2+2)-1)+z2*(avg-1)))
	lastPart := 1/z2 + 1/population
	var r float64
	if high {
		r = (firstPart + adj/8) / lastPart
	} else {
		r = (firstPart - adj/8) / lastPart
	}
	return r / population * multiplier
}

// PoissonFunnel returns the funnel-plot control limits for a standardised
// ratio O/E at expected count E (the x axis of an SMR or ISR funnel), on
// the ratio scale (1 = as expected; multiply by 100 for PHE's ISR scale):
//
//	lower = O_L/E with P(X ≤ O_L | E) = α/2, i.e. Q(O_L + 1, E) = α/2
//	upper = O_U/E with P(X ≥ O_U | E) = α/2, i.e. P(O_U, E) = α/2
//
// where X ~ Poisson(E), α = 1 − confidence and the Poisson tails are
// interpolated between integers through the regularised incomplete gamma
// function. This is the continuous curve through PHE's funnel points (PHE
// tabulates it the other way round, E for each integer O: see
// PoissonFunnelExpected). The lower limit is 0 when even O = 0 is not
// unusually low (e^−E ≥ α/2). Multiply the limits by a rate to get the
// limits of a crude or directly standardised rate funnel.
//
// It returns NaN, NaN for E ≤ 0, NaN or infinite E, or confidence not in
// (0, 1).
//
// Source: Spiegelhalter DJ. Funnel plots for comparing institutional
// performance. Stat Med 2005;24:1185-1202.
func PoissonFunnel(expected, confidence float64) (lower, upper float64) {
	if !finite(expected) || expected <= 0 || !validConfidence(confidence) {
		return math.NaN(), math.NaN()
	}
	alpha2 := (1 - confidence) / 2
	e := expected
	// Lower: a = O_L + 1 solves Q(a, E) = α/2; Q(a, E) increases with a.
	if math.Exp(-e) >= alpha2 {
		lower = 0
	} else {
		fl := func(a float64) float64 { return GammaQ(a, e) - alpha2 }
		a := solveShape(fl, 1, e+1, true)
		lower = (a - 1) / e
	}
	// Upper: a = O_U solves P(a, E) = α/2; P(a, E) decreases with a.
	fu := func(a float64) float64 {
		if a == 0 {
			return 1 - alpha2 // P(a, E) → 1 as a → 0
		}
		return GammaP(a, e) - alpha2
	}
	upper = solveShape(fu, 0, e+1, false) / e
	return lower, upper
}

// solveShape finds the root of a monotone f on (lo, ∞), increasing if inc,
// starting the upper bracket at guess, by bracket expansion and Brent's
// method to about 1e-15 relative.
func solveShape(f func(float64) float64, lo, guess float64, inc bool) float64 {
	hi := math.Max(guess, lo+1)
	sign := 1.0
	if !inc {
		sign = -1
	}
	g := func(a float64) float64 { return sign * f(a) }
	for i := 0; i < 2000 && g(hi) < 0; i++ {
		lo = hi
		hi = hi*2 + 1
	}
	return brent(g, lo, hi)
}

// brent finds a root of g in [a, b], where g(a) ≤ 0 ≤ g(b) or the reverse
// (Brent 1973, as in Numerical Recipes' zbrent).
func brent(g func(float64) float64, a, b float64) float64 {
	fa, fb := g(a), g(b)
	if fa == 0 {
		return a
	}
	if fb == 0 {
		return b
	}
	if math.IsNaN(fa) || math.IsNaN(fb) || (fa > 0) == (fb > 0) {
		return math.NaN()
	}
	c, fc := b, fb
	var d, e float64
	for iter := 0; iter < 500; iter++ {
		if (fb > 0) == (fc > 0) {
			c, fc = a, fa
			d = b - a
			e = d
		}
		if math.Abs(fc) < math.Abs(fb) {
			a, b, c = b, c, b
			fa, fb, fc = fb, fc, fb
		}
		tol := 2*dblEpsilon*math.Abs(b) + 1e-300
		xm := 0.5 * (c - b)
		if math.Abs(xm) <= tol || fb == 0 {
			return b
		}
		if math.Abs(e) >= tol && math.Abs(fa) > math.Abs(fb) {
			s := fb / fa
			var p, q float64
			if a == c {
				p = 2 * xm * s
				q = 1 - s
			} else {
				q = fa / fc
				r := fb / fc
				p = s * (2*xm*q*(q-r) - (b-a)*(r-1))
				q = (q - 1) * (r - 1) * (s - 1)
			}
			if p > 0 {
				q = -q
			}
			p = math.Abs(p)
			if 2*p < math.Min(3*xm*q-math.Abs(tol*q), math.Abs(e*q)) {
				e = d
				d = p / q
			} else {
				d = xm
				e = d
			}
		} else {
			d = xm
			e = d
		}
		a, fa = b, fb
		if math.Abs(d) > tol {
			b += d
		} else {
			b += math.Copysign(tol, xm)
		}
		fb = g(b)
	}
	return b
}

// PoissonFunnelExpected is PHE's own tabulation of a Poisson funnel: for an
// observed count O it returns the expected counts at which O sits exactly
// on the lower and upper control limits,
//
//	lowerLimitExpected: E with P(X ≤ O | E) = α/2 (so O/E is the lower limit)
//	upperLimitExpected: E with P(X ≥ O | E) = α/2 (so O/E is the upper limit)
//
// with α = 1 − confidence, found exactly as PHEindicatormethods'
// poisson_funnel does (from Fingertips' Excel macro): bisection on
// v = E/(E + O + 1) to a step of 1e-7, with Poisson tails summed term by
// term. It therefore reproduces PHE's published funnel tables to their
// precision; the bisection differs from the exact root (PoissonFunnel) by
// up to about 5e-5 relative at O = 1. Divide O by the results for ratio
// limits; divide the results by an average rate for the population
// (denominator) limits of a rate funnel.
//
// upperLimitExpected is 0 for O = 0. It returns NaN, NaN for O < 0, NaN or
// infinite O, or confidence not in (0, 1).
func PoissonFunnelExpected(observed, confidence float64) (lowerLimitExpected, upperLimitExpected float64) {
	if !finite(observed) || observed < 0 || !validConfidence(confidence) {
		return math.NaN(), math.NaN()
	}
	p := (1 - confidence) / 2
	lowerLimitExpected = poissonFunnelBisect(observed, p, true)
	if observed == 0 {
		upperLimitExpected = 0
	} else {
		upperLimitExpected = poissonFunnelBisect(observed, p, false)
	}
	return lowerLimitExpected, upperLimitExpected
}

// poissonSumLimit is the largest Poisson mean for which poissonCIs sums
// term by term as PHE does (its cost grows with the mean); beyond it the
// same probability comes from the incomplete gamma function. PHE's own
// tables stay far below it.
const poissonSumLimit = 1e5

// poissonCIs is PHE's poisson_cis: the probability that a Poisson(z) count
// lies in [xa, xb], summed term by term with rescaling. It is only called
// with xa = 0 or xb = 1e10 (one tail).
func poissonCIs(z, xa, xb float64) float64 {
	if z > poissonSumLimit {
		if xa <= 0 {
			return GammaQ(math.Floor(xb)+1, z) // P(X ≤ xb)
		}
		return GammaP(math.Ceil(xa), z) // P(X ≥ xa)
	}
	q, tot, s, k := 1.0, 0.0, 0.0, 0.0
	for k <= z || q > tot*1e-10 {
		tot += q
		if k >= xa && k <= xb {
			s += q
		}
		if tot > 1e30 {
			s /= 1e30
			tot /= 1e30
			q /= 1e30
		}
		k++
		q = q * z / k
	}
	return s / tot
}

// poissonFunnelBisect is PHE's poisson_funnel: side "high" (high = true)
// finds E with P(X ≤ obs | E) = p, side "low" finds E with
// P(X ≥ obs | E) = p.
func poissonFunnelBisect(obs, p float64, high bool) float64 {
	v, dv := 0.5, 0.5
	for dv > 1e-7 {
		dv /= 2
		e := (1 + obs) * v / (1 - v)
		if high {
			if poissonCIs(e, 0, obs) < p {
				v -= dv
			} else {
				v += dv
			}
		} else {
			if poissonCIs(e, obs, 10000000000) > p {
				v -= dv
			} else {
				v += dv
			}
		}
	}
	return (1 + obs) * v / (1 - v)
}

// PHEStatistic selects the kind of indicator in a PHE (Fingertips) funnel.
type PHEStatistic int

// The PHE funnel statistics.
const (
	// PHEProportion: numerator/denominator, limits from ProportionFunnel.
	PHEProportion PHEStatistic = iota
	// PHERatio: observed/expected (an ISR or a ratio of counts), limits
	// from the Poisson distribution.
	PHERatio
	// PHERateDSR: a directly standardised rate; the denominator is derived
	// from events and rate.
	PHERateDSR
	// PHERateCrude: a crude rate; the denominator is the population if
	// given, otherwise derived from events and rate.
	PHERateCrude
)

// PHEFunnelPoint is one area in a PHE funnel. Numerator is the count
// (events, or observed for a ratio); Denominator is the population (or the
// expected count for a ratio), NaN when not supplied (allowed for rates
// with at least one event); Rate is the published rate per multiplier
// (rates only).
type PHEFunnelPoint struct {
	Numerator   float64
	Denominator float64
	Rate        float64
}

// Significance is PHE's funnel-plot significance of a point.
type Significance int

// The significance levels, in PHE's order.
const (
	NotSignificant Significance = iota // within the 95% limits
	High998                            // above the 99.8% limit: "High (0.001)"
	High95                             // above the 95% limit only: "High (0.025)"
	Low998                             // below the 99.8% limit: "Low (0.001)"
	Low95                              // below the 95% limit only: "Low (0.025)"
	NotApplicable                      // DSR from fewer than 10 events
)

// String returns PHE's label, e.g. "High (0.001)" or "Not significant".
func (s Significance) String() string {
	switch s {
	case High998:
		return "High (0.001)"
	case High95:
		return "High (0.025)"
	case Low998:
		return "Low (0.001)"
	case Low95:
		return "Low (0.025)"
	case NotApplicable:
		return "Not applicable for events less than 10 for dsrs"
	}
	return "Not significant"
}

// PHEFunnelSignificance assigns each point PHE's funnel significance, as
// PHEindicatormethods' assign_funnel_significance:
//
//   - PHEProportion: the point's proportion against ProportionFunnel limits
//     at its denominator around Σ numerators / Σ denominators;
//   - PHERatio: whether 1 lies outside the point's confidence interval for
//     O/E (exact below 10 events, Byar's from 10);
//   - PHERateDSR and PHERateCrude: whether the average rate lies outside
//     the point's confidence interval for events/derived denominator, where
//     the derived denominator is events/rate × multiplier (for a crude rate
//     with no events, the population). DSRs from fewer than 10 events are
//     NotApplicable.
//
// Limits are strict: a point exactly on a limit is not significant.
// multiplier is needed for rates only (the rate's "per"). It returns an
// error for an empty slice, negative numerators, non-positive denominators,
// numerators above denominators for proportions, or, for rates, a missing
// rate or a zero-event point without a denominator.
func PHEFunnelSignificance(points []PHEFunnelPoint, stat PHEStatistic, multiplier float64) ([]Significance, error) {
	if len(points) == 0 {
		return nil, errors.New("stats: PHEFunnelSignificance needs at least one point")
	}
	out := make([]Significance, len(points))
	switch stat {
	case PHEProportion, PHERatio:
		var sumN, sumD float64
		for i, p := range points {
			if !finite(p.Numerator) || p.Numerator < 0 {
				return nil, fmt.Errorf("stats: point %d: numerator %v must be a non-negative number", i, p.Numerator)
			}
			if !finite(p.Denominator) || p.Denominator <= 0 {
				return nil, fmt.Errorf("stats: point %d: denominator %v must be positive", i, p.Denominator)
			}
			if stat == PHEProportion && p.Numerator > p.Denominator {
				return nil, fmt.Errorf("stats: point %d: numerator %v exceeds denominator %v", i, p.Numerator, p.Denominator)
			}
			sumN += p.Numerator
			sumD += p.Denominator
		}
		if stat == PHEProportion {
			avg := sumN / sumD
			for i, p := range points {
				v := p.Numerator / p.Denominator
				switch {
				case v < sigmaAdjustment(0.999, p.Denominator, avg, false, 1):
					out[i] = Low998
				case v < sigmaAdjustment(0.975, p.Denominator, avg, false, 1):
					out[i] = Low95
				case v > sigmaAdjustment(0.999, p.Denominator, avg, true, 1):
					out[i] = High998
				case v > sigmaAdjustment(0.975, p.Denominator, avg, true, 1):
					out[i] = High95
				}
			}
			return out, nil
		}
		for i, p := range points {
			out[i] = ratioSignificance(p.Numerator, p.Denominator, 1)
		}
		return out, nil
	case PHERateDSR, PHERateCrude:
		if !finite(multiplier) || multiplier <= 0 {
			return nil, fmt.Errorf("stats: rate multiplier %v must be positive", multiplier)
		}
		dens := make([]float64, len(points))
		var sumN, sumD float64
		for i, p := range points {
			if !finite(p.Numerator) || p.Numerator < 0 {
				return nil, fmt.Errorf("stats: point %d: numerator %v must be a non-negative number", i, p.Numerator)
			}
			switch {
			case p.Numerator == 0 && stat == PHERateDSR:
				dens[i] = math.NaN()
			case p.Numerator == 0:
				if !finite(p.Denominator) || p.Denominator <= 0 {
					return nil, fmt.Errorf("stats: point %d: a crude rate with no events needs a positive denominator", i)
				}
				dens[i] = p.Denominator
			default:
				if !finite(p.Rate) || p.Rate <= 0 {
					return nil, fmt.Errorf("stats: point %d: rate %v must be positive", i, p.Rate)
				}
				dens[i] = p.Numerator / p.Rate * multiplier
			}
			sumN += p.Numerator
			if !math.IsNaN(dens[i]) {
				sumD += dens[i]
			}
		}
		if !(sumD > 0) {
			return nil, errors.New("stats: derived denominators sum to zero")
		}
		avg := sumN / sumD
		for i, p := range points {
			if stat == PHERateDSR && p.Numerator < 10 {
				out[i] = NotApplicable
				continue
			}
			out[i] = ratioSignificance(p.Numerator, dens[i], avg)
		}
		return out, nil
	}
	return nil, fmt.Errorf("stats: unknown PHE statistic %d", stat)
}

// ratioSignificance is PHE's comparison of target with the confidence
// interval of obs/den (funnel_ratio_significance).
func ratioSignificance(obs, den, target float64) Significance {
	lo998, hi998 := pheRatioLimits(obs, 0.998)
	lo95, hi95 := pheRatioLimits(obs, 0.95)
	switch {
	case target < lo998/den:
		return High998
	case target < lo95/den:
		return High95
	case target > hi998/den:
		return Low998
	case target > hi95/den:
		return Low95
	}
	return NotSignificant
}

// pheRatioLimits returns funnel_ratio_significance's limits for a count:
// exact below 10 (lower 0 for no events), Byar's from 10.
func pheRatioLimits(obs, c float64) (lower, upper float64) {
	if obs == 0 {
		return 0, exactUpper(obs, c)
	}
	lower, upper, _ = pheCountLimits(obs, c)
	return lower, upper
}

// PHEFunnelOptions configures PHEFunnelLimits.
type PHEFunnelOptions struct {
	// Multiplier of the indicator: 100 for a percentage (PHE's default),
	// 100000 for a rate per 100,000. Ratios ignore it.
	Multiplier float64
	// YearsOfData pooled in a rate (PHE's years_of_data); required for
	// rates, ignored otherwise.
	YearsOfData float64
}

// PHEFunnelRow is one row of a PHE funnel-limits table, at the x value X
// (population for proportions, observed events for ratios, events for
// rates).
//
// For proportions the limits are proportions × Multiplier, clamped to
// [0, Multiplier] (PHE clamps to [0, 100], the same for its default
// multiplier of 100). For ratios they are O/E (1 = as expected; subtract 1 for PHE's
// "count" ratio type, multiply by 100 for its "isr" type) and the Expected
// fields hold the expected counts at which X events sit on each limit. For
// rates they are rates per Multiplier and the Population fields hold the
// population per year at which X events sit on each limit.
type PHEFunnelRow struct {
	X        float64
	Lower95  float64
	Upper95  float64
	Lower998 float64
	Upper998 float64
	// Expected (ratios) or Population per year (rates) on each limit; NaN
	// for proportions.
	Lower95At, Upper95At, Lower998At, Upper998At float64
}

// PHEFunnelTable is PHE's 100-row table of funnel control limits, for
// drawing the funnel.
type PHEFunnelTable struct {
	Statistic PHEStatistic
	// Baseline is the centre line: the average × Multiplier (proportions,
	// rates) or 1 (ratios).
	Baseline float64
	// Average is Σ numerators / Σ (derived) denominators.
	Average float64
	Rows    []PHEFunnelRow
}

// PHEFunnelLimits builds PHE's table of funnel-plot control limits for a
// set of areas, exactly as PHEindicatormethods' calculate_funnel_limits:
// 100 x values spread geometrically across a rounded axis range derived
// from the smallest and largest denominators (derived denominators for
// rates), with 95% ("2s") and 99.8% ("3s") limits at each. Proportion
// limits come from ProportionFunnel; ratio and rate limits from
// PoissonFunnelExpected, PHE's bisection.
//
// Denominators for PHERateDSR are Multiplier × events / rate (points with
// no events are left out); for PHERateCrude they are the Denominator when
// given, else derived the same way. It returns an error for an empty
// slice, invalid numbers, or a missing Multiplier or YearsOfData where
// needed.
func PHEFunnelLimits(points []PHEFunnelPoint, stat PHEStatistic, opts PHEFunnelOptions) (PHEFunnelTable, error) {
	tab := PHEFunnelTable{Statistic: stat}
	if len(points) == 0 {
		return tab, errors.New("stats: PHEFunnelLimits needs at least one point")
	}
	isRate := stat == PHERateDSR || stat == PHERateCrude
	if stat != PHERatio && (!finite(opts.Multiplier) || opts.Multiplier <= 0) {
		return tab, fmt.Errorf("stats: multiplier %v must be positive", opts.Multiplier)
	}
	if isRate && (!finite(opts.YearsOfData) || opts.YearsOfData <= 0) {
		return tab, fmt.Errorf("stats: years of data %v must be positive for a rate funnel", opts.YearsOfData)
	}
	if stat < PHEProportion || stat > PHERateCrude {
		return tab, fmt.Errorf("stats: unknown PHE statistic %d", stat)
	}
	var sumN, sumD float64
	minD, maxD := math.Inf(1), math.Inf(-1)
	for i, p := range points {
		if !finite(p.Numerator) || p.Numerator < 0 {
			return tab, fmt.Errorf("stats: point %d: numerator %v must be a non-negative number", i, p.Numerator)
		}
		d := p.Denominator
		switch {
		case stat == PHERateDSR:
			if p.Numerator == 0 {
				d = math.NaN()
			} else if !finite(p.Rate) || p.Rate <= 0 {
				return tab, fmt.Errorf("stats: point %d: rate %v must be positive", i, p.Rate)
			} else {
				d = opts.Multiplier * p.Numerator / p.Rate
			}
		case stat == PHERateCrude && math.IsNaN(p.Denominator):
			if p.Numerator == 0 || !finite(p.Rate) || p.Rate <= 0 {
				return tab, fmt.Errorf("stats: point %d: a crude rate needs a denominator or, with events, a positive rate", i)
			}
			d = opts.Multiplier * p.Numerator / p.Rate
		default:
			if !finite(d) || d <= 0 {
				return tab, fmt.Errorf("stats: point %d: denominator %v must be positive", i, d)
			}
		}
		sumN += p.Numerator
		if !math.IsNaN(d) {
			sumD += d
			minD = math.Min(minD, d)
			maxD = math.Max(maxD, d)
		}
	}
	if !(sumD > 0) {
		return tab, errors.New("stats: denominators sum to zero")
	}
	av := sumN / sumD
	tab.Average = av
	years := opts.YearsOfData

	var axisMin, axisMax float64
	if maxD > 2*minD {
		axisMin = 0
	} else if isRate {
		axisMin = signifFloor(minD/years) * years
	} else {
		axisMin = signifFloor(minD)
	}
	if isRate {
		axisMax = signifCeiling(maxD/years) * years
		axisMin = math.Floor(axisMin * av)
		axisMax = math.Ceil(axisMax * av)
	} else {
		axisMax = signifCeiling(maxD)
	}
	xs := make([]float64, 100)
	xs[0] = math.Max(1, axisMin)
	for j := 2; j <= 100; j++ {
		offset := float64(j)
		if stat == PHERatio {
			offset = float64(j - 1)
		}
		prev := xs[j-2]
		xs[j-1] = math.Max(math.RoundToEven(math.Pow(axisMax/prev, 1/(101-offset))*prev), prev+1)
	}

	tab.Rows = make([]PHEFunnelRow, len(xs))
	switch stat {
	case PHEProportion:
		tab.Baseline = av * opts.Multiplier
		for i, x := range xs {
			tab.Rows[i] = PHEFunnelRow{
				X:          x,
				Lower95:    math.Max(0, sigmaAdjustment(0.975, x, av, false, opts.Multiplier)),
				Upper95:    math.Min(opts.Multiplier, sigmaAdjustment(0.975, x, av, true, opts.Multiplier)),
				Lower998:   math.Max(0, sigmaAdjustment(0.999, x, av, false, opts.Multiplier)),
				Upper998:   math.Min(opts.Multiplier, sigmaAdjustment(0.999, x, av, true, opts.Multiplier)),
				Lower95At:  math.NaN(),
				Upper95At:  math.NaN(),
				Lower998At: math.NaN(),
				Upper998At: math.NaN(),
			}
		}
	case PHERatio:
		tab.Baseline = 1
		for i, x := range xs {
			l95 := poissonFunnelBisect(x, 0.025, true)
			u95 := poissonFunnelBisect(x, 0.025, false)
			l998 := poissonFunnelBisect(x, 0.001, true)
			u998 := poissonFunnelBisect(x, 0.001, false)
			tab.Rows[i] = PHEFunnelRow{
				X: x, Lower95: x / l95, Upper95: x / u95, Lower998: x / l998, Upper998: x / u998,
				Lower95At: l95, Upper95At: u95, Lower998At: l998, Upper998At: u998,
			}
		}
	default:
		tab.Baseline = av * opts.Multiplier
		m := opts.Multiplier
		for i, x := range xs {
			l95 := poissonFunnelBisect(x, 0.025, true) / av
			u95 := poissonFunnelBisect(x, 0.025, false) / av
			l998 := poissonFunnelBisect(x, 0.001, true) / av
			u998 := poissonFunnelBisect(x, 0.001, false) / av
			tab.Rows[i] = PHEFunnelRow{
				X: x, Lower95: x / l95 * m, Upper95: x / u95 * m, Lower998: x / l998 * m, Upper998: x / u998 * m,
				Lower95At: l95 / years, Upper95At: u95 / years, Lower998At: l998 / years, Upper998At: u998 / years,
			}
		}
	}
	return tab, nil
}

// signifFloor is PHE's signif.floor(x, 0.95): round x·0.95 down to its
// leading digit.
func signifFloor(x float64) float64 {
	if x == 0 {
		return 0
	}
	n := rNchar(math.Floor(x*0.95)) - 1
	p := math.Pow(10, float64(n))
	return math.Floor(x*0.95/p) * p
}

// signifCeiling is PHE's signif.ceiling(x, 1.05): round x·1.05 up to its
// leading two digits.
func signifCeiling(x float64) float64 {
	if x == 0 {
		return 0
	}
	n := rNchar(math.Ceil(x*1.05)) - 2
	p := math.Pow(10, float64(n))
	return math.Ceil(x*1.05/p) * p
}

// rNchar returns nchar(as.character(v)) as R computes it for the whole
// numbers PHE's axis rounding feeds it: R prints with up to 15 significant
// digits and uses scientific notation when that is narrower than fixed
// notation (so 100000 is "1e+05", five characters, but 123456 is
// "123456").
func rNchar(v float64) int {
	if v == 0 {
		return 1
	}
	neg := 0
	if v < 0 {
		neg, v = 1, -v
	}
	s := strconv.FormatFloat(v, 'e', 14, 64) // d.dddddddddddddde±XX
	mant, expPart, _ := strings.Cut(s, "e")
	exp, _ := strconv.Atoi(expPart)
	sig := len(strings.TrimRight(strings.Replace(mant, ".", "", 1), "0"))
	sci := neg + sig + 4 // mantissa digits + "e+XX"
	if sig > 1 {
		sci++ // decimal point
	}
	if exp >= 100 || exp <= -100 {
		sci++
	}
	var fixed int
	if exp >= 0 {
		fixed = neg + exp + 1
		if sig > exp+1 {
			fixed += 1 + sig - (exp + 1)
		}
	} else {
		fixed = neg + 2 + (-exp - 1) + sig
	}
	if fixed <= sci {
		return fixed
	}
	return sci
}

// PHEChartPoint is an area converted for plotting on a PHE rate funnel:
// the rate to plot (NaN for a DSR from fewer than 10 events) and the
// population per year it is plotted at.
type PHEChartPoint struct {
	Rate               float64 // the rate to plot, per multiplier
	DenominatorPerYear float64 // the x position: population per year
}

// PHEFunnelChartPoints converts rate points for plotting on a rate funnel,
// as PHEindicatormethods' calculate_funnel_points: the denominator per year
// is Multiplier × events / rate / YearsOfData, except that a crude rate
// with no events uses its Denominator / YearsOfData, and a DSR from fewer
// than 10 events is not plotted (both NaN).
//
// It returns an error when stat is not a rate, or Multiplier or YearsOfData
// is not positive.
func PHEFunnelChartPoints(points []PHEFunnelPoint, stat PHEStatistic, opts PHEFunnelOptions) ([]PHEChartPoint, error) {
	if stat != PHERateDSR && stat != PHERateCrude {
		return nil, errors.New("stats: PHEFunnelChartPoints is for rates only")
	}
	if !finite(opts.Multiplier, opts.YearsOfData) || opts.Multiplier <= 0 || opts.YearsOfData <= 0 {
		return nil, errors.New("stats: PHEFunnelChartPoints needs a positive multiplier and years of data")
	}
	out := make([]PHEChartPoint, len(points))
	for i, p := range points {
		switch {
		case stat == PHERateDSR && !(p.Numerator >= 10):
			out[i] = PHEChartPoint{Rate: math.NaN(), DenominatorPerYear: math.NaN()}
		case stat == PHERateCrude && p.Numerator == 0 && !math.IsNaN(p.Denominator):
			out[i] = PHEChartPoint{Rate: p.Rate, DenominatorPerYear: p.Denominator / opts.YearsOfData}
		default:
			out[i] = PHEChartPoint{Rate: p.Rate, DenominatorPerYear: (opts.Multiplier * p.Numerator / p.Rate) / opts.YearsOfData}
		}
	}
	return out, nil
}
