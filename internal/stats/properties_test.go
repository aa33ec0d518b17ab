package stats

import (
	"fmt"
	"math"
	"testing"
)

// interval is a function returning (estimate, lower, upper) for a case.
type intervalCase struct {
	name string
	f    func(conf float64) (est, lo, hi float64)
}

// propertyCases are intervals for a range of sizes; the same shape of
// property holds for all of them.
func propertyCases() []intervalCase {
	var cs []intervalCase
	for _, xn := range [][2]float64{{0, 10}, {1, 10}, {5, 10}, {10, 10}, {1, 100}, {37, 120}, {500, 1000}, {9856, 12345}, {0.445, 1}} {
		x, n := xn[0], xn[1]
		cs = append(cs, intervalCase{fmt.Sprintf("Wilson %g/%g", x, n), func(c float64) (float64, float64, float64) {
			lo, hi := Wilson(x, n, c)
			return x / n, lo, hi
		}})
	}
	for _, x := range []float64{0, 1, 2, 9, 10, 11, 65, 1045, 7776456} {
		x := x
		cs = append(cs,
			intervalCase{fmt.Sprintf("PoissonExact %g", x), func(c float64) (float64, float64, float64) {
				lo, hi := PoissonExact(x, c)
				return x, lo, hi
			}},
			intervalCase{fmt.Sprintf("CrudeRate %g/5000", x), func(c float64) (float64, float64, float64) {
				e := CrudeRate(x, 5000, c, 100000)
				return e.Value, e.Lower, e.Upper
			}},
		)
		if x >= 10 {
			cs = append(cs, intervalCase{fmt.Sprintf("Byar %g", x), func(c float64) (float64, float64, float64) {
				lo, hi := Byar(x, c)
				return x, lo, hi
			}})
		}
	}
	for _, e := range []float64{0.5, 3, 5.57, 20, 250, 10000} {
		e := e
		cs = append(cs, intervalCase{fmt.Sprintf("PoissonFunnel E=%g", e), func(c float64) (float64, float64, float64) {
			lo, hi := PoissonFunnel(e, c)
			return 1, lo, hi
		}})
	}
	for _, n := range []float64{1, 5, 27, 211, 13669} {
		n := n
		cs = append(cs, intervalCase{fmt.Sprintf("ProportionFunnel n=%g", n), func(c float64) (float64, float64, float64) {
			lo, hi := ProportionFunnel(n, 0.8064, c)
			return 0.8064, lo, hi
		}})
	}
	for _, xy := range [][4]float64{{56, 70, 48, 80}, {9, 10, 3, 10}, {0, 20, 0, 20}, {10, 10, 0, 10}} {
		xy := xy
		cs = append(cs, intervalCase{fmt.Sprintf("Newcombe %v", xy), func(c float64) (float64, float64, float64) {
			return Newcombe(xy[0], xy[1], xy[2], xy[3], c)
		}})
	}
	cs = append(cs, intervalCase{"Welch", func(c float64) (float64, float64, float64) {
		return Welch(10, 2, 10, 8, 3, 12, c)
	}})
	return cs
}

// TestIntervalsBracketEstimate: every interval contains its estimate.
func TestIntervalsBracketEstimate(t *testing.T) {
	for _, tc := range propertyCases() {
		t.Run(tc.name, func(t *testing.T) {
			for _, c := range []float64{0.8, 0.9, 0.95, 0.99, 0.998} {
				est, lo, hi := tc.f(c)
				if !(lo <= est && est <= hi) {
					t.Errorf("confidence %v: interval [%v, %v] does not contain %v", c, lo, hi, est)
				}
			}
		})
	}
}

// TestIntervalsWidenWithConfidence: a higher confidence never narrows an
// interval, each limit moves outwards (or stays pinned at a bound), and
// the 99.99% interval is strictly wider than the 50% one.
func TestIntervalsWidenWithConfidence(t *testing.T) {
	for _, tc := range propertyCases() {
		t.Run(tc.name, func(t *testing.T) {
			_, lo50, hi50 := tc.f(0.5)
			plo, phi := lo50, hi50
			for _, c := range []float64{0.8, 0.9, 0.95, 0.99, 0.998, 0.9999} {
				_, lo, hi := tc.f(c)
				if lo > plo || hi < phi {
					t.Errorf("confidence %v: [%v, %v] does not contain [%v, %v]", c, lo, hi, plo, phi)
				}
				plo, phi = lo, hi
			}
			if !(phi-plo > hi50-lo50) {
				t.Errorf("99.99%% width %v not above 50%% width %v", phi-plo, hi50-lo50)
			}
		})
	}
}

// TestIntervalsNarrowWithSize: for the same rate or proportion, more data
// gives a narrower interval (relative to the estimate).
func TestIntervalsNarrowWithSize(t *testing.T) {
	sizes := []float64{1, 4, 10, 30, 100, 1000, 1e5}
	tests := []struct {
		name string
		f    func(k float64) (width float64)
	}{
		{"Wilson p=0.3", func(k float64) float64 { lo, hi := Wilson(0.3*10*k, 10*k, 0.95); return hi - lo }},
		{"Proportion p=0.05", func(k float64) float64 { e := Proportion(0.05*20*k, 20*k, 0.95, 100); return e.Upper - e.Lower }},
		{"PoissonExact", func(k float64) float64 { lo, hi := PoissonExact(k, 0.95); return (hi - lo) / k }},
		{"CrudeRate", func(k float64) float64 { e := CrudeRate(k, 1000*k, 0.95, 1e5); return e.Upper - e.Lower }},
		{"PoissonFunnel", func(k float64) float64 { lo, hi := PoissonFunnel(k, 0.998); return hi - lo }},
		{"ProportionFunnel", func(k float64) float64 { lo, hi := ProportionFunnel(10*k, 0.5, 0.95); return hi - lo }},
		{"Newcombe", func(k float64) float64 { _, lo, hi := Newcombe(6*k, 10*k, 4*k, 10*k, 0.95); return hi - lo }},
		{"Welch", func(k float64) float64 { _, lo, hi := Welch(10, 2, 2+k, 8, 3, 2+k, 0.95); return hi - lo }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			prev := math.Inf(1)
			for _, k := range sizes {
				w := tc.f(k)
				if !(w < prev) {
					t.Errorf("size factor %v: width %v not below %v", k, w, prev)
				}
				prev = w
			}
		})
	}
}

// TestProportionBounds: proportion limits stay within [0, 1].
func TestProportionBounds(t *testing.T) {
	for _, tc := range []struct{ x, n float64 }{{0, 1}, {1, 1}, {0, 1e9}, {1e9, 1e9}, {3, 7}} {
		t.Run(fmt.Sprintf("%g/%g", tc.x, tc.n), func(t *testing.T) {
			for _, c := range []float64{0.5, 0.95, 0.998, 0.999999} {
				lo, hi := Wilson(tc.x, tc.n, c)
				if !(0 <= lo && lo <= hi && hi <= 1) {
					t.Errorf("confidence %v: [%v, %v] outside [0, 1]", c, lo, hi)
				}
			}
		})
	}
}
