package variation

import (
	"math"
	"sort"

	"ccg/internal/calendar"
	"ccg/internal/stats"
)

// MonthInput is everything needed to compute one measure in one month.
type MonthInput struct {
	Measure Measure
	Month   calendar.Month
	// Members are the practices to compute for, with their locality and
	// CCG that month. Values are computed for exactly these practices: one
	// without any sums gets a numerator (and code-filtered denominator) of 0.
	Members []Member
	// Populations are the practices' list sizes that month.
	Populations map[string]Population
	// Sums are the practices' sums, by practice code.
	Sums map[string]PracticeSums
	// Issues are data-quality flags the imports recorded, by practice.
	Issues map[string][]string
	// Std, when not nil, standardises the measure (see StdInput).
	Std *StdInput
}

// Compute applies the rules to one measure in one month and returns the
// values at every level (practices, then localities, CCGs and England) and
// the deciles of each level but England.
func Compute(in MonthInput) ([]MeasureValue, []Deciles) {
	m := in.Measure
	popDen := m.Denominator.Quantity.FromPopulation()

	practices := make([]MeasureValue, 0, len(in.Members))
	seen := make(map[string]bool, len(in.Members))
	for _, mem := range in.Members {
		if seen[mem.Practice] {
			continue
		}
		seen[mem.Practice] = true
		s := in.Sums[mem.Practice]
		v := MeasureValue{
			MeasureID: m.ID, Level: LevelPractice, OrgCode: mem.Practice, Month: in.Month,
			Numerator: s.Numerator, Denominator: s.Denominator,
			NumCost: s.NumCost, NumQuantity: s.NumQuantity, DenCost: s.DenCost, DenQuantity: s.DenQuantity,
		}
		if popDen {
			pop, ok := in.Populations[mem.Practice]
			v.Denominator = pop.Of(m.Denominator.Quantity)
			if !ok || pop.ListSize <= 0 || (m.Denominator.Quantity != QuantityListSize && !pop.Banded) {
				v.Flags.Quality = append(v.Flags.Quality, QualityNoListSize)
			}
		}
		v.Flags.Quality = append(v.Flags.Quality, in.Issues[mem.Practice]...)
		practices = append(practices, v)
	}
	sort.Slice(practices, func(i, j int) bool { return practices[i].OrgCode < practices[j].OrgCode })

	// England's prices per unit, for the percentage cost model.
	var prices unitPrices
	for _, v := range practices {
		prices.numCost += v.NumCost
		prices.numQuantity += v.NumQuantity
		prices.denCost += v.DenCost
		prices.denQuantity += v.DenQuantity
	}

	var values []MeasureValue
	var deciles []Deciles

	practiceDeciles := computeLevel(m, in.Month, LevelPractice, practices, prices)
	values = append(values, practices...)
	deciles = append(deciles, practiceDeciles)

	for _, level := range []Level{LevelLocality, LevelCCG} {
		orgs := rollUp(m, in.Month, level, in.Members, practices)
		d := computeLevel(m, in.Month, level, orgs, prices)
		values = append(values, orgs...)
		deciles = append(deciles, d)
	}

	england := MeasureValue{MeasureID: m.ID, Level: LevelEngland, Month: in.Month}
	for _, v := range practices {
		england.Numerator += v.Numerator
		england.Denominator += v.Denominator
		england.NumCost += v.NumCost
		england.NumQuantity += v.NumQuantity
		england.DenCost += v.DenCost
		england.DenQuantity += v.DenQuantity
	}
	england.Value = ratio(england.Numerator, england.Denominator)
	if m.CostBased {
		england.CostSavings = practiceDeciles.CostSavings
	}
	values = append(values, england)
	standardise(in, values)
	return values, deciles
}

type unitPrices struct{ numCost, numQuantity, denCost, denQuantity float64 }

// costPerNum is England's cost per unit of the numerator's rows.
func (u unitPrices) costPerNum() float64 { return u.numCost / u.numQuantity }

// costPerDenom is England's cost per unit of the denominator's rows that
// are not in the numerator.
func (u unitPrices) costPerDenom() float64 {
	return (u.denCost - u.numCost) / (u.denQuantity - u.numQuantity)
}

func ratio(num, den float64) *float64 {
	if den == 0 || math.IsNaN(num) || math.IsNaN(den) {
		return nil
	}
	v := num / den
	if math.IsInf(v, 0) || math.IsNaN(v) {
		return nil
	}
	return &v
}

// rollUp sums practices into localities or CCGs.
func rollUp(m Measure, month calendar.Month, level Level, members []Member, practices []MeasureValue) []MeasureValue {
	byPractice := make(map[string]*MeasureValue, len(practices))
	for i := range practices {
		byPractice[practices[i].OrgCode] = &practices[i]
	}
	orgs := map[string]*MeasureValue{}
	done := map[string]bool{}
	for _, mem := range members {
		code := mem.CCG
		if level == LevelLocality {
			code = mem.Locality
		}
		if code == "" || done[mem.Practice] {
			continue
		}
		done[mem.Practice] = true
		p := byPractice[mem.Practice]
		if p == nil {
			continue
		}
		o := orgs[code]
		if o == nil {
			o = &MeasureValue{MeasureID: m.ID, Level: level, OrgCode: code, Month: month}
			orgs[code] = o
		}
		o.Numerator += p.Numerator
		o.Denominator += p.Denominator
		o.NumCost += p.NumCost
		o.NumQuantity += p.NumQuantity
		o.DenCost += p.DenCost
		o.DenQuantity += p.DenQuantity
		if len(p.Flags.Quality) > 0 && !contains(o.Flags.Quality, QualityMemberFlags) {
			o.Flags.Quality = append(o.Flags.Quality, QualityMemberFlags)
		}
	}
	out := make([]MeasureValue, 0, len(orgs))
	for _, o := range orgs {
		out = append(out, *o)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].OrgCode < out[j].OrgCode })
	return out
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// computeLevel fills values, percentiles, cost savings and funnel limits of
// the organisations of one level, and returns that level's deciles.
func computeLevel(m Measure, month calendar.Month, level Level, orgs []MeasureValue, prices unitPrices) Deciles {
	d := Deciles{MeasureID: m.ID, Level: level, Month: month, Values: map[int]float64{}}
	vals := make([]float64, len(orgs))
	for i := range orgs {
		o := &orgs[i]
		o.Value = ratio(o.Numerator, o.Denominator)
		d.Numerator += o.Numerator
		d.Denominator += o.Denominator
		if o.Value == nil {
			vals[i] = math.NaN()
			continue
		}
		vals[i] = *o.Value
		d.Count++
	}
	pct := stats.RankPercentiles(vals)
	for i := range orgs {
		if !math.IsNaN(pct[i]) {
			p := pct[i] * 100
			orgs[i].Percentile = &p
		}
	}
	dec := stats.Deciles(vals)
	if d.Count > 0 {
		for i, k := range DecileKeys {
			d.Values[k] = dec[i]
		}
	}
	if m.CostBased && d.Count > 0 {
		d.CostSavings = map[int]float64{}
		for _, k := range DecileKeys {
			d.CostSavings[k] = 0
		}
		for i := range orgs {
			o := &orgs[i]
			o.CostSavings = make(map[int]float64, len(DecileKeys))
			for _, k := range DecileKeys {
				var s float64
				if m.IsPercentage {
					s = CostSavingPercentage(o.DenCost, o.DenQuantity, o.NumCost, o.NumQuantity, d.Values[k], prices.costPerNum(), prices.costPerDenom())
				} else {
					s = CostSavingRate(o.Numerator, o.Denominator, d.Values[k])
				}
				if math.IsNaN(s) || math.IsInf(s, 0) {
					continue
				}
				o.CostSavings[k] = s
				if s > 0 {
					d.CostSavings[k] += s
				}
			}
		}
	}
	d.Funnel = funnel(m, orgs)
	return d
}

// CostSavingRate is the saving of an organisation with a rate (list-size)
// measure were it at decile value target: numerator − target × denominator.
func CostSavingRate(numerator, denominator, target float64) float64 {
	return numerator - target*denominator
}

// CostSavingPercentage is OpenPrescribing's saving for a cost-based
// percentage measure (typically "expensive brand or form as a share of all
// forms of a drug"): were the organisation's numerator share at target
// (a fraction), with its own prices per unit, its cost would be
//
//	target × denQ × numPrice + (denQ − target × denQ) × restPrice
//
// where numPrice is the numerator's cost per unit (England's when the
// organisation has no numerator quantity) and restPrice the cost per unit
// of the rest of the denominator (England's when the organisation has
// none); the saving is its actual denominator cost less that.
func CostSavingPercentage(denCost, denQuantity, numCost, numQuantity, target, englandNumPrice, englandRestPrice float64) float64 {
	if denQuantity == 0 {
		// Nothing prescribed: the model has no quantity to reprice.
		return denCost
	}
	numPrice := englandNumPrice
	if numQuantity > 0 {
		numPrice = numCost / numQuantity
	}
	restPrice := englandRestPrice
	if rest := denQuantity - numQuantity; rest != 0 {
		restPrice = (denCost - numCost) / rest
	}
	return denCost - (target*denQuantity*numPrice + (denQuantity-denQuantity*target)*restPrice)
}

// funnel computes funnel limits and outlier flags across the organisations
// with a value, and returns the summary (nil when no funnel can be drawn).
func funnel(m Measure, orgs []MeasureValue) *FunnelSummary {
	sum, _ := funnelResult(m, orgs)
	return sum
}

// funnelResult is funnel, also returning the analysis (for curves).
func funnelResult(m Measure, orgs []MeasureValue) (*FunnelSummary, *stats.FunnelResult) {
	method := stats.FunnelRate
	name := "rate"
	if m.IsPercentage {
		method, name = stats.FunnelProportion, "proportion"
	}
	var points []stats.FunnelPoint
	var idx []int
	for i := range orgs {
		o := &orgs[i]
		if o.Value == nil || o.Denominator <= 0 || o.Numerator < 0 {
			continue
		}
		if m.IsPercentage && o.Numerator > o.Denominator {
			o.Flags.Quality = append(o.Flags.Quality, QualityNumeratorExceedsDenominator)
			continue
		}
		points = append(points, stats.FunnelPoint{Label: o.OrgCode, Numerator: o.Numerator, Denominator: o.Denominator})
		idx = append(idx, i)
	}
	if len(points) < 2 {
		return nil, nil
	}
	res, err := stats.Funnel(points, stats.FunnelOptions{Method: method})
	if err != nil {
		return nil, nil
	}
	for j, p := range res.Points {
		o := &orgs[idx[j]]
		l95, l998, z := p.L95, p.L998, p.Z
		if res.Adjusted {
			l95, l998, z = p.Adj95, p.Adj998, p.ZAdjusted
		}
		lim := &Limits{Lower95: l95.Lower, Upper95: l95.Upper, Lower998: l998.Lower, Upper998: l998.Upper, Adjusted: res.Adjusted, Z: z}
		if math.IsInf(lim.Z, 1) {
			lim.Z = math.MaxFloat64
		} else if math.IsInf(lim.Z, -1) {
			lim.Z = -math.MaxFloat64
		}
		if finite(lim.Lower95, lim.Upper95, lim.Lower998, lim.Upper998, lim.Z) {
			o.Limits = lim
		}
		if p.Outlier95 {
			o.Flags.High95, o.Flags.Low95 = p.High, !p.High
		}
		if p.Outlier998 {
			o.Flags.High998, o.Flags.Low998 = p.High, !p.High
		}
	}
	return &FunnelSummary{Method: name, Target: res.Target, Phi: res.Phi, Tau2: res.Tau2, Adjusted: res.Adjusted}, &res
}

func finite(vs ...float64) bool {
	for _, v := range vs {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return false
		}
	}
	return true
}
