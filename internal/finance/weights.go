package finance

import (
	"fmt"
	"strconv"
	"strings"

	"ccg/internal/errs"
	"ccg/internal/registry"
)

// Band is an age band of a set of weights: ages Lo to Hi inclusive, or Lo
// and over when Hi is -1.
type Band struct {
	Label string `json:"label"` // "0-4", "5-14", "75+"
	Lo    int    `json:"lo"`
	Hi    int    `json:"hi"` // -1: open-ended
}

// Contains reports whether every age of b2 lies inside b.
func (b Band) Contains(b2 Band) bool {
	if b2.Lo < b.Lo {
		return false
	}
	if b.Hi < 0 {
		return true
	}
	return b2.Hi >= 0 && b2.Hi <= b.Hi
}

// ParseBand reads an age band as the registry writes it ("0-4", "5-14",
// "95+"). AgeAll and anything else is an error wrapping errs.ErrInvalid.
func ParseBand(s string) (Band, error) {
	t := strings.TrimSpace(s)
	if lo, ok := strings.CutSuffix(t, "+"); ok {
		n, err := strconv.Atoi(lo)
		if err == nil && n >= 0 {
			return Band{Label: t, Lo: n, Hi: -1}, nil
		}
	} else if a, b, ok := strings.Cut(t, "-"); ok {
		lo, err1 := strconv.Atoi(a)
		hi, err2 := strconv.Atoi(b)
		if err1 == nil && err2 == nil && lo >= 0 && hi >= lo {
			return Band{Label: t, Lo: lo, Hi: hi}, nil
		}
	}
	return Band{}, fmt.Errorf("age band %q is not a band such as 0-4 or 75+: %w", s, errs.ErrInvalid)
}

// Weights is a set of age-sex weights: how much one person of each age
// band and sex is expected to cost relative to the others. Only ratios
// matter: fair shares divide a total in proportion to weighted populations.
type Weights struct {
	// Name and Version identify the weights in every allocation built from
	// them ("astro-pu-cost", "2013").
	Name    string `json:"name"`
	Version string `json:"version"`
	// Source says where the numbers come from, in words.
	Source string    `json:"source"`
	Bands  []Band    `json:"bands"`
	Male   []float64 `json:"male"`   // one per band
	Female []float64 `json:"female"` // one per band
}

// ID returns "name/version", the label allocations record.
func (w Weights) ID() string { return w.Name + "/" + w.Version }

// Validate checks that w is usable: a name, bands in order without gaps or
// overlaps starting at 0 and ending open, one positive finite weight per
// band and sex. Errors wrap errs.ErrInvalid.
func (w Weights) Validate() error {
	fail := func(format string, args ...any) error {
		return fmt.Errorf("weights %s: %s: %w", w.ID(), fmt.Sprintf(format, args...), errs.ErrInvalid)
	}
	if w.Name == "" || w.Version == "" {
		return fail("a name and a version are required")
	}
	if len(w.Bands) == 0 || len(w.Male) != len(w.Bands) || len(w.Female) != len(w.Bands) {
		return fail("want one male and one female weight for each of %d bands", len(w.Bands))
	}
	next := 0
	for i, b := range w.Bands {
		if b.Lo != next {
			return fail("band %s starts at %d, want %d (bands must run from 0 without gaps)", b.Label, b.Lo, next)
		}
		if b.Hi < 0 && i != len(w.Bands)-1 {
			return fail("band %s is open-ended but not last", b.Label)
		}
		if b.Hi >= 0 && b.Hi < b.Lo {
			return fail("band %s runs backwards", b.Label)
		}
		next = b.Hi + 1
		for _, v := range []float64{w.Male[i], w.Female[i]} {
			if !(v > 0) || v > 1e6 {
				return fail("band %s has weight %v (want a positive number)", b.Label, v)
			}
		}
	}
	if w.Bands[len(w.Bands)-1].Hi >= 0 {
		return fail("the last band must be open-ended (such as 75+)")
	}
	return nil
}

// Weight returns the weight of a person of sex in the registry age band
// label. A band that lies inside one of the weights' bands takes its
// weight (five-year "10-14" takes ASTRO-PU "5-14"); so does an identical
// wider band ("5-14"). A band that straddles two of the weights' bands
// cannot be weighted, and SexAll is weighted as the mean of male and
// female; both are reported by WeightPopulation as quality warnings.
func (w Weights) Weight(sex registry.Sex, label string) (float64, error) {
	b, err := ParseBand(label)
	if err != nil {
		return 0, err
	}
	for i, wb := range w.Bands {
		if !wb.Contains(b) {
			continue
		}
		switch sex {
		case registry.SexMale:
			return w.Male[i], nil
		case registry.SexFemale:
			return w.Female[i], nil
		case registry.SexAll:
			return (w.Male[i] + w.Female[i]) / 2, nil
		}
		return 0, fmt.Errorf("sex %q is not male, female or all: %w", sex, errs.ErrInvalid)
	}
	return 0, fmt.Errorf("age band %s straddles the bands of weights %s: %w", label, w.ID(), errs.ErrInvalid)
}

// astroBands are the age bands of ASTRO-PU 2013.
var astroBands = []Band{
	{"0-4", 0, 4}, {"5-14", 5, 14}, {"15-24", 15, 24}, {"25-34", 25, 34}, {"35-44", 35, 44},
	{"45-54", 45, 54}, {"55-64", 55, 64}, {"65-74", 65, 74}, {"75+", 75, -1},
}

const astroSource = "ASTRO-PU 2013 (Prescribing Measures Subgroup of the Prescribing Support Unit, HSCIC), " +
	"full-precision weights as used by OpenPrescribing " +
	"(ebmdatalab/openprescribing, openprescribing/frontend/model_prescribing_units.py, " +
	"commit a209cc0ac 'Use full ASTRO-PU weightings'); published rounded to 1 d.p."

// ASTROPU2013Cost returns the ASTRO-PU 2013 cost-based weights (net
// ingredient cost per patient relative to a male aged 0-4 = 1.0), the
// national weighting for prescribing budgets. Transcribed from the source
// named in Source; a test checks this copy against ../shared when present.
func ASTROPU2013Cost() Weights {
	return Weights{
		Name: "astro-pu-cost", Version: "2013", Source: astroSource,
		Bands: append([]Band(nil), astroBands...),
		Male: []float64{1.0, 0.871655388261018, 1.22586428186498, 1.25432789273113, 1.81674766893969,
			3.08974457158975, 5.28280419664147, 8.74186911115141, 11.3430752706509},
		Female: []float64{0.874764602225095, 0.736837170135133, 1.44903466533634, 1.84193852699796, 2.57229387381937,
			3.72488353721683, 5.44244517326563, 7.64083013196212, 9.88935302232237},
	}
}

// ASTROPU2013Items returns the ASTRO-PU 2013 item-based weights (items per
// patient-year). Allocations use the cost weights; the item weights are
// kept for measures per ASTRO-PU item and for the check against ../shared.
func ASTROPU2013Items() Weights {
	return Weights{
		Name: "astro-pu-items", Version: "2013", Source: astroSource,
		Bands: append([]Band(nil), astroBands...),
		Male: []float64{5.20981299276732, 2.78274827419795, 2.54173833276, 2.94877111448744, 4.88518914434322,
			8.71276955913741, 16.6039274295768, 29.9412096036049, 44.9462923989395},
		Female: []float64{4.57209109157611, 2.49791988847988, 4.55423953314265, 6.02048572645931, 8.27380247373141,
			12.3262908574135, 19.1280714382989, 30.4100929796907, 48.4846679987704},
	}
}

// DefaultCostCurve returns ccg's default age-sex cost curve for budgets
// other than prescribing (acute, community, mental health, ...). It is
// ccg's own illustrative curve, NOT a published national formula: relative
// cost per head with a person aged 25-34 of either sex close to 1. Its
// shape follows the familiar pattern of NHS hospital and community spend
// by age: a high first year of life (folded into 0-4), a trough in later
// childhood, higher costs for women of child-bearing age (maternity), and
// a steep rise from the fifties, roughly doubling each decade to 85+.
// A CCG should replace it with a curve agreed by its finance lead (see
// Weights and Service.BuildAllocation); every allocation records which
// curve it used.
func DefaultCostCurve() Weights {
	return Weights{
		Name: "ccg-cost-curve", Version: "2013-default",
		Source: "ccg default age-sex cost curve (illustrative; configure a locally agreed curve)",
		Bands: []Band{
			{"0-4", 0, 4}, {"5-14", 5, 14}, {"15-24", 15, 24}, {"25-34", 25, 34}, {"35-44", 35, 44},
			{"45-54", 45, 54}, {"55-64", 55, 64}, {"65-74", 65, 74}, {"75-84", 75, 84}, {"85+", 85, -1},
		},
		Male:   []float64{1.2, 0.5, 0.6, 0.7, 0.9, 1.2, 1.8, 2.9, 4.6, 6.5},
		Female: []float64{1.0, 0.5, 1.1, 1.5, 1.2, 1.3, 1.7, 2.6, 4.3, 6.2},
	}
}
