package web

import (
	"testing"

	"ccg/internal/variation"
)

// TestOutlierDirection checks that a measure where neither higher nor lower
// is better counts its outliers as unusual, never as worse (or better), and
// that the others count by their direction.
func TestOutlierDirection(t *testing.T) {
	lower, higher := true, false
	high := variation.Flags{High998: true, High95: true}
	low := variation.Flags{Low95: true}
	tests := []struct {
		name                     string
		lowIsGood                *bool
		flags                    variation.Flags
		worse, better, isUnusual bool
	}{
		{"no direction, high", nil, high, false, false, true},
		{"no direction, low", nil, low, false, false, true},
		{"no direction, within", nil, variation.Flags{}, false, false, false},
		{"lower is better, high", &lower, high, true, false, false},
		{"lower is better, low", &lower, low, false, true, false},
		{"higher is better, low", &higher, low, true, false, false},
		{"higher is better, high", &higher, high, false, true, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			pm := variation.PracticeMeasure{Measure: variation.Measure{LowIsGood: tc.lowIsGood}, Value: variation.MeasureValue{Flags: tc.flags}}
			if got := worse(pm); got != tc.worse {
				t.Errorf("worse = %v, want %v", got, tc.worse)
			}
			if got := better(pm); got != tc.better {
				t.Errorf("better = %v, want %v", got, tc.better)
			}
			if got := unusual(pm); got != tc.isUnusual {
				t.Errorf("unusual = %v, want %v", got, tc.isUnusual)
			}
		})
	}
}
