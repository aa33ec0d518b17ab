package engagement

import (
	"math"
	"sort"

	"ccg/internal/stats"
)

// Rate is a response rate for one group of people invited.
//
// RR1 is AAPOR's Response Rate 1: complete returns over everyone eligible.
// Everyone invited is eligible (they were invited because they work in a
// member practice), so RR1 = Complete / Invited: partials and break-offs
// count in the denominator only, partials as AAPOR's P and break-offs
// (under half answered) as refusals. RR2, (Complete + Partial) / Invited,
// is given beside it for transparency. Both are from 0 to 1.
type Rate struct {
	Key      string  `json:"key"`
	Label    string  `json:"label"`
	Invited  int     `json:"invited"`
	Complete int     `json:"complete"`
	Partial  int     `json:"partial"`
	BreakOff int     `json:"break_off"`
	RR1      float64 `json:"rr1"`
	RR2      float64 `json:"rr2"`
}

// fill works out RR1 and RR2 (stats.Proportion; zero when nobody was invited).
func (r *Rate) fill() {
	if r.Invited <= 0 {
		return
	}
	if e := stats.Proportion(float64(r.Complete), float64(r.Invited), 0.95, 1); !math.IsNaN(e.Value) {
		r.RR1 = e.Value
	}
	if e := stats.Proportion(float64(r.Complete+r.Partial), float64(r.Invited), 0.95, 1); !math.IsNaN(e.Value) {
		r.RR2 = e.Value
	}
}

// RateTable is a wave's response rates, overall and by practice, locality,
// role group, leadership and size band. Response rates are participation,
// not opinion, and are shown in full.
type RateTable struct {
	Overall      Rate   `json:"overall"`
	ByPractice   []Rate `json:"by_practice"`
	ByLocality   []Rate `json:"by_locality"`
	ByRole       []Rate `json:"by_role"`
	ByLeadership []Rate `json:"by_leadership"`
	BySize       []Rate `json:"by_size"`
}

// ResponseRates works out a wave's response rates: by practice and
// locality from the practice tallies, by role group, leadership and size
// band from the class tallies (invited) and the stored responses'
// dispositions (returned), all on the same coarsened classes.
func ResponseRates(practices []PracticeTally, classes []ClassTally, responses []Response) RateTable {
	var t RateTable
	byLoc := map[string]*Rate{}
	for _, p := range practices {
		r := Rate{Key: p.Practice, Label: p.Practice, Invited: p.Invited, Complete: p.Complete, Partial: p.Partial, BreakOff: p.BreakOff}
		r.fill()
		t.ByPractice = append(t.ByPractice, r)
		l := byLoc[p.Locality]
		if l == nil {
			label := p.Locality
			if label == "" {
				label = "No locality"
			}
			l = &Rate{Key: p.Locality, Label: label}
			byLoc[p.Locality] = l
		}
		l.Invited += p.Invited
		l.Complete += p.Complete
		l.Partial += p.Partial
		l.BreakOff += p.BreakOff
		t.Overall.Invited += p.Invited
		t.Overall.Complete += p.Complete
		t.Overall.Partial += p.Partial
		t.Overall.BreakOff += p.BreakOff
	}
	t.Overall.Key, t.Overall.Label = "", "All members"
	t.Overall.fill()
	sort.Slice(t.ByPractice, func(i, j int) bool { return t.ByPractice[i].Key < t.ByPractice[j].Key })
	t.ByLocality = sortedRates(byLoc, ByLocality.order)

	for _, k := range []BreakdownKind{ByRole, ByLeadership, BySize} {
		m := map[string]*Rate{}
		get := func(c Class) *Rate {
			key, label := k.groupKey(c)
			if m[key] == nil {
				m[key] = &Rate{Key: key, Label: label}
			}
			return m[key]
		}
		for _, c := range classes {
			get(c.Class).Invited += c.Invited
		}
		for _, r := range responses {
			g := get(r.Class)
			switch r.Disposition {
			case Complete:
				g.Complete++
			case Partial:
				g.Partial++
			case BreakOff:
				g.BreakOff++
			}
		}
		rates := sortedRates(m, k.order)
		switch k {
		case ByRole:
			t.ByRole = rates
		case ByLeadership:
			t.ByLeadership = rates
		case BySize:
			t.BySize = rates
		}
	}
	return t
}

func sortedRates(m map[string]*Rate, order func(string) string) []Rate {
	out := make([]Rate, 0, len(m))
	for _, r := range m {
		r.fill()
		out = append(out, *r)
	}
	sort.Slice(out, func(i, j int) bool {
		oi, oj := order(out[i].Key), order(out[j].Key)
		if oi != oj {
			return oi < oj
		}
		return out[i].Key < out[j].Key
	})
	return out
}

// WhileOpen returns what may be shown of the rates of a wave still open:
// the overall figures only. Rates by practice, locality, role group,
// leadership or size change with each answer, so comparing two readings
// would say where (and who) the last answer came from; they are published
// when the wave closes.
func (t RateTable) WhileOpen() RateTable {
	return RateTable{Overall: t.Overall, ByPractice: []Rate{}, ByLocality: []Rate{}, ByRole: []Rate{}, ByLeadership: []Rate{}, BySize: []Rate{}}
}
