package finance

import (
	"fmt"
	"math"
	"math/big"

	"ccg/internal/calendar"
	"ccg/internal/errs"
)

// ForecastMethod is how an outturn was forecast.
type ForecastMethod string

// The forecast methods.
const (
	// MethodBudget: no month has actuals yet, so the forecast is the budget.
	MethodBudget ForecastMethod = "budget"
	// MethodRunRate: outturn = year-to-date ÷ months elapsed × 12, the
	// remaining months forecast equally.
	MethodRunRate ForecastMethod = "run-rate"
	// MethodSeasonal: the remaining months follow last year's monthly
	// pattern: outturn = year-to-date ÷ (the share of last year's spending
	// that fell in the same months).
	MethodSeasonal ForecastMethod = "seasonal"
	// MethodActual: all twelve months have actuals; the outturn is known.
	MethodActual ForecastMethod = "actual"
)

// Forecast is a forecast outturn for one financial year.
type Forecast struct {
	Method ForecastMethod `json:"method"`
	// Elapsed is how many months (from April) have actuals.
	Elapsed int   `json:"elapsed"`
	YTD     Money `json:"ytd_pence"`
	// Monthly holds actuals for the elapsed months and forecasts for the
	// rest, April first; it sums to Outturn exactly.
	Monthly [12]Money `json:"monthly_pence"`
	Outturn Money     `json:"outturn_pence"`
	// Note explains a fallback ("no complete prior year: run rate used").
	Note string `json:"note,omitempty"`
}

// ForecastOutturn forecasts a year's outturn from its first elapsed months
// of actuals (actual[0] is April). prior is last year's twelve monthly
// actuals, or nil.
//
// Rules, with rounding:
//
//   - elapsed 0: the forecast is the budget (method "budget");
//   - elapsed 12: the outturn is the sum of actuals (method "actual");
//   - seasonal, when prior has 12 months, none negative, and the elapsed
//     months of prior sum to more than zero: outturn = YTD × P ÷ Pₑ where P
//     is the prior year's total and Pₑ its total for the same elapsed
//     months, rounded to the nearest penny (halves away from zero); the
//     remaining months share outturn − YTD in proportion to the prior
//     year's same months (Apportion; equally if those are all zero);
//   - otherwise run rate: outturn = YTD × 12 ÷ elapsed, rounded the same
//     way, the remaining months sharing outturn − YTD equally (Apportion).
func ForecastOutturn(budget, actual [12]Money, elapsed int, prior []Money) (Forecast, error) {
	const op = "finance: forecast"
	if elapsed < 0 || elapsed > 12 {
		return Forecast{}, fmt.Errorf("%s: %d months elapsed (want 0 to 12): %w", op, elapsed, errs.ErrInvalid)
	}
	if prior != nil && len(prior) != 12 {
		return Forecast{}, fmt.Errorf("%s: the prior year has %d months, not 12: %w", op, len(prior), errs.ErrInvalid)
	}
	f := Forecast{Elapsed: elapsed}
	for i := 0; i < elapsed; i++ {
		f.YTD += actual[i]
		f.Monthly[i] = actual[i]
	}
	switch elapsed {
	case 0:
		f.Method, f.Monthly, f.Outturn = MethodBudget, budget, Sum(budget[:])
		f.Note = "no actuals yet: the forecast is the budget"
		return f, nil
	case 12:
		f.Method, f.Outturn = MethodActual, f.YTD
		return f, nil
	}
	weights := make([]float64, 12-elapsed)
	for i := range weights {
		weights[i] = 1
	}
	f.Method = MethodRunRate
	f.Outturn = Money(RoundDiv(int64(f.YTD)*12, int64(elapsed)))
	if prior == nil {
		f.Note = "no prior year: run rate used"
	} else if P, Pe, ok := seasonal(prior, elapsed); !ok {
		f.Note = "the prior year cannot give a seasonal profile (a negative month, or nothing spent in the months elapsed): run rate used"
	} else {
		f.Method = MethodSeasonal
		f.Outturn = mulDivRound(f.YTD, P, Pe)
		rest := 0.0
		for i := range weights {
			weights[i] = float64(prior[elapsed+i])
			rest += weights[i]
		}
		if rest == 0 {
			for i := range weights {
				weights[i] = 1
			}
		}
	}
	ms, err := Apportion(f.Outturn-f.YTD, weights)
	if err != nil {
		return Forecast{}, fmt.Errorf("%s: %w", op, err)
	}
	copy(f.Monthly[elapsed:], ms)
	return f, nil
}

// seasonal returns the prior year's total and its total over the first
// elapsed months, and whether they can give a seasonal profile.
func seasonal(prior []Money, elapsed int) (P, Pe Money, ok bool) {
	for i, m := range prior {
		if m < 0 {
			return 0, 0, false
		}
		P += m
		if i < elapsed {
			Pe += m
		}
	}
	return P, Pe, Pe > 0
}

// mulDivRound returns a × b ÷ c rounded to the nearest whole number,
// halves away from zero, without overflow (c > 0).
func mulDivRound(a, b, c Money) Money {
	n := new(big.Int).Mul(big.NewInt(int64(a)), big.NewInt(int64(b)))
	d := big.NewInt(int64(c))
	neg := n.Sign() < 0
	n.Abs(n)
	n.Add(n, new(big.Int).Quo(d, big.NewInt(2)))
	n.Quo(n, d)
	if neg {
		n.Neg(n)
	}
	return Money(n.Int64())
}

// RAG is a red, amber or green rating.
type RAG string

// The ratings.
const (
	Green RAG = "green"
	Amber RAG = "amber"
	Red   RAG = "red"
)

// Label gives the rating in words for pages (never colour alone).
func (r RAG) Label() string {
	switch r {
	case Green:
		return "Green: on track"
	case Amber:
		return "Amber: at risk"
	case Red:
		return "Red: off track"
	}
	return string(r)
}

// RAGPolicy rates a forecast against its budget. Percentages are of the
// budget; comparisons are exact, in whole basis points (1% = 100), and
// inclusive: a forecast overspend of exactly GreenPct is green.
//
//   - green: forecast overspend at most GreenPct of budget (and any
//     underspend, unless UnderAmberPct is set);
//   - amber: overspend above GreenPct and at most AmberPct;
//   - red: overspend above AmberPct;
//   - when UnderAmberPct is above zero, an underspend of more than that
//     share of budget is amber (money the population could have had);
//     an underspend is never red;
//   - a budget of zero or less: any forecast spend above it is red, else
//     green.
type RAGPolicy struct {
	GreenPct      float64 `json:"green_pct"`
	AmberPct      float64 `json:"amber_pct"`
	UnderAmberPct float64 `json:"under_amber_pct,omitempty"`
}

// DefaultRAG is green within 1% over budget, amber within 3%, red beyond;
// underspends are green.
var DefaultRAG = RAGPolicy{GreenPct: 1, AmberPct: 3}

// Validate checks 0 ≤ GreenPct ≤ AmberPct and UnderAmberPct ≥ 0.
func (p RAGPolicy) Validate() error {
	if p.GreenPct < 0 || p.AmberPct < p.GreenPct || p.UnderAmberPct < 0 || math.IsNaN(p.GreenPct+p.AmberPct+p.UnderAmberPct) {
		return fmt.Errorf("finance: RAG thresholds green %v%% amber %v%% underspend %v%%: want 0 ≤ green ≤ amber: %w",
			p.GreenPct, p.AmberPct, p.UnderAmberPct, errs.ErrInvalid)
	}
	return nil
}

// Rate returns the rating of a forecast outturn against budget.
func (p RAGPolicy) Rate(budget, forecast Money) RAG {
	v := int64(forecast - budget)
	if budget <= 0 {
		if v > 0 {
			return Red
		}
		return Green
	}
	b := int64(budget)
	bp := func(pct float64) int64 { return int64(math.Round(pct * 100)) }
	switch {
	case v*10000 > bp(p.AmberPct)*b:
		return Red
	case v*10000 > bp(p.GreenPct)*b:
		return Amber
	case p.UnderAmberPct > 0 && -v*10000 > bp(p.UnderAmberPct)*b:
		return Amber
	}
	return Green
}

// BurnPoint is one month of a burn-up chart: cumulative figures from April
// to the end of Month.
type BurnPoint struct {
	Month  calendar.Month `json:"month"`
	Budget Money          `json:"budget_pence"`
	// Actual is meaningful only when HasActual (months with actuals).
	Actual    Money `json:"actual_pence"`
	HasActual bool  `json:"has_actual"`
	// Forecast is actuals to date, then the forecast months.
	Forecast Money `json:"forecast_pence"`
}

// BurnUp returns the twelve cumulative points of year for a chart of
// budget against actual and forecast.
func BurnUp(year calendar.FinancialYear, budget [12]Money, f Forecast) []BurnPoint {
	out := make([]BurnPoint, 12)
	var cb, ca, cf Money
	for i, m := range year.Months() {
		cb += budget[i]
		cf += f.Monthly[i]
		p := BurnPoint{Month: m, Budget: cb, Forecast: cf}
		if i < f.Elapsed {
			ca += f.Monthly[i]
			p.Actual, p.HasActual = ca, true
		}
		out[i] = p
	}
	return out
}

// Position is the financial position of one programme (or all of them)
// for a commissioner or one of its localities in one year.
type Position struct {
	Org       string                 `json:"org"`
	Locality  string                 `json:"locality,omitempty"`
	Programme Programme              `json:"programme,omitempty"` // "" for all programmes
	Year      calendar.FinancialYear `json:"year"`
	// Budget is the annual budget and Monthly its phasing.
	Budget  Money     `json:"budget_pence"`
	Monthly [12]Money `json:"budget_monthly_pence"`
	// YTD figures cover the months with actuals.
	YTDBudget   Money    `json:"ytd_budget_pence"`
	YTDActual   Money    `json:"ytd_actual_pence"`
	YTDVariance Money    `json:"ytd_variance_pence"` // actual − budget: positive is overspent
	Forecast    Forecast `json:"forecast"`
	// Variance is forecast outturn − budget: positive is a forecast
	// overspend. VariancePct is Variance / Budget × 100.
	Variance    Money          `json:"variance_pence"`
	VariancePct float64        `json:"variance_pct"`
	RAG         RAG            `json:"rag"`
	BurnUp      []BurnPoint    `json:"burn_up"`
	Inputs      PositionInputs `json:"inputs"`
}

// PositionInputs records what a position was built from.
type PositionInputs struct {
	// Through is the last month with actuals (zero when none).
	Through calendar.Month `json:"through"`
	// PriorYear is true when a prior year's actuals were available for a
	// seasonal profile.
	PriorYear bool      `json:"prior_year"`
	RAG       RAGPolicy `json:"rag"`
	// Sources lists the imports and decisions the figures came from.
	Sources []string `json:"sources,omitempty"`
}

// BuildPosition computes a position from monthly budgets and actuals
// (April first), the number of months with actuals, and last year's
// monthly actuals (nil when there is no prior year).
func BuildPosition(year calendar.FinancialYear, budget, actual [12]Money, elapsed int, prior []Money, rag RAGPolicy) (Position, error) {
	if err := rag.Validate(); err != nil {
		return Position{}, err
	}
	f, err := ForecastOutturn(budget, actual, elapsed, prior)
	if err != nil {
		return Position{}, err
	}
	p := Position{Year: year, Monthly: budget, Budget: Sum(budget[:]), Forecast: f}
	for i := 0; i < elapsed; i++ {
		p.YTDBudget += budget[i]
	}
	p.YTDActual = f.YTD
	p.YTDVariance = p.YTDActual - p.YTDBudget
	p.Variance = f.Outturn - p.Budget
	p.VariancePct = Percent(p.Variance, p.Budget)
	p.RAG = rag.Rate(p.Budget, f.Outturn)
	p.BurnUp = BurnUp(year, budget, f)
	p.Inputs = PositionInputs{PriorYear: prior != nil, RAG: rag}
	if elapsed > 0 {
		p.Inputs.Through = year.Start().Add(elapsed - 1)
	}
	return p, nil
}
