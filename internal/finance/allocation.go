package finance

import (
	"fmt"
	"math"
	"sort"
	"time"

	"ccg/internal/calendar"
	"ccg/internal/errs"
	"ccg/internal/stats"
)

// NeedIndex adjusts weighted populations for need that age and sex do not
// capture (deprivation, for example): a practice's weighted population is
// multiplied by its index. 1.0 is average need. A practice missing from
// Values takes 1.0 and its allocation line carries a warning.
type NeedIndex struct {
	// Source names where the index comes from, recorded in every
	// allocation built from it ("IMD 2010 by practice, CCG finance 2013-02").
	Source string             `json:"source"`
	Values map[string]float64 `json:"values"`
}

// PaceMethod is how a pace-of-change policy moves budgets towards targets.
type PaceMethod string

// The pace-of-change methods.
const (
	// PaceNone sets budgets at target at once.
	PaceNone PaceMethod = "none"
	// PaceGapShare closes a fixed share of each practice's remaining gap
	// every year (Share 0.5: half the gap this year, half of what is left
	// next year, ...). Budgets approach targets but only reach them when
	// Share is 1.
	PaceGapShare PaceMethod = "gap-share"
	// PaceYears reaches target in Years years by closing 1/n of the gap
	// where n is the number of years left including this one (a third,
	// then a half, then all of what remains).
	PaceYears PaceMethod = "years"
)

// PacePolicy moves each practice from its current budget towards its
// target. For a year in which the practices' targets sum to T and their
// current budgets to C, practice i with current c and target t gets:
//
//  1. the general uplift: u = c × T / C, so that budgets on the same
//     footing as last year sum to this year's total;
//  2. a share f of the gap to target: p = u + f × (t − u), where f is Share
//     (gap-share), 1/(Years − YearIndex + 1) (years), or 1 (none). Because
//     Σu = Σt = T, Σp = T for any f;
//  3. when Floor or Cap is set, p is held within c × (1 + Floor) and
//     c × (1 + Cap) (growth on last year's budget, as fractions: Floor
//     −0.02 means no practice loses more than 2%, Cap 0.05 that none gains
//     more than 5%); what clamping frees or costs is shared among the other
//     practices in proportion to their p (every p is scaled by one factor
//     and then held within its limits, the factor chosen so that the
//     results sum to T). A policy no allocation can meet (floors above the
//     total, caps below it) is an error wrapping errs.ErrInvalid;
//  4. the results are rounded to pence by Apportion (largest remainder) so
//     that they sum to T exactly.
//
// A practice with no current budget (c = 0, a new practice) gets its
// target. When C is zero every practice gets its target.
type PacePolicy struct {
	Method PaceMethod `json:"method"`
	// Share is the fraction of the gap closed each year (gap-share), in (0, 1].
	Share float64 `json:"share,omitempty"`
	// Years is how many years the method "years" takes to reach target;
	// YearIndex is which of them this is, from 1.
	Years     int `json:"years,omitempty"`
	YearIndex int `json:"year_index,omitempty"`
	// Floor and Cap bound growth on last year's budget (nil: no bound).
	Floor *float64 `json:"floor,omitempty"`
	Cap   *float64 `json:"cap,omitempty"`
}

// fraction returns f, the share of the gap closed this year.
func (p PacePolicy) fraction() (float64, error) {
	switch p.Method {
	case "", PaceNone:
		return 1, nil
	case PaceGapShare:
		if !(p.Share > 0 && p.Share <= 1) {
			return 0, fmt.Errorf("pace gap-share: share %v is not in (0, 1]: %w", p.Share, errs.ErrInvalid)
		}
		return p.Share, nil
	case PaceYears:
		if p.Years < 1 || p.YearIndex < 1 || p.YearIndex > p.Years {
			return 0, fmt.Errorf("pace years: year %d of %d is not a year of the plan: %w", p.YearIndex, p.Years, errs.ErrInvalid)
		}
		return 1 / float64(p.Years-p.YearIndex+1), nil
	}
	return 0, fmt.Errorf("pace: unknown method %q (want none, gap-share or years): %w", p.Method, errs.ErrInvalid)
}

// Describe says the policy in a plain sentence for pages.
func (p PacePolicy) Describe() string {
	var s string
	switch p.Method {
	case PaceGapShare:
		s = fmt.Sprintf("each practice moves %.0f%% of the way from its uplifted budget to its target each year", stats.RoundHalfUp(p.Share*100, 0))
	case PaceYears:
		s = fmt.Sprintf("year %d of %d: practices close 1/%d of the remaining gap to target", p.YearIndex, p.Years, p.Years-p.YearIndex+1)
	default:
		s = "budgets are set at target"
	}
	if p.Floor != nil {
		s += fmt.Sprintf("; no practice changes by less than %+.1f%%", stats.RoundHalfUp(*p.Floor*100, 1))
	}
	if p.Cap != nil {
		s += fmt.Sprintf("; no practice grows by more than %+.1f%%", stats.RoundHalfUp(*p.Cap*100, 1))
	}
	return s
}

// ApplyPace returns next year's budgets from current budgets and targets
// (same order) under p, by the rules of PacePolicy. The result sums to
// Σ targets exactly.
func ApplyPace(current, targets []Money, p PacePolicy) ([]Money, error) {
	const op = "finance: pace of change"
	if len(current) != len(targets) || len(targets) == 0 {
		return nil, fmt.Errorf("%s: %d current budgets for %d targets: %w", op, len(current), len(targets), errs.ErrInvalid)
	}
	f, err := p.fraction()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	T, C := Sum(targets), Sum(current)
	for i := range targets {
		if targets[i] < 0 || current[i] < 0 {
			return nil, fmt.Errorf("%s: negative budget or target for line %d: %w", op, i+1, errs.ErrInvalid)
		}
	}
	if T == 0 {
		return make([]Money, len(targets)), nil
	}
	if C == 0 {
		return append([]Money(nil), targets...), nil
	}
	n := len(targets)
	prop := make([]float64, n)
	for i := range targets {
		c, t := float64(current[i]), float64(targets[i])
		if current[i] == 0 {
			prop[i] = t
			continue
		}
		u := c * float64(T) / float64(C)
		prop[i] = u + f*(t-u)
	}
	if p.Floor != nil || p.Cap != nil {
		prop, err = clamp(prop, current, float64(T), p.Floor, p.Cap)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", op, err)
		}
	}
	out, err := Apportion(T, prop)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	return out, nil
}

// clamp holds each proposal within its floor and cap and shares what that
// frees or costs among the others in proportion to their proposals: it
// finds the scale s for which Σ min(max(s × pᵢ, loᵢ), hiᵢ) = total (the sum
// rises with s, so bisection finds it) and returns those values.
func clamp(prop []float64, current []Money, total float64, floor, cap *float64) ([]float64, error) {
	n := len(prop)
	lo, hi := make([]float64, n), make([]float64, n)
	sumLo, sumHi := 0.0, 0.0
	for i := range prop {
		lo[i], hi[i] = 0, math.Inf(1)
		if current[i] > 0 && floor != nil {
			lo[i] = float64(current[i]) * (1 + *floor)
		}
		if current[i] > 0 && cap != nil {
			hi[i] = float64(current[i]) * (1 + *cap)
		}
		if current[i] == 0 { // a new practice is held at its proposal
			lo[i], hi[i] = prop[i], prop[i]
		}
		if hi[i] < lo[i] {
			return nil, fmt.Errorf("the cap is below the floor: %w", errs.ErrInvalid)
		}
		sumLo += lo[i]
		sumHi += hi[i]
	}
	tol := 1e-6 * math.Max(1, total)
	if sumLo > total+tol {
		return nil, fmt.Errorf("the floors need %.2f but only %.2f is available: %w", sumLo/100, total/100, errs.ErrInvalid)
	}
	if sumHi < total-tol {
		return nil, fmt.Errorf("the caps allow only %.2f of the %.2f to be spent: %w", sumHi/100, total/100, errs.ErrInvalid)
	}
	at := func(s float64, out []float64) float64 {
		sum := 0.0
		for i, p := range prop {
			v := math.Min(math.Max(s*p, lo[i]), hi[i])
			if out != nil {
				out[i] = v
			}
			sum += v
		}
		return sum
	}
	a, b := 0.0, 1.0
	for at(b, nil) < total && b < 1e12 {
		b *= 2
	}
	for iter := 0; iter < 200; iter++ {
		m := (a + b) / 2
		if at(m, nil) < total {
			a = m
		} else {
			b = m
		}
	}
	out := make([]float64, n)
	at(b, out)
	return out, nil
}

// AllocationLine is one practice's line in an allocation.
type AllocationLine struct {
	Practice string `json:"practice"`
	Locality string `json:"locality,omitempty"`
	Patients int    `json:"patients"` // raw list size
	// Weighted is the age-sex weighted population; Need the need index
	// (1 when none); Adjusted = Weighted × Need, the practice's claim.
	Weighted float64 `json:"weighted"`
	Need     float64 `json:"need"`
	Adjusted float64 `json:"adjusted"`
	// Target is the fair share of the total; Current last year's budget.
	Target  Money `json:"target_pence"`
	Current Money `json:"current_pence"`
	// Distance is Current − Target: positive above target (more than a
	// fair share), negative below. DistancePct is Distance / Target × 100.
	Distance    Money   `json:"distance_pence"`
	DistancePct float64 `json:"distance_pct"`
	// Budget is this year's budget after the pace-of-change policy;
	// Change = Budget − Current.
	Budget   Money    `json:"budget_pence"`
	Change   Money    `json:"change_pence"`
	Warnings []string `json:"warnings,omitempty"`
}

// LocalityAllocation is the sum of a locality's practice lines.
type LocalityAllocation struct {
	Locality    string  `json:"locality"` // "" for practices in no locality
	Practices   int     `json:"practices"`
	Patients    int     `json:"patients"`
	Weighted    float64 `json:"weighted"`
	Adjusted    float64 `json:"adjusted"`
	Target      Money   `json:"target_pence"`
	Current     Money   `json:"current_pence"`
	Distance    Money   `json:"distance_pence"`
	DistancePct float64 `json:"distance_pct"`
	Budget      Money   `json:"budget_pence"`
}

// Inputs records what an allocation was built from, so that a disputed
// figure can be traced to its data.
type Inputs struct {
	ListSizeMonth  calendar.Month `json:"list_size_month"`
	MembersAt      calendar.Date  `json:"members_at"`
	Weights        string         `json:"weights"` // Weights.Name
	WeightsVersion string         `json:"weights_version"`
	WeightsSource  string         `json:"weights_source"`
	// NeedIndexSource is "" when no need index was used.
	NeedIndexSource string `json:"need_index_source,omitempty"`
	// CurrentSource says where current budgets came from ("budgets
	// 2013/14 prescribing", "none").
	CurrentSource string `json:"current_source"`
	// QualityWarnings lists every failed quality check on the inputs; an
	// allocation with any is shown with a warning.
	QualityWarnings []string `json:"quality_warnings,omitempty"`
}

// Allocation is a set of fair shares for one commissioner, programme and
// financial year.
type Allocation struct {
	ID        int64                  `json:"id"`
	Org       string                 `json:"org"`
	Year      calendar.FinancialYear `json:"year"`
	Programme Programme              `json:"programme"`
	// Total is the amount shared: Σ Target = Σ Budget = Total.
	Total      Money                `json:"total_pence"`
	Pace       PacePolicy           `json:"pace"`
	Inputs     Inputs               `json:"inputs"`
	Lines      []AllocationLine     `json:"lines"`
	Localities []LocalityAllocation `json:"localities"`
	Created    time.Time            `json:"created"`
	CreatedBy  string               `json:"created_by,omitempty"`
}

// HasWarnings reports whether any input failed a quality check.
func (a Allocation) HasWarnings() bool { return len(a.Inputs.QualityWarnings) > 0 }

// Line returns the line for practice.
func (a Allocation) Line(practice string) (AllocationLine, bool) {
	for _, l := range a.Lines {
		if l.Practice == practice {
			return l, true
		}
	}
	return AllocationLine{}, false
}

// Share is one practice's claim on a total, the input to Allocate.
type Share struct {
	Practice string
	Locality string
	WeightedPopulation
	// Current is last year's budget (0 when none).
	Current Money
}

// Allocate shares total among the practices in proportion to weighted
// population × need index (largest remainder, so targets sum to total
// exactly), works out each practice's distance from target, applies the
// pace-of-change policy, and rolls the lines up by locality. It fills
// Lines, Localities, Total and Pace; the caller fills the rest of the
// Inputs. Quality warnings from the shares and the need index are added to
// in.QualityWarnings (sorted, without duplicates).
func Allocate(total Money, shares []Share, need *NeedIndex, pace PacePolicy, in Inputs) (Allocation, error) {
	const op = "finance: allocate"
	if len(shares) == 0 {
		return Allocation{}, fmt.Errorf("%s: no practices to allocate to: %w", op, errs.ErrInvalid)
	}
	if total < 0 {
		return Allocation{}, fmt.Errorf("%s: total %s is negative: %w", op, total, errs.ErrInvalid)
	}
	lines := make([]AllocationLine, len(shares))
	claims := make([]float64, len(shares))
	warn := map[string]bool{}
	for _, w := range in.QualityWarnings {
		warn[w] = true
	}
	for i, s := range shares {
		l := AllocationLine{Practice: s.Practice, Locality: s.Locality, Patients: s.Patients, Weighted: s.Weighted,
			Need: 1, Current: s.Current, Warnings: append([]string(nil), s.Warnings...)}
		if need != nil {
			v, ok := need.Values[s.Practice]
			switch {
			case !ok:
				l.Warnings = append(l.Warnings, fmt.Sprintf("%s: no need index in %s; 1.0 used", s.Practice, need.Source))
			case !(v > 0) || math.IsInf(v, 0):
				return Allocation{}, fmt.Errorf("%s: practice %s has need index %v (want a positive number): %w", op, s.Practice, v, errs.ErrInvalid)
			default:
				l.Need = v
			}
		}
		l.Adjusted = l.Weighted * l.Need
		claims[i] = l.Adjusted
		for _, w := range l.Warnings {
			warn[w] = true
		}
		lines[i] = l
	}
	targets, err := Apportion(total, claims)
	if err != nil {
		return Allocation{}, fmt.Errorf("%s: %w", op, err)
	}
	current := make([]Money, len(shares))
	for i := range lines {
		lines[i].Target = targets[i]
		lines[i].Distance = lines[i].Current - lines[i].Target
		lines[i].DistancePct = Percent(lines[i].Distance, lines[i].Target)
		current[i] = lines[i].Current
	}
	budgets, err := ApplyPace(current, targets, pace)
	if err != nil {
		return Allocation{}, fmt.Errorf("%s: %w", op, err)
	}
	for i := range lines {
		lines[i].Budget = budgets[i]
		lines[i].Change = budgets[i] - lines[i].Current
	}
	in.QualityWarnings = sortedKeys(warn)
	if need != nil {
		in.NeedIndexSource = need.Source
	}
	return Allocation{Total: total, Pace: pace, Inputs: in, Lines: lines, Localities: RollUp(lines)}, nil
}

// RollUp sums practice lines by locality, ordered by locality code (the
// practices in no locality last). Because practice targets and budgets sum
// to the total exactly, so do the localities'.
func RollUp(lines []AllocationLine) []LocalityAllocation {
	by := map[string]*LocalityAllocation{}
	for _, l := range lines {
		a := by[l.Locality]
		if a == nil {
			a = &LocalityAllocation{Locality: l.Locality}
			by[l.Locality] = a
		}
		a.Practices++
		a.Patients += l.Patients
		a.Weighted += l.Weighted
		a.Adjusted += l.Adjusted
		a.Target += l.Target
		a.Current += l.Current
		a.Budget += l.Budget
	}
	out := make([]LocalityAllocation, 0, len(by))
	for _, a := range by {
		a.Distance = a.Current - a.Target
		a.DistancePct = Percent(a.Distance, a.Target)
		out = append(out, *a)
	}
	sort.Slice(out, func(i, j int) bool {
		if (out[i].Locality == "") != (out[j].Locality == "") {
			return out[j].Locality == ""
		}
		return out[i].Locality < out[j].Locality
	})
	return out
}
