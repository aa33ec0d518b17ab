package web

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"ccg/internal/access"
	"ccg/internal/calendar"
	"ccg/internal/chart"
	"ccg/internal/errs"
	"ccg/internal/registry"
	"ccg/internal/variation"
)

// The prescribing and referral variation pages live under /prescribing;
// the JSON API is the one the issue names (/api/v1/measures...).
//
// Access: measures, measure pages (funnel of every practice) and the values
// API are published open data (prescribing by practice is published by the
// NHS BSA), so they are asked about as Published analytics. The practice
// page (every measure with cost savings, for the practice's own review)
// is ActPracticeDetail on that practice; the locality peer-review view is
// ActPracticePeers on that locality.

// variationRoutes are the pages and API of the variation capability; none when
// Deps.Variation is nil.
func (s *Server) variationRoutes() []route {
	if s.deps.Variation == nil {
		return nil
	}
	published := func(r *http.Request) Resource {
		return Resource{Kind: "measure", ID: r.PathValue("id"), Published: true}
	}
	locality := func(r *http.Request) Resource {
		code := codeParam(r)
		return Resource{Kind: "locality", ID: code, Locality: code}
	}
	return []route{
		{Method: "GET", Path: "/prescribing", API: apiPrefix + "/measures", Action: access.ActAnalyticsView, Resource: published,
			Page: "variation/measures", View: s.measuresView},
		{Method: "GET", Path: "/prescribing/measures/{id}", API: apiPrefix + "/measures/{id}", Action: access.ActAnalyticsView, Resource: published,
			Figures: s.funnelFigures, Page: "variation/measure", View: s.measureView},
		{Method: "GET", Path: "/prescribing/measures/{id}/values.csv", Action: access.ActAnalyticsView, Resource: published, Figures: s.queryFigures, Raw: s.measureValuesCSV},
		{Method: "GET", Path: "/prescribing/measures/{id}/funnel.csv", Action: access.ActAnalyticsView, Resource: published, Figures: s.funnelFigures, Table: s.measureFunnelCSV},
		{Method: "GET", Path: "/prescribing/measures/{id}/trend.csv", Action: access.ActAnalyticsView, Resource: published, Figures: s.funnelFigures, Table: s.measureTrendCSV},
		{Method: "GET", Path: apiPrefix + "/measures/{id}/values", Action: access.ActAnalyticsView, Resource: published, Figures: s.queryFigures, Raw: s.measureValuesJSON},
		{Method: "GET", Path: apiPrefix + "/measures/{id}/deciles", Action: access.ActAnalyticsView, Resource: published, Figures: s.queryFigures, Raw: s.measureDecilesJSON},
		{Method: "GET", Path: "/prescribing/practices/{code}", API: apiPrefix + "/practices/{code}/measures", Action: access.ActPracticeDetail,
			Resource: s.practiceResource, Page: "variation/practice", View: s.practiceMeasuresView},
		{Method: "GET", Path: "/prescribing/localities/{code}", API: apiPrefix + "/localities/{code}/measures", Action: access.ActPracticePeers,
			Resource: locality, Page: "variation/locality", View: s.localityMeasuresView},
		{Method: "GET", Path: "/prescribing/print.css", Action: ActionStatic, Raw: s.variationPrintCSS},
	}
}

// practiceResource names the practice of the path with its locality today,
// so that locality leads may see their peers' pages.
func (s *Server) practiceResource(r *http.Request) Resource {
	code := codeParam(r)
	res := Resource{Kind: "practice", ID: code, Practice: code}
	if loc, err := s.deps.Registry.ParentOn(r.Context(), code, registry.RelInLocality, s.today()); err == nil {
		res.Locality = loc.Code
	}
	return res
}

// MeasureSummary is one measure in the list.
type MeasureSummary struct {
	variation.Measure
	// Direction says in words which way is better.
	Direction string `json:"direction"`
}

// MeasuresView is the list of measures.
type MeasuresView struct {
	Measures []MeasureSummary `json:"measures"`
	// Months are the months with computed values, newest first.
	Months []calendar.Month `json:"months"`
	Latest calendar.Month   `json:"latest,omitzero"`
	// Tags are the measures' tags, sorted.
	Tags []string `json:"tags"`
	Tag  string   `json:"tag,omitempty"`
}

func direction(m variation.Measure) string {
	switch {
	case m.LowIsGood == nil:
		return "Neither higher nor lower is better"
	case *m.LowIsGood:
		return "Lower is better"
	default:
		return "Higher is better"
	}
}

// measuresView serves /prescribing and GET /api/v1/measures.
func (s *Server) measuresView(r *http.Request) (any, error) {
	ctx := r.Context()
	ms, err := s.deps.Variation.Measures(ctx)
	if err != nil {
		return nil, err
	}
	months, err := s.deps.Variation.Months(ctx)
	if err != nil {
		return nil, err
	}
	tag := strings.TrimSpace(r.URL.Query().Get("tag"))
	v := MeasuresView{Measures: []MeasureSummary{}, Months: newestFirst(months), Tags: []string{}, Tag: tag}
	if len(months) > 0 {
		v.Latest = months[len(months)-1]
	}
	seen := map[string]bool{}
	for _, m := range ms {
		for _, t := range m.Tags {
			if !seen[t] {
				seen[t] = true
				v.Tags = append(v.Tags, t)
			}
		}
		if tag != "" && !contains(m.Tags, tag) {
			continue
		}
		v.Measures = append(v.Measures, MeasureSummary{Measure: m, Direction: direction(m)})
	}
	sort.Strings(v.Tags)
	return v, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func newestFirst(ms []calendar.Month) []calendar.Month {
	out := make([]calendar.Month, len(ms))
	for i, m := range ms {
		out[len(ms)-1-i] = m
	}
	return out
}

// pickMonth reads ?month=, defaulting to the latest month with values.
func (s *Server) pickMonth(r *http.Request) (calendar.Month, []calendar.Month, error) {
	months, err := s.deps.Variation.Months(r.Context())
	if err != nil {
		return calendar.Month{}, nil, err
	}
	m, err := monthParam(r, "month")
	if err != nil {
		return calendar.Month{}, nil, err
	}
	if m.IsZero() && len(months) > 0 {
		m = months[len(months)-1]
	}
	return m, months, nil
}

// measureFor fetches the measure of the path, with a message a person can
// act on when there is none.
func (s *Server) measureFor(r *http.Request) (variation.Measure, error) {
	id := strings.TrimSpace(r.PathValue("id"))
	m, err := s.deps.Variation.Measure(r.Context(), id)
	if errors.Is(err, errs.ErrNotFound) {
		return m, notFound("There is no measure called %s. See the list of measures at /prescribing.", id)
	}
	return m, err
}

// ValueRow is one organisation's value with its name, for tables.
type ValueRow struct {
	variation.MeasureValue
	Name string `json:"name"`
}

// MeasureView is the page of one measure in one month.
type MeasureView struct {
	Measure  MeasureSummary          `json:"measure"`
	Month    calendar.Month          `json:"month,omitzero"`
	Months   []calendar.Month        `json:"months"`
	Within   string                  `json:"within"` // CCG code, "" for England
	CCGs     []registry.Organisation `json:"ccgs"`
	Practice string                  `json:"practice,omitempty"`
	// Funnel is the funnel plot of the practices (Within's, or England's).
	Funnel variation.FunnelPlot `json:"funnel"`
	// Rows are the practices of the funnel with their names, most unusual first.
	Rows []ValueRow `json:"rows"`
	// Trend is the chosen practice's (or England's) values over time, and
	// Deciles the practice deciles over the same months.
	Trend   []variation.MeasureValue `json:"trend"`
	Deciles []variation.Deciles      `json:"deciles"`
	// England is England's value in the month.
	England *variation.MeasureValue `json:"england,omitempty"`
	// Outliers counts the practices outside the 99.8% and 95% limits.
	Outliers998 int `json:"outliers_998"`
	Outliers95  int `json:"outliers_95"`
	// Page is the page of Rows the HTML table shows (see PageRows).
	Page int `json:"page"`
	// Std is the standardised ratios of the same practices (measures with
	// a standardised form only).
	Std       *StdView `json:"standardised,omitempty"`
	trendName string
}

// measurePageRows is how many practices one page of a measure page's table
// lists, and measureFunnelDots how many practices its funnel plot draws:
// an England-wide measure (every practice in England) would otherwise be
// several megabytes of HTML. The CSV downloads keep every practice.
const (
	measurePageRows   = 250
	measureFunnelDots = 1000
)

// PageRows are the rows of the table's page, most unusual first.
func (v *MeasureView) PageRows() []ValueRow {
	lo := min(len(v.Rows), (max(v.Page, 1)-1)*measurePageRows)
	return v.Rows[lo:min(len(v.Rows), lo+measurePageRows)]
}

// Pages is the number of pages of the table.
func (v *MeasureView) Pages() int { return max(1, (len(v.Rows)+measurePageRows-1)/measurePageRows) }

// PageFirst and PageLast number the first and last row of the page (1-based).
func (v *MeasureView) PageFirst() int { return min(len(v.Rows), (max(v.Page, 1)-1)*measurePageRows+1) }

// PageLast numbers the last row of the page (1-based).
func (v *MeasureView) PageLast() int { return min(len(v.Rows), max(v.Page, 1)*measurePageRows) }

// PageLink is the address of the page of the table by pages away from
// this one (-1 the previous, 1 the next).
func (v *MeasureView) PageLink(by int) string {
	page := min(max(1, max(v.Page, 1)+by), v.Pages())
	return "/prescribing/measures/" + url.PathEscape(v.Measure.ID) + "?" + v.query() + "&page=" + strconv.Itoa(page) + "#values"
}

// FunnelDrawn is how many practices the funnel plot draws (FunnelChart
// leaves some out when there are more than measureFunnelDots).
func (v *MeasureView) FunnelDrawn() int { return len(v.funnelPoints(false)) }

// measureView serves /prescribing/measures/{id} and its JSON twin.
func (s *Server) measureView(r *http.Request) (any, error) {
	return s.measurePage(r)
}

func (s *Server) measurePage(r *http.Request) (*MeasureView, error) {
	ctx := r.Context()
	m, err := s.measureFor(r)
	if err != nil {
		return nil, err
	}
	month, months, err := s.pickMonth(r)
	if err != nil {
		return nil, err
	}
	q := r.URL.Query()
	v := &MeasureView{Measure: MeasureSummary{Measure: m, Direction: direction(m)}, Month: month, Months: newestFirst(months),
		Within: strings.ToUpper(strings.TrimSpace(q.Get("ccg"))), Practice: strings.ToUpper(strings.TrimSpace(q.Get("practice"))),
		CCGs: []registry.Organisation{}, Rows: []ValueRow{}, Trend: []variation.MeasureValue{}, Deciles: []variation.Deciles{}}
	if v.Page, err = pageParam(r); err != nil {
		return nil, err
	}
	if month.IsZero() {
		return v, nil
	}
	nm := &names{ctx: ctx, reg: s.deps.Registry, cache: map[string]registry.Organisation{}}
	ccgVals, err := s.deps.Variation.Values(ctx, m.ID, month, variation.LevelCCG, "")
	if err != nil {
		return nil, err
	}
	for _, cv := range ccgVals {
		o, err := nm.org(cv.OrgCode)
		if err != nil {
			return nil, err
		}
		v.CCGs = append(v.CCGs, o)
	}
	sort.Slice(v.CCGs, func(i, j int) bool { return v.CCGs[i].Name < v.CCGs[j].Name })
	switch {
	case v.Within == "ENGLAND":
		v.Within = ""
	case v.Within == "" && len(v.CCGs) == 1:
		// One CCG's data: its practices are the natural group.
		v.Within = v.CCGs[0].Code
	}
	fp, err := s.deps.Variation.Funnel(ctx, m.ID, month, v.Within)
	if errors.Is(err, errs.ErrNotFound) {
		return nil, notFound("There are no practices in %s in %s.", v.Within, month)
	}
	if err != nil {
		return nil, err
	}
	v.Funnel = fp
	for _, p := range fp.Points {
		if p.Value == nil {
			continue
		}
		name := p.OrgCode
		if len(fp.Points) <= 2000 {
			o, err := nm.org(p.OrgCode)
			if err != nil {
				return nil, err
			}
			name = o.Name
		}
		v.Rows = append(v.Rows, ValueRow{MeasureValue: p, Name: name})
		switch {
		case p.Flags.High998 || p.Flags.Low998:
			v.Outliers998++
		case p.Flags.High95 || p.Flags.Low95:
			v.Outliers95++
		}
	}
	sort.SliceStable(v.Rows, func(i, j int) bool {
		return math.Abs(v.Rows[i].zOf()) > math.Abs(v.Rows[j].zOf())
	})
	s.fillStd(v, strings.ToLower(strings.TrimSpace(q.Get("view"))))
	from := month.Add(-23)
	if v.Practice != "" {
		v.Trend, err = s.deps.Variation.Trend(ctx, m.ID, variation.LevelPractice, v.Practice, from, month)
		if err != nil {
			return nil, err
		}
		o, err := nm.org(v.Practice)
		if err != nil {
			return nil, err
		}
		v.trendName = o.Name
	} else {
		v.Trend, err = s.deps.Variation.Trend(ctx, m.ID, variation.LevelEngland, "", from, month)
		if err != nil {
			return nil, err
		}
		v.trendName = "England"
	}
	if v.Deciles, err = s.deps.Variation.Deciles(ctx, m.ID, variation.LevelPractice, from, month); err != nil {
		return nil, err
	}
	if v.Std != nil {
		v.Std.trend, v.Std.trendName = v.Trend, v.trendName
	}
	if ev, err := s.deps.Variation.Values(ctx, m.ID, month, variation.LevelEngland, ""); err == nil && len(ev) > 0 {
		v.England = &ev[0]
	} else if err != nil {
		return nil, err
	}
	return v, nil
}

// ShowPercentile writes the practice's percentile among the practices,
// rounded half up ("–" when undefined).
func (r ValueRow) ShowPercentile() string {
	if r.Percentile == nil {
		return "–"
	}
	return chart.Number(*r.Percentile, 0)
}

// zOf is how far the row is from the funnel's centre, for ordering.
func (r ValueRow) zOf() float64 {
	if r.Limits == nil {
		return 0
	}
	return r.Limits.Z
}

// scale turns a stored value into what pages show (percentages × 100).
func scale(m variation.Measure, f float64) float64 {
	if m.IsPercentage {
		return f * 100
	}
	return f
}

// unit names the value's unit for axes.
func unit(m variation.Measure) string {
	if m.YLabel != "" {
		return m.YLabel
	}
	if m.IsPercentage {
		return "Per cent"
	}
	return "Value"
}

// ShowValue writes a value for people: a percentage or a rate.
func (v *MeasureView) ShowValue(x *float64) string { return showValue(v.Measure.Measure, x) }

func showValue(m variation.Measure, x *float64) string {
	if x == nil {
		return "–"
	}
	if m.IsPercentage {
		return chart.Number(*x*100, 1) + "%"
	}
	return chart.Number(*x, 2)
}

// WithinName names the group the funnel shows.
func (v *MeasureView) WithinName() string {
	if v.Within == "" {
		return "England"
	}
	for _, c := range v.CCGs {
		if c.Code == v.Within {
			return c.Name
		}
	}
	return v.Within
}

func (v *MeasureView) query() string {
	q := url.Values{}
	q.Set("month", v.Month.String())
	if v.Within != "" {
		q.Set("ccg", v.Within)
	} else {
		q.Set("ccg", "ENGLAND")
	}
	if v.Practice != "" {
		q.Set("practice", v.Practice)
	}
	return q.Encode()
}

// ValuesCSV is the address of the CSV download of the practice values.
func (v *MeasureView) ValuesCSV() string {
	return "/prescribing/measures/" + url.PathEscape(v.Measure.ID) + "/values.csv?month=" + v.Month.String() + "&level=practice"
}

// ValuesAPI is the address of the values API for the month.
func (v *MeasureView) ValuesAPI() string {
	return apiPrefix + "/measures/" + url.PathEscape(v.Measure.ID) + "/values?month=" + v.Month.String() + "&level=practice"
}

// FunnelChart draws the funnel plot with its 95% and 99.8% limits.
func (v *MeasureView) FunnelChart() chart.Figure { return v.funnelFigure(false) }

// funnelPoints returns the practices the funnel draws: all of them with
// all, otherwise at most measureFunnelDots: every practice outside the 95%
// limits and the chosen practice, and an even spread (by denominator) of
// the others.
func (v *MeasureView) funnelPoints(all bool) []variation.MeasureValue {
	var pts []variation.MeasureValue
	for _, p := range v.Funnel.Points {
		if p.Value != nil && p.Denominator > 0 {
			pts = append(pts, p)
		}
	}
	if all || len(pts) <= measureFunnelDots {
		return pts
	}
	var keep, rest []variation.MeasureValue
	for _, p := range pts {
		if p.Flags.High95 || p.Flags.Low95 || p.Flags.High998 || p.Flags.Low998 || p.OrgCode == v.Practice {
			keep = append(keep, p)
		} else {
			rest = append(rest, p)
		}
	}
	if room := measureFunnelDots - len(keep); room > 0 && len(rest) > 0 {
		sort.SliceStable(rest, func(i, j int) bool { return rest[i].Denominator < rest[j].Denominator })
		for i := 0; i < room && i < len(rest); i++ {
			keep = append(keep, rest[i*len(rest)/min(room, len(rest))])
		}
	}
	return keep
}

func (v *MeasureView) funnelFigure(all bool) chart.Figure {
	m := v.Measure.Measure
	f := chart.Funnel{
		Title: fmt.Sprintf("%s: practices in %s, %s", m.Name, v.WithinName(), v.Month.First().Format("January 2006")),
		X:     chart.Axis{Title: denominatorLabel(m)},
		Y:     chart.Axis{Title: unit(m)},
		CSV:   "/prescribing/measures/" + url.PathEscape(m.ID) + "/funnel.csv?" + v.query(),
	}
	if v.Funnel.Summary != nil {
		f.Target = scale(m, v.Funnel.Summary.Target)
		f.TargetName = v.WithinName() + " average"
	}
	for _, p := range v.funnelPoints(all) {
		f.Points = append(f.Points, chart.FunnelPoint{Label: p.OrgCode, X: p.Denominator, Y: scale(m, *p.Value), Chosen: p.OrgCode == v.Practice})
	}
	var u95, l95, u998, l998 []chart.Point
	for _, c := range v.Funnel.Curve {
		u95 = append(u95, chart.Point{X: c.Denominator, Y: scale(m, c.Upper95)})
		l95 = append(l95, chart.Point{X: c.Denominator, Y: scale(m, c.Lower95)})
		u998 = append(u998, chart.Point{X: c.Denominator, Y: scale(m, c.Upper998)})
		l998 = append(l998, chart.Point{X: c.Denominator, Y: scale(m, c.Lower998)})
	}
	if len(u95) > 0 {
		f.Limits = []chart.Limit{{Name: "95% limits", Upper: u95, Lower: l95}, {Name: "99.8% limits", Upper: u998, Lower: l998}}
	}
	return f.Render()
}

func denominatorLabel(m variation.Measure) string {
	if l := m.Denominator.Label; l != "" {
		return l
	}
	switch m.Denominator.Quantity {
	case variation.QuantityListSize:
		return "Registered patients (thousands)"
	case variation.QuantityItems:
		return "Items"
	case variation.QuantityCost:
		return "Cost (£)"
	case variation.QuantityQuantity:
		return "Quantity"
	}
	return "Denominator (" + string(m.Denominator.Quantity) + ")"
}

// TrendName names the line on the trend chart.
func (v *MeasureView) TrendName() string { return v.trendName }

// TrendChart draws the chosen practice (or England) against the practice
// deciles, month by month.
func (v *MeasureView) TrendChart() chart.Figure {
	m := v.Measure.Measure
	return trendFigure(m, "", v.trendName, v.Trend, v.Deciles,
		"/prescribing/measures/"+url.PathEscape(m.ID)+"/trend.csv?"+v.query(), 0, 0)
}

// trendFigure draws values against the 10th-90th percentile band and the
// median of practices.
func trendFigure(m variation.Measure, title, name string, trend []variation.MeasureValue, deciles []variation.Deciles, csv string, w, h int) chart.Figure {
	if title == "" {
		title = fmt.Sprintf("%s: %s against all practices in England", m.Name, name)
	}
	var pts []chart.Point
	for _, t := range trend {
		y := math.NaN()
		if t.Value != nil {
			y = scale(m, *t.Value)
		}
		pts = append(pts, chart.Point{X: chart.MonthX(t.Month), Y: y})
	}
	var lo, hi, med []chart.Point
	for _, d := range deciles {
		if len(d.Values) == 0 {
			continue
		}
		x := chart.MonthX(d.Month)
		lo = append(lo, chart.Point{X: x, Y: scale(m, d.Values[10])})
		hi = append(hi, chart.Point{X: x, Y: scale(m, d.Values[90])})
		med = append(med, chart.Point{X: x, Y: scale(m, d.Values[50])})
	}
	l := chart.Line{
		Title:  title,
		X:      chart.Axis{Title: "Month", Months: true},
		Y:      chart.Axis{Title: unit(m), Zero: true},
		Series: []chart.Series{{Name: name, Points: pts, Colour: chart.Blue, Markers: true}},
		CSV:    csv, Width: w, Height: h,
	}
	if len(med) > 0 {
		l.Bands = []chart.Band{{Name: "10th to 90th percentile of practices", Lower: lo, Upper: hi}}
		l.Series = append(l.Series, chart.Series{Name: "Median practice", Points: med, Colour: chart.Black, Dashed: true})
	}
	return l.Render()
}

// measureFunnelCSV serves the funnel's table.
func (s *Server) measureFunnelCSV(r *http.Request) (string, chart.Table, error) {
	v, err := s.measurePage(r)
	if err != nil {
		return "", chart.Table{}, err
	}
	if v.Std != nil && v.Std.Show {
		return fmt.Sprintf("%s-standardised-funnel-%s.csv", v.Measure.ID, v.Month), v.Std.FunnelChart(v.Practice).Table, nil
	}
	return fmt.Sprintf("%s-funnel-%s.csv", v.Measure.ID, v.Month), v.funnelFigure(true).Table, nil
}

// measureTrendCSV serves the trend's table.
func (s *Server) measureTrendCSV(r *http.Request) (string, chart.Table, error) {
	v, err := s.measurePage(r)
	if err != nil {
		return "", chart.Table{}, err
	}
	return fmt.Sprintf("%s-trend.csv", v.Measure.ID), v.TrendChart().Table, nil
}

// valuesQuery reads month, level and org for the values API and CSV.
func (s *Server) valuesQuery(r *http.Request) (variation.Measure, calendar.Month, variation.Level, string, error) {
	m, err := s.measureFor(r)
	if err != nil {
		return m, calendar.Month{}, "", "", err
	}
	month, err := monthParam(r, "month")
	if err != nil {
		return m, month, "", "", err
	}
	if month.IsZero() {
		return m, month, "", "", invalid("Give a month, like ?month=2019-04.")
	}
	q := r.URL.Query()
	level := variation.Level(strings.ToLower(strings.TrimSpace(q.Get("level"))))
	if level == "" {
		level = variation.LevelPractice
	}
	if !level.Valid() {
		return m, month, "", "", invalid("%q is not a level: use practice, locality, ccg or england.", level)
	}
	return m, month, level, strings.TrimSpace(q.Get("org")), nil
}

// ValuesResponse is the answer of GET /api/v1/measures/{id}/values.
type ValuesResponse struct {
	Measure string                   `json:"measure"`
	Month   calendar.Month           `json:"month"`
	Level   variation.Level          `json:"level"`
	Org     string                   `json:"org,omitempty"`
	Values  []variation.MeasureValue `json:"values"`
}

// measureValuesJSON serves GET /api/v1/measures/{id}/values.
func (s *Server) measureValuesJSON(w http.ResponseWriter, r *http.Request) error {
	m, month, level, org, err := s.valuesQuery(r)
	if err != nil {
		return err
	}
	vs, err := s.deps.Variation.Values(r.Context(), m.ID, month, level, org)
	if err != nil {
		return err
	}
	if vs == nil {
		vs = []variation.MeasureValue{}
	}
	return writeJSON(w, http.StatusOK, ValuesResponse{Measure: m.ID, Month: month, Level: level, Org: org, Values: vs})
}

// measureValuesCSV serves the values as CSV, the same columns as
// `ccg export measure-values`.
func (s *Server) measureValuesCSV(w http.ResponseWriter, r *http.Request) error {
	m, month, level, org, err := s.valuesQuery(r)
	if err != nil {
		return err
	}
	vs, err := s.deps.Variation.Values(r.Context(), m.ID, month, level, org)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := variation.WriteValuesCSV(&buf, vs); err != nil {
		return fmt.Errorf("web: values csv: %w", err)
	}
	name := fmt.Sprintf("%s-%s-%s.csv", m.ID, level, month)
	setDownload(w.Header(), name)
	_, err = w.Write(buf.Bytes())
	return err
}

// DecilesResponse is the answer of GET /api/v1/measures/{id}/deciles.
type DecilesResponse struct {
	Measure string              `json:"measure"`
	Level   variation.Level     `json:"level"`
	Deciles []variation.Deciles `json:"deciles"`
}

// measureDecilesJSON serves GET /api/v1/measures/{id}/deciles: one month
// with ?month=, otherwise every month.
func (s *Server) measureDecilesJSON(w http.ResponseWriter, r *http.Request) error {
	m, err := s.measureFor(r)
	if err != nil {
		return err
	}
	month, err := monthParam(r, "month")
	if err != nil {
		return err
	}
	level := variation.Level(strings.ToLower(strings.TrimSpace(r.URL.Query().Get("level"))))
	if level == "" {
		level = variation.LevelPractice
	}
	if level == variation.LevelEngland || !level.Valid() {
		return invalid("%q has no deciles: use practice, locality or ccg.", level)
	}
	ds, err := s.deps.Variation.Deciles(r.Context(), m.ID, level, month, month)
	if err != nil {
		return err
	}
	if ds == nil {
		ds = []variation.Deciles{}
	}
	return writeJSON(w, http.StatusOK, DecilesResponse{Measure: m.ID, Level: level, Deciles: ds})
}

// PracticeMeasuresView is the practice page: every measure as a small
// multiple, outliers first.
type PracticeMeasuresView struct {
	Practice registry.Organisation  `json:"practice"`
	Locality *registry.Organisation `json:"locality,omitempty"`
	Month    calendar.Month         `json:"month,omitzero"`
	Months   []calendar.Month       `json:"months"`
	Measures []PracticeMeasureRow   `json:"measures"`
	// Savings50 is the largest cost saving were the practice at the median
	// of practices, on BiggestSaving (measures overlap, so their savings
	// are not added up).
	Savings50     float64 `json:"savings_50"`
	BiggestSaving string  `json:"biggest_saving,omitempty"`
	Outliers      int     `json:"outliers"`
	// Unusual counts the measures with no better direction whose value is
	// outside the limits (not counted in Outliers).
	Unusual int `json:"unusual"`
}

// PracticeMeasureRow is one measure on the practice page.
type PracticeMeasureRow struct {
	variation.PracticeMeasure
	Trend []variation.MeasureValue `json:"trend"`
	// Series are the practice deciles over the months of Trend.
	Series []variation.Deciles `json:"deciles_series"`
	code   string
	name   string
}

// practiceMeasuresView serves /prescribing/practices/{code}.
func (s *Server) practiceMeasuresView(r *http.Request) (any, error) {
	ctx := r.Context()
	code := codeParam(r)
	o, err := s.organisation(r, code)
	if err != nil {
		return nil, err
	}
	month, months, err := s.pickMonth(r)
	if err != nil {
		return nil, err
	}
	v := PracticeMeasuresView{Practice: o, Month: month, Months: newestFirst(months), Measures: []PracticeMeasureRow{}}
	if loc, err := s.deps.Registry.ParentOn(ctx, code, registry.RelInLocality, month.First()); err == nil {
		v.Locality = &loc
	} else if !errors.Is(err, errs.ErrNotFound) {
		return nil, err
	}
	if month.IsZero() {
		return v, nil
	}
	pms, err := s.deps.Variation.Practice(ctx, code, month)
	if errors.Is(err, errs.ErrNotFound) {
		return v, nil
	}
	if err != nil {
		return nil, err
	}
	trends, series, err := s.deps.Variation.PracticeHistory(ctx, code, month.Add(-23), month)
	if err != nil {
		return nil, err
	}
	for _, pm := range pms {
		if !s.mayReadFigures(r, string(pm.Measure.Source), access.LevelPractice, code) {
			continue
		}
		row := PracticeMeasureRow{PracticeMeasure: pm, code: code, name: o.Name,
			Trend: trends[pm.Measure.ID], Series: series[pm.Measure.ID]}
		if sv, ok := pm.Value.CostSavings[50]; ok && pm.Measure.CostBased && sv > v.Savings50 {
			v.Savings50, v.BiggestSaving = sv, pm.Measure.Name
		}
		if worse(pm) {
			v.Outliers++
		} else if unusual(pm) {
			v.Unusual++
		}
		v.Measures = append(v.Measures, row)
	}
	return v, nil
}

// worse reports whether a value is an outlier in the worse direction. A
// measure where neither higher nor lower is better has no worse direction:
// its outliers are unusual, not worse (see unusual).
func worse(pm variation.PracticeMeasure) bool {
	f := pm.Value.Flags
	switch low := pm.Measure.LowIsGood; {
	case low == nil:
		return false
	case *low:
		return f.High95 || f.High998
	default:
		return f.Low95 || f.Low998
	}
}

// better reports whether a value is an outlier in the better direction.
func better(pm variation.PracticeMeasure) bool {
	return pm.Measure.LowIsGood != nil && pm.Value.Flags.Outlier() && !worse(pm)
}

// unusual reports whether a value of a measure with no better direction is
// outside the limits.
func unusual(pm variation.PracticeMeasure) bool {
	return pm.Measure.LowIsGood == nil && pm.Value.Flags.Outlier()
}

// Worse reports whether the measure is an outlier in the worse direction.
func (p PracticeMeasureRow) Worse() bool { return worse(p.PracticeMeasure) }

// Flag names the value's outlier flag in words ("" for none).
func (p PracticeMeasureRow) Flag() string { return flagText(p.Value.Flags) }

func flagText(f variation.Flags) string {
	switch {
	case f.High998:
		return "Above 99.8% limit"
	case f.Low998:
		return "Below 99.8% limit"
	case f.High95:
		return "Above 95% limit"
	case f.Low95:
		return "Below 95% limit"
	}
	return ""
}

// ShowValue writes the practice's value.
func (p PracticeMeasureRow) ShowValue() string { return showValue(p.Measure, p.Value.Value) }

// ShowMedian writes the median of practices.
func (p PracticeMeasureRow) ShowMedian() string {
	d, ok := p.Deciles.Values[50]
	if !ok {
		return "–"
	}
	return showValue(p.Measure, &d)
}

// Percentile writes the practice's percentile ("–" when undefined).
func (p PracticeMeasureRow) Percentile() string {
	if p.Value.Percentile == nil {
		return "–"
	}
	return chart.Number(*p.Value.Percentile, 0)
}

// Saving is the cost saving in pounds were the practice at the median, or
// "" when the measure is not cost-based or the practice is already there.
func (p PracticeMeasureRow) Saving() string {
	sv, ok := p.Value.CostSavings[50]
	if !p.Measure.CostBased || !ok || sv <= 0 {
		return ""
	}
	return chart.Pounds(sv)
}

// Saving10 is the saving were the practice at the best decile.
func (p PracticeMeasureRow) Saving10() string {
	k := 10
	if low := p.Measure.LowIsGood; low != nil && !*low {
		k = 90
	}
	sv, ok := p.Value.CostSavings[k]
	if !p.Measure.CostBased || !ok || sv <= 0 {
		return ""
	}
	return chart.Pounds(sv)
}

// Chart draws the measure as a small multiple.
func (p PracticeMeasureRow) Chart() chart.Figure {
	return trendFigure(p.Measure, "Last 24 months against all practices", p.code, p.Trend, p.Series, "", 360, 220)
}

// SavingsText writes the practice's largest saving at the median.
func (v PracticeMeasuresView) SavingsText() string { return chart.Pounds(v.Savings50) }

// LocalityMeasuresView is the locality peer-review view.
type LocalityMeasuresView struct {
	Locality registry.Organisation  `json:"locality"`
	CCG      *registry.Organisation `json:"ccg,omitempty"`
	variation.LocalityView
	Months []calendar.Month `json:"months"`
	// Names are the practices' names, in the order of the columns.
	Names []string `json:"names"`
	// All are every measure, for the chooser.
	All      []variation.Measure `json:"-"`
	Selected map[string]bool     `json:"-"`
	// Rows are the table's rows, ready to print.
	Rows []LocalityRow `json:"-"`
}

// LocalityRow is one measure across the locality's practices.
type LocalityRow struct {
	Measure   variation.Measure
	Direction string
	Cells     []LocalityCell
	Locality  string
	England   string
	Median    string
	// LocalityRatio is the locality's standardised ratio in words.
	LocalityRatio string
}

// LocalityCell is one practice's value on one measure.
type LocalityCell struct {
	Value      string
	Percentile string
	Flag       string
	Worse      bool
	Better     bool
	// Ratio is the standardised ratio in words ("" for measures without one).
	Ratio string
}

// localityMeasuresView serves /prescribing/localities/{code}.
func (s *Server) localityMeasuresView(r *http.Request) (any, error) {
	ctx := r.Context()
	code := codeParam(r)
	o, err := s.organisation(r, code)
	if err != nil {
		return nil, err
	}
	if o.Kind != registry.KindLocality {
		return nil, notFound("%s is not a locality.", code)
	}
	month, months, err := s.pickMonth(r)
	if err != nil {
		return nil, err
	}
	all, err := s.deps.Variation.Measures(ctx)
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, id := range r.URL.Query()["measure"] {
		if id = strings.TrimSpace(id); id != "" {
			ids = append(ids, id)
		}
	}
	v := LocalityMeasuresView{Locality: o, Months: newestFirst(months), Names: []string{}, All: all, Selected: map[string]bool{}}
	for _, id := range ids {
		v.Selected[id] = true
	}
	if ccg, err := s.deps.Registry.ParentOn(ctx, code, registry.RelLocalityOf, month.First()); err == nil {
		v.CCG = &ccg
	}
	if month.IsZero() {
		v.LocalityView = variation.LocalityView{Locality: code}
		return v, nil
	}
	lv, err := s.deps.Variation.Locality(ctx, code, month, ids)
	switch {
	case errors.Is(err, errs.ErrNotFound):
		return nil, notFound("%s", strings.TrimPrefix(err.Error(), "variation: "))
	case err != nil:
		return nil, err
	}
	v.LocalityView = s.readableLocality(r, lv)
	lv = v.LocalityView
	nm := &names{ctx: ctx, reg: s.deps.Registry, cache: map[string]registry.Organisation{}}
	for _, c := range lv.Practices {
		p, err := nm.org(c)
		if err != nil {
			return nil, err
		}
		v.Names = append(v.Names, p.Name)
	}
	for i, m := range lv.Measures {
		row := LocalityRow{Measure: m, Direction: direction(m), Locality: "–", England: "–", Median: "–"}
		if lv.LocalityValues[i] != nil {
			row.Locality = showValue(m, lv.LocalityValues[i].Value)
			row.LocalityRatio = localityRatio(m, lv.LocalityValues[i])
		}
		if lv.EnglandValues[i] != nil {
			row.England = showValue(m, lv.EnglandValues[i].Value)
		}
		if d, ok := lv.Deciles[i].Values[50]; ok {
			row.Median = showValue(m, &d)
		}
		hasValue := false
		for _, cell := range lv.Cells[i] {
			c := LocalityCell{Value: "–", Percentile: "–"}
			if cell != nil {
				c.Value = showValue(m, cell.Value)
				if cell.Value != nil {
					hasValue = true
				}
				if cell.Percentile != nil {
					c.Percentile = chart.Number(*cell.Percentile, 0)
				}
				c.Flag = flagText(cell.Flags)
				pm := variation.PracticeMeasure{Measure: m, Value: *cell}
				c.Worse = worse(pm)
				c.Better = better(pm)
				c.Ratio = localityRatio(m, cell)
			}
			row.Cells = append(row.Cells, c)
		}
		if hasValue || len(ids) > 0 {
			v.Rows = append(v.Rows, row)
		}
	}
	return v, nil
}

// variationPrintCSS serves the peer-review view's print style sheet (the
// layout allows only style sheets from this site, no inline style).
func (s *Server) variationPrintCSS(w http.ResponseWriter, _ *http.Request) error {
	w.Header().Set("Content-Type", "text/css; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=3600")
	_, err := w.Write([]byte(variationCSS))
	return err
}

// variationCSS styles the small multiples and the peer-review table, on
// screen and on paper (landscape A4, every practice side by side).
const variationCSS = `.ccg-multiples { display: grid; grid-template-columns: repeat(auto-fill, minmax(300px, 1fr)); gap: 16px; margin-bottom: 24px; }
.ccg-multiple { border: 1px solid #d8dde0; background: #fff; padding: 12px; }
.ccg-multiple--worse { border-left: 6px solid #d5281b; }
.ccg-multiple h3 { font-size: 1.1875rem; margin-bottom: 8px; }
.ccg-multiple p { font-size: 1rem; margin-bottom: 4px; }
.ccg-peer { font-size: 0.875rem; }
.ccg-peer th, .ccg-peer td { padding: 4px 6px; vertical-align: top; }
.ccg-peer td.ccg-peer--worse { background: #fbe9e7; font-weight: 600; }
.ccg-peer td.ccg-peer--better { background: #e8f5e9; }
.ccg-peer small { display: block; color: #4c6272; }
.ccg-peer-notes { border: 1px solid #212b32; min-height: 6em; padding: 8px; }
.ccg-measure-choice { columns: 2; }
@media print {
  @page { size: A4 landscape; margin: 10mm; }
  .ccg-peer { font-size: 9pt; width: 100%; }
  .ccg-peer th, .ccg-peer td { padding: 2px 4px; border: 1px solid #768692; }
  .ccg-peer td.ccg-peer--worse { background: none; border: 2px solid #212b32; }
  .ccg-peer td.ccg-peer--better { background: none; }
  .ccg-multiples { display: block; }
  .ccg-multiple { break-inside: avoid; page-break-inside: avoid; margin-bottom: 8px; }
  .ccg-peer-notes { min-height: 12em; }
  h1 { font-size: 18pt; }
}
`

// authorizeFigures asks the policy whether the request may read figures of
// source at level for org (access.FiguresAction), naming the practice's
// locality so that locality leads see their peers.
func (s *Server) authorizeFigures(r *http.Request, source, level, org string) error {
	return s.authorize(r, access.FiguresAction(source, level), s.figuresResource(r, source, level, org))
}

// mayReadFigures reports whether the request may read figures of source at
// level for org; pages use it to leave out what the reader may not see.
func (s *Server) mayReadFigures(r *http.Request, source, level, org string) bool {
	return s.authorizeFigures(r, source, level, org) == nil
}

func (s *Server) figuresResource(r *http.Request, source, level, org string) Resource {
	res := access.FiguresResource(source, level, org)
	if res.Practice != "" && s.deps.Registry != nil {
		if loc, err := s.deps.Registry.ParentOn(r.Context(), res.Practice, registry.RelInLocality, s.today()); err == nil {
			res.Locality = loc.Code
		}
	}
	return res
}

// measureSource returns the data source of the measure of the path: ""
// (not open) when it cannot be read, and "prescribing" when there is no
// such measure (the handler then answers "not found", showing nothing).
func (s *Server) measureSource(r *http.Request) string {
	m, err := s.deps.Variation.Measure(r.Context(), strings.TrimSpace(r.PathValue("id")))
	switch {
	case errors.Is(err, errs.ErrNotFound):
		return string(variation.SourcePrescribing)
	case err != nil:
		return ""
	}
	return string(m.Source)
}

// funnelFigures names what the measure page and its downloads show: every
// practice's value.
func (s *Server) funnelFigures(r *http.Request) (string, string, string) {
	return s.measureSource(r), access.LevelPractice, ""
}

// queryFigures names what the values and deciles API read: the level and
// organisation of the query (practice level when none is given).
func (s *Server) queryFigures(r *http.Request) (string, string, string) {
	q := r.URL.Query()
	level := strings.ToLower(strings.TrimSpace(q.Get("level")))
	if level == "" {
		level = access.LevelPractice
	}
	return s.measureSource(r), level, strings.TrimSpace(q.Get("org"))
}

// readableLocality leaves out of a locality view the measures whose
// practice figures the reader may not see (access.FiguresAction).
func (s *Server) readableLocality(r *http.Request, lv variation.LocalityView) variation.LocalityView {
	out := lv
	out.Measures, out.Cells = []variation.Measure{}, [][]*variation.MeasureValue{}
	out.LocalityValues, out.EnglandValues, out.Deciles = []*variation.MeasureValue{}, []*variation.MeasureValue{}, []variation.Deciles{}
	for i, m := range lv.Measures {
		if !s.mayReadFigures(r, string(m.Source), access.LevelLocality, lv.Locality) {
			continue
		}
		out.Measures = append(out.Measures, m)
		out.Cells = append(out.Cells, lv.Cells[i])
		out.LocalityValues = append(out.LocalityValues, lv.LocalityValues[i])
		out.EnglandValues = append(out.EnglandValues, lv.EnglandValues[i])
		out.Deciles = append(out.Deciles, lv.Deciles[i])
	}
	return out
}
