package web

import (
	"fmt"
	"math"
	"net/url"
	"sort"
	"strings"

	"ccg/internal/calendar"
	"ccg/internal/chart"
	"ccg/internal/variation"
)

// Standardised ratios on the variation pages: the measure page shows the
// crude rate and the standardised ratio side by side and lets people choose
// which funnel to look at (?view=crude or ?view=standardised, standardised by
// default where the measure has one); the practice page and the locality
// peer-review pack give each standardised ratio beside the crude value, with
// what "expected" means for that practice in plain words.

// Measure page views.
const (
	viewStandardised = "standardised"
	viewCrude        = "crude"
)

// StdView is the standardised half of a measure page.
type StdView struct {
	// Show reports whether the page shows the standardised funnel (the
	// default) rather than the crude one.
	Show bool `json:"show"`
	// Why says why there are no standardised ratios ("" when there are).
	Why string `json:"why,omitempty"`
	// Funnel is the ISR funnel of the practices: ratio against expected.
	Funnel variation.StdFunnelPlot `json:"funnel"`
	// Rows are the practices with a ratio, most unusual first.
	Rows        []ValueRow `json:"rows"`
	Outliers998 int        `json:"outliers_998"`
	Outliers95  int        `json:"outliers_95"`
	// References names, in words, the reference rates used.
	References []string `json:"references"`
	// Chosen is the followed practice's value, for the explanation.
	Chosen *ValueRow `json:"-"`
	m      variation.Measure
	month  calendar.Month
	link   func(view string) string
	csv    string
	within string
	// trend is the followed practice's (or England's) values over time.
	trend     []variation.MeasureValue
	trendName string
}

// fillStd adds the standardised half to a measure page from its practice
// values.
func (s *Server) fillStd(v *MeasureView, view string) {
	m := v.Measure.Measure
	if !variation.Standardisable(m) {
		return
	}
	st := &StdView{Rows: []ValueRow{}, References: []string{}, m: m, month: v.Month, within: v.WithinName()}
	st.link = func(view string) string {
		return "/prescribing/measures/" + url.PathEscape(m.ID) + "?" + v.query() + "&view=" + view
	}
	st.csv = "/prescribing/measures/" + url.PathEscape(m.ID) + "/funnel.csv?" + v.query() + "&view=" + viewStandardised
	st.Funnel = variation.BuildStdFunnel(v.Funnel.Points)
	names := map[string]string{}
	for _, r := range v.Rows {
		names[r.OrgCode] = r.Name
	}
	seen := map[string]bool{}
	for _, p := range st.Funnel.Points {
		row := ValueRow{MeasureValue: p, Name: names[p.OrgCode]}
		if row.Name == "" {
			row.Name = p.OrgCode
		}
		st.Rows = append(st.Rows, row)
		if p.OrgCode == v.Practice {
			c := row
			st.Chosen = &c
		}
		switch {
		case p.Std.High998 || p.Std.Low998:
			st.Outliers998++
		case p.Std.High95 || p.Std.Low95:
			st.Outliers95++
		}
		if !seen[p.Std.ReferenceNote] {
			seen[p.Std.ReferenceNote] = true
			st.References = append(st.References, p.Std.ReferenceNote)
		}
	}
	sort.Strings(st.References)
	sort.SliceStable(st.Rows, func(i, j int) bool { return math.Abs(stdZ(st.Rows[i])) > math.Abs(stdZ(st.Rows[j])) })
	if len(st.Rows) == 0 {
		for _, p := range v.Funnel.Points {
			if p.StdWhy != "" {
				st.Why = p.StdWhy
				break
			}
		}
		if st.Why == "" {
			// Values stored by a version of ccg that did not standardise.
			what := "referrals (or a referral reference table)"
			if m.Source != variation.SourceReferrals {
				what = "prescribing"
			}
			st.Why = "This month's figures were computed without standardised ratios (by an earlier version of ccg). " +
				"Importing the month's " + what + " again computes them."
		}
	}
	st.Show = view != viewCrude && len(st.Rows) > 0
	v.Std = st
}

func stdZ(r ValueRow) float64 {
	if r.Std == nil || r.Std.Limits == nil {
		return 0
	}
	return r.Std.Limits.Z
}

// HasTrend reports whether any month of the trend has a standardised ratio.
func (st *StdView) HasTrend() bool {
	for _, v := range st.trend {
		if v.Std != nil {
			return true
		}
	}
	return false
}

// TrendChart draws the followed practice's (or England's) standardised
// ratio month by month with its 95% interval, against 1 (as expected).
func (st *StdView) TrendChart() chart.Figure {
	var pts, lo, hi []chart.Point
	for _, v := range st.trend {
		x := chart.MonthX(v.Month)
		if v.Std == nil {
			pts = append(pts, chart.Point{X: x, Y: math.NaN()})
			continue
		}
		pts = append(pts, chart.Point{X: x, Y: v.Std.Ratio})
		lo = append(lo, chart.Point{X: x, Y: v.Std.Lower})
		hi = append(hi, chart.Point{X: x, Y: v.Std.Upper})
	}
	l := chart.Line{
		Title:      fmt.Sprintf("%s, standardised: %s month by month", st.m.Name, st.trendName),
		X:          chart.Axis{Title: "Month", Months: true},
		Y:          chart.Axis{Title: "Standardised ratio (1 = as expected)", Zero: true},
		Series:     []chart.Series{{Name: st.trendName, Points: pts, Colour: chart.Blue, Markers: true}},
		References: []chart.Reference{{Name: "As expected", Value: 1}},
	}
	if len(lo) > 0 {
		l.Bands = []chart.Band{{Name: "95% interval of the ratio", Lower: lo, Upper: hi}}
	}
	return l.Render()
}

// ShowCrude reports whether the page shows the crude funnel.
func (v *MeasureView) ShowCrude() bool { return v.Std == nil || !v.Std.Show }

// CrudeLink and StdLink switch the page between the two views.
func (st *StdView) CrudeLink() string { return st.link(viewCrude) }

// StdLink is the address of the standardised view.
func (st *StdView) StdLink() string { return st.link(viewStandardised) }

// Basis says in words what the ratio is standardised for.
func (st *StdView) Basis() string {
	if len(st.Rows) > 0 && st.Rows[0].Std.Basis == variation.BasisASTROPU {
		return "the age and sex of each practice’s patients, through ASTRO-PU prescribing units"
	}
	return "the age and sex of each practice’s patients"
}

// Explain says what "expected" means for the followed practice.
func (st *StdView) Explain() string {
	if st.Chosen == nil {
		return ""
	}
	return explainExpected(st.m, st.Chosen.Name, st.month, st.Chosen.MeasureValue)
}

// FunnelChart draws the ISR funnel: each practice's ratio against its
// expected count, with limits around 1.
func (st *StdView) FunnelChart(practice string) chart.Figure {
	f := chart.Funnel{
		Title: fmt.Sprintf("%s, standardised: practices in %s, %s", st.m.Name, st.within, st.month.First().Format("January 2006")),
		X:     chart.Axis{Title: "Expected " + events(st.m)},
		Y:     chart.Axis{Title: "Standardised ratio (1 = as expected)"},
		CSV:   st.csv,
	}
	if st.Funnel.Summary != nil {
		f.Target, f.TargetName = 1, "As expected"
	}
	for _, p := range st.Funnel.Points {
		f.Points = append(f.Points, chart.FunnelPoint{Label: p.OrgCode, X: p.Std.Expected, Y: p.Std.Ratio, Chosen: p.OrgCode == practice})
	}
	var u95, l95, u998, l998 []chart.Point
	for _, c := range st.Funnel.Curve {
		u95 = append(u95, chart.Point{X: c.Denominator, Y: c.Upper95})
		l95 = append(l95, chart.Point{X: c.Denominator, Y: c.Lower95})
		u998 = append(u998, chart.Point{X: c.Denominator, Y: c.Upper998})
		l998 = append(l998, chart.Point{X: c.Denominator, Y: c.Lower998})
	}
	if len(u95) > 0 {
		f.Limits = []chart.Limit{{Name: "95% limits", Upper: u95, Lower: l95}, {Name: "99.8% limits", Upper: u998, Lower: l998}}
	}
	return f.Render()
}

// events names what a measure counts ("referrals", "items").
func events(m variation.Measure) string {
	if m.Source == variation.SourceReferrals {
		return "referrals"
	}
	return "items"
}

// stdFlag names the ratio's place against the ISR funnel.
func stdFlag(s *variation.StdValue) string {
	switch {
	case s == nil:
		return ""
	case s.High998:
		return "Above 99.8% limit"
	case s.Low998:
		return "Below 99.8% limit"
	case s.High95:
		return "Above 95% limit"
	case s.Low95:
		return "Below 95% limit"
	}
	return "Within limits"
}

// StdFlag names the row's place against the ISR funnel.
func (r ValueRow) StdFlag() string { return stdFlag(r.Std) }

// ShowRatio writes a standardised ratio with its 95% interval.
func showRatio(s *variation.StdValue) string {
	if s == nil {
		return "–"
	}
	return fmt.Sprintf("%s (%s to %s)", chart.Number(s.Ratio, 2), chart.Number(s.Lower, 2), chart.Number(s.Upper, 2))
}

// ShowRatio writes the row's ratio with its 95% interval.
func (r ValueRow) ShowRatio() string { return showRatio(r.Std) }

// ShowExpected writes the row's expected count.
func (r ValueRow) ShowExpected() string {
	if r.Std == nil {
		return "–"
	}
	return chart.Number(r.Std.Expected, 1)
}

// explainExpected says in plain words what the expected count and the
// ratio mean for one practice.
func explainExpected(m variation.Measure, name string, month calendar.Month, v variation.MeasureValue) string {
	s := v.Std
	if s == nil {
		return v.StdWhy
	}
	what := events(m)
	whose := "referred"
	if s.Basis == variation.BasisASTROPU {
		whose = "prescribed for"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "“Expected” is how many %s %s would have had in %s if its own patients, with their own mix of ages and sexes, had been %s at the reference rates (%s). ",
		what, name, month.First().Format("January 2006"), whose, s.ReferenceNote)
	fmt.Fprintf(&b, "That comes to %s; it had %s, a ratio of %s. ", chart.Number(s.Expected, 1), chart.Number(s.Observed, 0), chart.Number(s.Ratio, 2))
	switch {
	case s.Upper < 1:
		fmt.Fprintf(&b, "The 95%% interval, %s to %s, lies below 1: fewer than its patients’ ages and sexes would lead one to expect.", chart.Number(s.Lower, 2), chart.Number(s.Upper, 2))
	case s.Lower > 1:
		fmt.Fprintf(&b, "The 95%% interval, %s to %s, lies above 1: more than its patients’ ages and sexes would lead one to expect.", chart.Number(s.Lower, 2), chart.Number(s.Upper, 2))
	default:
		fmt.Fprintf(&b, "The 95%% interval, %s to %s, includes 1: no more and no fewer than its patients’ ages and sexes would lead one to expect, allowing for chance.", chart.Number(s.Lower, 2), chart.Number(s.Upper, 2))
	}
	if v.Value != nil && s.Basis == variation.BasisAgeSex {
		fmt.Fprintf(&b, " (Its crude rate, %s per 1,000 patients, takes no account of age and sex.)", chart.Number(*v.Value, 2))
	}
	return b.String()
}

// StdRatio writes the practice's standardised ratio ("" for a measure with none).
func (p PracticeMeasureRow) StdRatio() string {
	if !variation.Standardisable(p.Measure) {
		return ""
	}
	return showRatio(p.Value.Std)
}

// StdFlag names the practice's place on the ISR funnel.
func (p PracticeMeasureRow) StdFlag() string { return stdFlag(p.Value.Std) }

// StdExplain says what "expected" means for the practice on this measure
// (or why there is no standardised ratio).
func (p PracticeMeasureRow) StdExplain() string {
	if !variation.Standardisable(p.Measure) {
		return ""
	}
	return explainExpected(p.Measure, p.name, p.Value.Month, p.Value)
}

// Standardisable reports whether the measure has a standardised form.
func (p PracticeMeasureRow) Standardisable() bool { return variation.Standardisable(p.Measure) }

// StdMeasures are the practice's measures with a standardised form.
func (v PracticeMeasuresView) StdMeasures() []PracticeMeasureRow {
	var out []PracticeMeasureRow
	for _, m := range v.Measures {
		if m.Standardisable() {
			out = append(out, m)
		}
	}
	return out
}

// StdSummary says how many measures outside the crude funnel's limits are
// within the standardised funnel's, and the other way round ("" when none).
func (v PracticeMeasuresView) StdSummary() string {
	var fairer, worse []string
	for _, m := range v.StdMeasures() {
		s := m.Value.Std
		if s == nil {
			continue
		}
		switch crude := m.Value.Flags.Outlier(); {
		case crude && !s.Outlier():
			fairer = append(fairer, m.Measure.Name)
		case !crude && s.Outlier():
			worse = append(worse, m.Measure.Name)
		}
	}
	var parts []string
	if len(fairer) > 0 {
		parts = append(parts, "Outside the crude funnel’s limits but within them once the patients’ ages and sexes are allowed for: "+strings.Join(fairer, "; ")+".")
	}
	if len(worse) > 0 {
		parts = append(parts, "Within the crude funnel’s limits but outside them once the patients’ ages and sexes are allowed for: "+strings.Join(worse, "; ")+".")
	}
	return strings.Join(parts, " ")
}

// localityRatio writes a standardised ratio for the peer-review pack.
func localityRatio(m variation.Measure, v *variation.MeasureValue) string {
	if v == nil || !variation.Standardisable(m) {
		return ""
	}
	if v.Std == nil {
		return "not standardised"
	}
	s := "ratio " + chart.Number(v.Std.Ratio, 2)
	if f := stdFlag(v.Std); f != "Within limits" {
		s += " · " + f
	}
	return s
}
