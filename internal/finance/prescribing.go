package finance

import (
	"context"

	"ccg/internal/calendar"
)

// PrescribingCosts gives the actual cost of a practice's prescribing,
// from the prescribing data already imported (implemented over the
// analytics store; finance does not depend on it).
type PrescribingCosts interface {
	// ActualCost returns the actual cost, in pence, of everything
	// prescribed by practice and dispensed in month. It returns an error
	// wrapping errs.ErrNotFound when the month's data has not been
	// imported (prescribing data is published about two months late).
	ActualCost(ctx context.Context, practice string, month calendar.Month) (Money, error)
}

// PrescribingMonth is one month of a practice prescribing budget.
type PrescribingMonth struct {
	Month     calendar.Month `json:"month"`
	Budget    Money          `json:"budget_pence"`
	Actual    Money          `json:"actual_pence"`
	HasActual bool           `json:"has_actual"`
	// Variance is Actual − Budget for a month with data (positive: over).
	Variance Money `json:"variance_pence"`
	// Cumulative figures from April; CumActual counts months with data.
	CumBudget Money `json:"cum_budget_pence"`
	CumActual Money `json:"cum_actual_pence"`
}

// PracticePrescribing is a practice's prescribing budget for a year
// compared month by month with its actual cost.
type PracticePrescribing struct {
	Practice string                 `json:"practice"`
	Locality string                 `json:"locality,omitempty"`
	Year     calendar.FinancialYear `json:"year"`
	Budget   Money                  `json:"budget_pence"`
	Months   []PrescribingMonth     `json:"months"`
	// YTD figures cover the months that have actual costs.
	YTDBudget   Money    `json:"ytd_budget_pence"`
	YTDActual   Money    `json:"ytd_actual_pence"`
	YTDVariance Money    `json:"ytd_variance_pence"`
	Forecast    Forecast `json:"forecast"`
	Variance    Money    `json:"variance_pence"` // forecast outturn − budget
	RAG         RAG      `json:"rag"`
	// AllocationID is the allocation the budget was set from.
	AllocationID int64    `json:"allocation_id"`
	Warnings     []string `json:"warnings,omitempty"`
}

// ComparePrescribing compares a practice's monthly budget with its actual
// costs (has[i] says whether month i, April first, has data). The year to
// date covers the months with data; the forecast is a run rate over the
// months up to the last with data (a month without data before it counts
// as nothing spent, and adds a warning).
func ComparePrescribing(year calendar.FinancialYear, budget, actual [12]Money, has [12]bool, rag RAGPolicy) (PracticePrescribing, error) {
	p := PracticePrescribing{Year: year, Budget: Sum(budget[:])}
	elapsed := 0
	for i := range has {
		if has[i] {
			elapsed = i + 1
		}
	}
	var cb, ca Money
	for i, m := range year.Months() {
		pm := PrescribingMonth{Month: m, Budget: budget[i]}
		cb += budget[i]
		if has[i] {
			pm.Actual, pm.HasActual, pm.Variance = actual[i], true, actual[i]-budget[i]
			ca += actual[i]
			p.YTDBudget += budget[i]
			p.YTDActual += actual[i]
		} else if i < elapsed {
			p.Warnings = append(p.Warnings, "no prescribing data for "+m.String()+": counted as nothing spent in the forecast")
		}
		pm.CumBudget, pm.CumActual = cb, ca
		p.Months = append(p.Months, pm)
	}
	p.YTDVariance = p.YTDActual - p.YTDBudget
	f, err := ForecastOutturn(budget, actual, elapsed, nil)
	if err != nil {
		return PracticePrescribing{}, err
	}
	p.Forecast = f
	p.Variance = f.Outturn - p.Budget
	p.RAG = rag.Rate(p.Budget, f.Outturn)
	return p, nil
}
