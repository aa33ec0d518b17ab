package stats

import "testing"

func TestRoundHalfUp(t *testing.T) {
	tests := []struct {
		x    float64
		d    int
		want float64
	}{
		{2.5, 0, 3}, {0.5, 0, 1}, {1.5, 0, 2}, {-2.5, 0, -3}, {72.97, 0, 73},
		{0.125 * 100, 0, 13}, {1.005, 2, 1.01}, {0.05, 1, 0.1}, {-0.05, 1, -0.1}, {12.44, 1, 12.4},
	}
	for _, tc := range tests {
		if got := RoundHalfUp(tc.x, tc.d); got != tc.want {
			t.Errorf("RoundHalfUp(%v, %d) = %v, want %v", tc.x, tc.d, got, tc.want)
		}
	}
}

func TestPercentOf(t *testing.T) {
	tests := []struct {
		n, d int64
		want string
	}{{27, 37, "73%"}, {1, 2, "50%"}, {1, 8, "13%"}, {1, 200, "1%"}, {1, 201, "0%"}, {0, 0, "0%"}, {37, 37, "100%"}}
	for _, tc := range tests {
		if got := PercentOf(tc.n, tc.d); got != tc.want {
			t.Errorf("PercentOf(%d, %d) = %s, want %s", tc.n, tc.d, got, tc.want)
		}
	}
}
