package stats

import (
	"errors"
	"fmt"
	"math"
)

// DSRMinCount is the smallest total count for which DSR returns a value:
// PHE does not publish directly standardised rates from fewer than 10
// events, because the Dobson limits are unreliable there.
const DSRMinCount = 10

// DSRResult is a directly standardised rate with its Dobson confidence
// limits, per multiplier. Value, Lower and Upper are NaN (and Method is
// MethodNone) when TotalCount < DSRMinCount.
type DSRResult struct {
	Estimate
	TotalCount float64 // Σ counts
	TotalPop   float64 // Σ populations
}

// DSR returns the directly standardised rate of counts in populations pops
// standardised to the standard population stdPops (e.g. the 2013 European
// Standard Population), one element per age band (or other category), in
// the same order, with Dobson confidence limits, as PHEindicatormethods'
// calculate_dsr:
//
//	w_i   = std_i / n_i
//	DSR   = Σ x_i w_i / Σ std_i × multiplier
//	var   = Σ x_i w_i² / (Σ std_i)²
//	limit = DSR + √(var / X) · (B − X) × multiplier
//
// where X = Σ x_i and B is Byar's lower or upper limit for X. When
// X < DSRMinCount (10) the rate and limits are NaN, as PHE publishes them
// as NA.
//
// A NaN count is treated as zero, as PHE does (na.zero). It returns an
// error when the slices differ in length or are empty, a count is negative
// or infinite, a population is not positive and finite, a standard
// population is negative or not finite, the standard populations sum to
// zero, confidence is not in (0, 1) or multiplier is not positive.
//
// Source: Dobson AJ, Kuulasmaa K, Eberle E, Scherer J. Confidence intervals
// for weighted sums of Poisson parameters. Stat Med 1991;10:457-462. Public
// Health England. Technical Guide: Confidence Intervals. 2018.
func DSR(counts, pops, stdPops []float64, confidence, multiplier float64) (DSRResult, error) {
	res := DSRResult{Estimate: nanEstimate(), TotalCount: math.NaN(), TotalPop: math.NaN()}
	if len(counts) == 0 || len(counts) != len(pops) || len(counts) != len(stdPops) {
		return res, fmt.Errorf("stats: DSR needs counts, pops and stdPops of the same non-zero length (got %d, %d, %d)", len(counts), len(pops), len(stdPops))
	}
	if !validConfidence(confidence) {
		return res, fmt.Errorf("stats: DSR confidence %v is not between 0 and 1", confidence)
	}
	if !finite(multiplier) || multiplier <= 0 {
		return res, fmt.Errorf("stats: DSR multiplier %v is not positive", multiplier)
	}
	var total, totalPop, sumWt, sumSq, sumStd float64
	for i := range counts {
		x, n, s := counts[i], pops[i], stdPops[i]
		if math.IsNaN(x) {
			x = 0
		}
		if math.IsInf(x, 0) || x < 0 {
			return res, fmt.Errorf("stats: DSR count %v in category %d is not a non-negative number", counts[i], i)
		}
		if !finite(n) || n <= 0 {
			return res, fmt.Errorf("stats: DSR population %v in category %d is not positive", n, i)
		}
		if !finite(s) || s < 0 {
			return res, fmt.Errorf("stats: DSR standard population %v in category %d is not a non-negative number", s, i)
		}
		total += x
		totalPop += n
		sumWt += x * s / n
		sumSq += x * ((s / n) * (s / n))
		sumStd += s
	}
	if sumStd == 0 {
		return res, errors.New("stats: DSR standard populations sum to zero")
	}
	res.TotalCount, res.TotalPop = total, totalPop
	if total < DSRMinCount {
		return res, nil
	}
	value := sumWt / sumStd * multiplier
	vardsr := 1 / (sumStd * sumStd) * sumSq
	z := zTwoSided(confidence)
	se := math.Sqrt(vardsr / total)
	res.Estimate = Estimate{
		Value:  value,
		Lower:  value + se*(byarLower(total, z)-total)*multiplier,
		Upper:  value + se*(byarUpper(total, z)-total)*multiplier,
		Method: MethodDobson,
	}
	return res, nil
}

// ISRResult is an indirectly standardised ratio and rate with their
// confidence limits.
type ISRResult struct {
	Observed float64 // observed events
	Expected float64 // expected events: Σ n_i × reference rate_i
	// RefRate is the crude rate of the reference population per
	// multiplier: Σ refCounts / Σ refPops × multiplier.
	RefRate float64
	// Ratio is the standardised ratio O/E with its limits (1 = as the
	// reference population; multiply by 100 for PHE's "ratio × 100").
	Ratio Estimate
	// Rate is the indirectly standardised rate per multiplier,
	// O/E × RefRate, with its limits.
	Rate Estimate
}

// ISR returns the indirectly standardised ratio and rate of an area with
// observed events and populations pops, standardised by the reference
// (e.g. England) counts refCounts and populations refPops, one element per
// age band in the same order, as PHEindicatormethods' calculate_ISRatio and
// calculate_ISRate:
//
//	E     = Σ refCount_i / refPop_i × pop_i
//	ratio = O / E,  limits = L(O)/E, U(O)/E
//	rate  = O / E × (Σ refCounts / Σ refPops × multiplier)
//
// where L and U are exact Poisson limits when O < 10 and Byar's
// approximation otherwise (Method says which). observed is the area's total
// (sum its age-specific counts first if you have them).
//
// NaN reference counts and NaN populations count as zero, as PHE does
// (na.zero). It returns an error when the slices differ in length or are
// empty, observed is negative or not finite, a population or reference
// count is negative or infinite, a reference population is not positive,
// the expected count is not positive, confidence is not in (0, 1) or
// multiplier is not positive.
//
// Source: Breslow NE, Day NE (1987), op. cit.; Armitage P, Berry G (2002),
// op. cit.; Public Health England. Technical Guide: Confidence Intervals.
func ISR(observed float64, pops, refCounts, refPops []float64, confidence, multiplier float64) (ISRResult, error) {
	res := ISRResult{Observed: observed, Expected: math.NaN(), RefRate: math.NaN(), Ratio: nanEstimate(), Rate: nanEstimate()}
	if len(pops) == 0 || len(pops) != len(refCounts) || len(pops) != len(refPops) {
		return res, fmt.Errorf("stats: ISR needs pops, refCounts and refPops of the same non-zero length (got %d, %d, %d)", len(pops), len(refCounts), len(refPops))
	}
	if !finite(observed) || observed < 0 {
		return res, fmt.Errorf("stats: ISR observed count %v is not a non-negative number", observed)
	}
	if !validConfidence(confidence) {
		return res, fmt.Errorf("stats: ISR confidence %v is not between 0 and 1", confidence)
	}
	if !finite(multiplier) || multiplier <= 0 {
		return res, fmt.Errorf("stats: ISR multiplier %v is not positive", multiplier)
	}
	var expected, sumRefCount, sumRefPop float64
	for i := range pops {
		n, rx, rn := pops[i], refCounts[i], refPops[i]
		if math.IsNaN(n) {
			n = 0
		}
		if math.IsNaN(rx) {
			rx = 0
		}
		if math.IsInf(n, 0) || n < 0 {
			return res, fmt.Errorf("stats: ISR population %v in category %d is not a non-negative number", pops[i], i)
		}
		if math.IsInf(rx, 0) || rx < 0 {
			return res, fmt.Errorf("stats: ISR reference count %v in category %d is not a non-negative number", refCounts[i], i)
		}
		if !finite(rn) || rn <= 0 {
			return res, fmt.Errorf("stats: ISR reference population %v in category %d is not positive", rn, i)
		}
		expected += rx / rn * n
		sumRefCount += rx
		sumRefPop += rn
	}
	res.Expected = expected
	res.RefRate = sumRefCount / sumRefPop * multiplier
	if !(expected > 0) || math.IsInf(expected, 0) {
		return res, fmt.Errorf("stats: ISR expected count %v is not positive", expected)
	}
	lo, hi, m := pheCountLimits(observed, confidence)
	res.Ratio = Estimate{
		Value:  observed / expected,
		Lower:  lo / expected,
		Upper:  hi / expected,
		Method: m,
	}
	res.Rate = Estimate{
		Value:  observed / expected * res.RefRate,
		Lower:  lo / expected * res.RefRate,
		Upper:  hi / expected * res.RefRate,
		Method: m,
	}
	return res, nil
}

// StandardisedRatio returns observed / expected with the limits PHE gives an
// indirectly standardised ratio: exact Poisson limits of the observed count
// when it is below 10 and Byar's approximation otherwise, each divided by
// expected (as ISR does once it has summed its expected count). Use it when
// expected counts have been worked out elsewhere, or summed over areas. It
// returns an error when observed is negative or not finite, expected is not
// positive and finite, or confidence is not in (0, 1).
func StandardisedRatio(observed, expected, confidence float64) (Estimate, error) {
	if !finite(observed) || observed < 0 {
		return nanEstimate(), fmt.Errorf("stats: standardised ratio: observed count %v is not a non-negative number", observed)
	}
	if !finite(expected) || expected <= 0 {
		return nanEstimate(), fmt.Errorf("stats: standardised ratio: expected count %v is not positive", expected)
	}
	if !validConfidence(confidence) {
		return nanEstimate(), fmt.Errorf("stats: standardised ratio: confidence %v is not between 0 and 1", confidence)
	}
	lo, hi, m := pheCountLimits(observed, confidence)
	return Estimate{Value: observed / expected, Lower: lo / expected, Upper: hi / expected, Method: m}, nil
}
