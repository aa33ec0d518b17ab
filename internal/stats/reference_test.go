package stats

import (
	"encoding/csv"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// The reference vectors are PHEindicatormethods' own test data, kept
// outside the project in ../shared/data/stats (read-only; never copied in).
const refDir = "../../../shared/data/stats"

// table is a CSV file read into rows keyed by column name.
type table struct {
	name string
	cols []string
	rows []map[string]string
}

func readTable(t *testing.T, name string) table {
	t.Helper()
	f, err := os.Open(filepath.Join(refDir, name))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if len(recs) < 2 {
		t.Fatalf("%s: no data rows", name)
	}
	tab := table{name: name, cols: recs[0]}
	for _, r := range recs[1:] {
		m := make(map[string]string, len(r))
		for i, c := range recs[0] {
			if i < len(r) {
				m[c] = strings.TrimSpace(r[i])
			}
		}
		tab.rows = append(tab.rows, m)
	}
	return tab
}

// num parses a cell; "" and "NA" are NaN.
func num(t *testing.T, file string, row int, s string) float64 {
	t.Helper()
	if s == "" || s == "NA" {
		return math.NaN()
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatalf("%s row %d: bad number %q", file, row, s)
	}
	return v
}

// tolerance is a relative or absolute error bound.
type tolerance struct {
	rel bool
	val float64
}

func rel(v float64) tolerance { return tolerance{true, v} }
func abs(v float64) tolerance { return tolerance{false, v} }

func (tl tolerance) String() string {
	if tl.rel {
		return fmt.Sprintf("rel %g", tl.val)
	}
	return fmt.Sprintf("abs %g", tl.val)
}

// errOf returns the error of got against want under tl.
func (tl tolerance) errOf(got, want float64) float64 {
	d := math.Abs(got - want)
	if tl.rel && want != 0 {
		d /= math.Abs(want)
	}
	return d
}

// checker compares values and remembers the worst error per file.
type checker struct {
	t       *testing.T
	worst   map[string]float64
	worstAt map[string]string
	tol     map[string]tolerance
	checked map[string]int
}

func newChecker(t *testing.T) *checker {
	return &checker{t: t, worst: map[string]float64{}, worstAt: map[string]string{}, tol: map[string]tolerance{}, checked: map[string]int{}}
}

// check fails loudly, naming the file, row and column, when got is not
// within tl of want. want NaN (NA) requires got NaN.
func (c *checker) check(file string, row int, id, col string, got, want float64, tl tolerance) {
	c.t.Helper()
	c.checked[file]++
	if math.IsNaN(want) {
		if !math.IsNaN(got) {
			c.t.Errorf("%s row %d (%s) %s: got %.17g, want NA", file, row, id, col, got)
		}
		return
	}
	e := tl.errOf(got, want)
	if !(e <= tl.val) {
		c.t.Errorf("%s row %d (%s) %s: got %.17g, want %.17g (error %.3g > %s)", file, row, id, col, got, want, e, tl)
	}
	if _, ok := c.tol[file]; !ok || e > c.worst[file] || math.IsNaN(e) {
		c.worst[file] = e
		c.worstAt[file] = fmt.Sprintf("row %d %s", row, col)
		c.tol[file] = tl
	}
}

func (c *checker) checkLabel(file string, row int, id, col, got, want string) {
	c.t.Helper()
	c.checked[file]++
	if got != want {
		c.t.Errorf("%s row %d (%s) %s: got %q, want %q", file, row, id, col, got, want)
	}
}

func (c *checker) report() {
	names := make([]string, 0, len(c.checked))
	for n := range c.checked {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if tl, ok := c.tol[n]; ok {
			c.t.Logf("%-62s %4d values, worst error %.3g (%s, tolerance %s)", n, c.checked[n], c.worst[n], c.worstAt[n], tl)
		} else {
			c.t.Logf("%-62s %4d values (labels/NA only)", n, c.checked[n])
		}
	}
}

func skipWithoutReference(t *testing.T) {
	t.Helper()
	if _, err := os.Stat(refDir); err != nil {
		t.Skip("../shared/data/stats not present (a user's clone): reference vectors skipped")
	}
}

// TestReferenceVectors reproduces every row of every PHE reference file.
func TestReferenceVectors(t *testing.T) {
	skipWithoutReference(t)
	c := newChecker(t)
	defer c.report()

	t.Run("proportion_wilson", func(t *testing.T) { c.t = t; refProportion(c) })
	t.Run("byars_count_limits", func(t *testing.T) { c.t = t; refByars(c) })
	t.Run("rate_byars_exact", func(t *testing.T) { c.t = t; refRate(c) })
	t.Run("dsr", func(t *testing.T) { c.t = t; refDSR(c) })
	t.Run("isr", func(t *testing.T) { c.t = t; refISR(c) })
	t.Run("funnel_prop", func(t *testing.T) { c.t = t; refFunnelProp(c) })
	t.Run("funnel_ratio", func(t *testing.T) { c.t = t; refFunnelRatio(c) })
	t.Run("funnel_rate", func(t *testing.T) { c.t = t; refFunnelRate(c) })
	t.Run("funnel_compact", func(t *testing.T) { c.t = t; refFunnelCompact(c) })
	c.t = t
}

func refProportion(c *checker) {
	const f = "phe_proportion_wilson.csv"
	tab := readTable(c.t, f)
	for i, r := range tab.rows {
		row := i + 2 // line in the file
		x, n := num(c.t, f, row, r["numerator"]), num(c.t, f, row, r["denominator"])
		m, conf := num(c.t, f, row, r["multiplier"]), num(c.t, f, row, r["confidence"])
		est := Proportion(x, n, conf, m)
		if r["value"] != "" {
			c.check(f, row, r["case_id"], "value", est.Value, num(c.t, f, row, r["value"]), rel(1e-12))
		}
		c.check(f, row, r["case_id"], "lowercl", est.Lower, num(c.t, f, row, r["lowercl"]), rel(1e-12))
		c.check(f, row, r["case_id"], "uppercl", est.Upper, num(c.t, f, row, r["uppercl"]), rel(1e-12))
		if m == 1 {
			lo, hi := Wilson(x, n, conf)
			c.check(f, row, r["case_id"], "Wilson lower", lo, num(c.t, f, row, r["lowercl"]), rel(1e-12))
			c.check(f, row, r["case_id"], "Wilson upper", hi, num(c.t, f, row, r["uppercl"]), rel(1e-12))
		}
	}
}

func refByars(c *checker) {
	const f = "phe_byars_count_limits.csv"
	tab := readTable(c.t, f)
	for i, r := range tab.rows {
		row := i + 2
		lo, hi := Byar(num(c.t, f, row, r["count"]), num(c.t, f, row, r["confidence"]))
		c.check(f, row, r["case_id"], "byars_lower", lo, num(c.t, f, row, r["byars_lower"]), rel(1e-12))
		c.check(f, row, r["case_id"], "byars_upper", hi, num(c.t, f, row, r["byars_upper"]), rel(1e-12))
	}
}

func refRate(c *checker) {
	const f = "phe_rate_byars_exact.csv"
	tab := readTable(c.t, f)
	for i, r := range tab.rows {
		row := i + 2
		x, n := num(c.t, f, row, r["numerator"]), num(c.t, f, row, r["denominator"])
		m, conf := num(c.t, f, row, r["multiplier"]), num(c.t, f, row, r["confidence"])
		est := CrudeRate(x, n, conf, m)
		c.check(f, row, r["case_id"], "value", est.Value, num(c.t, f, row, r["value"]), rel(1e-12))
		c.check(f, row, r["case_id"], "lowercl", est.Lower, num(c.t, f, row, r["lowercl"]), rel(1e-12))
		c.check(f, row, r["case_id"], "uppercl", est.Upper, num(c.t, f, row, r["uppercl"]), rel(1e-12))
		c.checkLabel(f, row, r["case_id"], "method", est.Method.String(), r["method"])
		if est.Method == MethodExact {
			lo, hi := PoissonExact(x, conf)
			c.check(f, row, r["case_id"], "PoissonExact lower", lo/n*m, num(c.t, f, row, r["lowercl"]), rel(1e-12))
			c.check(f, row, r["case_id"], "PoissonExact upper", hi/n*m, num(c.t, f, row, r["uppercl"]), rel(1e-12))
		}
	}
}

// areaColumns groups an inputs table by area, keeping file order.
func areaColumns(c *checker, tab table, cols ...string) (map[string][][]float64, []string) {
	out := map[string][][]float64{}
	var order []string
	for i, r := range tab.rows {
		a := r["area"]
		if _, ok := out[a]; !ok {
			out[a] = make([][]float64, len(cols))
			order = append(order, a)
		}
		for j, col := range cols {
			out[a][j] = append(out[a][j], num(c.t, tab.name, i+2, r[col]))
		}
	}
	return out, order
}

func refDSR(c *checker) {
	in := readTable(c.t, "phe_dsr_inputs.csv")
	areas, _ := areaColumns(c, in, "count", "pop", "stdpop")
	const f = "phe_dsr_expected.csv"
	tab := readTable(c.t, f)
	for i, r := range tab.rows {
		row := i + 2
		a, ok := areas[r["area"]]
		if !ok {
			c.t.Fatalf("%s row %d: area %q not in phe_dsr_inputs.csv", f, row, r["area"])
		}
		m := num(c.t, f, row, r["multiplier"])
		omitted := strings.Contains(r["note"], "omitted")
		for _, lvl := range []struct {
			conf       float64
			lowC, uppC string
		}{{0.95, "lower95_0cl", "upper95_0cl"}, {0.998, "lower99_8cl", "upper99_8cl"}} {
			res, err := DSR(a[0], a[1], a[2], lvl.conf, m)
			if err != nil {
				c.t.Fatalf("%s row %d: DSR: %v", f, row, err)
			}
			c.check(f, row, r["area"], "total_count", res.TotalCount, num(c.t, f, row, r["total_count"]), rel(1e-12))
			c.check(f, row, r["area"], "total_pop", res.TotalPop, num(c.t, f, row, r["total_pop"]), rel(1e-12))
			c.check(f, row, r["area"], "value", res.Value, num(c.t, f, row, r["value"]), rel(1e-12))
			if r["value"] != "" {
				c.checkLabel(f, row, r["area"], "method", res.Method.String(), r["method"])
			}
			for _, cv := range []struct {
				col string
				got float64
			}{{lvl.lowC, res.Lower}, {lvl.uppC, res.Upper}} {
				if r[cv.col] == "" && omitted {
					continue // not asserted upstream (spreadsheet error)
				}
				c.check(f, row, r["area"], cv.col, cv.got, num(c.t, f, row, r[cv.col]), rel(1e-12))
			}
		}
	}
}

func refISR(c *checker) {
	in := readTable(c.t, "phe_isr_inputs.csv")
	areas, _ := areaColumns(c, in, "count", "pop", "refcount", "refpop")
	const f = "phe_isr_expected.csv"
	tab := readTable(c.t, f)
	for i, r := range tab.rows {
		row := i + 2
		a, ok := areas[r["area"]]
		if !ok {
			c.t.Fatalf("%s row %d: area %q not in phe_isr_inputs.csv", f, row, r["area"])
		}
		var observed float64
		for _, x := range a[0] {
			if !math.IsNaN(x) { // PHE: sum(x, na.rm = TRUE)
				observed += x
			}
		}
		mv := num(c.t, f, row, r["multiplier_or_refvalue"])
		isRate := r["function"] == "ISRate"
		mult := 1.0
		if isRate {
			mult = mv
		}
		for _, lvl := range []struct {
			conf       float64
			lowC, uppC string
		}{{0.95, "lower95_0cl", "upper95_0cl"}, {0.998, "lower99_8cl", "upper99_8cl"}} {
			res, err := ISR(observed, a[1], a[2], a[3], lvl.conf, mult)
			if err != nil {
				c.t.Fatalf("%s row %d: ISR: %v", f, row, err)
			}
			est := res.Rate
			if !isRate {
				est = Estimate{res.Ratio.Value * mv, res.Ratio.Lower * mv, res.Ratio.Upper * mv, res.Ratio.Method}
				if mv == 1 {
					est = res.Ratio
				}
			}
			c.check(f, row, r["area"], "observed", res.Observed, num(c.t, f, row, r["observed"]), rel(1e-12))
			c.check(f, row, r["area"], "expected", res.Expected, num(c.t, f, row, r["expected"]), rel(1e-12))
			if isRate {
				c.check(f, row, r["area"], "ref_rate", res.RefRate, num(c.t, f, row, r["ref_rate"]), rel(1e-12))
			}
			c.check(f, row, r["area"], "value", est.Value, num(c.t, f, row, r["value"]), rel(1e-12))
			c.checkLabel(f, row, r["area"], "method", est.Method.String(), r["method"])
			for _, cv := range []struct {
				col string
				got float64
			}{{lvl.lowC, est.Lower}, {lvl.uppC, est.Upper}} {
				if r[cv.col] == "" {
					continue // 99.8% limits not given for these rows
				}
				c.check(f, row, r["area"], cv.col, cv.got, num(c.t, f, row, r[cv.col]), rel(1e-12))
			}
		}
	}
}

func refFunnelProp(c *checker) {
	const fin = "phe_funnel_prop_inputs.csv"
	in := readTable(c.t, fin)
	pts := make([]PHEFunnelPoint, len(in.rows))
	for i, r := range in.rows {
		pts[i] = PHEFunnelPoint{Numerator: num(c.t, fin, i+2, r["numerator"]), Denominator: num(c.t, fin, i+2, r["denominator"])}
	}
	sig, err := PHEFunnelSignificance(pts, PHEProportion, 100)
	if err != nil {
		c.t.Fatalf("%s: %v", fin, err)
	}
	for i, r := range in.rows {
		c.checkLabel(fin, i+2, r["Area"], "significance", sig[i].String(), r["significance"])
	}

	const f = "phe_funnel_prop_limits.csv"
	tab := readTable(c.t, f)
	lim, err := PHEFunnelLimits(pts, PHEProportion, PHEFunnelOptions{Multiplier: 100})
	if err != nil {
		c.t.Fatalf("%s: %v", f, err)
	}
	if len(lim.Rows) != len(tab.rows) {
		c.t.Fatalf("%s: %d rows, PHEFunnelLimits gave %d", f, len(tab.rows), len(lim.Rows))
	}
	for i, r := range tab.rows {
		row, g := i+2, lim.Rows[i]
		id := r["Population"]
		c.check(f, row, id, "Population", g.X, num(c.t, f, row, r["Population"]), abs(0))
		c.check(f, row, id, "lower_2s_limit", g.Lower95, num(c.t, f, row, r["lower_2s_limit"]), abs(5e-7))
		c.check(f, row, id, "upper_2s_limit", g.Upper95, num(c.t, f, row, r["upper_2s_limit"]), abs(5e-7))
		c.check(f, row, id, "lower_3s_limit", g.Lower998, num(c.t, f, row, r["lower_3s_limit"]), abs(5e-7))
		c.check(f, row, id, "upper_3s_limit", g.Upper998, num(c.t, f, row, r["upper_3s_limit"]), abs(5e-7))
		c.check(f, row, id, "baseline", lim.Baseline, num(c.t, f, row, r["baseline"]), abs(5e-7))
		// The public single-point function gives the same limits.
		lo, hi := ProportionFunnel(g.X, lim.Average, 0.95)
		c.check(f, row, id, "ProportionFunnel 95% lower", lo*100, num(c.t, f, row, r["lower_2s_limit"]), abs(5e-7))
		c.check(f, row, id, "ProportionFunnel 95% upper", hi*100, num(c.t, f, row, r["upper_2s_limit"]), abs(5e-7))
		lo, hi = ProportionFunnel(g.X, lim.Average, 0.998)
		c.check(f, row, id, "ProportionFunnel 99.8% lower", lo*100, num(c.t, f, row, r["lower_3s_limit"]), abs(5e-7))
		c.check(f, row, id, "ProportionFunnel 99.8% upper", hi*100, num(c.t, f, row, r["upper_3s_limit"]), abs(5e-7))
	}
}

func refFunnelRatio(c *checker) {
	const fin = "phe_funnel_ratio_inputs.csv"
	in := readTable(c.t, fin)
	pts := make([]PHEFunnelPoint, len(in.rows))
	for i, r := range in.rows {
		pts[i] = PHEFunnelPoint{Numerator: num(c.t, fin, i+2, r["obs"]), Denominator: num(c.t, fin, i+2, r["expected"])}
	}
	sig, err := PHEFunnelSignificance(pts, PHERatio, 0)
	if err != nil {
		c.t.Fatalf("%s: %v", fin, err)
	}
	for i, r := range in.rows {
		c.checkLabel(fin, i+2, r["obs"]+"/"+r["expected"], "significance", sig[i].String(), r["significance"])
	}

	const f = "phe_funnel_ratio_limits.csv"
	tab := readTable(c.t, f)
	lim, err := PHEFunnelLimits(pts, PHERatio, PHEFunnelOptions{})
	if err != nil {
		c.t.Fatalf("%s: %v", f, err)
	}
	if len(lim.Rows) != len(tab.rows) {
		c.t.Fatalf("%s: %d rows, PHEFunnelLimits gave %d", f, len(tab.rows), len(lim.Rows))
	}
	for i, r := range tab.rows {
		row, g := i+2, lim.Rows[i]
		id := r["Observed_events"]
		c.check(f, row, id, "Observed_events", g.X, num(c.t, f, row, r["Observed_events"]), abs(0))
		for _, s := range []struct {
			pre       string
			ratio, at float64
		}{
			{"lower_2s", g.Lower95, g.Lower95At}, {"upper_2s", g.Upper95, g.Upper95At},
			{"lower_3s", g.Lower998, g.Lower998At}, {"upper_3s", g.Upper998, g.Upper998At},
		} {
			c.check(f, row, id, s.pre+"_exp_events", s.at, num(c.t, f, row, r[s.pre+"_exp_events"]), rel(1e-7))
			c.check(f, row, id, s.pre+"_count", s.ratio-1, num(c.t, f, row, r[s.pre+"_count"]), rel(1e-7))
			c.check(f, row, id, s.pre+"_isr", s.ratio*100, num(c.t, f, row, r[s.pre+"_isr"]), rel(1e-7))
		}
		// The public bisection gives the same expected counts ...
		l95, u95 := PoissonFunnelExpected(g.X, 0.95)
		l998, u998 := PoissonFunnelExpected(g.X, 0.998)
		c.check(f, row, id, "PoissonFunnelExpected 95% lower", l95, num(c.t, f, row, r["lower_2s_exp_events"]), rel(1e-7))
		c.check(f, row, id, "PoissonFunnelExpected 95% upper", u95, num(c.t, f, row, r["upper_2s_exp_events"]), rel(1e-7))
		c.check(f, row, id, "PoissonFunnelExpected 99.8% lower", l998, num(c.t, f, row, r["lower_3s_exp_events"]), rel(1e-7))
		c.check(f, row, id, "PoissonFunnelExpected 99.8% upper", u998, num(c.t, f, row, r["upper_3s_exp_events"]), rel(1e-7))
		// ... and the exact continuous curve passes through PHE's points
		// to the bisection's precision (README: up to 5e-5 relative).
		const fx = "phe_funnel_ratio_limits.csv (PoissonFunnel, exact gamma)"
		lo, _ := PoissonFunnel(num(c.t, f, row, r["lower_2s_exp_events"]), 0.95)
		_, hi := PoissonFunnel(num(c.t, f, row, r["upper_2s_exp_events"]), 0.95)
		c.check(fx, row, id, "lower_2s_isr", lo*100, num(c.t, f, row, r["lower_2s_isr"]), rel(5e-5))
		c.check(fx, row, id, "upper_2s_isr", hi*100, num(c.t, f, row, r["upper_2s_isr"]), rel(5e-5))
		lo, _ = PoissonFunnel(num(c.t, f, row, r["lower_3s_exp_events"]), 0.998)
		_, hi = PoissonFunnel(num(c.t, f, row, r["upper_3s_exp_events"]), 0.998)
		c.check(fx, row, id, "lower_3s_isr", lo*100, num(c.t, f, row, r["lower_3s_isr"]), rel(5e-5))
		c.check(fx, row, id, "upper_3s_isr", hi*100, num(c.t, f, row, r["upper_3s_isr"]), rel(5e-5))
	}
}

// rateInput is one row of phe_funnel_rate_inputs.csv.
type rateInput struct{ ev, rate, pop float64 }

func refFunnelRate(c *checker) {
	const fin = "phe_funnel_rate_inputs.csv"
	in := readTable(c.t, fin)
	rows := make([]rateInput, len(in.rows))
	maxEv := math.Inf(-1)
	for i, r := range in.rows {
		rows[i] = rateInput{num(c.t, fin, i+2, r["ev"]), num(c.t, fin, i+2, r["rate"]), num(c.t, fin, i+2, r["pop"])}
		maxEv = math.Max(maxEv, rows[i].ev)
	}

	// calculate_funnel_points, three ways, as PHE's tests call it.
	chart := func(stat PHEStatistic, years, maxEvTo float64, withDenom bool, rateCol, denCol string) {
		pts := make([]PHEFunnelPoint, len(rows))
		for i, r := range rows {
			ev := r.ev
			if ev == maxEv {
				ev = maxEvTo
			}
			pts[i] = PHEFunnelPoint{Numerator: ev, Denominator: math.NaN(), Rate: r.rate}
			if withDenom {
				pts[i].Denominator = r.pop
			}
		}
		got, err := PHEFunnelChartPoints(pts, stat, PHEFunnelOptions{Multiplier: 1e5, YearsOfData: years})
		if err != nil {
			c.t.Fatalf("%s: %v", fin, err)
		}
		for i, r := range in.rows {
			c.check(fin, i+2, r["ev"], rateCol, got[i].Rate, num(c.t, fin, i+2, r[rateCol]), rel(1e-8))
			c.check(fin, i+2, r["ev"], denCol, got[i].DenominatorPerYear, num(c.t, fin, i+2, r[denCol]), rel(1e-8))
		}
	}
	chart(PHERateDSR, 3, 5, false, "rate_chart", "denominator_derived")
	chart(PHERateCrude, 3, maxEv, false, "rate_chart_crude", "denominator_derived_crude")
	chart(PHERateCrude, 5, 0, true, "rate_chart_crude_with_denom", "denominator_derived_crude_with_denom")

	// calculate_funnel_limits for a DSR, and for a crude rate with a
	// zero-event area and denominators (rows filtered as PHE's test does).
	dsrPts := make([]PHEFunnelPoint, len(rows))
	for i, r := range rows {
		dsrPts[i] = PHEFunnelPoint{Numerator: r.ev, Denominator: math.NaN(), Rate: r.rate}
	}
	var crudePts []PHEFunnelPoint
	maxPop := math.Inf(-1)
	pops := make([]float64, len(rows))
	for i, r := range rows {
		pops[i] = 1e5 * r.ev / r.rate
		maxPop = math.Max(maxPop, pops[i])
	}
	for i, r := range rows {
		ev, rate := r.ev, r.rate
		if ev == maxEv {
			ev, rate = 0, 0
		}
		if pops[i] > maxPop/2 {
			crudePts = append(crudePts, PHEFunnelPoint{Numerator: ev, Denominator: pops[i], Rate: rate})
		}
	}
	for _, tc := range []struct {
		file string
		stat PHEStatistic
		pts  []PHEFunnelPoint
	}{
		{"phe_funnel_rate_limits_dsr.csv", PHERateDSR, dsrPts},
		{"phe_funnel_rate_limits_crude_zero_event_with_denominator.csv", PHERateCrude, crudePts},
	} {
		f := tc.file
		tab := readTable(c.t, f)
		lim, err := PHEFunnelLimits(tc.pts, tc.stat, PHEFunnelOptions{Multiplier: 1e5, YearsOfData: 3})
		if err != nil {
			c.t.Fatalf("%s: %v", f, err)
		}
		if len(lim.Rows) != len(tab.rows) {
			c.t.Fatalf("%s: %d rows, PHEFunnelLimits gave %d", f, len(tab.rows), len(lim.Rows))
		}
		for i, r := range tab.rows {
			row, g := i+2, lim.Rows[i]
			id := r["Events"]
			c.check(f, row, id, "Events", g.X, num(c.t, f, row, r["Events"]), abs(0))
			for _, s := range []struct {
				pre          string
				limit, popYr float64
			}{
				{"lower_2s", g.Lower95, g.Lower95At}, {"upper_2s", g.Upper95, g.Upper95At},
				{"lower_3s", g.Lower998, g.Lower998At}, {"upper_3s", g.Upper998, g.Upper998At},
			} {
				c.check(f, row, id, s.pre+"_population_1_year", s.popYr, num(c.t, f, row, r[s.pre+"_population_1_year"]), rel(1e-8))
				c.check(f, row, id, s.pre+"_limit", s.limit, num(c.t, f, row, r[s.pre+"_limit"]), rel(1e-8))
			}
			c.check(f, row, id, "baseline", lim.Baseline, num(c.t, f, row, r["baseline"]), rel(1e-8))
		}
	}
}

func refFunnelCompact(c *checker) {
	const f = "phe_funnel_limits_compact.csv"
	tab := readTable(c.t, f)
	for i, r := range tab.rows {
		row := i + 2
		id := r["case_id"]
		x := num(c.t, f, row, r["x"])
		p := num(c.t, f, row, r["p"])
		want := num(c.t, f, row, r["expected"])
		tl := parseTolerance(c, f, row, r["tolerance"])
		var conf float64
		switch p {
		case 0.975, 0.025:
			conf = 0.95
		case 0.999, 0.001:
			conf = 0.998
		default:
			c.t.Fatalf("%s row %d: unexpected p %v", f, row, p)
		}
		low := r["side"] == "low"
		var got float64
		switch r["statistic"] {
		case "proportion":
			lo, hi := ProportionFunnel(x, num(c.t, f, row, r["average"]), conf)
			got = hi
			if low {
				got = lo
			}
			got *= num(c.t, f, row, r["multiplier"])
		case "ratio":
			lE, uE := PoissonFunnelExpected(x, conf)
			got = lE // side "high" finds the expected count on the lower limit
			if low {
				got = uE
			}
		case "rate (dsr)":
			lE, uE := PoissonFunnelExpected(x, conf)
			e := lE
			if low {
				e = uE
			}
			got = x / (e / num(c.t, f, row, r["average"])) * num(c.t, f, row, r["multiplier"])
		default:
			c.t.Fatalf("%s row %d: unknown statistic %q", f, row, r["statistic"])
		}
		c.check(f, row, id, r["expected_column"], got, want, tl)
	}
}

// parseTolerance reads the compact file's tolerance column, e.g.
// "abs 5e-7 (values rounded to 6dp)" or "rel 1e-7 if upstream bisection
// replicated; ...": the first bound applies (the bisection is replicated).
func parseTolerance(c *checker, f string, row int, s string) tolerance {
	fields := strings.Fields(s)
	if len(fields) < 2 {
		c.t.Fatalf("%s row %d: bad tolerance %q", f, row, s)
	}
	v, err := strconv.ParseFloat(strings.TrimRight(fields[1], ";,"), 64)
	if err != nil {
		c.t.Fatalf("%s row %d: bad tolerance %q", f, row, s)
	}
	switch fields[0] {
	case "abs":
		return abs(v)
	case "rel":
		return rel(v)
	}
	c.t.Fatalf("%s row %d: bad tolerance %q", f, row, s)
	return tolerance{}
}
