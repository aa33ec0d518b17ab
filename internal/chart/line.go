package chart

import (
	"fmt"
	"math"
	"sort"
	"strings"
)

// Line is a line chart: one or more series over a shared X axis (often
// months), with optional shaded bands (a decile fan: the range from the
// 10th to the 90th percentile of all practices) and reference lines.
type Line struct {
	Title string
	// Description says what the chart shows in a sentence; when empty one is
	// written from the data (first, last, lowest and highest of each series).
	Description string
	X, Y        Axis
	Series      []Series
	Bands       []Band
	References  []Reference
	// Width and Height set the viewBox; zero means 540 by 320.
	Width, Height int
	// CSV is the address of a download of the same data, if the page has one.
	CSV string
	// class is added to the svg element by charts built on Line.
	class string
}

// Render draws the chart.
func (l Line) Render() Figure {
	w, h := float64(l.Width), float64(l.Height)
	if w <= 0 {
		w = defaultWidth
	}
	if h <= 0 {
		h = defaultHeight
	}
	c := newCanvas(w, h)

	var allX, allY []float64
	for _, s := range l.Series {
		allX = append(allX, xs(s.Points)...)
		allY = append(allY, ys(s.Points)...)
	}
	for _, b := range l.Bands {
		allX = append(allX, xs(b.Lower)...)
		allX = append(allX, xs(b.Upper)...)
		allY = append(allY, ys(b.Lower)...)
		allY = append(allY, ys(b.Upper)...)
	}
	for _, r := range l.References {
		allY = append(allY, r.Value)
	}
	xlo, xhi := extent(allX)
	ylo, yhi := extent(allY)

	var legend []legendItem
	for i, b := range l.Bands {
		if b.Name != "" {
			legend = append(legend, legendItem{b.Name, bandColour(b.Colour, i), "band"})
		}
	}
	for i, s := range l.Series {
		kind := "line"
		if s.Dashed {
			kind = "dash"
		}
		legend = append(legend, legendItem{s.Name, colour(s.Colour, i), kind})
	}
	for _, r := range l.References {
		kind := "line"
		if r.Dashed {
			kind = "dash"
		}
		legend = append(legend, legendItem{r.Name, refColour(r.Colour), kind})
	}
	if len(legend) == 1 && len(l.Bands) == 0 && len(l.References) == 0 {
		legend = nil // one series needs no key: the title names it
	}

	p := xyFrame(c, l.X, l.Y, xlo, xhi, ylo, yhi, legend)

	for i, b := range l.Bands {
		d := bandPath(b, p)
		if d == "" {
			continue
		}
		c.el("path", "d", d, "fill", bandColour(b.Colour, i), "fill-opacity", "0.35", "stroke", "none", "class", "ccg-chart__band")
	}
	for _, r := range l.References {
		y := p.y.pos(r.Value)
		c.line(p.left, y, p.right, y, refColour(r.Colour), 2, r.Dashed, "ccg-chart__reference")
	}
	for i, s := range l.Series {
		col := colour(s.Colour, i)
		dash := ""
		if s.Dashed {
			dash = "6 4"
		}
		c.el("path", "d", pathD(s.Points, p.x, p.y), "fill", "none", "stroke", col, "stroke-width", "2.5",
			"stroke-linejoin", "round", "stroke-linecap", "round", "stroke-dasharray", dash, "class", "ccg-chart__line")
		if s.Markers || (len(s.Points) <= 24 && !s.Dashed) {
			c.group("fill", col, "class", "ccg-chart__markers")
			for _, pt := range s.Points {
				if math.IsNaN(pt.Y) || math.IsInf(pt.Y, 0) {
					continue
				}
				c.el("circle", "cx", num(p.x.pos(pt.X)), "cy", num(p.y.pos(pt.Y)), "r", "3.5")
			}
			c.endGroup()
		}
	}

	desc := l.Description
	if desc == "" {
		desc = l.describe()
	}
	id := chartID("line", l.Title, desc, c.b.String())
	return Figure{
		ID: id, Title: l.Title, Description: desc,
		SVG:   c.svg(id, strings.TrimSpace("ccg-chart--line "+l.class), l.Title, desc),
		Table: l.table(),
		CSV:   l.CSV,
	}
}

func bandColour(c string, i int) string {
	if c != "" {
		return c
	}
	return []string{LightBlue, Grey3, WarmYellow}[i%3]
}

func refColour(c string) string {
	if c != "" {
		return c
	}
	return Grey1
}

// bandPath draws the area between a band's lower and upper lines, skipping
// X values where either is missing.
func bandPath(b Band, p plot) string {
	upper := map[float64]float64{}
	for _, u := range b.Upper {
		upper[u.X] = u.Y
	}
	var lo, hi []Point
	for _, l := range b.Lower {
		u, ok := upper[l.X]
		if !ok || math.IsNaN(u) || math.IsNaN(l.Y) {
			continue
		}
		lo = append(lo, l)
		hi = append(hi, Point{l.X, u})
	}
	if len(lo) < 2 {
		return ""
	}
	var sb strings.Builder
	for i, pt := range hi {
		if i == 0 {
			sb.WriteString("M")
		} else {
			sb.WriteString(" L")
		}
		sb.WriteString(num(p.x.pos(pt.X)) + " " + num(p.y.pos(pt.Y)))
	}
	for i := len(lo) - 1; i >= 0; i-- {
		sb.WriteString(" L" + num(p.x.pos(lo[i].X)) + " " + num(p.y.pos(lo[i].Y)))
	}
	sb.WriteString(" Z")
	return sb.String()
}

// table lays the chart out with one row per X value and one column per
// series and band edge.
func (l Line) table() Table {
	xTitle := l.X.Title
	if xTitle == "" {
		xTitle = "Month"
		if !l.X.Months {
			xTitle = "Value"
		}
	}
	t := Table{Caption: l.Title, Header: []string{xTitle}}
	type col struct {
		vals map[float64]float64
	}
	var cols []col
	seen := map[float64]bool{}
	var xsAll []float64
	add := func(name string, pts []Point) {
		t.Header = append(t.Header, name)
		m := map[float64]float64{}
		for _, p := range pts {
			m[p.X] = p.Y
			if !seen[p.X] {
				seen[p.X] = true
				xsAll = append(xsAll, p.X)
			}
		}
		cols = append(cols, col{m})
	}
	for _, s := range l.Series {
		add(s.Name, s.Points)
	}
	for _, b := range l.Bands {
		add(b.Name+" (lower)", b.Lower)
		add(b.Name+" (upper)", b.Upper)
	}
	sort.Float64s(xsAll)
	for _, x := range xsAll {
		row := []Cell{Text(l.X.value(x))}
		for _, c := range cols {
			v, ok := c.vals[x]
			if !ok || math.IsNaN(v) {
				row = append(row, Num(math.NaN(), "–"))
				continue
			}
			row = append(row, Num(v, l.Y.value(v)))
		}
		t.Rows = append(t.Rows, row)
	}
	for _, r := range l.References {
		t.Header = append(t.Header, r.Name)
		for i := range t.Rows {
			t.Rows[i] = append(t.Rows[i], Num(r.Value, l.Y.value(r.Value)))
		}
	}
	return t
}

// describe writes a plain summary of each series for the SVG description.
func (l Line) describe() string {
	var parts []string
	for _, s := range l.Series {
		var first, last, min, max *Point
		for i := range s.Points {
			pt := &s.Points[i]
			if math.IsNaN(pt.Y) || math.IsInf(pt.Y, 0) {
				continue
			}
			if first == nil {
				first = pt
			}
			last = pt
			if min == nil || pt.Y < min.Y {
				min = pt
			}
			if max == nil || pt.Y > max.Y {
				max = pt
			}
		}
		if first == nil {
			parts = append(parts, s.Name+": no data.")
			continue
		}
		at := "at"
		if l.X.Months {
			at = "in"
		}
		parts = append(parts, fmt.Sprintf("%s: %s %s %s, %s %s %s; lowest %s (%s), highest %s (%s).",
			s.Name, l.Y.value(first.Y), at, l.X.value(first.X), l.Y.value(last.Y), at, l.X.value(last.X),
			l.Y.value(min.Y), l.X.value(min.X), l.Y.value(max.Y), l.X.value(max.X)))
	}
	for _, b := range l.Bands {
		parts = append(parts, "The shaded area shows "+b.Name+".")
	}
	for _, r := range l.References {
		parts = append(parts, fmt.Sprintf("%s is %s.", r.Name, l.Y.value(r.Value)))
	}
	if len(parts) == 0 {
		return "Line chart with no data."
	}
	return "Line chart. " + strings.Join(parts, " ")
}
