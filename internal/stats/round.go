package stats

import (
	"fmt"
	"math"
)

// RoundHalfUp rounds x to the given number of decimal places, halves away
// from zero (2.5 → 3, 72.97 → 73, -0.05 → -0.1): the rounding people are
// taught, used for every figure a page shows. A tiny allowance absorbs the
// binary error of decimal halves (0.125 × 100 is 12.499999… in floating point).
func RoundHalfUp(x float64, decimals int) float64 {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return x
	}
	scale := math.Pow(10, float64(decimals))
	a := math.Abs(x) * scale
	r := math.Floor(a + 0.5 + 1e-9*math.Max(1, a))
	if x < 0 {
		return -r / scale
	}
	return r / scale
}

// PercentOf writes n out of d as a whole percentage rounded half up
// ("27 of 37" is "73%"); a zero d writes "0%".
func PercentOf(n, d int64) string {
	if d == 0 {
		return "0%"
	}
	return fmt.Sprintf("%d%%", (n*200+d)/(2*d))
}

// RoundR rounds x to digits decimal places as R (4.0.0 and later) does in
// round(x, digits), which FunnelPlotR calls for the SHMI rounding of
// expected counts. R does not round the product x × 10^digits (that product
// is itself rounded and can turn a value just below a half into an exact
// half); it takes the two candidates either side of x,
//
//	xd = floor(x × 10^d) / 10^d,  xu = ceil(x × 10^d) / 10^d,
//
// and returns the one nearer x in double arithmetic; on a tie (x is exactly
// half way between two representable candidates, e.g. 0.125) the one with
// the even last digit. So round(0.125, 2) is 0.12, round(0.375, 2) is 0.38,
// and round(2.675, 2) is 2.67 because the double nearest 2.675 lies below
// the half. Values with more significant digits than a double holds are
// returned unchanged, as are NaN, infinities and zero. digits must be 0 or
// more (0 rounds half to even).
//
// Source: R Core Team. src/nmath/fround.c and ?round ("Rounding to decimal
// digits in binary arithmetic is non-trivial"), R 4.0.0.
func RoundR(x float64, digits int) float64 {
	if math.IsNaN(x) || math.IsInf(x, 0) || x == 0 {
		return x
	}
	if digits <= 0 {
		return math.RoundToEven(x)
	}
	sgn := 1.0
	if x < 0 {
		sgn, x = -1, -x
	}
	// R: if (dig + log10(x) > DBL_DIG) no rounding is needed.
	if math.Log10(2)*(0.5+math.Logb(x))+float64(digits) > 15 {
		return sgn * x
	}
	p := math.Pow(10, float64(digits))
	x10 := p * x
	i10 := math.Floor(x10)
	xd, xu := i10/p, math.Ceil(x10)/p
	du, dd := xu-x, x-xd
	if du < dd || (du == dd && math.Mod(i10, 2) == 1) {
		return sgn * xu
	}
	return sgn * xd
}
