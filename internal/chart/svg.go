package chart

import (
	"html"
	"html/template"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Drawing constants, in viewBox units. The viewBox is about as wide as a
// two-thirds column on a desktop, so text there is close to its nominal size;
// on a phone the whole chart scales down with the page.
const (
	defaultWidth  = 540
	defaultHeight = 320
	fontSize      = 14
	smallFont     = 12
	charWidth     = 0.56 // average glyph width in em, for laying out labels
	legendRow     = 22
)

// textWidth estimates the width of s at the given font size.
func textWidth(s string, size float64) float64 {
	return float64(utf8.RuneCountInString(s)) * size * charWidth
}

// num writes a coordinate briefly.
func num(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "0"
	}
	return strconv.FormatFloat(math.Round(v*10)/10, 'f', -1, 64)
}

// esc escapes text for XML content and attribute values.
func esc(s string) string { return html.EscapeString(s) }

// canvas accumulates the body of an SVG.
type canvas struct {
	b    strings.Builder
	w, h float64
}

func newCanvas(w, h float64) *canvas { return &canvas{w: w, h: h} }

// el writes an empty element with attributes given as name, value pairs;
// pairs with an empty value are left out.
func (c *canvas) el(name string, attrs ...string) {
	c.open(name, attrs...)
	c.b.WriteString("/>\n")
}

// open writes the start of an element without closing its tag.
func (c *canvas) open(name string, attrs ...string) {
	c.b.WriteByte('<')
	c.b.WriteString(name)
	for i := 0; i+1 < len(attrs); i += 2 {
		if attrs[i+1] == "" {
			continue
		}
		c.b.WriteByte(' ')
		c.b.WriteString(attrs[i])
		c.b.WriteString(`="`)
		c.b.WriteString(esc(attrs[i+1]))
		c.b.WriteByte('"')
	}
}

// text writes a text element.
func (c *canvas) text(x, y float64, anchor string, size float64, fill, class, s string, attrs ...string) {
	base := []string{"x", num(x), "y", num(y), "font-size", num(size), "fill", fill, "class", class}
	if anchor != "start" {
		base = append(base, "text-anchor", anchor)
	}
	c.open("text", append(base, attrs...)...)
	c.b.WriteByte('>')
	c.b.WriteString(esc(s))
	c.b.WriteString("</text>\n")
}

// group opens a <g>; endGroup closes it.
func (c *canvas) group(attrs ...string) {
	c.open("g", attrs...)
	c.b.WriteString(">\n")
}

func (c *canvas) endGroup() { c.b.WriteString("</g>\n") }

// line writes a straight line.
func (c *canvas) line(x1, y1, x2, y2 float64, stroke string, width float64, dashed bool, class string) {
	dash := ""
	if dashed {
		dash = "6 4"
	}
	c.el("line", "x1", num(x1), "y1", num(y1), "x2", num(x2), "y2", num(y2),
		"stroke", stroke, "stroke-width", num(width), "stroke-dasharray", dash, "class", class)
}

// rect writes a rectangle (negative sizes are normalised).
func (c *canvas) rect(x, y, w, h float64, fill, class string, attrs ...string) {
	if w < 0 {
		x, w = x+w, -w
	}
	if h < 0 {
		y, h = y+h, -h
	}
	c.el("rect", append([]string{"x", num(x), "y", num(y), "width", num(w), "height", num(h), "fill", fill, "class", class}, attrs...)...)
}

// svg wraps the body in an accessible <svg> and returns it.
func (c *canvas) svg(id, class, title, desc string) template.HTML {
	var b strings.Builder
	b.WriteString(`<svg xmlns="http://www.w3.org/2000/svg" class="ccg-chart`)
	if class != "" {
		b.WriteString(" " + esc(class))
	}
	b.WriteString(`" viewBox="0 0 ` + num(c.w) + " " + num(c.h) + `" width="100%" preserveAspectRatio="xMidYMid meet"`)
	b.WriteString(` role="img" aria-labelledby="` + id + `-title ` + id + `-desc" font-family="inherit">` + "\n")
	b.WriteString(`<title id="` + id + `-title">` + esc(title) + "</title>\n")
	b.WriteString(`<desc id="` + id + `-desc">` + esc(desc) + "</desc>\n")
	b.WriteString(c.b.String())
	b.WriteString("</svg>")
	return template.HTML(b.String())
}

// pathD builds path data from points, breaking the line at NaN values.
func pathD(pts []Point, x, y scale) string {
	var b strings.Builder
	pen := false
	for _, p := range pts {
		if math.IsNaN(p.Y) || math.IsNaN(p.X) || math.IsInf(p.Y, 0) {
			pen = false
			continue
		}
		if pen {
			b.WriteString(" L")
		} else {
			if b.Len() > 0 {
				b.WriteByte(' ')
			}
			b.WriteByte('M')
		}
		b.WriteString(num(x.pos(p.X)) + " " + num(y.pos(p.Y)))
		pen = true
	}
	return b.String()
}

// legendItem is one entry in a legend.
type legendItem struct {
	label  string
	colour string
	kind   string // "line", "dash", "box", "band", "dot", "square", "ring"
}

// legendHeight returns the height a legend takes across width w.
func legendHeight(items []legendItem, w float64) float64 {
	if len(items) == 0 {
		return 0
	}
	return float64(len(layoutLegend(items, w))) * legendRow
}

// layoutLegend splits a legend into rows that fit across w.
func layoutLegend(items []legendItem, w float64) [][]legendItem {
	var rows [][]legendItem
	var row []legendItem
	x := 0.0
	for _, it := range items {
		iw := legendItemWidth(it)
		if len(row) > 0 && x+iw > w {
			rows = append(rows, row)
			row, x = nil, 0
		}
		row = append(row, it)
		x += iw
	}
	if len(row) > 0 {
		rows = append(rows, row)
	}
	return rows
}

func legendItemWidth(it legendItem) float64 { return 28 + textWidth(it.label, smallFont) + 18 }

// drawLegend draws a legend starting at (x, y), wrapping across width w.
func (c *canvas) drawLegend(items []legendItem, x, y, w float64) {
	if len(items) == 0 {
		return
	}
	c.group("class", "ccg-chart__legend")
	for r, row := range layoutLegend(items, w) {
		cx := x
		cy := y + float64(r)*legendRow + legendRow/2
		for _, it := range row {
			switch it.kind {
			case "box":
				c.rect(cx, cy-6, 20, 12, it.colour, "")
			case "band":
				c.rect(cx, cy-6, 20, 12, it.colour, "", "fill-opacity", "0.35")
			case "dot":
				c.el("circle", "cx", num(cx+10), "cy", num(cy), "r", "5", "fill", it.colour)
			case "square":
				c.el("rect", "x", num(cx+5.5), "y", num(cy-4.5), "width", "9", "height", "9", "fill", it.colour, "stroke", Black, "stroke-width", "0.75")
			case "ring":
				c.el("circle", "cx", num(cx+10), "cy", num(cy), "r", "6", "fill", "none", "stroke", it.colour, "stroke-width", "2.5")
			case "dash":
				c.line(cx, cy, cx+20, cy, it.colour, 2.5, true, "")
			default:
				c.line(cx, cy, cx+20, cy, it.colour, 3, false, "")
			}
			c.text(cx+28, cy+4, "start", smallFont, Black, "", it.label)
			cx += legendItemWidth(it)
		}
	}
	c.endGroup()
}

// plot is the area of an x/y chart inside its margins.
type plot struct {
	left, right, top, bottom float64
	x, y                     scale
}

// xyFrame lays out an x/y chart: legend on top, y tick labels on the left,
// x tick labels and title below, and returns the plot with resolved scales.
func xyFrame(c *canvas, xa, ya Axis, xlo, xhi, ylo, yhi float64, legend []legendItem) plot {
	top := 10 + legendHeight(legend, c.w-20)
	if len(legend) > 0 {
		top += 6
	}
	if ya.Title != "" {
		top += 22
	}
	bottom := c.h - 34
	if xa.Title != "" {
		bottom -= 20
	}
	maxY := int(math.Max(2, (bottom-top)/45))
	ys := newScale(ya, ylo, yhi, maxY)
	labelW := 0.0
	for _, t := range ys.ticks {
		labelW = math.Max(labelW, textWidth(ys.label(t), smallFont))
	}
	left := 14 + labelW
	right := c.w - 16
	// Estimate how many x labels fit.
	sample := "Apr 2019"
	if !xa.Months {
		sample = Number(math.Max(math.Abs(xlo), math.Abs(xhi)), 1)
		if xa.Format != nil {
			sample = xa.Format(xhi)
		}
	}
	maxX := int(math.Max(2, (right-left)/(textWidth(sample, smallFont)+24)))
	xsc := newScale(xa, xlo, xhi, maxX)
	xsc.p0, xsc.p1 = left, right
	ys.p0, ys.p1 = bottom, top
	p := plot{left: left, right: right, top: top, bottom: bottom, x: xsc, y: ys}

	c.drawLegend(legend, 10, 8, c.w-20)
	c.group("class", "ccg-chart__axes")
	for _, t := range ys.ticks {
		py := ys.pos(t)
		c.line(left, py, right, py, Grey4, 1, false, "ccg-chart__grid")
		c.text(left-6, py+4, "end", smallFont, Grey1, "ccg-chart__tick", ys.label(t))
	}
	for _, t := range xsc.ticks {
		px := xsc.pos(t)
		if px < left-0.5 || px > right+0.5 {
			continue
		}
		c.line(px, bottom, px, bottom+5, Grey1, 1, false, "")
		// keep edge labels inside the viewBox
		lbl := xsc.label(t)
		hw := textWidth(lbl, smallFont)/2 + 2
		c.text(math.Min(math.Max(px, hw), c.w-hw), bottom+20, "middle", smallFont, Grey1, "ccg-chart__tick", lbl)
	}
	c.line(left, bottom, right, bottom, Grey1, 1, false, "ccg-chart__axis")
	if ys.lo < 0 && ys.hi > 0 {
		c.line(left, ys.pos(0), right, ys.pos(0), Grey1, 1, false, "ccg-chart__zero")
	}
	if ya.Title != "" {
		c.text(left-labelW-6, top-14, "start", smallFont, Black, "ccg-chart__axis-title", ya.Title)
	}
	if xa.Title != "" {
		c.text((left+right)/2, c.h-8, "middle", smallFont, Black, "ccg-chart__axis-title", xa.Title)
	}
	c.endGroup()
	return p
}
