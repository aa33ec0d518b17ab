// Package chart draws every chart in ccg: SVG made on the server from Go,
// with no script, no network and no inline styles, so that charts print, work
// under a strict Content-Security-Policy and scale down to a 320 px phone.
//
// Each chart type is a struct describing the data (Line, Pyramid, Bar,
// Funnel, Diverging, BurnUp) whose Render method returns a Figure: the SVG
// (role="img" with a <title> and a <desc>), and a Table holding the same
// numbers, which Figure.HTML shows under the chart in a "Show as a table"
// details element, with a CSV download link when the page offers one.
// Table.WriteCSV writes the same table as CSV, so a page's download and its
// table alternative never disagree.
//
// Colours come from the NHS digital service manual palette and are set with
// SVG presentation attributes and classes (never style=""), so a page's
// print stylesheet can adjust them.
package chart

import (
	"fmt"
	"hash/fnv"
	"math"
	"strconv"
	"strings"
	"time"

	"ccg/internal/calendar"
	"ccg/internal/stats"
)

// NHS palette colours used by charts.
const (
	Blue       = "#005eb8"
	DarkBlue   = "#003087"
	BrightBlue = "#0072ce"
	LightBlue  = "#41b6e6"
	AquaGreen  = "#00a499"
	Green      = "#007f3b"
	Purple     = "#330072"
	DarkPink   = "#7c2855"
	Pink       = "#ae2573"
	Red        = "#d5281b"
	Orange     = "#ed8b00"
	WarmYellow = "#ffb81c"
	Black      = "#212b32"
	Grey1      = "#4c6272"
	Grey2      = "#768692"
	Grey3      = "#aeb7bd"
	Grey4      = "#d8dde0"
	Grey5      = "#f0f4f5"
	White      = "#ffffff"
)

// Palette is the order in which series take colours when they name none.
// Neighbouring colours differ in lightness as well as hue, so that series
// stay apart for people with colour-vision deficiency and in greyscale print.
var Palette = []string{Blue, Orange, AquaGreen, Purple, Pink, LightBlue, Grey1, WarmYellow, DarkBlue, Green}

// colour returns c, or the i'th palette colour when c is "".
func colour(c string, i int) string {
	if c != "" {
		return c
	}
	return Palette[i%len(Palette)]
}

// Point is one value: X along the horizontal axis, Y up the vertical one.
// A NaN Y is a gap (a month with no data): lines break there.
type Point struct {
	X, Y float64
}

// Series is a named set of points drawn as one line (or one set of bars).
type Series struct {
	Name   string
	Points []Point
	// Colour is a palette colour; "" takes the next one from Palette.
	Colour string
	// Dashed draws the line dashed (for forecasts, plans and limits).
	Dashed bool
	// Markers draws a dot at each point (the default for short series).
	Markers bool
}

// Band is a shaded area between two lines with the same X values, such as
// the range between the 10th and 90th percentile of every practice.
type Band struct {
	Name         string
	Lower, Upper []Point
	Colour       string // "" means pale blue
}

// Reference is a horizontal line across a chart at a value (a target, a
// national average, a budget).
type Reference struct {
	Name   string
	Value  float64
	Colour string // "" means dark grey
	Dashed bool
}

// Axis describes one axis of a chart.
type Axis struct {
	// Title names what the axis measures, with its unit ("Patients",
	// "Items per 1,000 STAR-PU").
	Title string
	// Format writes a value for tick labels and the table; nil writes
	// numbers with thousands separators and as many decimals as the ticks need.
	Format func(float64) string
	// Months says the values are months made with MonthX; ticks then fall
	// on whole months, quarters or years and read "Apr 2019" or "2019".
	Months bool
	// Zero makes the axis include zero (usual for counts and money).
	Zero bool
	// Domain fixes the axis range when Domain[0] < Domain[1]; otherwise it
	// is taken from the data and widened to nice round ticks.
	Domain [2]float64
}

// MonthX turns a month into an X value for an axis with Months set.
func MonthX(m calendar.Month) float64 { return float64(m.Year*12 + int(m.Mon) - 1) }

// XMonth turns an X value made by MonthX back into a month.
func XMonth(x float64) calendar.Month {
	n := int(math.Round(x))
	return calendar.Month{Year: n / 12, Mon: time.Month(n%12 + 1)}
}

// MonthLabel writes a month as "Apr 2019".
func MonthLabel(m calendar.Month) string {
	return m.First().Format("Jan 2006")
}

// Number writes v with thousands separators and the given number of decimals
// ("12,345.6"). Negative numbers take a minus sign; NaN is written "–".
func Number(v float64, decimals int) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "–"
	}
	// Halves round up (2.5 → 3), as people expect, not to even.
	s := strconv.FormatFloat(stats.RoundHalfUp(math.Abs(v), decimals), 'f', decimals, 64)
	intPart, frac := s, ""
	if i := strings.IndexByte(s, '.'); i >= 0 {
		intPart, frac = s[:i], s[i:]
	}
	var b strings.Builder
	if v < 0 && strings.Trim(s, "0.") != "" {
		b.WriteByte('-')
	}
	for i, r := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	b.WriteString(frac)
	return b.String()
}

// Int writes an integer with thousands separators.
func Int(v int) string { return Number(float64(v), 0) }

// Percent writes v (a fraction, 0.25) as a percentage with the given decimals ("25%").
func Percent(v float64, decimals int) string { return Number(v*100, decimals) + "%" }

// Pounds writes an amount in pounds as "£1,234" (whole pounds).
func Pounds(v float64) string {
	if v < 0 {
		return "-£" + Number(-v, 0)
	}
	return "£" + Number(v, 0)
}

// PoundsShort writes an amount in pounds briefly for axis ticks: "£350k",
// "£1.2m".
func PoundsShort(v float64) string {
	sign := ""
	if v < 0 {
		sign, v = "-", -v
	}
	switch {
	case v >= 1e6:
		return sign + "£" + trimZeros(strconv.FormatFloat(v/1e6, 'f', 2, 64)) + "m"
	case v >= 1e3:
		return sign + "£" + trimZeros(strconv.FormatFloat(v/1e3, 'f', 1, 64)) + "k"
	}
	return sign + "£" + Number(v, 0)
}

func trimZeros(s string) string {
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	return s
}

// decimalsFor returns how many decimals tick labels need at this step.
func decimalsFor(step float64) int {
	if step <= 0 || math.IsNaN(step) {
		return 0
	}
	d := 0
	for s := step; d < 6 && math.Abs(s-math.Round(s)) > 1e-9; s *= 10 {
		d++
	}
	return d
}

// niceStep returns a 1-2-5 step that divides span into at most maxTicks parts.
func niceStep(span float64, maxTicks int) float64 {
	if maxTicks < 1 {
		maxTicks = 1
	}
	if span <= 0 || math.IsNaN(span) || math.IsInf(span, 0) {
		return 1
	}
	raw := span / float64(maxTicks)
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*mag >= raw*(1-1e-9) {
			return m * mag
		}
	}
	return 10 * mag
}

// NiceTicks returns tick values at a 1-2-5 step covering [lo, hi] with at
// most about maxTicks intervals; the first and last tick enclose the data.
func NiceTicks(lo, hi float64, maxTicks int) []float64 {
	if lo > hi {
		lo, hi = hi, lo
	}
	if lo == hi {
		pad := math.Abs(lo) * 0.1
		if pad == 0 {
			pad = 1
		}
		lo, hi = lo-pad, hi+pad
	}
	step := niceStep(hi-lo, maxTicks)
	start := math.Floor(lo/step+1e-9) * step
	end := math.Ceil(hi/step-1e-9) * step
	var ticks []float64
	for v := start; v <= end+step*1e-6 && len(ticks) < 1000; v += step {
		// avoid -0 and float noise such as 0.30000000000000004
		t := math.Round(v/step) * step
		t, _ = strconv.ParseFloat(strconv.FormatFloat(t, 'f', decimalsFor(step), 64), 64)
		if t == 0 {
			t = 0 // not -0
		}
		ticks = append(ticks, t)
	}
	return ticks
}

// monthTicks returns month X values for ticks covering [lo, hi].
func monthTicks(lo, hi float64, maxTicks int) (ticks []float64, step int) {
	a, b := int(math.Floor(lo)), int(math.Ceil(hi))
	span := b - a
	for _, step = range []int{1, 3, 6, 12, 24, 60, 120, 240} {
		if span/step <= maxTicks {
			break
		}
	}
	first := a
	if r := ((first % step) + step) % step; r != 0 {
		first += step - r
	}
	for m := first; m <= b; m += step {
		ticks = append(ticks, float64(m))
	}
	if len(ticks) == 0 {
		ticks = []float64{float64(a)}
	}
	return ticks, step
}

// scale is a resolved axis: data range, pixel range and ticks.
type scale struct {
	axis       Axis
	lo, hi     float64 // data range
	p0, p1     float64 // pixel range (p0 for lo)
	ticks      []float64
	monthStep  int
	tickDigits int
}

// newScale resolves an axis over the given data extent.
func newScale(a Axis, lo, hi float64, maxTicks int) scale {
	if math.IsInf(lo, 0) || math.IsInf(hi, 0) || math.IsNaN(lo) || math.IsNaN(hi) {
		lo, hi = 0, 1
	}
	if a.Zero {
		lo, hi = math.Min(lo, 0), math.Max(hi, 0)
	}
	s := scale{axis: a}
	if a.Domain[0] < a.Domain[1] {
		lo, hi = a.Domain[0], a.Domain[1]
		if a.Months {
			s.ticks, s.monthStep = monthTicks(lo, hi, maxTicks)
		} else {
			s.ticks = NiceTicks(lo, hi, maxTicks)
			var in []float64
			for _, t := range s.ticks {
				if t >= lo-1e-9 && t <= hi+1e-9 {
					in = append(in, t)
				}
			}
			s.ticks = in
		}
		s.lo, s.hi = lo, hi
	} else if a.Months {
		s.ticks, s.monthStep = monthTicks(lo, hi, maxTicks)
		s.lo, s.hi = lo, hi
		if s.lo == s.hi {
			s.lo, s.hi = lo-1, hi+1
		}
	} else {
		s.ticks = NiceTicks(lo, hi, maxTicks)
		s.lo, s.hi = s.ticks[0], s.ticks[len(s.ticks)-1]
	}
	if len(s.ticks) > 1 {
		s.tickDigits = decimalsFor(s.ticks[1] - s.ticks[0])
	}
	return s
}

// pos maps a data value to a pixel position.
func (s scale) pos(v float64) float64 {
	if s.hi == s.lo {
		return (s.p0 + s.p1) / 2
	}
	return s.p0 + (v-s.lo)/(s.hi-s.lo)*(s.p1-s.p0)
}

// label writes a tick label.
func (s scale) label(v float64) string {
	switch {
	case s.axis.Format != nil:
		return s.axis.Format(v)
	case s.axis.Months:
		m := XMonth(v)
		if s.monthStep >= 12 && m.Mon == time.January {
			return strconv.Itoa(m.Year)
		}
		return MonthLabel(m)
	}
	return Number(v, s.tickDigits)
}

// value writes a data value for a table (more precise than a tick).
func (a Axis) value(v float64) string {
	switch {
	case a.Format != nil:
		return a.Format(v)
	case a.Months:
		return MonthLabel(XMonth(v))
	}
	if v == math.Trunc(v) {
		return Number(v, 0)
	}
	return Number(v, precisionFor(v))
}

// precisionFor gives enough decimals to show v to about 3 significant figures.
func precisionFor(v float64) int {
	a := math.Abs(v)
	switch {
	case a == 0 || a >= 100:
		return 1
	case a >= 10:
		return 2
	case a >= 1:
		return 2
	}
	d := int(-math.Floor(math.Log10(a))) + 2
	if d > 6 {
		d = 6
	}
	return d
}

// chartID makes an id for a chart's title and description from its content,
// so that output is deterministic and two charts on one page differ.
func chartID(parts ...string) string {
	h := fnv.New32a()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return fmt.Sprintf("chart-%08x", h.Sum32())
}

// extent returns the smallest and largest finite values of ys.
func extent(vals ...[]float64) (lo, hi float64) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, vs := range vals {
		for _, v := range vs {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				continue
			}
			lo, hi = math.Min(lo, v), math.Max(hi, v)
		}
	}
	if math.IsInf(lo, 1) {
		return 0, 1
	}
	return lo, hi
}

func xs(ps []Point) []float64 {
	out := make([]float64, len(ps))
	for i, p := range ps {
		out[i] = p.X
	}
	return out
}

func ys(ps []Point) []float64 {
	out := make([]float64, len(ps))
	for i, p := range ps {
		out[i] = p.Y
	}
	return out
}
