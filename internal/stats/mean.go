package stats

// MeanSD returns the arithmetic mean and the sample standard deviation
// (divisor n − 1) of the non-NaN values of xs, with n their count. With no
// values the mean and standard deviation are NaN; with one value the
// standard deviation is NaN. It uses the two-pass algorithm with a
// compensating correction, so it is accurate for values far from zero.
func MeanSD(xs []float64) (mean, sd float64, n int) {
	m, s, k := meanSD(xs)
	return m, s, int(k)
}
