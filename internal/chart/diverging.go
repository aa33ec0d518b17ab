package chart

import (
	"fmt"
	"math"
	"strings"
)

// DivergingRow is one question (or practice) in a diverging bar chart,
// with a count of answers at each level.
type DivergingRow struct {
	Label  string
	Counts []float64
}

// Diverging is a diverging stacked bar chart for answers on a scale (a
// Likert scale, "Strongly disagree" to "Strongly agree"): for each row the
// negative answers stack to the left of a centre line and the positive ones
// to the right, as shares of the row's answers. With an odd number of
// levels the middle one is neutral and is split across the centre.
type Diverging struct {
	Title       string
	Description string // "" writes one from the data
	// Levels are the answer levels, most negative first.
	Levels []string
	Rows   []DivergingRow
	// Category names what the rows are ("Question").
	Category string
	// Width and Height set the viewBox; zero chooses from the data.
	Width, Height int
	CSV           string
}

// divergingColours returns n colours from strong red (most negative)
// through grey (neutral) to strong blue (most positive).
func divergingColours(n int) []string {
	half := n / 2
	var neg, pos []string
	switch half {
	case 0:
	case 1:
		neg, pos = []string{Red}, []string{Blue}
	case 2:
		neg, pos = []string{Red, WarmYellow}, []string{LightBlue, Blue}
	default:
		neg, pos = []string{Red, Orange, WarmYellow}, []string{LightBlue, Blue, DarkBlue}
	}
	out := make([]string, 0, n)
	for i := 0; i < half; i++ {
		// more than three levels a side reuse the lightest colours
		out = append(out, neg[max(0, i-(half-len(neg)))])
	}
	if n%2 == 1 {
		out = append(out, Grey3)
	}
	for i := 0; i < half; i++ {
		out = append(out, pos[min(len(pos)-1, i)])
	}
	return out
}

// Render draws the chart.
func (d Diverging) Render() Figure {
	nl, nr := len(d.Levels), len(d.Rows)
	w, h := float64(d.Width), float64(d.Height)
	if w <= 0 {
		w = defaultWidth
	}
	if h <= 0 {
		h = math.Max(160, 90+float64(nr)*30)
	}
	c := newCanvas(w, h)
	cols := divergingColours(nl)
	half := nl / 2
	neutral := nl%2 == 1

	// Shares, and the extent either side of the centre.
	shares := make([][]float64, nr)
	maxL, maxR := 0.0, 0.0
	for r, row := range d.Rows {
		total := 0.0
		for i := 0; i < nl && i < len(row.Counts); i++ {
			if !math.IsNaN(row.Counts[i]) {
				total += row.Counts[i]
			}
		}
		shares[r] = make([]float64, nl)
		for i := 0; i < nl && i < len(row.Counts); i++ {
			if total > 0 && !math.IsNaN(row.Counts[i]) {
				shares[r][i] = row.Counts[i] / total
			}
		}
		l, rr := 0.0, 0.0
		for i := 0; i < half; i++ {
			l += shares[r][i]
			rr += shares[r][nl-1-i]
		}
		if neutral {
			l += shares[r][half] / 2
			rr += shares[r][half] / 2
		}
		maxL, maxR = math.Max(maxL, l), math.Max(maxR, rr)
	}
	ext := math.Max(maxL, maxR)
	if ext == 0 {
		ext = 1
	}

	legend := make([]legendItem, nl)
	for i, lv := range d.Levels {
		legend[i] = legendItem{lv, cols[i], "box"}
	}
	top := 10 + legendHeight(legend, w-20) + 8
	bottom := h - 30
	labelW := 0.0
	for _, row := range d.Rows {
		labelW = math.Max(labelW, textWidth(shorten(row.Label, maxLabel), smallFont))
	}
	left, right := 14+labelW, w-16
	ticks := NiceTicks(0, ext, int(math.Max(1, (right-left)/2/70)))
	lim := ticks[len(ticks)-1]
	mid := (left + right) / 2
	scaleX := func(v float64) float64 { return v / lim * (right - mid) }

	c.drawLegend(legend, 10, 8, w-20)
	c.group("class", "ccg-chart__axes")
	for _, t := range ticks {
		for _, sgn := range []float64{-1, 1} {
			if t == 0 && sgn < 0 {
				continue
			}
			x := mid + sgn*scaleX(t)
			c.line(x, top, x, bottom, Grey4, 1, false, "ccg-chart__grid")
			c.text(x, bottom+18, "middle", smallFont, Grey1, "ccg-chart__tick", Percent(t, 0))
		}
	}
	c.endGroup()

	rowH := (bottom - top) / math.Max(1, float64(nr))
	barH := math.Max(2, rowH*0.7)
	c.group("class", "ccg-chart__bars")
	for r, row := range d.Rows {
		y := top + float64(r)*rowH + (rowH-barH)/2
		c.text(left-6, y+barH/2+4, "end", smallFont, Black, "ccg-chart__category", shorten(row.Label, maxLabel))
		s := shares[r]
		// negative side: the level nearest the centre is drawn first
		x := mid
		if neutral {
			nw := scaleX(s[half] / 2)
			c.rect(mid-nw, y, 2*nw, barH, cols[half], "ccg-chart__bar")
			x = mid - nw
		}
		for i := half - 1; i >= 0; i-- {
			bw := scaleX(s[i])
			c.rect(x-bw, y, bw, barH, cols[i], "ccg-chart__bar")
			x -= bw
		}
		x = mid
		if neutral {
			x = mid + scaleX(s[half]/2)
		}
		start := half
		if neutral {
			start = half + 1
		}
		for i := start; i < nl; i++ {
			bw := scaleX(s[i])
			c.rect(x, y, bw, barH, cols[i], "ccg-chart__bar")
			x += bw
		}
	}
	c.endGroup()
	c.line(mid, top, mid, bottom, Black, 1.5, false, "ccg-chart__axis")

	desc := d.Description
	if desc == "" {
		var parts []string
		for r, row := range d.Rows {
			neg, pos := 0.0, 0.0
			for i := 0; i < half; i++ {
				neg += shares[r][i]
				pos += shares[r][nl-1-i]
			}
			parts = append(parts, fmt.Sprintf("%s: %s negative, %s positive.", row.Label, Percent(neg, 0), Percent(pos, 0)))
		}
		desc = fmt.Sprintf("Diverging bar chart of answers on a scale from %q to %q. %s",
			first(d.Levels), last(d.Levels), strings.Join(parts, " "))
	}
	cat := d.Category
	if cat == "" {
		cat = "Question"
	}
	t := Table{Caption: d.Title, Header: []string{cat}}
	for _, lv := range d.Levels {
		t.Header = append(t.Header, lv)
	}
	t.Header = append(t.Header, "Answers")
	for r, row := range d.Rows {
		cells := []Cell{Text(row.Label)}
		total := 0.0
		for i := 0; i < nl; i++ {
			v := 0.0
			if i < len(row.Counts) && !math.IsNaN(row.Counts[i]) {
				v = row.Counts[i]
			}
			total += v
			cells = append(cells, Num(v, fmt.Sprintf("%s (%s)", Number(v, 0), Percent(shares[r][i], 0))))
		}
		cells = append(cells, Num(total, Number(total, 0)))
		t.Rows = append(t.Rows, cells)
	}
	id := chartID("diverging", d.Title, desc, c.b.String())
	return Figure{ID: id, Title: d.Title, Description: desc, SVG: c.svg(id, "ccg-chart--diverging", d.Title, desc), Table: t, CSV: d.CSV}
}

func first(s []string) string {
	if len(s) == 0 {
		return ""
	}
	return s[0]
}

func last(s []string) string {
	if len(s) == 0 {
		return ""
	}
	return s[len(s)-1]
}
