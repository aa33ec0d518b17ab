package chart

import (
	"fmt"
	"math"
	"strings"
)

// BarSeries is one set of values, one per category.
type BarSeries struct {
	Name   string
	Values []float64 // NaN for no value
	Colour string    // "" takes the next palette colour
}

// Bar is a bar chart (Horizontal, for long labels such as practice names) or
// a column chart (for a few categories or periods). Several series are drawn
// side by side within each category.
type Bar struct {
	Title       string
	Description string // "" writes one from the data
	Categories  []string
	Series      []BarSeries
	// Value is the axis the bars measure along (its Zero is implied).
	Value Axis
	// Category names the categories (the table's first column).
	Category string
	// Horizontal draws bars left to right, one row per category.
	Horizontal bool
	// Highlight names categories drawn in a stronger colour (the chosen
	// practice among its peers); only used with a single series.
	Highlight  []string
	References []Reference
	// Width and Height set the viewBox; zero chooses from the data.
	Width, Height int
	CSV           string
}

// maxLabel is the longest category label drawn; longer ones are cut with an
// ellipsis (the table keeps them whole).
const maxLabel = 26

func shorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return strings.TrimSpace(string(r[:n-1])) + "…"
}

// Render draws the chart.
func (b Bar) Render() Figure {
	nc, ns := len(b.Categories), len(b.Series)
	w, h := float64(b.Width), float64(b.Height)
	if w <= 0 {
		w = defaultWidth
	}
	if h <= 0 {
		if b.Horizontal {
			h = math.Max(160, 80+float64(nc*max(1, ns))*20+float64(nc)*6)
		} else {
			h = defaultHeight
		}
	}
	c := newCanvas(w, h)
	highlight := map[string]bool{}
	for _, x := range b.Highlight {
		highlight[x] = true
	}
	var all []float64
	for _, s := range b.Series {
		all = append(all, s.Values...)
	}
	for _, r := range b.References {
		all = append(all, r.Value)
	}
	lo, hi := extent(all)
	va := b.Value
	va.Zero = true

	var legend []legendItem
	if ns > 1 {
		for i, s := range b.Series {
			legend = append(legend, legendItem{s.Name, colour(s.Colour, i), "box"})
		}
	}
	if len(highlight) > 0 && ns == 1 {
		legend = append(legend, legendItem{b.Series[0].Name, colour(b.Series[0].Colour, 0), "box"},
			legendItem{strings.Join(b.Highlight, ", "), Orange, "box"})
	}
	for _, r := range b.References {
		kind := "line"
		if r.Dashed {
			kind = "dash"
		}
		legend = append(legend, legendItem{r.Name, refColour(r.Colour), kind})
	}
	top := 10 + legendHeight(legend, w-20)
	if len(legend) > 0 {
		top += 8
	}
	if va.Title != "" && !b.Horizontal {
		top += 18
	}
	c.drawLegend(legend, 10, 8, w-20)

	barColour := func(si int, cat string) string {
		if ns == 1 && highlight[cat] {
			return Orange
		}
		return colour(b.Series[si].Colour, si)
	}
	value := func(si, ci int) float64 {
		if ci < len(b.Series[si].Values) {
			return b.Series[si].Values[ci]
		}
		return math.NaN()
	}

	if b.Horizontal {
		labelW := 0.0
		for _, cat := range b.Categories {
			labelW = math.Max(labelW, textWidth(shorten(cat, maxLabel), smallFont))
		}
		left, right := 14+labelW, w-20
		bottom := h - 34
		if va.Title != "" {
			bottom -= 20
		}
		sc := newScale(va, lo, hi, int(math.Max(2, (right-left)/80)))
		sc.p0, sc.p1 = left, right
		c.group("class", "ccg-chart__axes")
		for _, t := range sc.ticks {
			x := sc.pos(t)
			c.line(x, top, x, bottom, Grey4, 1, false, "ccg-chart__grid")
			c.text(x, bottom+18, "middle", smallFont, Grey1, "ccg-chart__tick", sc.label(t))
		}
		c.line(sc.pos(0), top, sc.pos(0), bottom, Grey1, 1, false, "ccg-chart__axis")
		if va.Title != "" {
			c.text((left+right)/2, h-8, "middle", smallFont, Black, "ccg-chart__axis-title", va.Title)
		}
		c.endGroup()
		rowH := (bottom - top) / math.Max(1, float64(nc))
		barH := math.Max(2, rowH*0.75/math.Max(1, float64(ns)))
		c.group("class", "ccg-chart__bars")
		for ci, cat := range b.Categories {
			y0 := top + float64(ci)*rowH + rowH*0.125
			c.text(left-6, top+float64(ci)*rowH+rowH/2+4, "end", smallFont, Black, "ccg-chart__category", shorten(cat, maxLabel))
			for si := range b.Series {
				v := value(si, ci)
				if math.IsNaN(v) {
					continue
				}
				x0, x1 := sc.pos(0), sc.pos(v)
				c.rect(x0, y0+float64(si)*barH, x1-x0, barH, barColour(si, cat), "ccg-chart__bar")
			}
		}
		c.endGroup()
		for _, r := range b.References {
			x := sc.pos(r.Value)
			c.line(x, top, x, bottom, refColour(r.Colour), 2, r.Dashed, "ccg-chart__reference")
		}
	} else {
		bottom := h - 34
		left0 := 14.0
		sc := newScale(va, lo, hi, int(math.Max(2, (bottom-top)/45)))
		labelW := 0.0
		for _, t := range sc.ticks {
			labelW = math.Max(labelW, textWidth(sc.label(t), smallFont))
		}
		left, right := left0+labelW, w-16
		sc.p0, sc.p1 = bottom, top
		c.group("class", "ccg-chart__axes")
		for _, t := range sc.ticks {
			y := sc.pos(t)
			c.line(left, y, right, y, Grey4, 1, false, "ccg-chart__grid")
			c.text(left-6, y+4, "end", smallFont, Grey1, "ccg-chart__tick", sc.label(t))
		}
		c.line(left, sc.pos(0), right, sc.pos(0), Grey1, 1, false, "ccg-chart__axis")
		if va.Title != "" {
			c.text(left-labelW-6, top-10, "start", smallFont, Black, "ccg-chart__axis-title", va.Title)
		}
		c.endGroup()
		colW := (right - left) / math.Max(1, float64(nc))
		barW := math.Max(1, colW*0.75/math.Max(1, float64(ns)))
		// Label every k'th category so that labels do not collide.
		longest := 0.0
		for _, cat := range b.Categories {
			longest = math.Max(longest, textWidth(shorten(cat, 14), smallFont))
		}
		every := int(math.Ceil((longest + 8) / math.Max(1, colW)))
		c.group("class", "ccg-chart__bars")
		for ci, cat := range b.Categories {
			x0 := left + float64(ci)*colW + colW*0.125
			for si := range b.Series {
				v := value(si, ci)
				if math.IsNaN(v) {
					continue
				}
				y0, y1 := sc.pos(0), sc.pos(v)
				c.rect(x0+float64(si)*barW, y0, barW, y1-y0, barColour(si, cat), "ccg-chart__bar")
			}
			if every <= 1 || ci%every == 0 {
				c.text(left+float64(ci)*colW+colW/2, bottom+18, "middle", smallFont, Grey1, "ccg-chart__category", shorten(cat, 14))
			}
		}
		c.endGroup()
		for _, r := range b.References {
			y := sc.pos(r.Value)
			c.line(left, y, right, y, refColour(r.Colour), 2, r.Dashed, "ccg-chart__reference")
		}
	}

	desc := b.Description
	if desc == "" {
		desc = b.describe()
	}
	catTitle := b.Category
	if catTitle == "" {
		catTitle = "Category"
	}
	t := Table{Caption: b.Title, Header: []string{catTitle}}
	for _, s := range b.Series {
		t.Header = append(t.Header, s.Name)
	}
	for ci, cat := range b.Categories {
		row := []Cell{Text(cat)}
		for si := range b.Series {
			v := value(si, ci)
			if math.IsNaN(v) {
				row = append(row, Num(v, "–"))
			} else {
				row = append(row, Num(v, b.Value.value(v)))
			}
		}
		t.Rows = append(t.Rows, row)
	}
	id := chartID("bar", b.Title, desc, c.b.String())
	class := "ccg-chart--column"
	if b.Horizontal {
		class = "ccg-chart--bar"
	}
	return Figure{ID: id, Title: b.Title, Description: desc, SVG: c.svg(id, class, b.Title, desc), Table: t, CSV: b.CSV}
}

func (b Bar) describe() string {
	kind := "Column chart"
	if b.Horizontal {
		kind = "Bar chart"
	}
	var parts []string
	for _, s := range b.Series {
		hiI, loI := -1, -1
		for i, v := range s.Values {
			if math.IsNaN(v) || i >= len(b.Categories) {
				continue
			}
			if hiI < 0 || v > s.Values[hiI] {
				hiI = i
			}
			if loI < 0 || v < s.Values[loI] {
				loI = i
			}
		}
		if hiI < 0 {
			continue
		}
		parts = append(parts, fmt.Sprintf("%s: highest %s (%s), lowest %s (%s).", s.Name,
			b.Categories[hiI], b.Value.value(s.Values[hiI]), b.Categories[loI], b.Value.value(s.Values[loI])))
	}
	return fmt.Sprintf("%s of %d categories. %s", kind, len(b.Categories), strings.Join(parts, " "))
}
