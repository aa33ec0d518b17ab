package chart

import (
	"fmt"
	"math"
	"sort"
)

// BurnUp is a cumulative (burn-up) chart: spending or activity added up
// period by period against a budget line, with an optional plan (the
// expected cumulative profile) and forecast for the periods still to come.
// Values are given per period; the chart adds them up.
type BurnUp struct {
	Title       string
	Description string // "" writes one from the data
	// X is the period axis (usually Months, with X values from MonthX).
	X Axis
	// Y is the value axis (for money, Format: chart.PoundsShort).
	Y Axis
	// Actual holds the amount in each period so far.
	Actual []Point
	// Plan holds the planned amount in each period, if there is a plan.
	Plan []Point
	// Forecast holds the expected amount in each period after the last
	// actual one; it is drawn dashed, continuing from the actual total.
	Forecast []Point
	// Budget is the total available; BudgetName labels it ("Budget").
	Budget     float64
	BudgetName string
	// Width and Height set the viewBox; zero means 540 by 320.
	Width, Height int
	CSV           string
}

// cumulate sorts points by X and returns running totals, starting from base.
func cumulate(pts []Point, base float64) []Point {
	s := append([]Point(nil), pts...)
	sort.Slice(s, func(i, j int) bool { return s[i].X < s[j].X })
	out := make([]Point, len(s))
	total := base
	for i, p := range s {
		if !math.IsNaN(p.Y) {
			total += p.Y
		}
		out[i] = Point{p.X, total}
	}
	return out
}

// Render draws the chart.
func (b BurnUp) Render() Figure {
	budgetName := b.BudgetName
	if budgetName == "" {
		budgetName = "Budget"
	}
	actual := cumulate(b.Actual, 0)
	var series []Series
	series = append(series, Series{Name: "Actual (cumulative)", Points: actual, Colour: Blue, Markers: true})
	if len(b.Forecast) > 0 {
		base := 0.0
		var joint []Point
		if len(actual) > 0 {
			base = actual[len(actual)-1].Y
			joint = []Point{actual[len(actual)-1]}
		}
		series = append(series, Series{Name: "Forecast (cumulative)", Points: append(joint, cumulate(b.Forecast, base)...), Colour: Blue, Dashed: true})
	}
	if len(b.Plan) > 0 {
		series = append(series, Series{Name: "Plan (cumulative)", Points: cumulate(b.Plan, 0), Colour: Grey2, Dashed: true})
	}
	y := b.Y
	y.Zero = true
	l := Line{
		Title:       b.Title,
		Description: b.Description,
		X:           b.X,
		Y:           y,
		Series:      series,
		References:  []Reference{{Name: budgetName, Value: b.Budget, Colour: Red}},
		Width:       b.Width,
		Height:      b.Height,
		CSV:         b.CSV,
		class:       "ccg-chart--burnup",
	}
	if l.Description == "" {
		l.Description = b.describe(actual, budgetName)
	}
	f := l.Render()
	f.Table = b.table(actual, series, budgetName)
	return f
}

func (b BurnUp) describe(actual []Point, budgetName string) string {
	if len(actual) == 0 {
		return fmt.Sprintf("Cumulative chart with no figures yet; %s is %s.", budgetName, b.Y.value(b.Budget))
	}
	last := actual[len(actual)-1]
	s := fmt.Sprintf("Cumulative chart: %s to %s against %s of %s", b.Y.value(last.Y), b.X.value(last.X), budgetName, b.Y.value(b.Budget))
	if b.Budget != 0 {
		s += fmt.Sprintf(" (%s used)", Percent(last.Y/b.Budget, 0))
	}
	s += "."
	if len(b.Forecast) > 0 {
		f := cumulate(b.Forecast, last.Y)
		end := f[len(f)-1]
		s += fmt.Sprintf(" The forecast reaches %s by %s.", b.Y.value(end.Y), b.X.value(end.X))
	}
	return s
}

// table has one row per period: the amount in it and the running totals.
func (b BurnUp) table(actual []Point, series []Series, budgetName string) Table {
	xTitle := b.X.Title
	if xTitle == "" {
		xTitle = "Period"
	}
	t := Table{Caption: b.Title, Header: []string{xTitle, "In the period", "Actual (cumulative)"}}
	per := map[float64]float64{}
	kind := map[float64]string{}
	var periods []float64
	add := func(pts []Point, k string) {
		for _, p := range pts {
			if _, ok := per[p.X]; !ok {
				periods = append(periods, p.X)
			}
			per[p.X] = p.Y
			kind[p.X] = k
		}
	}
	add(b.Actual, "actual")
	add(b.Forecast, "forecast")
	sort.Float64s(periods)
	cum := map[string]map[float64]float64{}
	for _, s := range series {
		m := map[float64]float64{}
		for _, p := range s.Points {
			m[p.X] = p.Y
		}
		cum[s.Name] = m
	}
	if len(b.Forecast) > 0 {
		t.Header = append(t.Header, "Forecast (cumulative)")
	}
	if len(b.Plan) > 0 {
		t.Header = append(t.Header, "Plan (cumulative)")
		for _, p := range b.Plan {
			if _, ok := per[p.X]; !ok {
				per[p.X] = math.NaN()
				periods = append(periods, p.X)
			}
		}
		sort.Float64s(periods)
	}
	t.Header = append(t.Header, budgetName)
	cell := func(m map[float64]float64, x float64) Cell {
		v, ok := m[x]
		if !ok || math.IsNaN(v) {
			return Num(math.NaN(), "–")
		}
		return Num(v, b.Y.value(v))
	}
	for _, x := range periods {
		label := b.X.value(x)
		if kind[x] == "forecast" {
			label += " (forecast)"
		}
		row := []Cell{Text(label), cell(per, x), cell(cum["Actual (cumulative)"], x)}
		if len(b.Forecast) > 0 {
			fc := cum["Forecast (cumulative)"]
			if kind[x] != "forecast" {
				fc = nil
			}
			row = append(row, cell(fc, x))
		}
		if len(b.Plan) > 0 {
			row = append(row, cell(cum["Plan (cumulative)"], x))
		}
		row = append(row, Num(b.Budget, b.Y.value(b.Budget)))
		t.Rows = append(t.Rows, row)
	}
	return t
}
