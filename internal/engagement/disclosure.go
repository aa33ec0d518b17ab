package engagement

import (
	"fmt"

	"ccg/internal/stats"
)

// ReasonCode says why a figure is not shown.
type ReasonCode string

// The reasons a figure is not shown.
const (
	ShownCode      ReasonCode = ""
	TooFewCode     ReasonCode = "too-few"    // the group itself is under the minimum
	DifferenceCode ReasonCode = "difference" // hidden so that a smaller group cannot be worked out by subtraction
	NoAnswersCode  ReasonCode = "no-answers" // nobody in the group answered
	HeldCode       ReasonCode = "held"       // the wave is still open: results are published when it closes
)

// Reason is a suppression: a code for machines and words for people.
type Reason struct {
	Code ReasonCode `json:"code"`
	Text string     `json:"text"`
}

// Shown reports whether the figure may be shown.
func (r Reason) Shown() bool { return r.Code == ShownCode }

func tooFew(d stats.Disclosure) Reason {
	return Reason{TooFewCode, fmt.Sprintf("Not shown: fewer than %d people answered, so they could be identified.", d.MinGroup)}
}

func differencing() Reason {
	return Reason{DifferenceCode, "Not shown: showing it would let a smaller group's answers be worked out by subtraction."}
}

// held is the reason every figure of an open wave is withheld.
func held(w Wave) Reason {
	return Reason{HeldCode, fmt.Sprintf("Results are published when the wave closes on %s, so that nobody can work out one person's answers by comparing figures before and after they answered.", w.Closes.Format("2 January 2006"))}
}

func noAnswers() Reason {
	return Reason{NoAnswersCode, "Nobody in this group answered."}
}

// Protect decides which groups of a one-way breakdown may be shown, given
// the people in each group, the people in the whole (total ≥ the sum of
// counts; anyone in no group counts as hidden) and the groups already
// hidden for another reason (pre, which may be nil, holds their reasons,
// which are kept). It returns a Reason per group.
//
// Primary suppression: a group is hidden when d.AllowGroup refuses it.
// Secondary suppression: while the people hidden number from 1 to
// d.MinGroup − 1 (so that the total minus the groups shown would reveal
// them), the smallest group still shown is hidden too (the first of equal
// groups). With two groups this is the complement rule.
func Protect(d stats.Disclosure, counts []int, total int, pre []Reason) []Reason {
	out := make([]Reason, len(counts))
	hidden := total
	for _, n := range counts {
		hidden -= n
	}
	if hidden < 0 {
		hidden = 0
	}
	for i, n := range counts {
		switch {
		case n == 0:
			out[i] = noAnswers()
		case pre != nil && !pre[i].Shown():
			out[i] = pre[i]
			hidden += n
		case !d.AllowGroup(n):
			out[i] = tooFew(d)
			hidden += n
		}
	}
	for hidden > 0 && !d.AllowGroup(hidden) {
		j := -1
		for i, n := range counts {
			if out[i].Shown() && n > 0 && (j < 0 || n < counts[j]) {
				j = i
			}
		}
		if j < 0 {
			break
		}
		out[j] = differencing()
		hidden += counts[j]
	}
	return out
}
