package chart

import (
	"fmt"
	"math"
	"sort"
	"strings"
)

// FunnelPoint is one unit (a practice) on a funnel plot.
type FunnelPoint struct {
	Label string
	// X is the denominator (list size, STAR-PU, items), Y the value (a rate
	// or proportion).
	X, Y float64
	// Chosen marks the unit the page is about: drawn ringed and labelled.
	Chosen bool
}

// Limit is a pair of control-limit curves around the target, given as point
// series computed by the stats package (for example the 95% and 99.8%
// limits, perhaps widened for overdispersion).
type Limit struct {
	Name         string // "95% limits"
	Upper, Lower []Point
}

// Funnel is a funnel plot: every unit's value against its size, with the
// target and control limits that narrow as size grows. Units outside the
// outermost limits are outliers and are highlighted.
type Funnel struct {
	Title       string
	Description string // "" writes one from the data
	X, Y        Axis
	Points      []FunnelPoint
	Target      float64
	// TargetName names the target line ("CCG average"); "" means "Target".
	TargetName string
	// Limits are innermost first: a point outside the last is an outlier.
	Limits []Limit
	// Width and Height set the viewBox; zero means 540 by 360.
	Width, Height int
	CSV           string
}

// interpolate returns the curve's value at x, holding the end values
// beyond the curve's range; ok is false for an empty curve.
func interpolate(curve []Point, x float64) (float64, bool) {
	var pts []Point
	for _, p := range curve {
		if !math.IsNaN(p.Y) && !math.IsNaN(p.X) {
			pts = append(pts, p)
		}
	}
	if len(pts) == 0 {
		return 0, false
	}
	sort.Slice(pts, func(i, j int) bool { return pts[i].X < pts[j].X })
	if x <= pts[0].X {
		return pts[0].Y, true
	}
	for i := 1; i < len(pts); i++ {
		if x <= pts[i].X {
			a, b := pts[i-1], pts[i]
			if b.X == a.X {
				return b.Y, true
			}
			return a.Y + (b.Y-a.Y)*(x-a.X)/(b.X-a.X), true
		}
	}
	return pts[len(pts)-1].Y, true
}

// Position says where a point lies against a set of limits: 0 within all of
// them, +k above the k'th limit's upper curve (counting from 1, innermost
// first), -k below the k'th lower curve. The widest limit crossed counts.
func Position(limits []Limit, x, y float64) int {
	pos := 0
	for k, l := range limits {
		if u, ok := interpolate(l.Upper, x); ok && y > u {
			pos = k + 1
		}
		if lo, ok := interpolate(l.Lower, x); ok && y < lo {
			pos = -(k + 1)
		}
	}
	return pos
}

// status describes a Position in words.
func (f Funnel) status(pos int) string {
	if len(f.Limits) == 0 {
		return "No limits given"
	}
	if pos == 0 {
		return "Within the limits"
	}
	k := pos
	dir := "Above"
	if pos < 0 {
		k, dir = -pos, "Below"
	}
	s := dir + " the " + strings.TrimSuffix(f.Limits[k-1].Name, " limits") + " limits"
	if k == len(f.Limits) {
		s += " (outlier)"
	}
	return s
}

// Render draws the funnel plot.
func (f Funnel) Render() Figure {
	w, h := float64(f.Width), float64(f.Height)
	if w <= 0 {
		w = defaultWidth
	}
	if h <= 0 {
		h = 360
	}
	c := newCanvas(w, h)
	targetName := f.TargetName
	if targetName == "" {
		targetName = "Target"
	}
	var allX, allY []float64
	for _, p := range f.Points {
		allX = append(allX, p.X)
		allY = append(allY, p.Y)
	}
	allY = append(allY, f.Target)
	allY = append(allY, f.limitsInView(allX, allY)...)
	xlo, xhi := extent(allX)
	ylo, yhi := extent(allY)
	xa := f.X
	xa.Zero = true
	// Limits can run off to extremes at small denominators; the data, not
	// the curves, sets the range, and curves are clipped to the plot.
	legend := []legendItem{{"Practice", Blue, "dot"}}
	if len(f.Limits) > 1 {
		legend = append(legend, legendItem{"Outside the " + f.Limits[0].Name + " only", Orange, "square"})
	}
	legend = append(legend, legendItem{"Outlier", Red, "dot"})
	for _, p := range f.Points {
		if p.Chosen {
			legend = append(legend, legendItem{p.Label, Black, "ring"})
		}
	}
	legend = append(legend, legendItem{targetName, Black, "line"})
	for i, l := range f.Limits {
		kind := "line"
		if i < len(f.Limits)-1 {
			kind = "dash"
		}
		if visible(l, xlo, xhi, ylo, yhi) {
			legend = append(legend, legendItem{l.Name, Grey1, kind})
		}
	}
	p := xyFrame(c, xa, f.Y, xlo, xhi, ylo, yhi, legend)
	clipID := chartID("funnel-clip", f.Title, fmt.Sprint(len(f.Points)))
	c.b.WriteString(`<clipPath id="` + clipID + `"><rect x="` + num(p.left) + `" y="` + num(p.top) +
		`" width="` + num(p.right-p.left) + `" height="` + num(p.bottom-p.top) + `"/></clipPath>` + "\n")

	c.group("clip-path", "url(#"+clipID+")", "class", "ccg-chart__limits")
	for i, l := range f.Limits {
		dash := "6 4"
		if i == len(f.Limits)-1 {
			dash = ""
		}
		for _, curve := range [][]Point{l.Upper, l.Lower} {
			pts := append([]Point(nil), curve...)
			sort.Slice(pts, func(i, j int) bool { return pts[i].X < pts[j].X })
			c.el("path", "d", pathD(pts, p.x, p.y), "fill", "none", "stroke", Grey1, "stroke-width", "1.5",
				"stroke-dasharray", dash, "class", "ccg-chart__limit")
		}
	}
	ty := p.y.pos(f.Target)
	c.line(p.left, ty, p.right, ty, Black, 2, false, "ccg-chart__reference")
	c.endGroup()

	c.group("class", "ccg-chart__points")
	var chosen []FunnelPoint
	for _, pt := range f.Points {
		if math.IsNaN(pt.X) || math.IsNaN(pt.Y) {
			continue
		}
		fill, r, class := Blue, "4", "ccg-chart__point"
		pos := Position(f.Limits, pt.X, pt.Y)
		switch {
		case len(f.Limits) > 0 && (pos == len(f.Limits) || pos == -len(f.Limits)):
			fill, r, class = Red, "5", "ccg-chart__point ccg-chart__point--outlier"
		case pos != 0:
			// Outside the inner limits only: a square, so that shape as
			// well as colour tells it apart.
			x, y := p.x.pos(pt.X), p.y.pos(pt.Y)
			c.el("rect", "x", num(x-4.5), "y", num(y-4.5), "width", "9", "height", "9", "fill", Orange,
				"stroke", Black, "stroke-width", "0.75", "class", "ccg-chart__point ccg-chart__point--warning")
			if pt.Chosen {
				chosen = append(chosen, pt)
			}
			continue
		}
		c.el("circle", "cx", num(p.x.pos(pt.X)), "cy", num(p.y.pos(pt.Y)), "r", r, "fill", fill,
			"fill-opacity", "0.75", "stroke", White, "stroke-width", "0.5", "class", class)
		if pt.Chosen {
			chosen = append(chosen, pt)
		}
	}
	for _, pt := range chosen {
		x, y := p.x.pos(pt.X), p.y.pos(pt.Y)
		c.el("circle", "cx", num(x), "cy", num(y), "r", "8", "fill", "none", "stroke", Black, "stroke-width", "2.5",
			"class", "ccg-chart__point--chosen")
		anchor, dx := "start", 12.0
		if x > (p.left+p.right)/2 {
			anchor, dx = "end", -12
		}
		c.text(x+dx, y-10, anchor, fontSize, Black, "ccg-chart__label", pt.Label,
			"stroke", White, "stroke-width", "4", "paint-order", "stroke", "font-weight", "bold")
	}
	c.endGroup()

	desc := f.Description
	if desc == "" {
		desc = f.describe()
	}
	xTitle, yTitle := f.X.Title, f.Y.Title
	if xTitle == "" {
		xTitle = "Size"
	}
	if yTitle == "" {
		yTitle = "Value"
	}
	t := Table{Caption: f.Title, Header: []string{"Practice", xTitle, yTitle, "Compared with the limits"}}
	for _, pt := range f.Points {
		label := pt.Label
		if pt.Chosen {
			label += " (this practice)"
		}
		t.Rows = append(t.Rows, []Cell{Text(label), Num(pt.X, f.X.value(pt.X)), Num(pt.Y, f.Y.value(pt.Y)),
			Text(f.status(Position(f.Limits, pt.X, pt.Y)))})
	}
	id := chartID("funnel", f.Title, desc, c.b.String())
	return Figure{ID: id, Title: f.Title, Description: desc, SVG: c.svg(id, "ccg-chart--funnel", f.Title, desc), Table: t, CSV: f.CSV}
}

// limitsInView gives the limits' values at the practices' median and largest
// sizes, so that the axis takes them in and every limit in the legend can be
// seen. Limits at tiny sizes run off to extremes and are left out, and a
// lower limit never takes the axis below zero when no value is below it.
func (f Funnel) limitsInView(xs, ys []float64) []float64 {
	var sizes []float64
	for _, x := range xs {
		if !math.IsNaN(x) && !math.IsInf(x, 0) {
			sizes = append(sizes, x)
		}
	}
	if len(sizes) == 0 {
		return nil
	}
	sort.Float64s(sizes)
	floor := 0.0
	for _, y := range ys {
		floor = math.Min(floor, y)
	}
	var out []float64
	for _, x := range []float64{sizes[len(sizes)/2], sizes[len(sizes)-1]} {
		for _, l := range f.Limits {
			if u, ok := interpolate(l.Upper, x); ok && !math.IsInf(u, 0) {
				out = append(out, u)
			}
			if lo, ok := interpolate(l.Lower, x); ok && !math.IsInf(lo, 0) {
				out = append(out, math.Max(lo, floor))
			}
		}
	}
	return out
}

// visible reports whether some of a limit's curves lie within the plot.
func visible(l Limit, xlo, xhi, ylo, yhi float64) bool {
	for _, curve := range [][]Point{l.Upper, l.Lower} {
		for _, x := range []float64{xlo, (xlo + xhi) / 2, xhi} {
			if y, ok := interpolate(curve, x); ok && y >= ylo && y <= yhi {
				return true
			}
		}
	}
	return false
}

func (f Funnel) describe() string {
	above, below := 0, 0
	var chosen []string
	for _, pt := range f.Points {
		pos := Position(f.Limits, pt.X, pt.Y)
		if len(f.Limits) > 0 && pos == len(f.Limits) {
			above++
		}
		if len(f.Limits) > 0 && pos == -len(f.Limits) {
			below++
		}
		if pt.Chosen {
			chosen = append(chosen, fmt.Sprintf("%s is at %s with %s %s: %s.", pt.Label, f.Y.value(pt.Y),
				f.X.value(pt.X), strings.ToLower(f.X.Title), strings.ToLower(f.status(pos))))
		}
	}
	name := f.TargetName
	if name == "" {
		name = "the target"
	}
	s := fmt.Sprintf("Funnel plot of %d practices against %s (%s).", len(f.Points), name, f.Y.value(f.Target))
	if len(f.Limits) > 0 {
		s += fmt.Sprintf(" Outside the %s: %d above, %d below.", f.Limits[len(f.Limits)-1].Name, above, below)
	}
	if len(chosen) > 0 {
		s += " " + strings.Join(chosen, " ")
	}
	return s
}
