package stats

import "math"

// CronbachAlpha returns Cronbach's alpha, the internal consistency of a
// scale made of k items, from a k × n matrix: items[i][j] is respondent j's
// score on item i. With s_i² the sample variance of item i and s_T² that of
// respondents' total scores,
//
//	α = k/(k − 1) · (1 − Σ s_i² / s_T²)
//
// Respondents with a NaN on any item are left out (listwise deletion).
//
// It returns NaN when there are fewer than 2 items or fewer than 2 complete
// respondents, the rows differ in length, a score is infinite, or the total
// scores do not vary.
//
// Source: Cronbach LJ. Coefficient alpha and the internal structure of
// tests. Psychometrika 1951;16:297-334.
func CronbachAlpha(items [][]float64) float64 {
	k := len(items)
	if k < 2 {
		return math.NaN()
	}
	n := len(items[0])
	for _, row := range items {
		if len(row) != n {
			return math.NaN()
		}
		for _, v := range row {
			if math.IsInf(v, 0) {
				return math.NaN()
			}
		}
	}
	var keep []int
	for j := 0; j < n; j++ {
		ok := true
		for i := range items {
			if math.IsNaN(items[i][j]) {
				ok = false
				break
			}
		}
		if ok {
			keep = append(keep, j)
		}
	}
	if len(keep) < 2 {
		return math.NaN()
	}
	totals := make([]float64, len(keep))
	var sumVar float64
	col := make([]float64, len(keep))
	for i := range items {
		for c, j := range keep {
			col[c] = items[i][j]
			totals[c] += items[i][j]
		}
		_, sd, _ := meanSD(col)
		sumVar += sd * sd
	}
	_, sdT, _ := meanSD(totals)
	varT := sdT * sdT
	if varT == 0 {
		return math.NaN()
	}
	kf := float64(k)
	return kf / (kf - 1) * (1 - sumVar/varT)
}
