package stats

import (
	"encoding/binary"
	"math"
	"testing"
)

// The fuzz targets feed edge inputs (0, x = n, n = 0, NaN, ±Inf, negative,
// huge, confidence outside (0, 1)) and check the documented contract: a
// NaN result for invalid input, a sane interval otherwise, never a panic.
// Run each with e.g. go test -run=^$ -fuzz=FuzzWilson -fuzztime=10s.

var edgeFloats = []float64{0, 1, -1, 0.5, 10, 1e9, 1e300, -0.0, 5e-324}

// sane reports whether lo ≤ est ≤ hi, allowing rounding.
func sane(lo, est, hi float64) bool {
	slack := 1e-12 * math.Max(1, math.Abs(est))
	return lo <= hi && lo <= est+slack && est-slack <= hi
}

func FuzzWilson(f *testing.F) {
	for _, x := range edgeFloats {
		f.Add(x, 10.0, 0.95)
		f.Add(x, x, 0.998)
		f.Add(x, 0.0, 0.95)
	}
	f.Add(math.NaN(), 10.0, 0.95)
	f.Add(3.0, 10.0, math.NaN())
	f.Add(3.0, 10.0, 1.0)
	f.Add(3.0, math.Inf(1), 0.95)
	f.Fuzz(func(t *testing.T, x, n, conf float64) {
		lo, hi := Wilson(x, n, conf)
		valid := finite(x, n) && x >= 0 && n > 0 && x <= n && conf > 0 && conf < 1
		if !valid {
			if !math.IsNaN(lo) || !math.IsNaN(hi) {
				t.Fatalf("Wilson(%v, %v, %v) = %v, %v; want NaN", x, n, conf, lo, hi)
			}
			return
		}
		p := x / n
		if math.IsNaN(lo) || math.IsNaN(hi) || lo < 0 || hi > 1 || (!math.IsInf(1/n, 0) && !sane(lo, p, hi)) {
			t.Fatalf("Wilson(%v, %v, %v) = [%v, %v] for p = %v", x, n, conf, lo, hi, p)
		}
	})
}

func FuzzByar(f *testing.F) {
	for _, x := range edgeFloats {
		f.Add(x, 0.95)
		f.Add(x, 0.998)
	}
	f.Add(math.NaN(), 0.95)
	f.Add(math.Inf(1), 0.95)
	f.Add(3.0, -0.5)
	f.Add(3.0, 1.0)
	f.Fuzz(func(t *testing.T, x, conf float64) {
		lo, hi := Byar(x, conf)
		if !finite(x) || x < 0 || !(conf > 0 && conf < 1) {
			if !math.IsNaN(lo) || !math.IsNaN(hi) {
				t.Fatalf("Byar(%v, %v) = %v, %v; want NaN", x, conf, lo, hi)
			}
			return
		}
		if math.IsNaN(hi) || (!math.IsNaN(lo) && (lo < 0 || lo > hi)) {
			t.Fatalf("Byar(%v, %v) = [%v, %v]", x, conf, lo, hi)
		}
		if x < 1e15 && conf >= 0.5 && !(hi >= x) {
			t.Fatalf("Byar(%v, %v) upper %v below the count", x, conf, hi)
		}
	})
}

func FuzzPoissonExact(f *testing.F) {
	for _, x := range edgeFloats {
		f.Add(x, 0.95)
		f.Add(x, 0.998)
	}
	f.Add(math.NaN(), 0.95)
	f.Add(math.Inf(1), 0.95)
	f.Add(7.0, 0.0)
	f.Add(7.0, 1e-300)
	f.Add(7.0, 1-1e-16)
	f.Fuzz(func(t *testing.T, x, conf float64) {
		lo, hi := PoissonExact(x, conf)
		if !finite(x) || x < 0 || !(conf > 0 && conf < 1) {
			if !math.IsNaN(lo) || !math.IsNaN(hi) {
				t.Fatalf("PoissonExact(%v, %v) = %v, %v; want NaN", x, conf, lo, hi)
			}
			return
		}
		if math.IsNaN(lo) || math.IsNaN(hi) || lo < 0 || lo > hi {
			t.Fatalf("PoissonExact(%v, %v) = [%v, %v]", x, conf, lo, hi)
		}
		if x == 0 && lo != 0 {
			t.Fatalf("PoissonExact(0) lower = %v", lo)
		}
		// With at least 50% confidence the interval contains the count.
		if conf >= 0.5 && x < 1e12 && !sane(lo, x, hi) {
			t.Fatalf("PoissonExact(%v, %v) = [%v, %v] misses the count", x, conf, lo, hi)
		}
	})
}

func FuzzPoissonFunnel(f *testing.F) {
	for _, e := range edgeFloats {
		f.Add(e, 0.95)
	}
	f.Add(math.NaN(), 0.998)
	f.Add(3.0, 2.0)
	f.Fuzz(func(t *testing.T, e, conf float64) {
		if e > 1e12 {
			e = 1e12 // keep each case fast
		}
		lo, hi := PoissonFunnel(e, conf)
		if !finite(e) || e <= 0 || !(conf > 0 && conf < 1) {
			if !math.IsNaN(lo) || !math.IsNaN(hi) {
				t.Fatalf("PoissonFunnel(%v, %v) = %v, %v; want NaN", e, conf, lo, hi)
			}
			return
		}
		if math.IsNaN(lo) || math.IsNaN(hi) || lo < 0 || lo > hi {
			t.Fatalf("PoissonFunnel(%v, %v) = [%v, %v]", e, conf, lo, hi)
		}
		if conf >= 0.5 && e >= 1e-6 && !sane(lo, 1, hi) && e < 1e10 {
			t.Fatalf("PoissonFunnel(%v, %v) = [%v, %v] misses 1", e, conf, lo, hi)
		}
	})
}

func FuzzGammaQuantile(f *testing.F) {
	f.Add(0.025, 1.0)
	f.Add(0.999, 10.0)
	f.Add(1e-300, 0.01)
	f.Add(0.5, 1e12)
	f.Add(math.NaN(), 1.0)
	f.Add(0.3, -1.0)
	f.Fuzz(func(t *testing.T, p, a float64) {
		if a > 1e12 {
			a = 1e12
		}
		x := GammaQuantile(p, a)
		if math.IsNaN(p) || math.IsNaN(a) || p < 0 || p > 1 || a < 0 {
			if !math.IsNaN(x) {
				t.Fatalf("GammaQuantile(%v, %v) = %v; want NaN", p, a, x)
			}
			return
		}
		if math.IsNaN(x) || x < 0 {
			t.Fatalf("GammaQuantile(%v, %v) = %v", p, a, x)
		}
		if lg, _ := math.Lgamma(a + 1); x == 0 && (math.Log(p)+lg)/a < -740 {
			return // the root underflows: 0 is the right answer
		}
		// (A subnormal root has too few bits for a tight check.)
		if a > 1e-3 && a < 1e8 && p > 1e-6 && p < 1-1e-6 && x >= dblMin {
			if got := GammaP(a, x); math.Abs(got-p) > 1e-9 {
				t.Fatalf("P(%v, GammaQuantile(%v)) = %v", a, p, got)
			}
		}
	})
}

func FuzzStudentTQuantile(f *testing.F) {
	f.Add(0.975, 10.0)
	f.Add(1e-10, 0.5)
	f.Add(0.5, 1e300)
	f.Add(math.NaN(), 3.0)
	f.Fuzz(func(t *testing.T, p, df float64) {
		q := StudentTQuantile(p, df)
		if math.IsNaN(p) || math.IsNaN(df) || p < 0 || p > 1 || df <= 0 {
			if !math.IsNaN(q) {
				t.Fatalf("StudentTQuantile(%v, %v) = %v; want NaN", p, df, q)
			}
			return
		}
		if math.IsNaN(q) || (p > 0.5 && q < 0) || (p < 0.5 && q > 0) {
			t.Fatalf("StudentTQuantile(%v, %v) = %v", p, df, q)
		}
	})
}

// FuzzFunnel decodes points from bytes: each pair of bytes is a
// (numerator, denominator) of small counts, and a pair followed by 0xFF
// takes the 8 bytes from there as a raw float64 numerator, so realistic
// counts, zeros and raw edge values (NaN, ±Inf, negative, huge) all occur.
func FuzzFunnel(f *testing.F) {
	f.Add([]byte{}, uint8(0), uint8(0), uint8(0), 0.1)
	f.Add([]byte{10, 20, 30, 40, 5, 5, 0, 9, 200, 100, 1, 1}, uint8(1), uint8(2), uint8(1), 0.0)
	f.Add([]byte{0, 10, 0, 10, 0, 10, 255, 1}, uint8(2), uint8(0), uint8(2), 0.2)
	f.Add([]byte{7, 0, 7, 7}, uint8(3), uint8(1), uint8(3), 0.49)
	f.Add([]byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}, uint8(4), uint8(0), uint8(0), math.NaN())
	f.Fuzz(func(t *testing.T, data []byte, method, adjust, trim uint8, frac float64) {
		var pts []FunnelPoint
		for len(data) >= 2 && len(pts) < 200 {
			n, d := float64(data[0]), float64(data[1])
			data = data[2:]
			if len(data) >= 8 && data[0] == 0xFF {
				// An escaped raw float64 numerator.
				n = math.Float64frombits(binary.LittleEndian.Uint64(data))
				data = data[8:]
			}
			pts = append(pts, FunnelPoint{Numerator: n, Denominator: d})
		}
		opts := FunnelOptions{
			Method:       FunnelMethod(method % 6),
			Adjust:       Adjust(adjust % 4),
			Trim:         Trim(trim % 5),
			TrimFraction: frac,
		}
		res, err := Funnel(pts, opts)
		if err != nil {
			return
		}
		if len(res.Points) != len(pts) || res.Tau2 < 0 || math.IsNaN(res.Tau2) || res.N > len(pts) {
			t.Fatalf("bad result: n %d of %d, τ² %v", res.N, len(pts), res.Tau2)
		}
		for _, p := range res.Points {
			for _, l := range []Limits{p.L95, p.L998, p.Adj95, p.Adj998} {
				if l.Lower > l.Upper || l.Lower < 0 {
					t.Fatalf("point %+v: limits %+v", p.FunnelPoint, l)
				}
			}
			if p.Outlier998 && !p.Outlier95 {
				t.Fatalf("point %+v: outside 99.8%% but inside 95%%", p.FunnelPoint)
			}
		}
		_ = res.LimitsAt(float64(len(pts)))
	})
}

func FuzzPoissonFunnelExpected(f *testing.F) {
	for _, x := range edgeFloats {
		f.Add(x, 0.95)
	}
	f.Add(math.NaN(), 0.95)
	f.Add(2.5, 0.998)
	f.Add(3.0, -1.0)
	f.Fuzz(func(t *testing.T, obs, conf float64) {
		lE, uE := PoissonFunnelExpected(obs, conf)
		if !finite(obs) || obs < 0 || !(conf > 0 && conf < 1) {
			if !math.IsNaN(lE) || !math.IsNaN(uE) {
				t.Fatalf("PoissonFunnelExpected(%v, %v) = %v, %v; want NaN", obs, conf, lE, uE)
			}
			return
		}
		if math.IsNaN(lE) || math.IsNaN(uE) || uE < 0 || lE < 0 {
			t.Fatalf("PoissonFunnelExpected(%v, %v) = %v, %v", obs, conf, lE, uE)
		}
		if conf >= 0.5 && obs > 0 && obs < 1e15 && !(uE <= lE) {
			t.Fatalf("PoissonFunnelExpected(%v, %v): upper-limit E %v above lower-limit E %v", obs, conf, uE, lE)
		}
	})
}
