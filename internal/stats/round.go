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
