package stats

import (
	"math"
	"testing"
)

func TestMeanSD(t *testing.T) {
	nan := math.NaN()
	tests := []struct {
		name     string
		xs       []float64
		mean, sd float64
		n        int
	}{
		{"empty", nil, nan, nan, 0},
		{"only NaN", []float64{nan, nan}, nan, nan, 0},
		{"one value", []float64{4}, 4, nan, 1},
		{"two values", []float64{1, 3}, 2, math.Sqrt2, 2},
		{"NaN ignored", []float64{2, nan, 4, 4, 4, 5, 5, 7, 9}, 5, math.Sqrt(32.0 / 7), 8},
		{"constant", []float64{3, 3, 3}, 3, 0, 3},
		{"large offset", []float64{1e9 + 4, 1e9 + 7, 1e9 + 13, 1e9 + 16}, 1e9 + 10, math.Sqrt(30), 4},
		{"Likert scores", []float64{1, 2, 3, 4, 5}, 3, math.Sqrt(2.5), 5},
	}
	same := func(a, b float64) bool {
		if math.IsNaN(a) || math.IsNaN(b) {
			return math.IsNaN(a) && math.IsNaN(b)
		}
		return math.Abs(a-b) <= 1e-9*math.Max(1, math.Abs(b))
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, sd, n := MeanSD(tc.xs)
			if !same(m, tc.mean) || !same(sd, tc.sd) || n != tc.n {
				t.Errorf("MeanSD(%v) = %v, %v, %d; want %v, %v, %d", tc.xs, m, sd, n, tc.mean, tc.sd, tc.n)
			}
		})
	}
}
