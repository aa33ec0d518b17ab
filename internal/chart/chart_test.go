package chart

import (
	"bytes"
	"encoding/xml"
	"io"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	"ccg/internal/calendar"
)

// svgStats is what a test learns from decoding an SVG.
type svgStats struct {
	elements map[string]int // by element name
	classes  map[string]int // by class token
	root     map[string]string
	title    string
	desc     string
	ids      map[string]bool
}

// inspect decodes svg as XML, failing the test if it is not well formed or
// if any element carries a style attribute, and counts what it holds.
func inspect(t *testing.T, svg string) svgStats {
	t.Helper()
	st := svgStats{elements: map[string]int{}, classes: map[string]int{}, root: map[string]string{}, ids: map[string]bool{}}
	dec := xml.NewDecoder(strings.NewReader(svg))
	depth := 0
	var inTitle, inDesc bool
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("SVG is not well-formed XML: %v\n%s", err, svg)
		}
		switch tk := tok.(type) {
		case xml.StartElement:
			depth++
			st.elements[tk.Name.Local]++
			for _, a := range tk.Attr {
				if a.Name.Local == "style" {
					t.Errorf("<%s> has a style attribute (the CSP forbids inline styles): %q", tk.Name.Local, a.Value)
				}
				if a.Name.Local == "class" {
					for _, c := range strings.Fields(a.Value) {
						st.classes[c]++
					}
				}
				if a.Name.Local == "id" {
					if st.ids[a.Value] {
						t.Errorf("duplicate id %q", a.Value)
					}
					st.ids[a.Value] = true
				}
				if depth == 1 {
					st.root[a.Name.Local] = a.Value
				}
			}
			inTitle = tk.Name.Local == "title" && depth == 2
			inDesc = tk.Name.Local == "desc" && depth == 2
		case xml.EndElement:
			depth--
			inTitle, inDesc = false, false
		case xml.CharData:
			if inTitle {
				st.title += string(tk)
			}
			if inDesc {
				st.desc += string(tk)
			}
		}
	}
	return st
}

// checkAccessible checks what every chart must have.
func checkAccessible(t *testing.T, f Figure) svgStats {
	t.Helper()
	st := inspect(t, string(f.SVG))
	if st.elements["svg"] != 1 {
		t.Fatalf("want one svg element, got %d", st.elements["svg"])
	}
	if st.root["role"] != "img" {
		t.Errorf("svg role = %q, want img", st.root["role"])
	}
	if st.root["width"] != "100%" || !strings.HasPrefix(st.root["viewBox"], "0 0 ") {
		t.Errorf("svg must scale: width=%q viewBox=%q", st.root["width"], st.root["viewBox"])
	}
	want := f.ID + "-title " + f.ID + "-desc"
	if st.root["aria-labelledby"] != want {
		t.Errorf("aria-labelledby = %q, want %q", st.root["aria-labelledby"], want)
	}
	if !st.ids[f.ID+"-title"] || !st.ids[f.ID+"-desc"] {
		t.Errorf("title/desc ids missing: %v", st.ids)
	}
	if st.title != f.Title {
		t.Errorf("title = %q, want %q", st.title, f.Title)
	}
	if strings.TrimSpace(st.desc) == "" {
		t.Errorf("empty desc")
	}
	if len(f.Table.Header) == 0 || len(f.Table.Rows) == 0 {
		t.Errorf("no table alternative: %+v", f.Table)
	}
	for i, r := range f.Table.Rows {
		if len(r) != len(f.Table.Header) {
			t.Errorf("table row %d has %d cells, header has %d", i, len(r), len(f.Table.Header))
		}
	}
	h := string(f.HTML())
	if strings.Contains(h, "style=") {
		t.Errorf("figure HTML has a style attribute")
	}
	for _, s := range []string{"<details", "Show as a table", "<table", string(f.SVG[:20])} {
		if !strings.Contains(h, s) {
			t.Errorf("figure HTML lacks %q", s)
		}
	}
	if got := strings.Count(h, `<tr class="nhsuk-table__row">`); got != len(f.Table.Rows) {
		t.Errorf("figure HTML has %d table rows, want %d", got, len(f.Table.Rows))
	}
	return st
}

func TestNiceTicks(t *testing.T) {
	tests := []struct {
		name     string
		lo, hi   float64
		maxTicks int
		want     []float64
	}{
		{"round up to 100", 0, 97, 5, []float64{0, 20, 40, 60, 80, 100}},
		{"step of 500", 0, 1234, 5, []float64{0, 500, 1000, 1500}},
		{"decimals", 0.1, 0.87, 5, []float64{0, 0.2, 0.4, 0.6, 0.8, 1}},
		{"negative", -3, 7, 5, []float64{-4, -2, 0, 2, 4, 6, 8}},
		{"reversed input", 7, -3, 5, []float64{-4, -2, 0, 2, 4, 6, 8}},
		{"single value", 50, 50, 4, []float64{45, 50, 55}},
		{"zero only", 0, 0, 4, []float64{-1, -0.5, 0, 0.5, 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := NiceTicks(tt.lo, tt.hi, tt.maxTicks)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("NiceTicks(%v, %v, %d) = %v, want %v", tt.lo, tt.hi, tt.maxTicks, got, tt.want)
			}
			for i := 1; i < len(got); i++ {
				step := got[i] - got[i-1]
				mag := math.Pow(10, math.Floor(math.Log10(step)))
				m := math.Round(step / mag)
				if m != 1 && m != 2 && m != 5 {
					t.Errorf("step %v is not 1, 2 or 5 times a power of ten", step)
				}
			}
		})
	}
}

func TestNumberFormats(t *testing.T) {
	tests := []struct {
		name string
		got  string
		want string
	}{
		{"millions", Number(1234567, 0), "1,234,567"},
		{"thousand", Number(1000, 0), "1,000"},
		{"hundreds", Number(999, 0), "999"},
		{"negative decimal", Number(-1234.5, 1), "-1,234.5"},
		{"negative rounding to zero", Number(-0.04, 1), "0.0"},
		{"NaN", Number(math.NaN(), 0), "–"},
		{"int", Int(52000), "52,000"},
		{"percent", Percent(0.256, 1), "25.6%"},
		{"pounds", Pounds(1234567.4), "£1,234,567"},
		{"negative pounds", Pounds(-12), "-£12"},
		{"pounds millions", PoundsShort(1250000), "£1.25m"},
		{"pounds thousands", PoundsShort(350000), "£350k"},
		{"pounds small", PoundsShort(999), "£999"},
		{"month label", MonthLabel(calendar.MustMonth("2019-04")), "Apr 2019"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Errorf("got %q, want %q", tt.got, tt.want)
			}
		})
	}
}

func TestMonthX(t *testing.T) {
	for _, s := range []string{"2013-04", "2019-12", "2020-01"} {
		t.Run(s, func(t *testing.T) {
			m := calendar.MustMonth(s)
			if got := XMonth(MonthX(m)); got != m {
				t.Errorf("XMonth(MonthX(%v)) = %v", m, got)
			}
		})
	}
}

func months(from string, n int, f func(i int) float64) []Point {
	m := calendar.MustMonth(from)
	out := make([]Point, n)
	for i := range out {
		out[i] = Point{MonthX(m.Add(i)), f(i)}
	}
	return out
}

func TestLine(t *testing.T) {
	tests := []struct {
		name      string
		chart     Line
		wantPaths int // line paths + band paths
		wantRows  int
		wantCols  int
	}{
		{
			name: "one series over months",
			chart: Line{Title: "Registered patients", X: Axis{Months: true}, Y: Axis{Title: "Patients", Zero: true},
				Series: []Series{{Name: "Patients", Points: months("2018-04", 12, func(i int) float64 { return 8000 + float64(i)*25 })}}},
			wantPaths: 1, wantRows: 12, wantCols: 2,
		},
		{
			name: "decile fan with gap",
			chart: Line{Title: "Items per 1,000 STAR-PU <compared>", X: Axis{Months: true}, Y: Axis{Title: "Items"},
				Series: []Series{
					{Name: "This practice", Points: months("2019-01", 30, func(i int) float64 {
						if i == 5 {
							return math.NaN()
						}
						return 40 + float64(i%7)
					})},
					{Name: "Median", Points: months("2019-01", 30, func(i int) float64 { return 42 }), Dashed: true},
				},
				Bands: []Band{{Name: "10th to 90th percentile",
					Lower: months("2019-01", 30, func(i int) float64 { return 35 }),
					Upper: months("2019-01", 30, func(i int) float64 { return 50 })}},
				References: []Reference{{Name: "National target", Value: 45, Dashed: true}},
			},
			wantPaths: 3, wantRows: 30, wantCols: 6,
		},
		{
			name:      "empty",
			chart:     Line{Title: "Nothing yet", Series: []Series{{Name: "None"}}},
			wantPaths: 1, wantRows: 0, wantCols: 2,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := tt.chart.Render()
			st := inspect(t, string(f.SVG))
			if tt.wantRows > 0 {
				st = checkAccessible(t, f)
			}
			if st.elements["path"] != tt.wantPaths {
				t.Errorf("paths = %d, want %d", st.elements["path"], tt.wantPaths)
			}
			if len(f.Table.Rows) != tt.wantRows || len(f.Table.Header) != tt.wantCols {
				t.Errorf("table %d rows x %d cols, want %d x %d: %v", len(f.Table.Rows), len(f.Table.Header), tt.wantRows, tt.wantCols, f.Table.Header)
			}
			if st.classes["ccg-chart__tick"] < 4 {
				t.Errorf("only %d tick labels", st.classes["ccg-chart__tick"])
			}
		})
	}
}

func TestLineGapBreaksPath(t *testing.T) {
	f := Line{Title: "Gap", Series: []Series{{Name: "A", Points: []Point{{1, 1}, {2, math.NaN()}, {3, 3}, {4, 4}}}}}.Render()
	// Two sub-paths: M..  M.. L..
	i := strings.Index(string(f.SVG), `class="ccg-chart__line"`)
	if i < 0 {
		t.Fatal("no line")
	}
	d := string(f.SVG)
	start := strings.LastIndex(d[:i], `d="`)
	path := d[start : strings.Index(d[start+3:], `"`)+start+3]
	if got := strings.Count(path, "M"); got != 2 {
		t.Errorf("path %q has %d moves, want 2", path, got)
	}
	if f.Table.Rows[1][1].Text != "–" {
		t.Errorf("gap shown as %q, want –", f.Table.Rows[1][1].Text)
	}
}

func TestPyramid(t *testing.T) {
	bands := []string{"0-4", "5-9", "10-14", "15-19", "20-24", "25-29", "30-34", "35-39", "40-44", "45-49",
		"50-54", "55-59", "60-64", "65-69", "70-74", "75-79", "80-84", "85-89", "90-94", "95+"}
	male, female := make([]float64, len(bands)), make([]float64, len(bands))
	for i := range bands {
		male[i] = float64(400 - i*15)
		female[i] = float64(390 - i*12)
	}
	tests := []struct {
		name    string
		percent bool
		cols    int
	}{
		{"counts", false, 4},
		{"percent", true, 6},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := Pyramid{Title: "Patients by age and sex, April 2019", Bands: bands, Male: male, Female: female, Percent: tt.percent, CSV: "/x.csv"}.Render()
			st := checkAccessible(t, f)
			if st.classes["ccg-chart__bar--male"] != len(bands) || st.classes["ccg-chart__bar--female"] != len(bands) {
				t.Errorf("bars: %d male, %d female; want %d each", st.classes["ccg-chart__bar--male"], st.classes["ccg-chart__bar--female"], len(bands))
			}
			if st.classes["ccg-chart__category"] != len(bands) {
				t.Errorf("band labels = %d", st.classes["ccg-chart__category"])
			}
			if len(f.Table.Header) != tt.cols {
				t.Errorf("header %v", f.Table.Header)
			}
			// oldest first in the table, like the chart reads top to bottom
			if f.Table.Rows[0][0].Text != "95+" || f.Table.Rows[0][3].Text != Int(400-19*15+390-19*12) {
				t.Errorf("first row %v", f.Table.Rows[0])
			}
			if !strings.Contains(string(f.HTML()), `href="/x.csv"`) {
				t.Error("CSV link missing")
			}
		})
	}
}

func TestBar(t *testing.T) {
	cats := []string{"The Very Long Named Medical Centre Of Somewhere", "Riverside Surgery", "Hill Practice"}
	tests := []struct {
		name  string
		chart Bar
		bars  int
	}{
		{"horizontal with highlight", Bar{Title: "Items", Categories: cats, Horizontal: true, Highlight: []string{"Riverside Surgery"},
			Series: []BarSeries{{Name: "Items per 1,000 patients", Values: []float64{12.5, 30, 22}}},
			Value:  Axis{Title: "Items"}, References: []Reference{{Name: "CCG average", Value: 20}}}, 3},
		{"grouped columns with missing value", Bar{Title: "Quarterly", Categories: []string{"Q1", "Q2", "Q3", "Q4"},
			Series: []BarSeries{{Name: "2018/19", Values: []float64{1, 2, 3, 4}}, {Name: "2019/20", Values: []float64{2, math.NaN(), 5}}},
			Value:  Axis{Title: "£", Format: PoundsShort}}, 6},
		{"negative values", Bar{Title: "Variance", Categories: []string{"A", "B"}, Series: []BarSeries{{Name: "v", Values: []float64{-5, 5}}}}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := tt.chart.Render()
			st := checkAccessible(t, f)
			if st.classes["ccg-chart__bar"] != tt.bars {
				t.Errorf("bars = %d, want %d", st.classes["ccg-chart__bar"], tt.bars)
			}
			if len(f.Table.Rows) != len(tt.chart.Categories) {
				t.Errorf("rows = %d", len(f.Table.Rows))
			}
		})
	}
	f := tests[0].chart.Render()
	if !strings.Contains(string(f.SVG), `fill="`+Orange+`" class="ccg-chart__bar"`) {
		t.Error("highlighted practice not drawn in orange")
	}
	if !strings.Contains(string(f.SVG), "…") || f.Table.Rows[0][0].Text != cats[0] {
		t.Error("long label should be cut in the chart and whole in the table")
	}
}

func TestFunnel(t *testing.T) {
	// Limits for a proportion of 0.2 at n: 0.2 ± z*sqrt(0.2*0.8/n).
	limit := func(name string, z float64) Limit {
		var up, lo []Point
		for n := 50.0; n <= 20000; n *= 1.25 {
			se := math.Sqrt(0.2 * 0.8 / n)
			up = append(up, Point{n, 0.2 + z*se})
			lo = append(lo, Point{n, math.Max(0, 0.2-z*se)})
		}
		return Limit{Name: name, Upper: up, Lower: lo}
	}
	limits := []Limit{limit("95% limits", 1.96), limit("99.8% limits", 3.09)}
	pts := []FunnelPoint{
		{Label: "A81001", X: 1000, Y: 0.21},
		{Label: "A81002", X: 5000, Y: 0.3},   // far above: outlier
		{Label: "A81003", X: 8000, Y: 0.188}, // below 95% but inside 99.8%
		{Label: "A81004", X: 3000, Y: 0.05, Chosen: true},
		{Label: "A81005", X: 300, Y: 0.24},
	}
	f := Funnel{Title: "Share of antibiotics that are broad-spectrum", X: Axis{Title: "Items"}, Y: Axis{Title: "Proportion", Format: func(v float64) string { return Percent(v, 1) }},
		Points: pts, Target: 0.2, TargetName: "CCG average", Limits: limits}.Render()
	st := checkAccessible(t, f)
	if st.classes["ccg-chart__point"] != len(pts) {
		t.Errorf("points = %d, want %d", st.classes["ccg-chart__point"], len(pts))
	}
	if st.classes["ccg-chart__point--outlier"] != 2 {
		t.Errorf("outliers = %d, want 2", st.classes["ccg-chart__point--outlier"])
	}
	if st.classes["ccg-chart__point--chosen"] != 1 || st.classes["ccg-chart__label"] != 1 {
		t.Errorf("chosen practice not ringed and labelled")
	}
	if st.classes["ccg-chart__limit"] != 4 {
		t.Errorf("limit curves = %d, want 4", st.classes["ccg-chart__limit"])
	}
	want := []string{"Within the limits", "Above the 99.8% limits (outlier)", "Below the 95% limits", "Below the 99.8% limits (outlier)", "Within the limits"}
	for i, w := range want {
		if got := f.Table.Rows[i][3].Text; got != w {
			t.Errorf("%s: %q, want %q", pts[i].Label, got, w)
		}
	}
	if !strings.Contains(f.Description, "Outside the 99.8% limits: 1 above, 1 below.") {
		t.Errorf("description: %s", f.Description)
	}
}

func TestPosition(t *testing.T) {
	l := []Limit{{Name: "95%", Upper: []Point{{0, 10}, {10, 6}}, Lower: []Point{{0, 0}, {10, 4}}}}
	tests := []struct {
		name string
		x, y float64
		want int
	}{
		{"inside", 5, 5, 0},
		{"above interpolated", 5, 8.1, 1},
		{"below interpolated", 5, 1.9, -1},
		{"beyond the curve holds the end", 20, 6.5, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Position(l, tt.x, tt.y); got != tt.want {
				t.Errorf("Position(%v, %v) = %d, want %d", tt.x, tt.y, got, tt.want)
			}
		})
	}
}

func TestDiverging(t *testing.T) {
	tests := []struct {
		name   string
		levels []string
		rows   []DivergingRow
	}{
		{"five levels with neutral", []string{"Strongly disagree", "Disagree", "Neither", "Agree", "Strongly agree"},
			[]DivergingRow{{"The practice is easy to reach by phone", []float64{10, 20, 15, 40, 15}}, {"Staff are helpful", []float64{2, 3, 5, 50, 40}}, {"No answers", []float64{0, 0, 0, 0, 0}}}},
		{"four levels", []string{"Very poor", "Poor", "Good", "Very good"},
			[]DivergingRow{{"Overall", []float64{5, 10, 50, 35}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := Diverging{Title: "GP patient survey", Levels: tt.levels, Rows: tt.rows}.Render()
			st := checkAccessible(t, f)
			if want := len(tt.levels) * len(tt.rows); st.classes["ccg-chart__bar"] != want {
				t.Errorf("segments = %d, want %d", st.classes["ccg-chart__bar"], want)
			}
			if len(f.Table.Header) != len(tt.levels)+2 {
				t.Errorf("header %v", f.Table.Header)
			}
		})
	}
	f := Diverging{Title: "x", Levels: tests[0].levels, Rows: tests[0].rows[:1]}.Render()
	if got := f.Table.Rows[0][4].Text; got != "40 (40%)" {
		t.Errorf("cell = %q, want 40 (40%%)", got)
	}
}

func TestBurnUp(t *testing.T) {
	fy := calendar.FinancialYear(2019)
	var actual, plan, forecast []Point
	for i, m := range fy.Months() {
		plan = append(plan, Point{MonthX(m), 100000})
		if i < 7 {
			actual = append(actual, Point{MonthX(m), 95000 + float64(i)*2000})
		} else {
			forecast = append(forecast, Point{MonthX(m), 105000})
		}
	}
	f := BurnUp{Title: "Prescribing spend 2019/20", X: Axis{Months: true}, Y: Axis{Title: "Spend", Format: PoundsShort},
		Actual: actual, Plan: plan, Forecast: forecast, Budget: 1200000}.Render()
	st := checkAccessible(t, f)
	if st.elements["path"] != 3 {
		t.Errorf("paths = %d, want 3 (actual, forecast, plan)", st.elements["path"])
	}
	if len(f.Table.Rows) != 12 {
		t.Fatalf("rows = %d", len(f.Table.Rows))
	}
	// After 7 months: 7*95000 + 2000*(0+..+6) = 665000 + 42000 = 707000.
	if got := f.Table.Rows[6][2].Value; got != 707000 {
		t.Errorf("cumulative after October = %v, want 707000", got)
	}
	if got := f.Table.Rows[11][3].Value; got != 707000+5*105000 {
		t.Errorf("forecast at March = %v", got)
	}
	if !strings.Contains(f.Description, "59% used") {
		t.Errorf("description %q", f.Description)
	}
	if !strings.Contains(string(f.SVG), "ccg-chart--burnup") {
		t.Error("burn-up class missing")
	}
	if f.Table.Rows[7][0].Text != "Nov 2019 (forecast)" {
		t.Errorf("forecast row label %q", f.Table.Rows[7][0].Text)
	}
}

func TestTableCSV(t *testing.T) {
	tb := Table{Header: []string{"Month", "Patients"}, Rows: [][]Cell{
		{Text("Apr 2019"), Num(12345, "12,345")},
		{Text("May, 2019"), Num(math.NaN(), "–")},
	}}
	var buf bytes.Buffer
	if err := tb.WriteCSV(&buf); err != nil {
		t.Fatal(err)
	}
	want := "Month,Patients\nApr 2019,12345\n\"May, 2019\",\n"
	if buf.String() != want {
		t.Errorf("CSV = %q, want %q", buf.String(), want)
	}
}

func TestEscaping(t *testing.T) {
	f := Bar{Title: `Items <script>alert("x")</script> & more`, Categories: []string{"A & B <C>"},
		Series: []BarSeries{{Name: "n", Values: []float64{1}}}}.Render()
	st := checkAccessible(t, f)
	if st.elements["script"] != 0 {
		t.Error("title text became markup")
	}
	if strings.Contains(string(f.HTML()), "<script>") {
		t.Error("figure HTML contains a script element")
	}
}

func TestMonthAxisTicks(t *testing.T) {
	tests := []struct {
		name      string
		from      string
		n         int
		wantLabel string
	}{
		{"one year: monthly or quarterly ticks", "2019-04", 12, "Apr 2019"},
		{"ten years: yearly ticks", "2010-01", 120, "2012"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := Line{Title: "t", X: Axis{Months: true}, Series: []Series{{Name: "s", Points: months(tt.from, tt.n, func(i int) float64 { return float64(i) })}}}.Render()
			if !strings.Contains(string(f.SVG), ">"+tt.wantLabel+"<") {
				t.Errorf("no tick %q in %s", tt.wantLabel, f.SVG)
			}
		})
	}
	_ = time.April
}
