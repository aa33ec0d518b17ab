package variation

import (
	"context"
	"fmt"
	"math"

	"ccg/internal/calendar"
	"ccg/internal/errs"
	"ccg/internal/stats"
)

// FunnelPlot is a funnel plot of the practices of one CCG (or of England)
// on one measure in one month: each practice's value against its
// denominator, with 95% and 99.8% control limits around the group's own
// average (Spiegelhalter's overdispersion adjustment where the practices
// vary more than chance allows).
type FunnelPlot struct {
	MeasureID string         `json:"measure_id"`
	Month     calendar.Month `json:"month"`
	// Within is the CCG code, or "" for all practices in England.
	Within  string         `json:"within"`
	Summary *FunnelSummary `json:"summary"` // nil when there are fewer than two practices with a value
	// Points are the practices with their limits and flags against this
	// funnel (not the national one stored with the values).
	Points []MeasureValue `json:"points"`
	// Curve gives the limits at denominators spanning the points, for
	// drawing the funnel.
	Curve []FunnelCurvePoint `json:"curve"`
}

// FunnelCurvePoint is the control limits at one denominator.
type FunnelCurvePoint struct {
	Denominator float64 `json:"denominator"`
	Lower95     float64 `json:"lower_95"`
	Upper95     float64 `json:"upper_95"`
	Lower998    float64 `json:"lower_998"`
	Upper998    float64 `json:"upper_998"`
}

// Funnel draws the funnel plot of a measure in a month for the practices of
// one CCG (ccg "" for all practices in England).
func (s *Service) Funnel(ctx context.Context, measureID string, month calendar.Month, ccg string) (FunnelPlot, error) {
	m, err := s.Measure(ctx, measureID)
	if err != nil {
		return FunnelPlot{}, err
	}
	if month.IsZero() {
		return FunnelPlot{}, fmt.Errorf("variation: funnel: a month is required: %w", errs.ErrInvalid)
	}
	vs, err := s.an.Values(ctx, ValueQuery{MeasureIDs: []string{measureID}, Month: month, Level: LevelPractice})
	if err != nil {
		return FunnelPlot{}, fmt.Errorf("variation: funnel %q: %w", measureID, err)
	}
	if ccg != "" {
		members, err := s.reg.Members(ctx, month)
		if err != nil {
			return FunnelPlot{}, fmt.Errorf("variation: funnel %q: %w", measureID, err)
		}
		in := map[string]bool{}
		for _, mem := range members {
			if mem.CCG == ccg {
				in[mem.Practice] = true
			}
		}
		if len(in) == 0 {
			return FunnelPlot{}, fmt.Errorf("variation: funnel: CCG %q has no practices in %s: %w", ccg, month, errs.ErrNotFound)
		}
		kept := vs[:0]
		for _, v := range vs {
			if in[v.OrgCode] {
				kept = append(kept, v)
			}
		}
		vs = kept
	}
	return BuildFunnel(m, month, ccg, vs), nil
}

// BuildFunnel computes a funnel plot from practice values: their limits and
// outlier flags are recomputed around the group's own average.
func BuildFunnel(m Measure, month calendar.Month, within string, values []MeasureValue) FunnelPlot {
	pts := make([]MeasureValue, len(values))
	copy(pts, values)
	for i := range pts {
		q := pts[i].Flags.Quality
		pts[i].Flags = Flags{Quality: q}
		pts[i].Limits = nil
	}
	fp := FunnelPlot{MeasureID: m.ID, Month: month, Within: within, Points: pts}
	sum, res := funnelResult(m, fp.Points)
	fp.Summary = sum
	if res == nil {
		return fp
	}
	lo, hi := math.Inf(1), 0.0
	for _, p := range fp.Points {
		if p.Value != nil && p.Denominator > 0 {
			lo, hi = math.Min(lo, p.Denominator), math.Max(hi, p.Denominator)
		}
	}
	fp.Curve = funnelCurve(res, lo, hi)
	return fp
}

// funnelCurve gives the limits in use (adjusted when res is) at 61
// denominators spaced evenly on a log scale from a little below lo to a
// little above hi, for drawing; none when hi is not positive.
func funnelCurve(res *stats.FunnelResult, lo, hi float64) []FunnelCurvePoint {
	if !(hi > 0) {
		return nil
	}
	lo = math.Max(lo/2, hi/1000)
	hi *= 1.1
	const steps = 60
	var out []FunnelCurvePoint
	for i := 0; i <= steps; i++ {
		d := lo * math.Pow(hi/lo, float64(i)/steps)
		l := res.LimitsAt(d)
		l95, l998 := l.L95, l.L998
		if res.Adjusted {
			l95, l998 = l.Adj95, l.Adj998
		}
		if !finite(l95.Lower, l95.Upper, l998.Lower, l998.Upper) {
			continue
		}
		out = append(out, FunnelCurvePoint{Denominator: d, Lower95: l95.Lower, Upper95: l95.Upper, Lower998: l998.Lower, Upper998: l998.Upper})
	}
	return out
}
