package chart

import (
	"strings"
	"testing"
)

// TestFunnelLimitsInView checks that the outermost limits are drawn within
// the plot whenever the legend names them (the data alone would have set an
// axis that clips them off), and that a practice outside only the inner
// limits has a marker and legend entry of its own.
func TestFunnelLimitsInView(t *testing.T) {
	curve := func(centre, width float64) (up, lo []Point) {
		for _, x := range []float64{100, 1000, 5000, 10000, 20000} {
			w := width * 1000 / x
			up = append(up, Point{X: x, Y: centre + w})
			lo = append(lo, Point{X: x, Y: centre - w})
		}
		return up, lo
	}
	u95, l95 := curve(50, 2)
	u998, l998 := curve(50, 3.2)
	f := Funnel{Title: "Test funnel", X: Axis{Title: "Patients"}, Y: Axis{Title: "Per cent"}, Target: 50,
		Limits: []Limit{{Name: "95% limits", Upper: u95, Lower: l95}, {Name: "99.8% limits", Upper: u998, Lower: l998}},
		Points: []FunnelPoint{{Label: "P1", X: 5000, Y: 50.1}, {Label: "P2", X: 8000, Y: 49.9}, {Label: "P3", X: 10000, Y: 50.25}, {Label: "P4", X: 9000, Y: 50}}}
	fig := f.Render()
	svg := string(fig.SVG)
	// The data span 49.9 to 50.25; the 99.8% limits at the median size
	// (9,000) are 50 ± 0.36: the axis must reach them.
	up := 50 + 3.2*1000/9000.0
	ylo, yhi := extent(append([]float64{49.9, 50.1, 50.25, 50}, f.limitsInView([]float64{5000, 8000, 10000, 9000}, []float64{50})...))
	if yhi < up-1e-9 || ylo > 100-up+1e-9 {
		t.Errorf("the axis spans %v to %v, which leaves out the 99.8%% limits at the median size (%v)", ylo, yhi, up)
	}
	if !strings.Contains(svg, "99.8% limits") {
		t.Error("the legend leaves out the 99.8% limits")
	}
	if !strings.Contains(svg, "Outside the 95% limits only") {
		t.Error("the legend has no entry for practices outside the 95% limits only")
	}
	if n := strings.Count(svg, "ccg-chart__point--warning"); n != 1 {
		t.Errorf("%d practices drawn as outside the 95%% limits only, want 1 (P3)", n)
	}
}
