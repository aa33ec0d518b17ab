package variation

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strings"

	"ccg/internal/calendar"
	"ccg/internal/stats"
)

// Indirect standardisation of measures.
//
// A crude rate per 1,000 patients favours practices with young lists and
// penalises those with old ones. The standardised figure compares what a
// practice did (observed) with what it would have done had its own patients
// been referred (or prescribed for) at the reference population's rates for
// their sex and age band (expected):
//
//	expected = Σ patients_b × reference rate_b
//	ratio    = observed / expected
//
// with exact Poisson limits below 10 events and Byar's approximation above
// (stats.StandardisedRatio, PHE's method), and an ISR funnel plot (ratio
// against expected) with overdispersion handled as the other funnels.
//
// Referral measures are standardised by sex and 5-year age band against, in
// order of preference: England's rates from an imported reference table;
// the CCG's own rates from its referrals by age band and sex; the CCG's
// rates from an imported reference table. Without any of these they are not
// standardised, and StdWhy says why. Prescribing measures whose denominator
// is the list size are standardised by ASTRO-PU: the expected count is the
// practice's ASTRO-PU weighted population times the items per ASTRO-PU of
// all the practices.

// BandCount is one practice's count of referrals for one sex and age band.
type BandCount struct {
	Practice string
	Sex      string // male or female
	AgeBand  string // "0-4", ..., "95+"
	Count    float64
}

// Referrals by band come from the analytics store; a store that implements
// this (internal/analytics/duckdb does) lets referral measures be
// standardised against the CCG's own rates.
type bandSource interface {
	// ReferralBands returns the month's referrals selected by a referral
	// measure's numerator, per practice, sex and age band (rows without a
	// sex or an age band are left out).
	ReferralBands(ctx context.Context, month calendar.Month, m Measure) ([]BandCount, error)
}

// Standardisation bases.
const (
	// BasisAgeSex: expected counts from reference rates by sex and 5-year
	// age band.
	BasisAgeSex = "age-sex"
	// BasisASTROPU: expected counts from the ASTRO-PU weighted list.
	BasisASTROPU = "astro-pu"
)

// Reference kinds (StdValue.Reference is one of these, or "ccg:" and a CCG code).
const (
	ReferenceEngland      = "england"
	ReferenceAllPractices = "all-practices"
	referenceCCGPrefix    = "ccg:"
)

// StdValue is a value's indirectly standardised ratio.
type StdValue struct {
	// Basis is BasisAgeSex or BasisASTROPU.
	Basis string `json:"basis"`
	// Reference is "england", "ccg:CODE" or "all-practices"; ReferenceNote
	// says in words which rates were used and where they came from.
	Reference     string `json:"reference"`
	ReferenceNote string `json:"reference_note"`
	// Observed and Expected are counts of events; Ratio = Observed /
	// Expected (1 = as the reference).
	Observed float64 `json:"observed"`
	Expected float64 `json:"expected"`
	Ratio    float64 `json:"ratio"`
	// Lower and Upper are the 95% limits of the ratio, Lower998 and
	// Upper998 the 99.8% limits; Method is "Exact" (fewer than 10 events)
	// or "Byars".
	Lower    float64 `json:"lower"`
	Upper    float64 `json:"upper"`
	Lower998 float64 `json:"lower_998"`
	Upper998 float64 `json:"upper_998"`
	Method   string  `json:"method"`
	// Limits are the ISR funnel's limits around 1 at this expected count
	// (overdispersion-adjusted when Limits.Adjusted), and the flags say
	// whether the ratio lies outside them.
	Limits  *Limits `json:"funnel_limits,omitempty"`
	High95  bool    `json:"high_95"`
	Low95   bool    `json:"low_95"`
	High998 bool    `json:"high_998"`
	Low998  bool    `json:"low_998"`
}

// Outlier reports whether the ratio lies outside the ISR funnel's 95% limits.
func (s *StdValue) Outlier() bool { return s != nil && (s.High95 || s.Low95 || s.High998 || s.Low998) }

// Standardisable reports whether a measure has a standardised form: every
// referral measure, and prescribing measures of items per 1,000 patients.
func Standardisable(m Measure) bool {
	if m.IsPercentage {
		return false
	}
	if m.Source == SourceReferrals {
		return true
	}
	return m.Denominator.Quantity == QuantityListSize && m.Numerator.Quantity == QuantityItems
}

// RefTable is one reference population's counts and patients by band key
// (BandKey(sex, band), or the single key "astro-pu").
type RefTable struct {
	ID     string // "england", "ccg:CODE", "all-practices"
	Note   string // plain words for pages
	Counts map[string]float64
	Pops   map[string]float64
}

// StdInput is what Compute needs to standardise one measure in one month.
type StdInput struct {
	Basis string
	// Refs are the reference tables by ID.
	Refs map[string]RefTable
	// RefOf names the reference table (an ID in Refs) of a practice's CCG;
	// a CCG with none is not standardised (Why says why).
	RefOf map[string]string
	// Why says, for pages, why practices of a CCG without a reference are
	// not standardised.
	Why string
}

// stdBands returns the practice's patients by band key for a basis.
func stdBands(basis string, p Population) map[string]float64 {
	if basis == BasisASTROPU {
		if !p.Banded {
			return nil
		}
		return map[string]float64{BasisASTROPU: p.ASTROPUItems}
	}
	return p.Bands
}

// standardise fills Std (or StdWhy) of practice values, and of localities,
// CCGs and England from their practices' observed and expected counts, and
// flags ratios against the ISR funnel of each level.
func standardise(in MonthInput, values []MeasureValue) {
	si := in.Std
	if si == nil {
		return
	}
	type sums struct {
		o, e                float64
		ref                 string
		has, mixed, missing bool
	}
	byPractice := map[string]*MeasureValue{}
	for i := range values {
		if values[i].Level == LevelPractice {
			byPractice[values[i].OrgCode] = &values[i]
		}
	}
	levelSums := map[Level]map[string]*sums{LevelLocality: {}, LevelCCG: {}, LevelEngland: {}}
	add := func(level Level, code string, o, e float64, ref string, ok bool) {
		s := levelSums[level][code]
		if s == nil {
			s = &sums{}
			levelSums[level][code] = s
		}
		if !ok {
			s.missing = true
			return
		}
		if !s.has {
			s.has, s.ref = true, ref
		} else if s.ref != ref {
			s.mixed = true
		}
		s.o += o
		s.e += e
	}
	done := map[string]bool{}
	for _, mem := range in.Members {
		v := byPractice[mem.Practice]
		if v == nil || done[mem.Practice] {
			continue
		}
		done[mem.Practice] = true
		refID, ok := si.RefOf[mem.CCG]
		ref, found := si.Refs[refID]
		if !ok || !found {
			v.StdWhy = si.Why
			add(LevelLocality, mem.Locality, 0, 0, "", false)
			add(LevelCCG, mem.CCG, 0, 0, "", false)
			add(LevelEngland, "", 0, 0, "", false)
			continue
		}
		bands := stdBands(si.Basis, in.Populations[mem.Practice])
		e, missing, example, covered := expectedCount(bands, ref)
		if covered && missing > 0 {
			v.StdWhy = fmt.Sprintf("Not standardised: the reference rates (%s) have no age band and sex for %.0f of this practice's patients "+
				"(for example %s), and leaving them out would understate what is expected. The reference table needs every band the list sizes have (0-4 to 95+, each sex).",
				ref.Note, missing, strings.Replace(example, ":", " ", 1))
			add(LevelLocality, mem.Locality, 0, 0, "", false)
			add(LevelCCG, mem.CCG, 0, 0, "", false)
			add(LevelEngland, "", 0, 0, "", false)
			continue
		}
		if !covered || !(e > 0) {
			v.StdWhy = "This practice has no list size by age and sex for the month, so its expected count cannot be worked out."
			if si.Basis == BasisASTROPU {
				v.StdWhy = "This practice has no list size by age and sex for the month, so its ASTRO-PU weighted list cannot be worked out."
			}
			add(LevelLocality, mem.Locality, 0, 0, "", false)
			add(LevelCCG, mem.CCG, 0, 0, "", false)
			add(LevelEngland, "", 0, 0, "", false)
			continue
		}
		v.Std = newStd(si.Basis, ref, v.Numerator, e)
		if mem.Locality != "" {
			add(LevelLocality, mem.Locality, v.Numerator, e, refID, true)
		}
		add(LevelCCG, mem.CCG, v.Numerator, e, refID, true)
		add(LevelEngland, "", v.Numerator, e, refID, true)
	}
	for i := range values {
		v := &values[i]
		if v.Level == LevelPractice {
			continue
		}
		s := levelSums[v.Level][v.OrgCode]
		switch {
		case s == nil:
			v.StdWhy = si.Why
		case s.mixed:
			v.StdWhy = "Its practices are standardised against different references, so they are not added together."
		case s.missing:
			v.StdWhy = "Not every practice here could be standardised (see each practice)."
		case s.e > 0:
			v.Std = newStd(si.Basis, si.Refs[s.ref], s.o, s.e)
		}
	}
	// The ISR funnel of each level but England.
	for _, level := range []Level{LevelPractice, LevelLocality, LevelCCG} {
		var idx []int
		for i := range values {
			if values[i].Level == level && values[i].Std != nil {
				idx = append(idx, i)
			}
		}
		stdFunnel(values, idx)
	}
}

// expectedCount is Σ patients_b × counts_b / pops_b over the practice's
// bands. missing counts the practice's patients in bands the reference has
// no patients in (example names one such band); covered is false when the
// practice has no bands at all.
func expectedCount(bands map[string]float64, ref RefTable) (e, missing float64, example string, covered bool) {
	if len(bands) == 0 {
		return 0, 0, "", false
	}
	keys := make([]string, 0, len(bands))
	for k := range bands {
		keys = append(keys, k)
	}
	sort.Strings(keys) // a fixed order: the same sum every time
	for _, k := range keys {
		p := ref.Pops[k]
		switch {
		case p > 0:
			e += bands[k] * ref.Counts[k] / p
		case bands[k] > 0:
			missing += bands[k]
			if example == "" {
				example = k
			}
		}
	}
	return e, missing, example, true
}

func newStd(basis string, ref RefTable, o, e float64) *StdValue {
	s := &StdValue{Basis: basis, Reference: ref.ID, ReferenceNote: ref.Note, Observed: o, Expected: e}
	r95, err := stats.StandardisedRatio(o, e, 0.95)
	if err != nil {
		return nil
	}
	r998, _ := stats.StandardisedRatio(o, e, 0.998)
	s.Ratio, s.Lower, s.Upper, s.Method = r95.Value, r95.Lower, r95.Upper, r95.Method.String()
	s.Lower998, s.Upper998 = r998.Lower, r998.Upper
	return s
}

// stdFunnel draws the ISR funnel (stats.FunnelSHMI: ratio against expected,
// exact Poisson limits, Spiegelhalter's overdispersion adjustment when φ > 1)
// over values[idx] and sets their funnel limits and flags. It returns the
// analysis, or nil when fewer than two values can be placed.
func stdFunnel(values []MeasureValue, idx []int) *stats.FunnelResult {
	var pts []stats.FunnelPoint
	var kept []int
	for _, i := range idx {
		s := values[i].Std
		s.Limits, s.High95, s.Low95, s.High998, s.Low998 = nil, false, false, false, false
		if s.Expected > 0 && s.Observed >= 0 {
			pts = append(pts, stats.FunnelPoint{Label: values[i].OrgCode, Numerator: s.Observed, Denominator: s.Expected})
			kept = append(kept, i)
		}
	}
	if len(pts) < 2 {
		return nil
	}
	res, err := stats.Funnel(pts, stats.FunnelOptions{Method: stats.FunnelSHMI})
	if err != nil {
		return nil
	}
	for j, p := range res.Points {
		s := values[kept[j]].Std
		l95, l998, z := p.L95, p.L998, p.Z
		if res.Adjusted {
			l95, l998, z = p.Adj95, p.Adj998, p.ZAdjusted
		}
		if finite(l95.Lower, l95.Upper, l998.Lower, l998.Upper) {
			if !finite(z) {
				z = math.Copysign(math.MaxFloat64, z)
			}
			s.Limits = &Limits{Lower95: l95.Lower, Upper95: l95.Upper, Lower998: l998.Lower, Upper998: l998.Upper, Adjusted: res.Adjusted, Z: z}
		}
		if p.Outlier95 {
			s.High95, s.Low95 = p.High, !p.High
		}
		if p.Outlier998 {
			s.High998, s.Low998 = p.High, !p.High
		}
	}
	return &res
}

// StdFunnelPlot is the ISR funnel of a group of practices: each practice's
// standardised ratio against its expected count, with control limits
// around 1.
type StdFunnelPlot struct {
	Summary *FunnelSummary `json:"summary"`
	// Points are the practices with a standardised ratio; their Std
	// limits and flags are against this funnel.
	Points []MeasureValue     `json:"points"`
	Curve  []FunnelCurvePoint `json:"curve"` // Denominator is the expected count
}

// BuildStdFunnel draws the ISR funnel of practice values (those without a
// standardised ratio are left out).
func BuildStdFunnel(values []MeasureValue) StdFunnelPlot {
	var fp StdFunnelPlot
	for _, v := range values {
		if v.Std != nil {
			c := *v.Std
			v.Std = &c
			fp.Points = append(fp.Points, v)
		}
	}
	idx := make([]int, len(fp.Points))
	for i := range idx {
		idx[i] = i
	}
	res := stdFunnel(fp.Points, idx)
	if res == nil {
		return fp
	}
	fp.Summary = &FunnelSummary{Method: "standardised ratio", Target: 1, Phi: res.Phi, Tau2: res.Tau2, Adjusted: res.Adjusted}
	lo, hi := math.Inf(1), 0.0
	for _, p := range fp.Points {
		lo, hi = math.Min(lo, p.Std.Expected), math.Max(hi, p.Std.Expected)
	}
	fp.Curve = funnelCurve(res, lo, hi)
	return fp
}

// ReferenceRate is one row of a referral reference table: an area's
// (England's or a CCG's) referrals to one treatment function in one month
// from registered patients of one sex and age band, and how many such
// patients there were.
type ReferenceRate struct {
	Month        calendar.Month
	Area         string // "england" or a CCG's ODS code
	FunctionCode string
	Sex          string // male or female
	AgeBand      string // "0-4", ..., "95+"
	Referrals    int64
	Patients     int64
}

// ReferenceStore keeps the referral reference tables a CCG imports
// (internal/store/sqlstore implements it).
type ReferenceStore interface {
	// ReplaceReferenceRates replaces, in one transaction, every row of
	// each (month, area) the rows hold with the rows, and returns how many
	// rows differ from what was stored (0 when the same table is imported
	// again).
	ReplaceReferenceRates(ctx context.Context, rows []ReferenceRate) (changed int, err error)
	// ReferenceRates returns the rows of one month, ordered by area,
	// function, sex and band.
	ReferenceRates(ctx context.Context, month calendar.Month) ([]ReferenceRate, error)
	// ReferenceRateMonths returns the months with rows, oldest first.
	ReferenceRateMonths(ctx context.Context) ([]calendar.Month, error)
}

// WhyNoReference is what pages say when a referral measure cannot be
// standardised.
const WhyNoReference = "Not standardised for age and sex: the referrals were imported without age bands and sex, and no table of " +
	"referral rates by age band and sex (national or for this CCG) has been imported. Import one with " +
	"`ccg import referral-rates FILE` (see docs/formats/referral-rates.md); until then only the crude rate per 1,000 patients is shown."

// referralStdInput works out the reference rates of a referral measure in a
// month: England's from the table when it has them, else each CCG's own
// rates from its referrals by band, else the CCG's rates from the table.
// Own rates are scaled so that the CCG's expected total equals its observed
// total (referrals without a band are then shared out in proportion).
func referralStdInput(m Measure, month calendar.Month, members []Member, pops map[string]Population, sums map[string]PracticeSums,
	bands []BandCount, table []ReferenceRate, tableMonth calendar.Month) *StdInput {
	si := &StdInput{Basis: BasisAgeSex, Refs: map[string]RefTable{}, RefOf: map[string]string{}, Why: WhyNoReference}
	f := CompileFilter(m.Numerator)
	tableRefs := map[string]RefTable{}
	patientsSeen := map[string]map[string]bool{}
	for _, r := range table {
		if !f.Match(r.FunctionCode) {
			continue
		}
		id := ReferenceEngland
		if !strings.EqualFold(r.Area, ReferenceEngland) {
			id = referenceCCGPrefix + r.Area
		}
		t, ok := tableRefs[id]
		if !ok {
			who := "England's"
			if id != ReferenceEngland {
				who = "CCG " + r.Area + "'s"
			}
			when := ""
			if tableMonth != month {
				when = " (the nearest month the table has)"
			}
			t = RefTable{ID: id, Note: fmt.Sprintf("%s referral rates by age band and sex for %s%s, from the imported reference table", who, tableMonth, when),
				Counts: map[string]float64{}, Pops: map[string]float64{}}
			tableRefs[id] = t
			patientsSeen[id] = map[string]bool{}
		}
		k := BandKey(r.Sex, r.AgeBand)
		t.Counts[k] += float64(r.Referrals)
		if !patientsSeen[id][k] { // the same patients stand behind every function
			patientsSeen[id][k] = true
			t.Pops[k] += float64(r.Patients)
		}
	}
	if eng, ok := tableRefs[ReferenceEngland]; ok {
		si.Refs[eng.ID] = eng
		for _, mem := range members {
			si.RefOf[mem.CCG] = eng.ID
		}
		return si
	}
	// Each CCG's own rates from banded referrals.
	ccgOf := map[string]string{}
	for _, mem := range members {
		ccgOf[mem.Practice] = mem.CCG
	}
	own := map[string]RefTable{}
	banded := map[string]bool{} // practices with banded referrals
	for _, b := range bands {
		ccg := ccgOf[b.Practice]
		if ccg == "" {
			continue
		}
		id := referenceCCGPrefix + ccg
		t, ok := own[id]
		if !ok {
			t = RefTable{ID: id, Note: "CCG " + ccg + "'s own referral rates by age band and sex in " + month.String() + ", from its referrals",
				Counts: map[string]float64{}, Pops: map[string]float64{}}
			own[id] = t
		}
		t.Counts[BandKey(b.Sex, b.AgeBand)] += b.Count
		banded[b.Practice] = true
	}
	for id, t := range own {
		ccg := strings.TrimPrefix(id, referenceCCGPrefix)
		observed := 0.0
		for _, mem := range members {
			if mem.CCG != ccg || !banded[mem.Practice] {
				continue
			}
			for k, n := range pops[mem.Practice].Bands {
				t.Pops[k] += n
			}
			observed += sums[mem.Practice].Numerator
		}
		expected := 0.0
		for k, c := range t.Counts {
			if t.Pops[k] > 0 {
				expected += c
			}
		}
		if expected > 0 && observed > 0 {
			for k := range t.Counts {
				t.Counts[k] *= observed / expected
			}
		}
	}
	for _, mem := range members {
		id := referenceCCGPrefix + mem.CCG
		if t, ok := own[id]; ok {
			si.Refs[id] = t
			si.RefOf[mem.CCG] = id
		} else if t, ok := tableRefs[id]; ok {
			si.Refs[id] = t
			si.RefOf[mem.CCG] = id
		}
	}
	return si
}

// astroPUStdInput is the ASTRO-PU standardisation of an items-per-1,000
// measure: one reference, the items per ASTRO-PU of all the practices.
func astroPUStdInput(members []Member, pops map[string]Population, sums map[string]PracticeSums) *StdInput {
	t := RefTable{ID: ReferenceAllPractices, Note: "items per ASTRO-PU (the 2013 age-sex prescribing units) of all the practices in ccg's data this month",
		Counts: map[string]float64{}, Pops: map[string]float64{}}
	seen := map[string]bool{}
	for _, mem := range members {
		if seen[mem.Practice] {
			continue
		}
		seen[mem.Practice] = true
		p := pops[mem.Practice]
		if !p.Banded {
			continue
		}
		t.Counts[BasisASTROPU] += sums[mem.Practice].Numerator
		t.Pops[BasisASTROPU] += p.ASTROPUItems
	}
	si := &StdInput{Basis: BasisASTROPU, Refs: map[string]RefTable{t.ID: t}, RefOf: map[string]string{},
		Why: "Not standardised: no practice has a list size by age and sex this month, so ASTRO-PUs cannot be worked out."}
	if t.Pops[BasisASTROPU] > 0 {
		for _, mem := range members {
			si.RefOf[mem.CCG] = t.ID
		}
	}
	return si
}

// nearestMonth picks, from months (oldest first), the latest at or before
// m, else the earliest; ok is false when there are none.
func nearestMonth(months []calendar.Month, m calendar.Month) (calendar.Month, bool) {
	if len(months) == 0 {
		return calendar.Month{}, false
	}
	best := months[0]
	for _, x := range months {
		if !m.Before(x) {
			best = x
		}
	}
	return best, true
}

// stdRecord is how a value's standardisation is kept by a store: one JSON
// text, so that adding figures needs no new column.
type stdRecord struct {
	Std *StdValue `json:"std,omitempty"`
	Why string    `json:"why,omitempty"`
}

// EncodeStd returns a value's standardisation as JSON for storage, or nil
// (SQL NULL) when it has none.
func EncodeStd(v MeasureValue) (any, error) {
	if v.Std == nil && v.StdWhy == "" {
		return nil, nil
	}
	b, err := json.Marshal(stdRecord{Std: v.Std, Why: v.StdWhy})
	if err != nil {
		return nil, fmt.Errorf("variation: encode standardised value: %w", err)
	}
	return string(b), nil
}

// DecodeStd sets v.Std and v.StdWhy from what EncodeStd made.
func DecodeStd(text string, v *MeasureValue) error {
	var r stdRecord
	if err := json.Unmarshal([]byte(text), &r); err != nil {
		return fmt.Errorf("variation: decode standardised value: %w", err)
	}
	v.Std, v.StdWhy = r.Std, r.Why
	return nil
}
