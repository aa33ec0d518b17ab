package stats

// Disclosure is a small-number disclosure-control policy: which figures
// must be suppressed before publication so that individuals cannot be
// identified.
type Disclosure struct {
	// MinCount is the smallest non-zero count that may be published:
	// counts from 1 to MinCount − 1 are suppressed. Zero is published
	// (a zero discloses nothing about an individual). MinCount ≤ 1
	// suppresses nothing.
	MinCount int
	// MinGroup is the fewest respondents a group summary (a mean, a
	// percentage, a score) may be computed from.
	MinGroup int
}

// DefaultDisclosure is the default policy for public outputs, following
// NHS England / NHS Digital practice: counts of 1 to 4 are suppressed, and
// no group summary is given from fewer than 5 respondents.
var DefaultDisclosure = Disclosure{MinCount: 5, MinGroup: 5}

// SuppressCount reports whether count n must be suppressed: true for
// 1 ≤ n < MinCount. Zero and negative numbers are not suppressed (negative
// counts are invalid and should be caught elsewhere).
func (d Disclosure) SuppressCount(n int) bool {
	return n >= 1 && n < d.MinCount
}

// AllowGroup reports whether a summary of a group of the given number of
// respondents may be published: true when respondents ≥ MinGroup (and at
// least 1).
func (d Disclosure) AllowGroup(respondents int) bool {
	return respondents >= 1 && respondents >= d.MinGroup
}
