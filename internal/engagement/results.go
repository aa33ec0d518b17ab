package engagement

import (
	"math"
	"sort"

	"ccg/internal/stats"
)

// Options are the settings of an analysis.
type Options struct {
	// Disclosure is the group-of-five rule (stats.DefaultDisclosure).
	Disclosure stats.Disclosure
	// Confidence is the level of every interval, e.g. 0.95.
	Confidence float64
}

// DefaultOptions are stats.DefaultDisclosure and 95% intervals.
func DefaultOptions() Options { return Options{Disclosure: stats.DefaultDisclosure, Confidence: 0.95} }

// Measure is one item or dimension summarised for one group. When Hidden
// is set every number is zero: a suppressed group carries a reason, not
// numbers (not even its size).
type Measure struct {
	Hidden *Reason `json:"hidden,omitempty"`
	// N is how many people the figure is from: those who answered the item,
	// or who had a score on the dimension.
	N int `json:"n"`
	// Agree counts those agreeing (4 or 5, as worded) with a Likert item,
	// answering yes to a yes-no item, or positive (score ≥ 75) on a
	// dimension; Proportion is Agree/N with its Wilson interval (0 to 1).
	Agree      int     `json:"agree"`
	Proportion float64 `json:"proportion"`
	Lower      float64 `json:"lower"`
	Upper      float64 `json:"upper"`
	// Mean is the mean reverse-coded score (1-5) of a Likert item, or the
	// mean dimension score (0-100); HasMean is false for other kinds.
	Mean    float64 `json:"mean"`
	HasMean bool    `json:"has_mean"`
	// Distribution counts the answers as worded: points 1 to 5 of a Likert
	// item (for diverging bars), yes then no, or each option in order.
	Distribution []int `json:"distribution,omitempty"`
}

// Shown reports whether the measure may be shown.
func (m Measure) Shown() bool { return m.Hidden == nil }

func hidden(r Reason) Measure { return Measure{Hidden: &r} }

// ItemResult is one item's result for the wave as a whole.
type ItemResult struct {
	ID        string   `json:"id"`
	Text      string   `json:"text"`
	Kind      ItemKind `json:"kind"`
	Dimension string   `json:"dimension,omitempty"`
	Reverse   bool     `json:"reverse,omitempty"`
	Options   []Option `json:"options,omitempty"`
	Measure
}

// DimensionResult is one dimension's result for the wave as a whole, with
// Cronbach's alpha over the respondents who answered all of its items.
type DimensionResult struct {
	ID    string   `json:"id"`
	Name  string   `json:"name"`
	Items int      `json:"items"`
	Alpha *float64 `json:"alpha,omitempty"`
	// AlphaN is the number of respondents alpha is from (0 when not shown).
	AlphaN int `json:"alpha_n"`
	Measure
}

// BreakdownKind names a one-way breakdown of the respondents.
type BreakdownKind string

// The breakdowns results are given by.
const (
	ByLeadership BreakdownKind = "leadership"
	ByLocality   BreakdownKind = "locality"
	ByRole       BreakdownKind = "role"
	BySize       BreakdownKind = "size"
)

// Breakdowns lists the breakdowns in the order pages show them.
var Breakdowns = []BreakdownKind{ByLeadership, ByLocality, ByRole, BySize}

// Label gives a plain-language title.
func (k BreakdownKind) Label() string {
	switch k {
	case ByLeadership:
		return "Leaders and other members"
	case ByLocality:
		return "By locality"
	case ByRole:
		return "By role"
	case BySize:
		return "By practice size"
	}
	return string(k)
}

// groupKey returns the key and label of c's group in breakdown k.
func (k BreakdownKind) groupKey(c Class) (key, label string) {
	switch k {
	case ByLeadership:
		return string(c.Leadership), c.Leadership.Label()
	case ByLocality:
		if c.Locality == "" {
			return "", notRecorded
		}
		return c.Locality, c.Locality
	case ByRole:
		return string(c.Role), c.Role.Label()
	case BySize:
		return string(c.Size), c.Size.Label()
	}
	return "", ""
}

// order gives the position of a group key in the breakdown (not recorded
// last; localities alphabetical).
func (k BreakdownKind) order(key string) string {
	if key == "" {
		return "\xff"
	}
	switch k {
	case ByLeadership:
		if key == string(Leader) {
			return "0"
		}
		return "1"
	case ByRole:
		for i, r := range RoleGroups {
			if string(r) == key {
				return string(rune('0' + i))
			}
		}
	case BySize:
		for i, b := range SizeBands {
			if string(b) == key {
				return string(rune('0' + i))
			}
		}
	}
	return "9" + key
}

// Breakdown is the results of one breakdown, group by group.
type Breakdown struct {
	By     BreakdownKind `json:"by"`
	Title  string        `json:"title"`
	Groups []Group       `json:"groups"`
}

// Group is one group of a breakdown. Items and Dimensions line up with
// WaveResults.Items and WaveResults.Dimensions.
type Group struct {
	Key         string    `json:"key"`
	Label       string    `json:"label"`
	Respondents int       `json:"respondents"` // 0 when hidden
	Hidden      *Reason   `json:"hidden,omitempty"`
	Items       []Measure `json:"items"`
	Dimensions  []Measure `json:"dimensions"`
}

// Difference is a difference between two groups (leaders − other members)
// or two waves (later − earlier) on one item or dimension: of proportions
// with Newcombe's interval, and of means with Welch's.
type Difference struct {
	ID        string  `json:"id"`
	Label     string  `json:"label"`
	Dimension bool    `json:"dimension"`
	Hidden    *Reason `json:"hidden,omitempty"`
	// Proportion is the difference of the proportions (−1 to 1).
	Proportion      float64 `json:"proportion"`
	ProportionLower float64 `json:"proportion_lower"`
	ProportionUpper float64 `json:"proportion_upper"`
	// Mean is the difference of the means (on the item's 1-5 or the
	// dimension's 0-100 scale); HasMean is false for yes-no items.
	Mean      float64 `json:"mean"`
	MeanLower float64 `json:"mean_lower"`
	MeanUpper float64 `json:"mean_upper"`
	HasMean   bool    `json:"has_mean"`
}

// Shown reports whether the difference may be shown.
func (d Difference) Shown() bool { return d.Hidden == nil }

// WaveResults are a wave's results, every figure already through the
// group-of-five rule.
type WaveResults struct {
	Wave        Wave              `json:"wave"`
	Respondents int               `json:"respondents"` // complete and partial; 0 when hidden
	Hidden      *Reason           `json:"hidden,omitempty"`
	Items       []ItemResult      `json:"items"`
	Dimensions  []DimensionResult `json:"dimensions"`
	Breakdowns  []Breakdown       `json:"breakdowns,omitempty"`
	// Gap is leaders − other members, dimensions first, then items.
	Gap []Difference `json:"gap,omitempty"`
}

// scored is one response prepared for analysis.
type scored struct {
	class Class
	raw   []string  // per analysed item
	score []float64 // reverse-coded Likert score per analysed item, NaN otherwise
	dim   []float64 // dimension score (0-100) per dimension, NaN when none
}

// analysis holds a questionnaire's analysed items and scored responses.
type analysis struct {
	q     Questionnaire
	items []Item // every item except free text
	dims  []Dimension
	dimIt [][]Item
	rs    []scored
	opts  Options
}

func newAnalysis(q Questionnaire, responses []Response, opts Options) *analysis {
	a := &analysis{q: q, dims: q.Dimensions, opts: opts}
	for _, it := range q.Items() {
		if it.Kind != ItemText {
			a.items = append(a.items, it)
		}
	}
	for _, d := range a.dims {
		a.dimIt = append(a.dimIt, q.DimensionItems(d.ID))
	}
	for _, r := range responses {
		if r.Disposition != Complete && r.Disposition != Partial {
			continue // break-offs are refusals: counted in response rates only
		}
		s := scored{class: r.Class}
		for _, it := range a.items {
			s.raw = append(s.raw, r.Answers[it.ID])
			v, ok := ItemScore(it, r.Answers)
			if !ok {
				v = math.NaN()
			}
			s.score = append(s.score, v)
		}
		for _, its := range a.dimIt {
			v, ok := DimensionScore(its, r.Answers)
			if !ok {
				v = math.NaN()
			}
			s.dim = append(s.dim, v)
		}
		a.rs = append(a.rs, s)
	}
	return a
}

// itemMeasure summarises analysed item i over group g, before suppression,
// with the reverse-coded scores (for Welch).
func (a *analysis) itemMeasure(i int, g []*scored) (Measure, []float64) {
	it := a.items[i]
	var m Measure
	var samples []float64
	switch it.Kind {
	case ItemLikert:
		m.Distribution = make([]int, 5)
	case ItemYesNo:
		m.Distribution = make([]int, 2)
	case ItemChoice:
		m.Distribution = make([]int, len(it.Options))
	}
	for _, s := range g {
		v := s.raw[i]
		if v == "" {
			continue
		}
		switch it.Kind {
		case ItemLikert:
			x := likertValue(v)
			if x == 0 {
				continue
			}
			m.N++
			m.Distribution[x-1]++
			if x >= 4 {
				m.Agree++
			}
			samples = append(samples, s.score[i])
		case ItemYesNo:
			m.N++
			if v == AnswerYes {
				m.Agree++
				m.Distribution[0]++
			} else {
				m.Distribution[1]++
			}
		case ItemChoice:
			if k := optionIndex(it, v); k >= 0 {
				m.N++
				m.Distribution[k]++
			}
		}
	}
	if it.Kind != ItemChoice {
		a.proportion(&m)
	}
	if it.Kind == ItemLikert && len(samples) > 0 {
		m.Mean, m.HasMean = average(samples), true
	}
	return m, samples
}

// dimMeasure summarises dimension j over group g, before suppression, with
// the dimension scores (for Welch).
func (a *analysis) dimMeasure(j int, g []*scored) (Measure, []float64) {
	var m Measure
	var samples []float64
	for _, s := range g {
		v := s.dim[j]
		if math.IsNaN(v) {
			continue
		}
		m.N++
		if v >= PositiveScore {
			m.Agree++
		}
		samples = append(samples, v)
	}
	a.proportion(&m)
	if len(samples) > 0 {
		m.Mean, m.HasMean = average(samples), true
	}
	return m, samples
}

// proportion fills in Agree/N with its Wilson interval (stats.Proportion).
func (a *analysis) proportion(m *Measure) {
	if m.N == 0 {
		return
	}
	e := stats.Proportion(float64(m.Agree), float64(m.N), a.opts.Confidence, 1)
	if math.IsNaN(e.Value) {
		return
	}
	m.Proportion, m.Lower, m.Upper = e.Value, e.Lower, e.Upper
}

// cell is a measure with its samples, for differences.
type cell struct {
	m       Measure
	samples []float64
}

func all(rs []scored) []*scored {
	out := make([]*scored, len(rs))
	for i := range rs {
		out[i] = &rs[i]
	}
	return out
}

// overall computes the wave-level items and dimensions, suppressed by the
// group rule, with their cells.
func (a *analysis) overall(wholeHidden *Reason) (items []cell, dims []cell) {
	g := all(a.rs)
	d := a.opts.Disclosure
	for i := range a.items {
		m, s := a.itemMeasure(i, g)
		switch {
		case wholeHidden != nil:
			m = hidden(*wholeHidden)
		case !d.AllowGroup(m.N):
			m = hidden(tooFew(d))
		}
		items = append(items, cell{m, s})
	}
	for j := range a.dims {
		m, s := a.dimMeasure(j, g)
		switch {
		case wholeHidden != nil:
			m = hidden(*wholeHidden)
		case !d.AllowGroup(m.N):
			m = hidden(tooFew(d))
		}
		dims = append(dims, cell{m, s})
	}
	return items, dims
}

// Held returns the results of a wave still open: the questionnaire's items
// and dimensions with every figure withheld until the wave closes.
func Held(q Questionnaire, w Wave, opts Options) WaveResults {
	a := newAnalysis(q, nil, opts)
	r := held(w)
	res := WaveResults{Wave: w, Hidden: &r}
	items, dims := a.overall(&r)
	for i, it := range a.items {
		res.Items = append(res.Items, ItemResult{ID: it.ID, Text: it.Text, Kind: it.Kind, Dimension: it.Dimension,
			Reverse: it.Reverse, Options: it.Options, Measure: items[i].m})
	}
	for j, dm := range a.dims {
		res.Dimensions = append(res.Dimensions, DimensionResult{ID: dm.ID, Name: dm.Name, Items: len(a.dimIt[j]), Measure: dims[j].m})
	}
	return res
}

// Analyse returns a wave's results from its stored responses: per item and
// dimension, for the wave and for every breakdown, with the leader-member
// gap, every figure through the group-of-five rule with secondary
// suppression (Protect). Break-offs are left out.
func Analyse(q Questionnaire, w Wave, responses []Response, opts Options) WaveResults {
	a := newAnalysis(q, responses, opts)
	d := opts.Disclosure
	res := WaveResults{Wave: w}
	var whole *Reason
	if !d.AllowGroup(len(a.rs)) {
		r := tooFew(d)
		if len(a.rs) == 0 {
			r = noAnswers()
		}
		whole = &r
		res.Hidden = whole
	} else {
		res.Respondents = len(a.rs)
	}
	items, dims := a.overall(whole)
	for i, it := range a.items {
		res.Items = append(res.Items, ItemResult{ID: it.ID, Text: it.Text, Kind: it.Kind, Dimension: it.Dimension,
			Reverse: it.Reverse, Options: it.Options, Measure: items[i].m})
	}
	for j, dm := range a.dims {
		dr := DimensionResult{ID: dm.ID, Name: dm.Name, Items: len(a.dimIt[j]), Measure: dims[j].m}
		if whole == nil {
			dr.Alpha, dr.AlphaN = a.alpha(j)
		}
		res.Dimensions = append(res.Dimensions, dr)
	}
	if whole != nil {
		return res
	}
	var lead []groupCells
	for _, k := range Breakdowns {
		b, cells := a.breakdown(k)
		res.Breakdowns = append(res.Breakdowns, b)
		if k == ByLeadership {
			lead = cells
		}
	}
	res.Gap = a.gap(lead)
	return res
}

// alpha returns Cronbach's alpha for dimension j (stats.CronbachAlpha) and
// the number of respondents who answered every item, or nil when that
// number fails the group rule or alpha is undefined.
func (a *analysis) alpha(j int) (*float64, int) {
	its := a.dimIt[j]
	idx := make([]int, len(its))
	for k, it := range its {
		for i, ai := range a.items {
			if ai.ID == it.ID {
				idx[k] = i
			}
		}
	}
	m := make([][]float64, len(its))
	complete := 0
	for _, s := range a.rs {
		ok := true
		for k, i := range idx {
			m[k] = append(m[k], s.score[i])
			if math.IsNaN(s.score[i]) {
				ok = false
			}
		}
		if ok {
			complete++
		}
	}
	if !a.opts.Disclosure.AllowGroup(complete) {
		return nil, 0
	}
	v := stats.CronbachAlpha(m)
	if math.IsNaN(v) {
		return nil, 0
	}
	return &v, complete
}

// groupCells are one group's cells, for differences.
type groupCells struct {
	key   string
	items []cell
	dims  []cell
}

// breakdown computes breakdown k with primary and secondary suppression at
// the level of respondents, then of each item's and each dimension's
// answerers.
func (a *analysis) breakdown(k BreakdownKind) (Breakdown, []groupCells) {
	d := a.opts.Disclosure
	members := map[string][]*scored{}
	labels := map[string]string{}
	for i := range a.rs {
		key, label := k.groupKey(a.rs[i].class)
		members[key] = append(members[key], &a.rs[i])
		labels[key] = label
	}
	keys := make([]string, 0, len(members))
	for key := range members {
		keys = append(keys, key)
	}
	sort.Slice(keys, func(i, j int) bool { return k.order(keys[i]) < k.order(keys[j]) })

	counts := make([]int, len(keys))
	for g, key := range keys {
		counts[g] = len(members[key])
	}
	groupReasons := Protect(d, counts, len(a.rs), nil)

	b := Breakdown{By: k, Title: k.Label()}
	cells := make([]groupCells, len(keys))
	for g, key := range keys {
		grp := Group{Key: key, Label: labels[key]}
		if groupReasons[g].Shown() {
			grp.Respondents = counts[g]
		} else {
			r := groupReasons[g]
			grp.Hidden = &r
		}
		b.Groups = append(b.Groups, grp)
		cells[g].key = key
	}
	// protected measures one item or dimension in every group and hides
	// the groups too few answered to show (and, by secondary suppression,
	// those that would let a hidden one be worked out from the total).
	protected := func(measure func(g []*scored) (Measure, []float64)) []cell {
		out := make([]cell, len(keys))
		ns := make([]int, len(keys))
		total := 0
		for g, key := range keys {
			out[g].m, out[g].samples = measure(members[key])
			ns[g] = out[g].m.N
			total += ns[g]
		}
		rs := Protect(d, ns, total, groupReasons)
		for g := range out {
			if !rs[g].Shown() {
				out[g].m = hidden(rs[g])
			}
		}
		return out
	}
	for i := range a.items {
		cs := protected(func(g []*scored) (Measure, []float64) { return a.itemMeasure(i, g) })
		for g := range keys {
			b.Groups[g].Items = append(b.Groups[g].Items, cs[g].m)
			cells[g].items = append(cells[g].items, cs[g])
		}
	}
	for j := range a.dims {
		cs := protected(func(g []*scored) (Measure, []float64) { return a.dimMeasure(j, g) })
		for g := range keys {
			b.Groups[g].Dimensions = append(b.Groups[g].Dimensions, cs[g].m)
			cells[g].dims = append(cells[g].dims, cs[g])
		}
	}
	return b, cells
}

// gap returns leaders − other members for every dimension, then every
// Likert and yes-no item, from the leadership breakdown's cells.
func (a *analysis) gap(lead []groupCells) []Difference {
	var leaders, others *groupCells
	for i := range lead {
		switch lead[i].key {
		case string(Leader):
			leaders = &lead[i]
		case string(OtherMember):
			others = &lead[i]
		}
	}
	var out []Difference
	for j, dm := range a.dims {
		diff := Difference{ID: dm.ID, Label: dm.Name, Dimension: true}
		if leaders == nil || others == nil {
			diff.Hidden = &Reason{TooFewCode, "Not shown: there are not enough leaders and other members who answered to compare."}
		} else {
			diff = a.difference(diff, leaders.dims[j], others.dims[j])
		}
		out = append(out, diff)
	}
	for i, it := range a.items {
		if it.Kind == ItemChoice {
			continue
		}
		diff := Difference{ID: it.ID, Label: it.Text}
		if leaders == nil || others == nil {
			diff.Hidden = &Reason{TooFewCode, "Not shown: there are not enough leaders and other members who answered to compare."}
		} else {
			diff = a.difference(diff, leaders.items[i], others.items[i])
		}
		out = append(out, diff)
	}
	return out
}

// difference fills in x − y: Newcombe's interval for the proportions and,
// when both have means, Welch's for the means. Either side hidden hides it.
func (a *analysis) difference(diff Difference, x, y cell) Difference {
	if !x.m.Shown() || !y.m.Shown() {
		diff.Hidden = &Reason{TooFewCode, "Not shown: one of the groups compared is too small to show."}
		return diff
	}
	c := a.opts.Confidence
	p, pl, pu := stats.Newcombe(float64(x.m.Agree), float64(x.m.N), float64(y.m.Agree), float64(y.m.N), c)
	if math.IsNaN(p) {
		diff.Hidden = &Reason{TooFewCode, "Not shown: the difference cannot be worked out."}
		return diff
	}
	diff.Proportion, diff.ProportionLower, diff.ProportionUpper = p, pl, pu
	if x.m.HasMean && y.m.HasMean {
		m, ml, mu := stats.WelchSamples(x.samples, y.samples, c)
		if !math.IsNaN(m) {
			diff.Mean, diff.MeanLower, diff.MeanUpper, diff.HasMean = m, ml, mu, true
		}
	}
	return diff
}

// CompareWaves returns, for every dimension and every Likert and yes-no
// item of q, the change from the earlier wave's responses to the later's
// (later − earlier) with Newcombe's interval for the proportions and
// Welch's for the means, treating the waves as independent samples (they
// are anonymous, so answers cannot be paired). A change is hidden when
// either wave's figure is.
func CompareWaves(q Questionnaire, earlier, later []Response, opts Options) []Difference {
	ea, la := newAnalysis(q, earlier, opts), newAnalysis(q, later, opts)
	var eHidden, lHidden *Reason
	if !opts.Disclosure.AllowGroup(len(ea.rs)) {
		r := tooFew(opts.Disclosure)
		eHidden = &r
	}
	if !opts.Disclosure.AllowGroup(len(la.rs)) {
		r := tooFew(opts.Disclosure)
		lHidden = &r
	}
	ei, ed := ea.overall(eHidden)
	li, ld := la.overall(lHidden)
	var out []Difference
	for j, dm := range la.dims {
		out = append(out, la.difference(Difference{ID: dm.ID, Label: dm.Name, Dimension: true}, ld[j], ed[j]))
	}
	for i, it := range la.items {
		if it.Kind == ItemChoice {
			continue
		}
		out = append(out, la.difference(Difference{ID: it.ID, Label: it.Text}, li[i], ei[i]))
	}
	return out
}
