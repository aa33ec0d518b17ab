package finance

import (
	"fmt"
	"sort"

	"ccg/internal/calendar"
	"ccg/internal/errs"
	"ccg/internal/registry"
)

// WeightedPopulation is one practice's registered list for one month and
// the same list weighted by age and sex.
type WeightedPopulation struct {
	Practice string         `json:"practice"`
	Month    calendar.Month `json:"month"`
	// Patients is the raw list size: the sum of the sex-and-band counts
	// used (or the all-ages total when there is no breakdown).
	Patients int `json:"patients"`
	// Weighted is Σ patients × weight over the bands used.
	Weighted float64 `json:"weighted"`
	// Warnings say what in this practice's data failed a quality check.
	Warnings []string `json:"warnings,omitempty"`
}

// WeightPopulation weights every practice's list sizes in rows (one month,
// any number of practices; rows for other months are an error) by w and
// returns them ordered by practice code.
//
// The rules, each of which adds a warning to the practice when it applies:
//
//   - rows by sex (male, female) and age band are used, and the all-ages
//     and all-sexes totals ignored; a five-year band takes the weight of the
//     weights' band containing it, and a legacy wider band that equals a
//     weights' band takes its weight;
//   - when a practice's bands do not add up to its all-ages, all-sexes
//     total, the bands are used and the difference reported;
//   - a band that straddles two weight bands ("75+" against a curve with
//     75-84 and 85+) is weighted at the mean of the bands it overlaps;
//   - rows for "all" sexes in a band are weighted at the mean of male and
//     female (used only when the practice has no male or female rows);
//   - a practice with only an all-ages total is weighted at the average
//     weight per head of the practices that do have a breakdown.
//
// It is an error (wrapping errs.ErrInvalid) when rows span months, when no
// practice has a breakdown and some have only totals, or w is invalid.
func WeightPopulation(rows []registry.ListSize, w Weights) ([]WeightedPopulation, error) {
	const op = "finance: weight population"
	if err := w.Validate(); err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	type acc struct {
		month        calendar.Month
		bySex, byAll []registry.ListSize
		total        int
		hasTotal     bool
	}
	byPractice := map[string]*acc{}
	var month calendar.Month
	for _, r := range rows {
		if month.IsZero() {
			month = r.Month
		} else if r.Month != month {
			return nil, fmt.Errorf("%s: rows for %s and %s: one month at a time: %w", op, month, r.Month, errs.ErrInvalid)
		}
		a := byPractice[r.Practice]
		if a == nil {
			a = &acc{month: r.Month}
			byPractice[r.Practice] = a
		}
		switch {
		case r.AgeBand == registry.AgeAll && r.Sex == registry.SexAll:
			a.total, a.hasTotal = a.total+r.Patients, true
		case r.AgeBand == registry.AgeAll:
			// a total for one sex: implied by the bands
		case r.Sex == registry.SexAll:
			a.byAll = append(a.byAll, r)
		default:
			a.bySex = append(a.bySex, r)
		}
	}
	codes := make([]string, 0, len(byPractice))
	for c := range byPractice {
		codes = append(codes, c)
	}
	sort.Strings(codes)

	out := make([]WeightedPopulation, 0, len(codes))
	var pendingTotals []int // indexes in out of practices weighted later
	sumW, sumP := 0.0, 0
	for _, code := range codes {
		a := byPractice[code]
		wp := WeightedPopulation{Practice: code, Month: a.month}
		use := a.bySex
		if len(use) == 0 {
			use = a.byAll
			if len(use) > 0 {
				wp.Warnings = append(wp.Warnings, fmt.Sprintf("%s %s: no breakdown by sex; weighted at the mean of male and female weights", code, a.month))
			}
		}
		if len(use) == 0 {
			wp.Patients = a.total
			wp.Warnings = append(wp.Warnings, fmt.Sprintf("%s %s: no breakdown by age and sex; weighted at the average weight per head of the other practices", code, a.month))
			pendingTotals = append(pendingTotals, len(out))
			out = append(out, wp)
			continue
		}
		straddled := map[string]bool{}
		for _, r := range use {
			wt, err := w.Weight(r.Sex, r.AgeBand)
			if err != nil {
				wt, err = overlapMean(w, r.Sex, r.AgeBand)
				if err != nil {
					return nil, fmt.Errorf("%s: practice %s: %w", op, code, err)
				}
				straddled[r.AgeBand] = true
			}
			wp.Patients += r.Patients
			wp.Weighted += float64(r.Patients) * wt
		}
		for _, b := range sortedKeys(straddled) {
			wp.Warnings = append(wp.Warnings, fmt.Sprintf("%s %s: age band %s straddles bands of %s; weighted at the mean of the bands it overlaps", code, a.month, b, w.ID()))
		}
		if a.hasTotal && a.total != wp.Patients {
			wp.Warnings = append(wp.Warnings, fmt.Sprintf("%s %s: age-sex bands sum to %d but the total list is %d (difference %d); the bands were used", code, a.month, wp.Patients, a.total, wp.Patients-a.total))
		}
		if wp.Patients == 0 {
			wp.Warnings = append(wp.Warnings, fmt.Sprintf("%s %s: the list size is zero", code, a.month))
		}
		sumW += wp.Weighted
		sumP += wp.Patients
		out = append(out, wp)
	}
	if len(pendingTotals) > 0 {
		if sumP == 0 {
			return nil, fmt.Errorf("%s: no practice has list sizes by age and sex, so none can be weighted: %w", op, errs.ErrInvalid)
		}
		avg := sumW / float64(sumP)
		for _, i := range pendingTotals {
			out[i].Weighted = float64(out[i].Patients) * avg
		}
	}
	return out, nil
}

// overlapMean weights a band that straddles weight bands at the unweighted
// mean of the weights of every band it overlaps.
func overlapMean(w Weights, sex registry.Sex, label string) (float64, error) {
	b, err := ParseBand(label)
	if err != nil {
		return 0, err
	}
	sum, n := 0.0, 0
	for i, wb := range w.Bands {
		overlaps := (wb.Hi < 0 || b.Lo <= wb.Hi) && (b.Hi < 0 || wb.Lo <= b.Hi)
		if !overlaps {
			continue
		}
		switch sex {
		case registry.SexMale:
			sum += w.Male[i]
		case registry.SexFemale:
			sum += w.Female[i]
		default:
			sum += (w.Male[i] + w.Female[i]) / 2
		}
		n++
	}
	if n == 0 {
		return 0, fmt.Errorf("age band %s matches no band of %s: %w", label, w.ID(), errs.ErrInvalid)
	}
	return sum / float64(n), nil
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
