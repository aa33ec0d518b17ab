package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"ccg/internal/calendar"
	"ccg/internal/chart"
	"ccg/internal/finance"
)

// AllocationsView lists a commissioner's fair-share allocations for a
// year, newest first, each with its lines, locality roll-up, pace of
// change and the inputs it was built from; Chosen is drawn.
type AllocationsView struct {
	financeScope
	Allocations []AllocationSummary `json:"allocations"`
	Chosen      *finance.Allocation `json:"-"`
	PaceText    string              `json:"-"`
	Distance    *chart.Figure       `json:"-"`
	Query       string              `json:"-"`
	CanEdit     bool                `json:"-"`
}

// AllocationSummary is one allocation with the words pages show beside it.
type AllocationSummary struct {
	finance.Allocation
	ProgrammeLabel string `json:"programme_label"`
	PaceText       string `json:"pace_text"`
}

func (s *Server) allocationsModel(r *http.Request) (AllocationsView, error) {
	sc, err := s.financeScopeOf(r)
	if err != nil {
		return AllocationsView{}, err
	}
	as, err := s.deps.Finance.Allocations(r.Context(), sc.Org, sc.Year)
	if err != nil {
		return AllocationsView{}, err
	}
	v := AllocationsView{financeScope: sc, Allocations: []AllocationSummary{}, Query: scopeQuery(sc, "")}
	_, v.CanEdit = canFinance(r)
	want := int64(0)
	if id := strings.TrimSpace(r.URL.Query().Get("id")); id != "" {
		if want, err = strconv.ParseInt(id, 10, 64); err != nil {
			return AllocationsView{}, invalid("%q is not an allocation number.", id)
		}
	}
	for i := range as {
		v.Allocations = append(v.Allocations, AllocationSummary{Allocation: as[i], ProgrammeLabel: as[i].Programme.Label(), PaceText: as[i].Pace.Describe()})
		if v.Chosen == nil && (want == 0 || as[i].ID == want) {
			v.Chosen = &as[i]
		}
	}
	if want != 0 && v.Chosen == nil {
		return AllocationsView{}, notFound("There is no allocation %d for %s in %s.", want, sc.Org, sc.Year)
	}
	return v, nil
}

func (s *Server) allocationsView(r *http.Request) (any, error) {
	v, err := s.allocationsModel(r)
	if err != nil {
		return nil, err
	}
	if a := v.Chosen; a != nil && len(a.Lines) > 0 {
		v.PaceText = a.Pace.Describe()
		b := chart.Bar{Title: fmt.Sprintf("Distance from fair-share target, %s %s (allocation %d)", a.Programme.Label(), a.Year, a.ID),
			Category: "Practice", Horizontal: true, Value: chart.Axis{Title: "Current budget above (+) or below (−) target, %",
				Format: func(x float64) string { return chart.Number(x, 1) + "%" }},
			Series: []chart.BarSeries{{Name: "Distance from target (%)"}},
			CSV:    fmt.Sprintf("/finance/allocations.csv?%s&id=%d", v.Query, a.ID)}
		for _, l := range a.Lines {
			b.Categories = append(b.Categories, l.Practice)
			b.Series[0].Values = append(b.Series[0].Values, l.DistancePct)
		}
		f := b.Render()
		v.Distance = &f
	}
	return v, nil
}

// allocationsCSV writes the chosen allocation's practice lines with their
// inputs.
func (s *Server) allocationsCSV(r *http.Request) (string, chart.Table, error) {
	v, err := s.allocationsModel(r)
	if err != nil {
		return "", chart.Table{}, err
	}
	if v.Chosen == nil {
		return "", chart.Table{}, notFound("There is no allocation for %s in %s.", v.Org, v.Year)
	}
	a := v.Chosen
	t := chart.Table{Caption: fmt.Sprintf("allocation %d", a.ID), Header: []string{"allocation", "org", "year", "programme", "practice", "locality",
		"patients", "weighted_population", "need_index", "adjusted_population", "target_pounds", "current_pounds", "distance_pounds", "distance_pct",
		"budget_pounds", "change_pounds", "list_size_month", "weights", "warnings"}}
	m := func(x finance.Money) chart.Cell { return chart.Num(pounds(x), x.String()) }
	for _, l := range a.Lines {
		t.Rows = append(t.Rows, []chart.Cell{chart.Num(float64(a.ID), strconv.FormatInt(a.ID, 10)), chart.Text(a.Org), chart.Text(a.Year.String()),
			chart.Text(string(a.Programme)), chart.Text(l.Practice), chart.Text(l.Locality), chart.Num(float64(l.Patients), strconv.Itoa(l.Patients)),
			chart.Num(l.Weighted, fmt.Sprintf("%.2f", l.Weighted)), chart.Num(l.Need, fmt.Sprintf("%.3f", l.Need)), chart.Num(l.Adjusted, fmt.Sprintf("%.2f", l.Adjusted)),
			m(l.Target), m(l.Current), m(l.Distance), chart.Num(l.DistancePct, fmt.Sprintf("%.2f", l.DistancePct)), m(l.Budget), m(l.Change),
			chart.Text(a.Inputs.ListSizeMonth.String()), chart.Text(a.Inputs.Weights + "/" + a.Inputs.WeightsVersion), chart.Text(strings.Join(l.Warnings, "; "))})
	}
	return fmt.Sprintf("allocation-%d-%s-%d.csv", a.ID, a.Org, int(a.Year)), t, nil
}

// PrescribingBudgetsView compares each practice's prescribing budget (from
// the newest prescribing allocation of the year) with its actual costs.
type PrescribingBudgetsView struct {
	financeScope
	AllocationID int64                         `json:"allocation_id"`
	Practices    []finance.PracticePrescribing `json:"practices"`
	Names        map[string]string             `json:"names"`
	Total        finance.PracticePrescribing   `json:"-"`
	Message      string                        `json:"message,omitempty"`
	Query        string                        `json:"-"`
}

func (s *Server) prescribingModel(r *http.Request) (PrescribingBudgetsView, error) {
	sc, err := s.financeScopeOf(r)
	if err != nil {
		return PrescribingBudgetsView{}, err
	}
	v := PrescribingBudgetsView{financeScope: sc, Practices: []finance.PracticePrescribing{}, Names: map[string]string{}, Query: scopeQuery(sc, "")}
	as, err := s.deps.Finance.Allocations(r.Context(), sc.Org, sc.Year)
	if err != nil {
		return v, err
	}
	for _, a := range as {
		if a.Programme == finance.ProgPrescribing {
			v.AllocationID = a.ID
			break
		}
	}
	if v.AllocationID == 0 {
		v.Message = fmt.Sprintf("No prescribing allocation has been made for %s in %s, so there are no practice prescribing budgets.", sc.OrgName, sc.Year)
		return v, nil
	}
	ps, err := s.deps.Finance.PrescribingBudgets(r.Context(), v.AllocationID, calendar.Month{})
	if err != nil {
		return v, financeErr(err, "There is no prescribing data to compare the budgets with.")
	}
	v.Practices = ps
	for _, p := range ps {
		if o, err := s.deps.Registry.Organisation(r.Context(), p.Practice); err == nil {
			v.Names[p.Practice] = o.Name
		}
		v.Total.Budget += p.Budget
		v.Total.YTDBudget += p.YTDBudget
		v.Total.YTDActual += p.YTDActual
		v.Total.YTDVariance += p.YTDVariance
		v.Total.Forecast.Outturn += p.Forecast.Outturn
		v.Total.Variance += p.Variance
	}
	return v, nil
}

func (s *Server) prescribingBudgetsView(r *http.Request) (any, error) { return s.prescribingModel(r) }

func (s *Server) prescribingBudgetsCSV(r *http.Request) (string, chart.Table, error) {
	v, err := s.prescribingModel(r)
	if err != nil {
		return "", chart.Table{}, err
	}
	t := chart.Table{Caption: "practice prescribing budgets", Header: []string{"practice", "name", "locality", "month", "budget_pounds", "actual_pounds", "variance_pounds"}}
	m := func(x finance.Money) chart.Cell { return chart.Num(pounds(x), x.String()) }
	for _, p := range v.Practices {
		for _, pm := range p.Months {
			actual, variance := chart.Num(0, ""), chart.Num(0, "")
			if pm.HasActual {
				actual, variance = m(pm.Actual), m(pm.Variance)
			}
			t.Rows = append(t.Rows, []chart.Cell{chart.Text(p.Practice), chart.Text(v.Names[p.Practice]), chart.Text(p.Locality), chart.Text(pm.Month.String()),
				m(pm.Budget), actual, variance})
		}
	}
	return fmt.Sprintf("prescribing-budgets-%s-%d.csv", v.Org, int(v.Year)), t, nil
}

// PracticeBudgetView is one practice's prescribing budget month by month.
type PracticeBudgetView struct {
	financeScope
	Practice string                      `json:"practice"`
	Name     string                      `json:"name"`
	Budget   finance.PracticePrescribing `json:"budget"`
	Burn     *chart.Figure               `json:"-"`
}

func (s *Server) practiceBudgetView(r *http.Request) (any, error) {
	code := codeParam(r)
	v, err := s.prescribingModel(r)
	if err != nil {
		return nil, err
	}
	pv := PracticeBudgetView{financeScope: v.financeScope, Practice: code, Name: v.Names[code]}
	found := false
	for _, p := range v.Practices {
		if p.Practice == code {
			pv.Budget, found = p, true
		}
	}
	if !found {
		return nil, notFound("%s has no prescribing budget for %s.", code, v.Year)
	}
	b := chart.BurnUp{Title: fmt.Sprintf("%s prescribing %s: cumulative budget and actual cost", code, v.Year),
		X: chart.Axis{Title: "Month", Months: true}, Y: chart.Axis{Title: "Pounds", Format: chart.PoundsShort},
		Budget: pounds(pv.Budget.Budget), BudgetName: "Annual budget"}
	for i, pm := range pv.Budget.Months {
		x := chart.MonthX(pm.Month)
		b.Plan = append(b.Plan, chart.Point{X: x, Y: pounds(pm.Budget)})
		if pm.HasActual {
			b.Actual = append(b.Actual, chart.Point{X: x, Y: pounds(pm.Actual)})
		} else if i < 12 && pv.Budget.Forecast.Elapsed > 0 && i >= pv.Budget.Forecast.Elapsed {
			b.Forecast = append(b.Forecast, chart.Point{X: x, Y: pounds(pv.Budget.Forecast.Monthly[i])})
		}
	}
	f := b.Render()
	pv.Burn = &f
	return pv, nil
}

// TransfersView is what others owe the commissioner and what it owes,
// with ages and escalation, as at a date.
type TransfersView struct {
	financeScope
	Report finance.TransfersReport `json:"report"`
	// Inherited are the agreements of the organisations that passed into
	// this one (a merged CCG collects what its predecessors are owed).
	Inherited []finance.TransfersReport `json:"inherited,omitempty"`
	Names     map[string]string         `json:"names"`
	// Owed is what others owe this organisation, including what they owe
	// its predecessors (which it now collects), aged as at the report date.
	Owed   finance.Ageing `json:"owed"`
	Ageing *chart.Figure  `json:"-"`
	// The forms for the finance role (see finance_forms.go).
	CanEdit      bool            `json:"-"`
	CSRF         string          `json:"-"`
	NewAgreement AgreementForm   `json:"-"`
	NewReceipt   ReceiptForm     `json:"-"`
	Open         []OpenAgreement `json:"-"`
	Saved        string          `json:"-"`
}

// bucketLabel names an ageing bucket for people.
func bucketLabel(b finance.Bucket) string {
	switch b {
	case finance.BucketNotDue:
		return "Not yet due"
	case finance.Bucket90Plus:
		return "Over 90 days"
	}
	return string(b) + " days"
}

// EscalationLabel writes an escalation level in words.
func (TransfersView) EscalationLabel(e finance.Escalation) string { return e.Label() }

func (s *Server) transfersView(r *http.Request) (any, error) { return s.transfersModel(r) }

func (s *Server) transfersModel(r *http.Request) (TransfersView, error) {
	sc, err := s.financeScopeOf(r)
	if err != nil {
		return TransfersView{}, err
	}
	at, err := dateParam(r, "at", s.today())
	if err != nil {
		return TransfersView{}, err
	}
	rep, err := s.deps.Finance.Transfers(r.Context(), sc.Org, at)
	if err != nil {
		return TransfersView{}, err
	}
	v := TransfersView{financeScope: sc, Report: rep, Names: map[string]string{}}
	preds, err := s.deps.Registry.Predecessors(r.Context(), sc.Org)
	if err != nil {
		return TransfersView{}, err
	}
	lists := [][]finance.AgreementStatus{rep.OwedTo, rep.Owing}
	for _, p := range preds {
		pr, err := s.deps.Finance.Transfers(r.Context(), p.Predecessor, at)
		if err != nil {
			return TransfersView{}, err
		}
		if len(pr.OwedTo) > 0 {
			v.Inherited = append(v.Inherited, pr)
			lists = append(lists, pr.OwedTo)
		}
	}
	for _, list := range lists {
		for _, st := range list {
			for _, c := range []string{st.Agreement.From, st.Agreement.To} {
				if _, ok := v.Names[c]; !ok {
					v.Names[c] = c
					if o, err := s.deps.Registry.Organisation(r.Context(), c); err == nil {
						v.Names[c] = o.Name
					}
				}
			}
		}
	}
	owed := append([]finance.AgreementStatus(nil), rep.OwedTo...)
	for _, in := range v.Inherited {
		owed = append(owed, in.OwedTo...)
	}
	v.Owed = finance.Age(rep.AsAt, owed)
	if v.Owed.Outstanding > 0 {
		b := chart.Bar{Title: fmt.Sprintf("What others owe %s (and its predecessors) by age, as at %s", sc.OrgName, at.Format("2 January 2006")), Category: "Age (days overdue)",
			Value: chart.Axis{Title: "Pounds", Format: chart.PoundsShort}, Series: []chart.BarSeries{{Name: "Outstanding"}}}
		for _, bk := range finance.Buckets {
			b.Categories = append(b.Categories, bucketLabel(bk))
			b.Series[0].Values = append(b.Series[0].Values, pounds(v.Owed.ByBucket[bk]))
		}
		f := b.Render()
		v.Ageing = &f
	}
	s.transferForms(r, &v, lists)
	return v, nil
}
