package chart

import (
	"fmt"
	"math"
)

// Pyramid is a population pyramid: one bar per age band, males to the left
// and females to the right of a shared centre line, youngest at the bottom.
type Pyramid struct {
	Title       string
	Description string // "" writes one from the data
	// Bands are the age bands, youngest first ("0-4", "5-9", ..., "95+").
	Bands []string
	// Male and Female hold the count for each band.
	Male, Female []float64
	// Percent shows each bar as a share of the whole population.
	Percent bool
	// Width and Height set the viewBox; zero means 540 by a height that
	// suits the number of bands.
	Width, Height int
	CSV           string
}

// Pyramid colours: the two sexes differ in lightness as well as hue.
const (
	maleColour   = DarkBlue
	femaleColour = AquaGreen
)

// Render draws the pyramid.
func (py Pyramid) Render() Figure {
	n := len(py.Bands)
	w, h := float64(py.Width), float64(py.Height)
	if w <= 0 {
		w = defaultWidth
	}
	if h <= 0 {
		h = math.Max(200, 90+float64(n)*18)
	}
	c := newCanvas(w, h)
	var total float64
	male, female := make([]float64, n), make([]float64, n)
	for i := 0; i < n; i++ {
		if i < len(py.Male) && !math.IsNaN(py.Male[i]) {
			male[i] = py.Male[i]
		}
		if i < len(py.Female) && !math.IsNaN(py.Female[i]) {
			female[i] = py.Female[i]
		}
		total += male[i] + female[i]
	}
	val := func(v float64) float64 {
		if py.Percent && total > 0 {
			return v / total
		}
		return v
	}
	format := func(v float64) string {
		if py.Percent {
			return Percent(v, 1)
		}
		return Number(v, 0)
	}
	maxV := 0.0
	for i := 0; i < n; i++ {
		maxV = math.Max(maxV, math.Max(val(male[i]), val(female[i])))
	}
	if maxV == 0 {
		maxV = 1
	}

	legend := []legendItem{{"Male", maleColour, "box"}, {"Female", femaleColour, "box"}}
	top := 10 + legendHeight(legend, w-20) + 8
	bottom := h - 30
	labelW := 44.0
	for _, b := range py.Bands {
		labelW = math.Max(labelW, textWidth(b, smallFont)+12)
	}
	mid := w / 2
	half := (w-24-labelW)/2 - 6
	// ticks on one side, mirrored
	perSide := int(math.Max(2, half/70))
	ticks := NiceTicks(0, maxV, perSide)
	maxT := ticks[len(ticks)-1]
	step := 0.0
	if len(ticks) > 1 {
		step = ticks[1] - ticks[0]
	}
	digits := decimalsFor(step)
	tickLabel := func(v float64) string {
		if py.Percent {
			return Number(v*100, max(0, digits-2)) + "%"
		}
		return Number(v, digits)
	}
	leftEdge := mid - labelW/2 - 4  // where male bars start
	rightEdge := mid + labelW/2 + 4 // where female bars start
	scaleW := func(v float64) float64 { return v / maxT * half }

	c.drawLegend(legend, 10, 8, w-20)
	rowH := (bottom - top) / math.Max(1, float64(n))
	barH := math.Max(2, rowH*0.8)

	c.group("class", "ccg-chart__axes")
	for _, t := range ticks {
		xl, xr := leftEdge-scaleW(t), rightEdge+scaleW(t)
		c.line(xl, top, xl, bottom, Grey4, 1, false, "ccg-chart__grid")
		c.line(xr, top, xr, bottom, Grey4, 1, false, "ccg-chart__grid")
		c.text(xl, bottom+18, "middle", smallFont, Grey1, "ccg-chart__tick", tickLabel(t))
		c.text(xr, bottom+18, "middle", smallFont, Grey1, "ccg-chart__tick", tickLabel(t))
	}
	c.line(leftEdge, bottom, leftEdge-half, bottom, Grey1, 1, false, "ccg-chart__axis")
	c.line(rightEdge, bottom, rightEdge+half, bottom, Grey1, 1, false, "ccg-chart__axis")
	c.endGroup()

	c.group("class", "ccg-chart__bars")
	for i := 0; i < n; i++ {
		y := bottom - float64(i+1)*rowH + (rowH-barH)/2
		mw, fw := scaleW(val(male[i])), scaleW(val(female[i]))
		c.rect(leftEdge-mw, y, mw, barH, maleColour, "ccg-chart__bar ccg-chart__bar--male")
		c.rect(rightEdge, y, fw, barH, femaleColour, "ccg-chart__bar ccg-chart__bar--female")
		c.text(mid, y+barH/2+4, "middle", smallFont, Black, "ccg-chart__category", py.Bands[i])
	}
	c.endGroup()

	desc := py.Description
	if desc == "" {
		var tm, tf float64
		big, bigV := "", -1.0
		for i := 0; i < n; i++ {
			tm += male[i]
			tf += female[i]
			if male[i]+female[i] > bigV {
				big, bigV = py.Bands[i], male[i]+female[i]
			}
		}
		desc = fmt.Sprintf("Population pyramid of %s people by age band: %s male and %s female.",
			Number(tm+tf, 0), Number(tm, 0), Number(tf, 0))
		if big != "" {
			desc += fmt.Sprintf(" The largest age band is %s (%s people).", big, Number(bigV, 0))
		}
	}
	t := Table{Caption: py.Title, Header: []string{"Age band", "Male", "Female", "Total"}}
	if py.Percent {
		t.Header = append(t.Header, "Male (%)", "Female (%)")
	}
	for i := n - 1; i >= 0; i-- {
		row := []Cell{Text(py.Bands[i]), Num(male[i], Number(male[i], 0)), Num(female[i], Number(female[i], 0)),
			Num(male[i]+female[i], Number(male[i]+female[i], 0))}
		if py.Percent {
			row = append(row, Num(val(male[i])*100, format(val(male[i]))), Num(val(female[i])*100, format(val(female[i]))))
		}
		t.Rows = append(t.Rows, row)
	}
	id := chartID("pyramid", py.Title, desc, c.b.String())
	return Figure{ID: id, Title: py.Title, Description: desc, SVG: c.svg(id, "ccg-chart--pyramid", py.Title, desc), Table: t, CSV: py.CSV}
}
