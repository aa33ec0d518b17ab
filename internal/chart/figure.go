package chart

import (
	"bytes"
	"html/template"
	"io"
	"strconv"

	"ccg/internal/csvsafe"
)

// Figure is a drawn chart with the table that carries the same numbers.
type Figure struct {
	// ID is unique to the chart's content; the SVG's title and description
	// use it, and Figure.HTML gives it to the figure element.
	ID string
	// Title is the chart's title (also the SVG <title> and the table caption).
	Title string
	// Description says in words what the chart shows (the SVG <desc>).
	Description string
	// SVG is the chart itself, safe to put in a page.
	SVG template.HTML
	// Table holds the data drawn, for the "Show as a table" alternative.
	Table Table
	// CSV is the address of a download of the same data, or "" for none.
	CSV string
}

// Cell is one table cell: the text shown, and for numbers the value written
// to CSV (without thousands separators or units).
type Cell struct {
	Text    string
	Value   float64
	Numeric bool
}

// Text returns a text cell.
func Text(s string) Cell { return Cell{Text: s} }

// Num returns a numeric cell showing text and holding v.
func Num(v float64, text string) Cell { return Cell{Text: text, Value: v, Numeric: true} }

// Table is the tabular form of a chart.
type Table struct {
	Caption string
	Header  []string
	Rows    [][]Cell
}

// numericColumn reports whether column i holds numbers (for right-aligning).
func (t Table) numericColumn(i int) bool {
	seen := false
	for _, r := range t.Rows {
		if i >= len(r) || r[i].Text == "" || r[i].Text == "–" {
			continue
		}
		if !r[i].Numeric {
			return false
		}
		seen = true
	}
	return seen
}

// WriteCSV writes the table as CSV: the header, then one line per row, with
// numbers as plain values (no separators, no units) and blanks for gaps.
func (t Table) WriteCSV(w io.Writer) error {
	cw := csvsafe.NewWriter(w)
	if err := cw.Write(t.Header); err != nil {
		return err
	}
	rec := make([]string, len(t.Header))
	for _, r := range t.Rows {
		rec = rec[:0]
		for _, c := range r {
			switch {
			case c.Numeric && c.Text != "–" && c.Text != "":
				rec = append(rec, strconv.FormatFloat(c.Value, 'f', -1, 64))
			case c.Numeric:
				rec = append(rec, "")
			default:
				rec = append(rec, c.Text)
			}
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// htmlTable is what the figure template needs about a table.
type htmlTable struct {
	Caption string
	Header  []htmlCell
	Rows    [][]htmlCell
}

type htmlCell struct {
	Text    string
	Numeric bool
}

var figureTemplate = template.Must(template.New("figure").Parse(`<figure class="ccg-figure" id="{{.ID}}">
<figcaption class="ccg-figure__caption">{{.Title}}</figcaption>
<div class="ccg-figure__chart" tabindex="0">
{{.SVG}}
</div>
<details class="nhsuk-details ccg-figure__table">
<summary class="nhsuk-details__summary"><span class="nhsuk-details__summary-text">Show as a table<span class="nhsuk-u-visually-hidden">: {{.Title}}</span></span></summary>
<div class="nhsuk-details__text">
<div class="nhsuk-table-container" tabindex="0">
<table class="nhsuk-table">
<caption class="nhsuk-table__caption nhsuk-table__caption--s">{{.Table.Caption}}</caption>
<thead class="nhsuk-table__head"><tr>{{range .Table.Header}}<th scope="col" class="nhsuk-table__header{{if .Numeric}} nhsuk-table__header--numeric{{end}}">{{.Text}}</th>{{end}}</tr></thead>
<tbody class="nhsuk-table__body">{{range .Table.Rows}}
<tr class="nhsuk-table__row">{{range $i, $c := .}}{{if eq $i 0}}<th scope="row" class="nhsuk-table__header">{{$c.Text}}</th>{{else}}<td class="nhsuk-table__cell{{if $c.Numeric}} nhsuk-table__cell--numeric{{end}}">{{$c.Text}}</td>{{end}}{{end}}</tr>{{end}}
</tbody>
</table>
</div>
{{if .CSV}}<p class="nhsuk-body-s"><a href="{{.CSV}}" download="">Download this data (CSV)</a></p>{{end}}
</div>
</details>
</figure>`))

// HTML returns the chart followed by a "Show as a table" details element
// holding the same data, and a CSV download link when f.CSV is set. It uses
// the NHS.UK frontend's details and table classes.
func (f Figure) HTML() template.HTML {
	ht := htmlTable{Caption: f.Table.Caption}
	if ht.Caption == "" {
		ht.Caption = f.Title
	}
	for i, h := range f.Table.Header {
		ht.Header = append(ht.Header, htmlCell{Text: h, Numeric: i > 0 && f.Table.numericColumn(i)})
	}
	for _, r := range f.Table.Rows {
		row := make([]htmlCell, len(r))
		for i, c := range r {
			row[i] = htmlCell{Text: c.Text, Numeric: c.Numeric}
		}
		ht.Rows = append(ht.Rows, row)
	}
	var buf bytes.Buffer
	err := figureTemplate.Execute(&buf, struct {
		ID, Title, CSV string
		SVG            template.HTML
		Table          htmlTable
	}{f.ID, f.Title, f.CSV, f.SVG, ht})
	if err != nil {
		// The template is fixed and its data plain; this cannot happen.
		panic("chart: figure template: " + err.Error())
	}
	return template.HTML(buf.String())
}
