package stats

import (
	"errors"
	"fmt"
	"math"
	"sort"
)

// This file holds the funnel-plot analysis with Spiegelhalter's
// overdispersion adjustment, following the FunnelPlotR R package (NHS-R
// Community) that NHS analysts use for SHMI-style indicators.

// FunnelMethod selects the indicator type and its variance-stabilising
// transformation.
type FunnelMethod int

// The funnel methods.
const (
	// FunnelSHMI: a standardised ratio O/E (numerator observed, denominator
	// expected) on the log scale, y = log(O/E), s = 1/√E, target 0; the
	// NHS Digital SHMI method. Trimmed by truncation by default.
	FunnelSHMI FunnelMethod = iota
	// FunnelCQC: a standardised ratio O/E on the square-root scale,
	// y = √(O/E), s = 1/(2√E), target 1; the CQC / Spiegelhalter method.
	// Winsorised by default.
	FunnelCQC
	// FunnelProportion: numerator/denominator on the arcsine scale,
	// y = asin √(r/n), s = 1/(2√n), target asin √(Σr/Σn).
	FunnelProportion
	// FunnelRatioOfCounts: a ratio of two counts N/D on the log scale,
	// y = log((N + ½)/(D + ½)), s = √(N/(N + ½)² + D/(D + ½)²),
	// target log(ΣN/ΣD).
	FunnelRatioOfCounts
	// FunnelRate: events per population, treated as a standardised ratio
	// with expected events E = population × ΣO/Σpopulation on the log
	// scale (y = log(O/E), s = 1/√E); values and limits are rates
	// (events per head).
	FunnelRate
)

// String returns the method's name.
func (m FunnelMethod) String() string {
	switch m {
	case FunnelSHMI:
		return "SR (SHMI, log)"
	case FunnelCQC:
		return "SR (CQC, square root)"
	case FunnelProportion:
		return "proportion (arcsine)"
	case FunnelRatioOfCounts:
		return "ratio of counts (log)"
	case FunnelRate:
		return "rate (log)"
	}
	return fmt.Sprintf("FunnelMethod(%d)", int(m))
}

// Adjust controls the overdispersion adjustment.
type Adjust int

// The overdispersion settings.
const (
	// AdjustAuto (the default) flags outliers against the
	// overdispersion-adjusted limits when φ > 1 and against the unadjusted
	// limits otherwise, as FunnelPlotR does.
	AdjustAuto Adjust = iota
	// AdjustOff always uses the unadjusted limits.
	AdjustOff
	// AdjustOn always uses the adjusted limits (τ² may be 0, in which case
	// they are the unadjusted normal-approximation limits).
	AdjustOn
)

// Trim selects how extreme z-scores are kept from inflating φ.
type Trim int

// The trimming methods.
const (
	// TrimDefault truncates for FunnelSHMI and winsorises otherwise, as
	// FunnelPlotR does.
	TrimDefault Trim = iota
	// TrimWinsorise replaces z-scores below the TrimFraction quantile or
	// above the 1 − TrimFraction quantile (R type 7) by those quantiles.
	TrimWinsorise
	// TrimTruncate drops the points in the bottom and top TrimFraction of
	// z-score ranks (NHS Digital's SHMI method) from the estimate of φ and
	// τ².
	TrimTruncate
	// TrimNone uses every z-score as it is.
	TrimNone
)

// DefaultTrimFraction is the fraction trimmed at each end by default (10%).
const DefaultTrimFraction = 0.1

// FunnelOptions configures Funnel. The zero value is the SHMI method with
// automatic adjustment and 10% truncation.
type FunnelOptions struct {
	Method FunnelMethod
	Adjust Adjust
	Trim   Trim
	// TrimFraction is the fraction winsorised or truncated at each end,
	// in [0, 0.5); 0 means DefaultTrimFraction. Use Trim = TrimNone for no
	// trimming.
	TrimFraction float64
	// RoundExpected rounds expected counts to 2 decimal places before
	// anything else, as the SHMI publication (and FunnelPlotR's default
	// SHMI_rounding, which calls R's round(x, 2)) does, with R's rounding
	// (RoundR: an exact half goes to the even digit; a double just below a
	// half goes down). Only used by FunnelSHMI.
	RoundExpected bool
}

// FunnelPoint is one organisation: for standardised ratios the numerator is
// the observed and the denominator the expected count; for proportions the
// numerator is the count with the attribute and the denominator the total;
// for rates the denominator is the population.
type FunnelPoint struct {
	Label       string
	Numerator   float64
	Denominator float64
}

// Limits is a pair of control limits on the indicator's natural scale.
type Limits struct {
	Lower float64
	Upper float64
}

// FunnelLimits holds the 95% and 99.8% control limits at one denominator,
// unadjusted and overdispersion-adjusted.
type FunnelLimits struct {
	L95, L998     Limits // unadjusted
	Adj95, Adj998 Limits // with τ² added to the within-unit variance
}

// FunnelPointResult is one organisation's place in the funnel.
type FunnelPointResult struct {
	FunnelPoint
	// Value is the indicator on its natural scale: O/E for ratios,
	// proportion (0..1), N/D, or rate per head.
	Value float64
	// Y and S are the transformed value and its standard error.
	Y, S float64
	// Z is the unadjusted z-score (Y − target)/S.
	Z float64
	// ZTrimmed is the z-score used for φ: winsorised, or NaN when the
	// point was truncated.
	ZTrimmed float64
	// Trimmed reports whether the point was winsorised or truncated.
	Trimmed bool
	// ZAdjusted is the overdispersion-adjusted z-score (Y − target)/√(S² + τ²).
	ZAdjusted float64
	FunnelLimits
	// Outlier95 and Outlier998 flag values strictly outside the 95% and
	// 99.8% limits (the adjusted limits when the result is Adjusted). A
	// value exactly on a limit is not an outlier.
	Outlier95, Outlier998 bool
	// High reports whether the value is above the target (meaningful for
	// outliers: high or low outlier).
	High bool
}

// FunnelResult is a whole funnel analysis.
type FunnelResult struct {
	Method FunnelMethod
	// Target is the centre line on the natural scale: 1 for standardised
	// ratios, Σ numerators / Σ denominators otherwise.
	Target float64
	// TargetY is the centre line on the transformed scale.
	TargetY float64
	// Phi is the overdispersion ratio φ = Σ z_w² / n over the n trimmed
	// z-scores (1 means Poisson/binomial variation only).
	Phi float64
	// Tau2 is the between-unit variance τ² on the transformed scale.
	Tau2 float64
	// N is the number of z-scores φ and τ² were estimated from.
	N int
	// Adjusted reports whether outliers were flagged against the
	// overdispersion-adjusted limits.
	Adjusted bool
	Points   []FunnelPointResult
}

// z-values for the two funnel limits.
var (
	z95  = NormalQuantile(0.975)
	z998 = NormalQuantile(0.999)
)

// Funnel analyses a set of organisations as a funnel plot with
// Spiegelhalter's additive random-effects overdispersion adjustment, as the
// FunnelPlotR package does:
//
//  1. transform each value to y with standard error s (see FunnelMethod)
//     and compute z = (y − θ)/s about the target θ;
//  2. winsorise (or, for SHMI, truncate) the z-scores at TrimFraction at
//     each end;
//  3. φ = (1/n) Σ z_w² over the n trimmed z-scores;
//  4. τ² = max(0, (nφ − (n − 1)) / (Σw − Σw²/Σw)), w = 1/s², over the same
//     n points (DerSimonian–Laird);
//  5. adjusted limits θ ± z_α √(s² + τ²), back-transformed; adjusted
//     z-scores (y − θ)/√(s² + τ²).
//
// Unadjusted limits are exact Poisson limits for standardised ratios and
// rates (PoissonFunnel, the PHE/Spiegelhalter interpolated limits; FunnelPlotR
// uses the chi-square limits of a count equal to E, which differ slightly)
// and the normal approximation on the transformed scale otherwise. For the
// CQC method the adjusted limits are squared back to the ratio scale. For
// ratios of counts each point's limits use its own s, so flags agree with
// its z-score; the curve (FunnelResult.LimitsAt) uses s at N = target × D.
// z_α is Φ⁻¹(0.975) and Φ⁻¹(0.999) to full precision (FunnelPlotR uses
// 1.959964 and 3.090232).
//
// Points are flagged as outliers when strictly outside the limits in use
// (see Adjust). It returns an error when there are no points, a numerator
// is negative, a denominator is not positive, a proportion exceeds 1, any
// number is NaN or infinite, or the options are invalid.
//
// Sources: Spiegelhalter DJ. Funnel plots for comparing institutional
// performance. Stat Med 2005;24:1185-1202. Spiegelhalter DJ. Handling
// over-dispersion of performance indicators. Qual Saf Health Care
// 2005;14:347-351. Spiegelhalter DJ et al. Statistical methods for
// healthcare regulation: rating, screening and surveillance. J R Stat Soc
// A 2012;175:1-47. DerSimonian R, Laird N. Meta-analysis in clinical
// trials. Control Clin Trials 1986;7:177-188. NHS Digital. SHMI
// methodology. Mainey C. FunnelPlotR (R package), NHS-R Community.
func Funnel(points []FunnelPoint, opts FunnelOptions) (FunnelResult, error) {
	res := FunnelResult{Method: opts.Method}
	if len(points) == 0 {
		return res, errors.New("stats: Funnel needs at least one point")
	}
	if opts.Method < FunnelSHMI || opts.Method > FunnelRate {
		return res, fmt.Errorf("stats: unknown funnel method %d", opts.Method)
	}
	if opts.Adjust < AdjustAuto || opts.Adjust > AdjustOn {
		return res, fmt.Errorf("stats: unknown adjust setting %d", opts.Adjust)
	}
	if opts.Trim < TrimDefault || opts.Trim > TrimNone {
		return res, fmt.Errorf("stats: unknown trim setting %d", opts.Trim)
	}
	trim := opts.TrimFraction
	if trim == 0 {
		trim = DefaultTrimFraction
	}
	if math.IsNaN(trim) || trim < 0 || trim >= 0.5 {
		return res, fmt.Errorf("stats: trim fraction %v must be in [0, 0.5)", opts.TrimFraction)
	}
	trimMethod := opts.Trim
	if trimMethod == TrimDefault {
		trimMethod = TrimWinsorise
		if opts.Method == FunnelSHMI {
			trimMethod = TrimTruncate
		}
	}

	pts := make([]FunnelPointResult, len(points))
	var sumN, sumD float64
	for i, p := range points {
		if !finite(p.Numerator, p.Denominator) {
			return res, fmt.Errorf("stats: point %d (%q): numerator and denominator must be finite numbers", i, p.Label)
		}
		if p.Numerator < 0 {
			return res, fmt.Errorf("stats: point %d (%q): numerator %v is negative", i, p.Label, p.Numerator)
		}
		d := p.Denominator
		if opts.Method == FunnelSHMI && opts.RoundExpected {
			d = RoundR(d, 2)
		}
		if d <= 0 {
			return res, fmt.Errorf("stats: point %d (%q): denominator %v must be positive", i, p.Label, p.Denominator)
		}
		if opts.Method == FunnelProportion && p.Numerator > d {
			return res, fmt.Errorf("stats: point %d (%q): numerator %v exceeds denominator %v", i, p.Label, p.Numerator, d)
		}
		pts[i].FunnelPoint = p
		pts[i].Denominator = d
		sumN += p.Numerator
		sumD += d
	}

	switch opts.Method {
	case FunnelSHMI, FunnelCQC:
		res.Target = 1
	default:
		res.Target = sumN / sumD
	}
	t := res.Target
	switch opts.Method {
	case FunnelSHMI:
		res.TargetY = 0
	case FunnelCQC:
		res.TargetY = 1
	case FunnelProportion:
		res.TargetY = math.Asin(math.Sqrt(t))
	case FunnelRatioOfCounts:
		res.TargetY = logf(t)
	case FunnelRate:
		res.TargetY = 0 // log((O/n)/t) = log(O/E)
	}
	if opts.Method == FunnelRatioOfCounts || opts.Method == FunnelRate {
		if !(t > 0) {
			return res, errors.New("stats: the target (Σ numerators / Σ denominators) is zero, so a log-scale funnel is undefined")
		}
	}

	for i := range pts {
		p := &pts[i]
		o, d := p.Numerator, p.Denominator
		p.Value = o / d
		switch opts.Method {
		case FunnelSHMI:
			p.Y = logf(o / d)
			p.S = 1 / math.Sqrt(d)
		case FunnelCQC:
			p.Y = math.Sqrt(o / d)
			p.S = 1 / (2 * math.Sqrt(d))
		case FunnelProportion:
			p.Y = math.Asin(math.Sqrt(o / d))
			p.S = 1 / (2 * math.Sqrt(d))
		case FunnelRatioOfCounts:
			p.Y = logf((o + 0.5) / (d + 0.5))
			p.S = math.Sqrt(o/((o+0.5)*(o+0.5)) + d/((d+0.5)*(d+0.5)))
		case FunnelRate:
			e := d * t
			p.Y = logf(o / e)
			p.S = 1 / math.Sqrt(e)
		}
		if opts.Method == FunnelSHMI {
			p.Z = math.Sqrt(d) * logf(o/d) // FunnelPlotR's form
		} else {
			p.Z = (p.Y - res.TargetY) / p.S
		}
		p.ZTrimmed = p.Z
		p.High = p.Value > t
	}

	// Trim the z-scores.
	zs := make([]float64, len(pts))
	for i := range pts {
		zs[i] = pts[i].Z
	}
	switch trimMethod {
	case TrimWinsorise:
		sorted := append([]float64(nil), zs...)
		sort.Float64s(sorted)
		lz := quantileSorted(sorted, trim)
		uz := quantileSorted(sorted, 1-trim)
		for i := range pts {
			z := pts[i].Z
			pts[i].Trimmed = !(z > lz && z < uz)
			if z < lz {
				pts[i].ZTrimmed = lz
			} else if z > uz {
				pts[i].ZTrimmed = uz
			}
		}
	case TrimTruncate:
		k := 1 / trim
		ranks := averageRanks(zs)
		n1 := float64(len(zs) + 1)
		for i := range pts {
			sp := math.Floor(ranks[i] * k / n1)
			if !(sp > 0 && sp < k-1) {
				pts[i].Trimmed = true
				pts[i].ZTrimmed = math.NaN()
			}
		}
	}

	// φ and τ² over the kept points.
	var n int
	var sumZ2, sumW, sumW2 float64
	for i := range pts {
		if math.IsNaN(pts[i].ZTrimmed) {
			continue
		}
		n++
		sumZ2 += pts[i].ZTrimmed * pts[i].ZTrimmed
		w := 1 / (pts[i].S * pts[i].S)
		sumW += w
		sumW2 += w * w
	}
	res.N = n
	if n == 0 {
		res.Phi, res.Tau2 = math.NaN(), 0
	} else {
		nf := float64(n)
		res.Phi = sumZ2 / nf
		res.Tau2 = 0
		den := sumW - sumW2/sumW
		if num := nf*res.Phi - (nf - 1); num > 0 && den > 0 {
			res.Tau2 = num / den
		}
	}
	switch opts.Adjust {
	case AdjustOn:
		res.Adjusted = true
	case AdjustAuto:
		res.Adjusted = res.Phi > 1
	}

	for i := range pts {
		p := &pts[i]
		p.ZAdjusted = (p.Y - res.TargetY) / math.Sqrt(p.S*p.S+res.Tau2)
		p.FunnelLimits = res.limitsAtS(p.Denominator, p.S)
		l95, l998 := p.L95, p.L998
		if res.Adjusted {
			l95, l998 = p.Adj95, p.Adj998
		}
		p.Outlier95 = p.Value < l95.Lower || p.Value > l95.Upper
		p.Outlier998 = p.Value < l998.Lower || p.Value > l998.Upper
	}
	res.Points = pts
	return res, nil
}

// LimitsAt returns the control limits at a denominator (expected count,
// sample size or population), for drawing the funnel's curves. It returns
// NaN limits for a denominator that is not positive.
func (r FunnelResult) LimitsAt(denominator float64) FunnelLimits {
	if !finite(denominator) || denominator <= 0 {
		nan := Limits{math.NaN(), math.NaN()}
		return FunnelLimits{nan, nan, nan, nan}
	}
	var s float64
	d := denominator
	switch r.Method {
	case FunnelSHMI:
		s = 1 / math.Sqrt(d)
	case FunnelCQC, FunnelProportion:
		s = 1 / (2 * math.Sqrt(d))
	case FunnelRatioOfCounts:
		o := r.Target * d
		s = math.Sqrt(o/((o+0.5)*(o+0.5)) + d/((d+0.5)*(d+0.5)))
	case FunnelRate:
		s = 1 / math.Sqrt(d*r.Target)
	}
	return r.limitsAtS(d, s)
}

// limitsAtS returns the limits at denominator d with standard error s on
// the transformed scale.
func (r FunnelResult) limitsAtS(d, s float64) FunnelLimits {
	var fl FunnelLimits
	sdAdj := math.Sqrt(s*s + r.Tau2)
	switch r.Method {
	case FunnelSHMI, FunnelCQC:
		fl.L95.Lower, fl.L95.Upper = PoissonFunnel(d, 0.95)
		fl.L998.Lower, fl.L998.Upper = PoissonFunnel(d, 0.998)
	case FunnelRate:
		e := d * r.Target
		lo, hi := PoissonFunnel(e, 0.95)
		fl.L95 = Limits{lo * r.Target, hi * r.Target}
		lo, hi = PoissonFunnel(e, 0.998)
		fl.L998 = Limits{lo * r.Target, hi * r.Target}
	default:
		fl.L95 = r.backTransform(z95, s)
		fl.L998 = r.backTransform(z998, s)
	}
	fl.Adj95 = r.backTransform(z95, sdAdj)
	fl.Adj998 = r.backTransform(z998, sdAdj)
	return fl
}

// backTransform returns the limits θ ± z·sd on the transformed scale,
// mapped back to the natural scale.
func (r FunnelResult) backTransform(z, sd float64) Limits {
	lo, hi := r.TargetY-z*sd, r.TargetY+z*sd
	switch r.Method {
	case FunnelSHMI:
		return Limits{math.Exp(lo), math.Exp(hi)}
	case FunnelCQC:
		l := math.Max(lo, 0)
		return Limits{l * l, hi * hi}
	case FunnelProportion:
		// asin √p lives on [0, π/2]; clamp before squaring the sine.
		lo = math.Max(lo, 0)
		hi = math.Min(hi, math.Pi/2)
		sl, sh := math.Sin(lo), math.Sin(hi)
		return Limits{sl * sl, math.Min(1, sh*sh)}
	case FunnelRatioOfCounts:
		return Limits{math.Exp(lo), math.Exp(hi)}
	case FunnelRate:
		return Limits{r.Target * math.Exp(lo), r.Target * math.Exp(hi)}
	}
	return Limits{math.NaN(), math.NaN()}
}

// averageRanks returns the ranks of xs (1-based) with ties given their
// average rank, as R's rank(ties.method = "average").
func averageRanks(xs []float64) []float64 {
	idx := make([]int, len(xs))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return xs[idx[a]] < xs[idx[b]] })
	ranks := make([]float64, len(xs))
	for i := 0; i < len(idx); {
		j := i
		for j+1 < len(idx) && xs[idx[j+1]] == xs[idx[i]] {
			j++
		}
		avg := float64(i+j)/2 + 1
		for k := i; k <= j; k++ {
			ranks[idx[k]] = avg
		}
		i = j + 1
	}
	return ranks
}
