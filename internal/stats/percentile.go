package stats

import (
	"math"
	"sort"
)

// RankPercentiles returns, for each value, its rank percentile
// (rank − 1)/(n − 1) as a fraction between 0 and 1, where rank is the
// 1-based rank with ties given the lowest rank of the tie (pandas
// rank(method="min"), SQL RANK) and n is the number of non-NaN values. This
// is SQL's PERCENT_RANK, which OpenPrescribing uses to place a practice
// among its peers: the lowest value is 0, the highest (untied) 1.
//
// NaN values get NaN and are not counted. A single value gets 0, as
// PERCENT_RANK gives.
func RankPercentiles(values []float64) []float64 {
	out := make([]float64, len(values))
	ranks, n := minRanks(values)
	for i, r := range ranks {
		switch {
		case math.IsNaN(values[i]):
			out[i] = math.NaN()
		case n == 1:
			out[i] = 0
		default:
			out[i] = (r - 1) / float64(n-1)
		}
	}
	return out
}

// minRanks returns 1-based ranks with ties at the lowest rank (NaN values
// get NaN) and the number of non-NaN values.
func minRanks(values []float64) ([]float64, int) {
	idx := make([]int, 0, len(values))
	for i, v := range values {
		if !math.IsNaN(v) {
			idx = append(idx, i)
		}
	}
	sort.SliceStable(idx, func(a, b int) bool { return values[idx[a]] < values[idx[b]] })
	ranks := make([]float64, len(values))
	for i := range ranks {
		ranks[i] = math.NaN()
	}
	for k, i := range idx {
		if k > 0 && values[i] == values[idx[k-1]] {
			ranks[i] = ranks[idx[k-1]]
		} else {
			ranks[i] = float64(k + 1)
		}
	}
	return ranks, len(idx)
}

// Quantile returns the p-quantile of the non-NaN values by linear
// interpolation between order statistics: with the values sorted
// x₁ ≤ … ≤ xₙ and h = (n − 1)p, it is x⌊h⌋₊₁ + (h − ⌊h⌋)(x⌊h⌋₊₂ − x⌊h⌋₊₁).
// This is R's quantile type 7 (the default), numpy.percentile's "linear"
// method and pandas' quantile.
//
// It returns NaN when there are no non-NaN values or p is outside [0, 1].
//
// Source: Hyndman RJ, Fan Y. Sample quantiles in statistical packages. Am
// Stat 1996;50:361-365 (definition 7).
func Quantile(values []float64, p float64) float64 {
	if math.IsNaN(p) || p < 0 || p > 1 {
		return math.NaN()
	}
	return quantileSorted(sortedNonNaN(values), p)
}

// Quantiles returns Quantile(values, p) for each p, sorting once.
func Quantiles(values []float64, ps ...float64) []float64 {
	s := sortedNonNaN(values)
	out := make([]float64, len(ps))
	for i, p := range ps {
		if math.IsNaN(p) || p < 0 || p > 1 {
			out[i] = math.NaN()
			continue
		}
		out[i] = quantileSorted(s, p)
	}
	return out
}

// Deciles returns the 10th, 20th, …, 90th percentiles of the non-NaN
// values (type 7 interpolation), as OpenPrescribing draws its decile
// lines. It returns NaNs when there are no values.
func Deciles(values []float64) []float64 {
	return Quantiles(values, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)
}

func sortedNonNaN(values []float64) []float64 {
	s := make([]float64, 0, len(values))
	for _, v := range values {
		if !math.IsNaN(v) {
			s = append(s, v)
		}
	}
	sort.Float64s(s)
	return s
}

// quantileSorted is type 7 on sorted values, in R's arithmetic
// ((1 − h)·x[lo] + h·x[hi], skipped when h = 0 or the two are equal, so
// infinite values do not produce NaN).
func quantileSorted(s []float64, p float64) float64 {
	n := len(s)
	if n == 0 {
		return math.NaN()
	}
	index := float64(n-1) * p
	lo := math.Floor(index)
	hi := math.Ceil(index)
	q := s[int(lo)]
	h := index - lo
	if h > 0 && s[int(hi)] != q {
		q = (1-h)*q + h*s[int(hi)]
	}
	return q
}

// PHEQuantiles assigns each value to one of nq quantile groups (1 to nq) as
// PHEindicatormethods' calculate_quantiles does, which Fingertips uses for
// quintiles (nq = 5) and deciles (nq = 10):
//
//	rank     = rank(value), ties at the lowest rank
//	quantile = ⌊(nq + 1) − ⌈((n + 1) − rank) / (n/nq)⌉⌋, raised to 1 if 0
//
// where n is the number of non-NaN values. Group 1 holds the lowest values,
// unless invert is true, in which case PHE ranks max − value and group 1
// holds the highest values (PHE's default is invert = TRUE).
//
// NaN values get group 0. It returns nil when nq < 1.
func PHEQuantiles(values []float64, nq int, invert bool) []int {
	if nq < 1 {
		return nil
	}
	adj := values
	if invert {
		maxV := math.Inf(-1)
		for _, v := range values {
			if !math.IsNaN(v) && v > maxV {
				maxV = v
			}
		}
		adj = make([]float64, len(values))
		for i, v := range values {
			adj[i] = maxV - v
		}
	}
	ranks, n := minRanks(adj)
	out := make([]int, len(values))
	q := float64(nq)
	for i, r := range ranks {
		if math.IsNaN(r) {
			continue
		}
		g := math.Floor((q + 1) - math.Ceil((float64(n+1)-r)/(float64(n)/q)))
		if g == 0 {
			g = 1
		}
		out[i] = int(g)
	}
	return out
}

// Polarity says which direction of an indicator is good, as Fingertips'
// polarity.
type Polarity int

// The polarities.
const (
	NoJudgement Polarity = iota // neither direction is better (e.g. prevalence of a condition)
	HighIsGood                  // e.g. screening coverage
	LowIsGood                   // e.g. mortality
)

// Comparison is the result of comparing an area with a benchmark, as
// Fingertips colours it.
type Comparison int

// The comparison outcomes. Better/Worse are used when the polarity makes a
// judgement, Higher/Lower when it does not.
const (
	NotCompared Comparison = iota // missing value, limits or benchmark
	Similar                       // the interval includes or touches the benchmark
	Better                        // wholly on the good side of the benchmark
	Worse                         // wholly on the bad side of the benchmark
	Higher                        // wholly above the benchmark (no judgement)
	Lower                         // wholly below the benchmark (no judgement)
)

// String returns the Fingertips wording, e.g. "Better" or "Similar".
func (c Comparison) String() string {
	switch c {
	case Similar:
		return "Similar"
	case Better:
		return "Better"
	case Worse:
		return "Worse"
	case Higher:
		return "Higher"
	case Lower:
		return "Lower"
	}
	return "Not compared"
}

// CompareWithBenchmark compares an area's confidence interval
// [lower, upper] with a benchmark value (e.g. England) as Fingertips does:
// if the whole interval lies above the benchmark the area is higher, if it
// lies below it is lower, and otherwise (an interval touching or containing
// the benchmark) similar. With HighIsGood or LowIsGood, higher and lower
// become better or worse.
//
// It returns NotCompared when any argument is NaN or lower > upper.
//
// Source: Public Health England. Fingertips technical guidance: comparing
// an area with a benchmark (confidence-interval overlap method).
func CompareWithBenchmark(lower, upper, benchmark float64, polarity Polarity) Comparison {
	if math.IsNaN(lower) || math.IsNaN(upper) || math.IsNaN(benchmark) || lower > upper {
		return NotCompared
	}
	var c Comparison
	switch {
	case lower > benchmark:
		c = Higher
	case upper < benchmark:
		c = Lower
	default:
		return Similar
	}
	switch polarity {
	case HighIsGood:
		if c == Higher {
			return Better
		}
		return Worse
	case LowIsGood:
		if c == Higher {
			return Worse
		}
		return Better
	}
	return c
}

// QuintileLabel returns Fingertips' label for quintile q (1 = lowest
// values, as PHEQuantiles(values, 5, false) numbers them): "Lowest", "Low",
// "Middle", "High", "Highest" with NoJudgement, or "Worst" … "Best" /
// "Best" … "Worst" with a polarity. It returns "" for q outside 1..5.
func QuintileLabel(q int, polarity Polarity) string {
	if q < 1 || q > 5 {
		return ""
	}
	switch polarity {
	case HighIsGood:
		return [...]string{"Worst", "Worse", "Middle", "Better", "Best"}[q-1]
	case LowIsGood:
		return [...]string{"Best", "Better", "Middle", "Worse", "Worst"}[q-1]
	}
	return [...]string{"Lowest", "Low", "Middle", "High", "Highest"}[q-1]
}
