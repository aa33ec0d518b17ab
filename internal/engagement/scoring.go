package engagement

import (
	"strconv"

	"ccg/internal/stats"
)

// MinDimensionShare is the share of a dimension's items a respondent must
// answer for a dimension score to be given.
const MinDimensionShare = 0.75

// PositiveScore is the dimension score (0-100) at or above which a
// respondent counts as positive on the dimension: an average of "agree".
const PositiveScore = 75.0

// ReverseCode returns the score of Likert answer x (1 to 5): 6 − x for a
// negatively worded item, x otherwise. Anything outside 1 to 5 gives 0.
func ReverseCode(x int, reverse bool) int {
	if x < 1 || x > 5 {
		return 0
	}
	if reverse {
		return 6 - x
	}
	return x
}

// Rescale maps a mean score on the 1-5 scale to 0-100: (m − 1) × 25.
func Rescale(m float64) float64 { return (m - 1) * 25 }

// likertValue reads a Likert answer; 0 when unanswered or not 1 to 5.
func likertValue(s string) int {
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > 5 {
		return 0
	}
	return n
}

// ItemScore returns the reverse-coded score (1 to 5) of a respondent's
// answer to Likert item it, and false when it was not answered.
func ItemScore(it Item, a Answers) (float64, bool) {
	v := ReverseCode(likertValue(a[it.ID]), it.Reverse)
	if it.Kind != ItemLikert || v == 0 {
		return 0, false
	}
	return float64(v), true
}

// DimensionScore returns a respondent's score on a dimension made of items:
// the mean of their reverse-coded answers rescaled to 0-100, given only
// when they answered at least MinDimensionShare of the items (false
// otherwise).
func DimensionScore(items []Item, a Answers) (float64, bool) {
	var vals []float64
	for _, it := range items {
		if v, ok := ItemScore(it, a); ok {
			vals = append(vals, v)
		}
	}
	if len(items) == 0 || float64(len(vals)) < MinDimensionShare*float64(len(items)) {
		return 0, false
	}
	return Rescale(average(vals)), true
}

// average is the arithmetic mean of the non-NaN values (NaN when there are
// none): the scoring rule's "mean of its items" and the mean score shown
// beside each proportion, taken from stats.MeanSD.
func average(xs []float64) float64 {
	m, _, _ := stats.MeanSD(xs)
	return m
}
