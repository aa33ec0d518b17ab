// Package variation holds prescribing and referral measures: what a measure
// is (a numerator over a denominator, written as a data file in ccg's own
// format or as an OpenPrescribing measure definition), how the BNF hierarchy
// is read from a code, and the rules that turn per-practice sums into values
// for every practice, locality, CCG and England each month, with
// percentiles, deciles, cost savings, funnel limits, outlier flags and
// data-quality flags.
//
// The rules are OpenPrescribing's, so that figures reconcile with it:
//
//   - practice value = numerator / denominator, none when the denominator is 0;
//   - percentile = PERCENT_RANK of the value among all practices (or all
//     localities, or all CCGs) in England that month, × 100;
//   - deciles by linear interpolation (PERCENTILE_CONT, R type 7);
//   - an organisation's value is its summed numerator over its summed
//     denominator;
//   - cost savings at each decile d: for a rate (list-size) measure
//     numerator − d × denominator; for a percentage measure the
//     brand-versus-generic price model (see CostSavingPercentage);
//   - England's savings sum only the positive savings of its practices.
//
// Each value also carries funnel-plot limits and outlier flags from
// internal/stats (Spiegelhalter's overdispersion adjustment where the data
// are overdispersed).
//
// The package knows nothing of databases: prescribing facts and computed
// values live behind the Analytics port (internal/analytics/duckdb), and
// practices, localities and list sizes come from the Registry port.
package variation

import (
	"encoding/json"
	"math"

	"ccg/internal/calendar"
)

// Level is the kind of organisation a value is for.
type Level string

// The levels values are computed at.
const (
	LevelPractice Level = "practice"
	LevelLocality Level = "locality"
	LevelCCG      Level = "ccg"
	LevelEngland  Level = "england"
)

// Levels lists the levels, smallest first.
var Levels = []Level{LevelPractice, LevelLocality, LevelCCG, LevelEngland}

// Valid reports whether l is a known level.
func (l Level) Valid() bool {
	for _, v := range Levels {
		if v == l {
			return true
		}
	}
	return false
}

// DecileKeys are the percentiles at which deciles and cost savings are given.
var DecileKeys = []int{10, 20, 30, 40, 50, 60, 70, 80, 90}

// Limits are funnel-plot control limits for one value, on the value's scale.
type Limits struct {
	Lower95  float64 `json:"lower_95"`
	Upper95  float64 `json:"upper_95"`
	Lower998 float64 `json:"lower_998"`
	Upper998 float64 `json:"upper_998"`
	// Adjusted reports whether these are Spiegelhalter's
	// overdispersion-adjusted limits (used when the organisations vary more
	// than chance alone allows).
	Adjusted bool `json:"adjusted"`
	// Z is the z-score the outlier flags rest on (adjusted when Adjusted).
	Z float64 `json:"z"`
}

// Data-quality flags a value can carry.
const (
	// QualityNoListSize: a population denominator, but the practice has no
	// list size that month.
	QualityNoListSize = "no-list-size"
	// QualityRejectedRows: the import of this month rejected rows for this
	// practice, so its figures may be short.
	QualityRejectedRows = "rejected-rows"
	// QualityNumeratorExceedsDenominator: a percentage measure whose
	// numerator is larger than its denominator (the definition's filters do
	// not nest), so no funnel limits are given.
	QualityNumeratorExceedsDenominator = "numerator-exceeds-denominator"
	// QualityMemberFlags: at least one member practice of this locality or
	// CCG has a data-quality flag.
	QualityMemberFlags = "member-data-quality"
)

// Flags are the outlier and data-quality flags of one value.
type Flags struct {
	// High95 and Low95 flag a value above or below the 95% limits;
	// High998 and Low998 the 99.8% limits.
	High95  bool `json:"high_95"`
	Low95   bool `json:"low_95"`
	High998 bool `json:"high_998"`
	Low998  bool `json:"low_998"`
	// Quality lists data-quality flags (see the Quality constants).
	Quality []string `json:"quality,omitempty"`
}

// Outlier reports whether any outlier flag is set.
func (f Flags) Outlier() bool { return f.High95 || f.Low95 || f.High998 || f.Low998 }

// MeasureValue is one measure's figure for one organisation in one month.
type MeasureValue struct {
	MeasureID   string         `json:"measure_id"`
	Level       Level          `json:"level"`
	OrgCode     string         `json:"org_code"` // "" for England
	Month       calendar.Month `json:"month"`
	Numerator   float64        `json:"numerator"`
	Denominator float64        `json:"denominator"`
	// Value is Numerator / Denominator (a fraction for percentage
	// measures), or nil when the denominator is 0.
	Value *float64 `json:"value"`
	// Percentile is the rank percentile (0-100) among organisations of the
	// same level in England that month, or nil when there is no value.
	Percentile *float64 `json:"percentile"`
	// CostSavings, for cost-based measures, is the saving in pounds were
	// this organisation at each decile (keys 10..90) of its level; negative
	// when it already does better. For England it is the sum of the
	// positive savings of all practices.
	CostSavings map[int]float64 `json:"cost_savings,omitempty"`
	// Limits are the funnel limits at this organisation's denominator, or
	// nil where no funnel could be drawn (no value, England).
	Limits *Limits `json:"limits,omitempty"`
	Flags  Flags   `json:"flags"`
	// Std is the indirectly standardised ratio of a measure that has one
	// (Standardisable), or nil; StdWhy then says why it could not be
	// worked out.
	Std    *StdValue `json:"standardised,omitempty"`
	StdWhy string    `json:"standardised_note,omitempty"`

	// Cost components, kept for cost-based percentage measures (the price
	// model needs them at every level).
	NumCost     float64 `json:"-"`
	NumQuantity float64 `json:"-"`
	DenCost     float64 `json:"-"`
	DenQuantity float64 `json:"-"`
}

// Deciles are the deciles of one measure at one level in one month, with
// the totals and funnel summary of that level.
type Deciles struct {
	MeasureID string         `json:"measure_id"`
	Level     Level          `json:"level"`
	Month     calendar.Month `json:"month"`
	// Values holds the 10th..90th percentiles (keys 10..90); empty when no
	// organisation had a value.
	Values map[int]float64 `json:"values"`
	// Count is the number of organisations with a value.
	Count int `json:"count"`
	// Numerator and Denominator are England's totals.
	Numerator   float64 `json:"numerator"`
	Denominator float64 `json:"denominator"`
	// CostSavings is the sum of positive savings of the organisations at
	// this level, at each decile (cost-based measures only).
	CostSavings map[int]float64 `json:"cost_savings,omitempty"`
	// Funnel summarises the funnel analysis across this level.
	Funnel *FunnelSummary `json:"funnel,omitempty"`
}

// FunnelSummary describes the funnel analysis of one level in one month.
type FunnelSummary struct {
	Method string  `json:"method"` // "proportion" or "rate"
	Target float64 `json:"target"` // the centre line (England's value)
	// Phi is the overdispersion ratio (1: chance variation only).
	Phi      float64 `json:"phi"`
	Tau2     float64 `json:"tau2"`
	Adjusted bool    `json:"adjusted"`
}

// PracticeSums are one practice's sums for one measure in one month, as the
// analytics store computes them from the facts. For a population
// denominator Denominator is 0 (the Service fills it in).
type PracticeSums struct {
	MeasureID   string
	Practice    string
	Numerator   float64
	Denominator float64
	// Cost components (filled for every measure; used by cost-based
	// percentage measures): actual cost and quantity of the numerator's
	// and the denominator's rows.
	NumCost, NumQuantity, DenCost, DenQuantity float64
}

// Member is one practice's place in the hierarchy in a month.
type Member struct {
	Practice string
	Locality string // "" when the practice is in no locality
	CCG      string
}

// Referral is a count of GP referrals from one practice in one month to one
// treatment function, optionally by sex, age band and priority.
type Referral struct {
	Month        calendar.Month
	Practice     string
	FunctionCode string // NHS Data Dictionary treatment function code, e.g. "110"
	Sex          string // "male", "female" or "all"
	AgeBand      string // "0-4", "5-9", ..., "95+", or "all"
	Priority     string // "routine", "urgent", "two-week-wait", or ""
	Referrals    int64
}

// finiteOrNil returns f, or nil when it is NaN or infinite (JSON has no
// such numbers).
func finiteOrNil(f float64) *float64 {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return nil
	}
	return &f
}

// MarshalJSON writes the summary with null for figures that are undefined
// (an overdispersion ratio that cannot be estimated is NaN).
func (f FunnelSummary) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Method   string   `json:"method"`
		Target   *float64 `json:"target"`
		Phi      *float64 `json:"phi"`
		Tau2     *float64 `json:"tau2"`
		Adjusted bool     `json:"adjusted"`
	}{f.Method, finiteOrNil(f.Target), finiteOrNil(f.Phi), finiteOrNil(f.Tau2), f.Adjusted})
}

// MarshalJSON writes the limits with null for limits that are undefined.
func (l Limits) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Lower95  *float64 `json:"lower_95"`
		Upper95  *float64 `json:"upper_95"`
		Lower998 *float64 `json:"lower_998"`
		Upper998 *float64 `json:"upper_998"`
		Adjusted bool     `json:"adjusted"`
		Z        *float64 `json:"z"`
	}{finiteOrNil(l.Lower95), finiteOrNil(l.Upper95), finiteOrNil(l.Lower998), finiteOrNil(l.Upper998), l.Adjusted, finiteOrNil(l.Z)})
}
