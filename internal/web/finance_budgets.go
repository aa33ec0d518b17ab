package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"

	"ccg/internal/calendar"
	"ccg/internal/chart"
	"ccg/internal/errs"
	"ccg/internal/finance"
)

// FinanceSummaryView is the published summary: each programme's budget,
// forecast outturn and rating for the year, and nothing below it.
type FinanceSummaryView struct {
	financeScope
	Through    calendar.Month    `json:"through,omitzero"`
	Programmes []SummaryLine     `json:"programmes"`
	Total      SummaryLine       `json:"total"`
	Note       string            `json:"note"`
	CanView    bool              `json:"-"`
	CanEdit    bool              `json:"-"`
	Burn       *chart.Figure     `json:"-"`
	Inputs     finance.RAGPolicy `json:"rag_policy"`
	// Links are the pages of more detail this person may open.
	Links []crumb `json:"-"`
}

// SummaryLine is one programme (or the total) in the published summary.
type SummaryLine struct {
	Programme   finance.Programme `json:"programme,omitempty"`
	Label       string            `json:"label"`
	Budget      finance.Money     `json:"budget_pence"`
	YTDActual   finance.Money     `json:"ytd_actual_pence"`
	Forecast    finance.Money     `json:"forecast_pence"`
	Variance    finance.Money     `json:"variance_pence"`
	VariancePct float64           `json:"variance_pct"`
	RAG         finance.RAG       `json:"rag"`
	RAGLabel    string            `json:"rag_label"`
	Method      string            `json:"forecast_method"`
}

func summaryLine(label string, p finance.Position) SummaryLine {
	return SummaryLine{Programme: p.Programme, Label: label, Budget: p.Budget, YTDActual: p.YTDActual, Forecast: p.Forecast.Outturn,
		Variance: p.Variance, VariancePct: p.VariancePct, RAG: p.RAG, RAGLabel: p.RAG.Label(), Method: string(p.Forecast.Method)}
}

// Pct writes a percentage with a sign and one decimal place.
func (l SummaryLine) Pct() string { return signedNumber(l.VariancePct, 1) + "%" }

func (s *Server) financeSummaryView(r *http.Request) (any, error) {
	sc, err := s.financeScopeOf(r)
	if err != nil {
		return nil, err
	}
	rep, err := s.deps.Finance.Position(r.Context(), sc.Org, "", sc.Year, calendar.Month{})
	if err != nil {
		return nil, err
	}
	v := FinanceSummaryView{financeScope: sc, Through: rep.Through, Programmes: []SummaryLine{}, Total: summaryLine("Total", rep.Total),
		Inputs: rep.Total.Inputs.RAG}
	v.CanView, v.CanEdit = canFinance(r)
	for _, p := range rep.Programmes {
		v.Programmes = append(v.Programmes, summaryLine(p.Programme.Label(), p))
	}
	if rep.Through.IsZero() {
		v.Note = "No spending has been recorded for this year yet: the forecast is the budget."
	} else {
		v.Note = fmt.Sprintf("Spending to the end of %s; the rest of the year is forecast (%s).", chart.MonthLabel(rep.Through), rep.Total.Forecast.Method)
	}
	f := burnFigure(fmt.Sprintf("%s: budget, spending and forecast, %s", sc.OrgName, sc.Year), rep.Total, "")
	v.Burn = &f
	// The links to more detail, each shown only to those who may follow it
	// (a locality lead, say, sees their own locality's budget).
	q := scopeQuery(sc, "")
	links := []crumb{
		{"Budgets, actuals and forecasts", "/finance/budgets?" + q},
		{"Fair-share allocations and pace of change", "/finance/allocations?" + q},
		{"Practice prescribing budgets", "/finance/prescribing?" + q},
		{"Transfers and handover: what others owe", "/finance/transfers?" + q},
		{"Move budget between programmes", "/finance/budgets/edit?" + q},
	}
	if p := personFrom(r); p != nil {
		for _, loc := range p.Localities {
			links = append(links, crumb{"Budget of " + s.orgName(r.Context(), loc), "/finance/budgets?" + scopeQuery(sc, loc)})
		}
	}
	for _, l := range links {
		if s.mayFollow(r, l.Href) {
			v.Links = append(v.Links, l)
		}
	}
	return v, nil
}

// BudgetsView is budget against actual against forecast, by programme,
// with the burn-up of the total and every figure's inputs.
type BudgetsView struct {
	financeScope
	Locality string                `json:"locality,omitempty"`
	Report   finance.BudgetReport  `json:"report"`
	Lines    []SummaryLine         `json:"lines"`
	Total    SummaryLine           `json:"total"`
	Saved    bool                  `json:"-"`
	CanEdit  bool                  `json:"-"`
	Burn     *chart.Figure         `json:"-"`
	Bars     *chart.Figure         `json:"-"`
	Query    string                `json:"-"`
	Consol   *finance.Consolidated `json:"consolidated,omitempty"`
	// Merged is set when the organisation held no budget of its own that
	// year but its predecessors did (a CCG formed by a merger, shown its
	// year before): the page then shows their budgets added up, by
	// programme, instead of a total of nothing.
	Merged []ConsolidatedProgramme `json:"merged,omitempty"`
	// Names are the organisations' names by code.
	Names map[string]string `json:"-"`
}

// ConsolidatedProgramme is one programme's budget and actual, added up over
// a merged CCG's predecessors.
type ConsolidatedProgramme struct {
	Label  string        `json:"label"`
	Budget finance.Money `json:"budget_pence"`
	Actual finance.Money `json:"actual_pence"`
}

// PrevYear is the year before, for the link to it (a merged CCG's year
// before the merger shows its predecessors' budgets added up).
func (v BudgetsView) PrevYear() int { return int(v.Year) - 1 }

func (s *Server) budgetReport(r *http.Request) (financeScope, string, finance.BudgetReport, error) {
	sc, err := s.financeScopeOf(r)
	if err != nil {
		return sc, "", finance.BudgetReport{}, err
	}
	loc := strings.ToUpper(strings.TrimSpace(r.URL.Query().Get("locality")))
	rep, err := s.deps.Finance.Position(r.Context(), sc.Org, loc, sc.Year, calendar.Month{})
	return sc, loc, rep, err
}

func scopeQuery(sc financeScope, loc string) string {
	q := url.Values{"org": {sc.Org}, "year": {fmt.Sprint(int(sc.Year))}}
	if loc != "" {
		q.Set("locality", loc)
	}
	return q.Encode()
}

func (s *Server) budgetsView(r *http.Request) (any, error) {
	sc, loc, rep, err := s.budgetReport(r)
	if err != nil {
		return nil, err
	}
	v := BudgetsView{financeScope: sc, Locality: loc, Report: rep, Lines: []SummaryLine{}, Total: summaryLine("Total", rep.Total),
		Saved: r.URL.Query().Get("saved") != "", Query: scopeQuery(sc, loc)}
	_, v.CanEdit = canFinance(r)
	for _, p := range rep.Programmes {
		v.Lines = append(v.Lines, summaryLine(p.Programme.Label(), p))
	}
	title := fmt.Sprintf("%s %s: cumulative budget, spending and forecast", sc.OrgName, sc.Year)
	if loc != "" {
		title = fmt.Sprintf("%s (%s) %s: cumulative budget, spending and forecast", sc.OrgName, s.orgName(r.Context(), loc), sc.Year)
	}
	f := burnFigure(title, rep.Total, "/finance/budgets.csv?"+v.Query)
	v.Burn = &f
	if len(rep.Programmes) > 0 {
		b := chart.Bar{Title: fmt.Sprintf("Budget and forecast outturn by programme, %s", sc.Year), Category: "Programme", Horizontal: true,
			Value:  chart.Axis{Title: "Pounds", Format: chart.PoundsShort},
			Series: []chart.BarSeries{{Name: "Budget", Colour: chart.Grey2}, {Name: "Forecast outturn", Colour: chart.Blue}}}
		for _, p := range rep.Programmes {
			b.Categories = append(b.Categories, p.Programme.Label())
			b.Series[0].Values = append(b.Series[0].Values, pounds(p.Budget))
			b.Series[1].Values = append(b.Series[1].Values, pounds(p.Forecast.Outturn))
		}
		bf := b.Render()
		v.Bars = &bf
	}
	if loc == "" {
		c, err := s.deps.Finance.Consolidated(r.Context(), sc.Org, sc.Year)
		if err != nil {
			return nil, err
		}
		own := len(rep.Programmes) > 0
		if len(c.Predecessors) > 0 && (len(c.BudgetByOrg) > 1 || len(c.ActualByOrg) > 1 || (!own && len(c.BudgetByOrg) > 0)) {
			v.Consol = &c
			v.Names = map[string]string{}
			for code := range c.BudgetByOrg {
				v.Names[code] = code
				if o, err := s.deps.Registry.Organisation(r.Context(), code); err == nil {
					v.Names[code] = o.Name
				}
			}
			if !own {
				v.Merged = consolidatedProgrammes(c)
			}
		}
	}
	return v, nil
}

// consolidatedProgrammes adds a consolidation's budgets and actuals up by
// programme, in the order pages show programmes, with the total last.
func consolidatedProgrammes(c finance.Consolidated) []ConsolidatedProgramme {
	budget, actual := map[finance.Programme]finance.Money{}, map[finance.Programme]finance.Money{}
	for _, l := range c.Budgets {
		budget[l.Programme] += l.Amount
	}
	for _, l := range c.Actuals {
		actual[l.Programme] += l.Amount
	}
	var out []ConsolidatedProgramme
	for _, p := range finance.Programmes {
		if budget[p] != 0 || actual[p] != 0 {
			out = append(out, ConsolidatedProgramme{Label: p.Label(), Budget: budget[p], Actual: actual[p]})
		}
	}
	return append(out, ConsolidatedProgramme{Label: "Total", Budget: c.Budget, Actual: c.Actual})
}

// burnFigure draws a position's burn-up: cumulative actuals, forecast and
// budget phasing (plan) against the annual budget.
func burnFigure(title string, p finance.Position, csv string) chart.Figure {
	b := chart.BurnUp{Title: title, X: chart.Axis{Title: "Month", Months: true}, Y: chart.Axis{Title: "Pounds", Format: chart.PoundsShort},
		Budget: pounds(p.Budget), BudgetName: "Annual budget", CSV: csv}
	for i, m := range p.Year.Months() {
		x := chart.MonthX(m)
		b.Plan = append(b.Plan, chart.Point{X: x, Y: pounds(p.Monthly[i])})
		if i < p.Forecast.Elapsed {
			b.Actual = append(b.Actual, chart.Point{X: x, Y: pounds(p.Forecast.Monthly[i])})
		} else if p.Forecast.Elapsed > 0 {
			b.Forecast = append(b.Forecast, chart.Point{X: x, Y: pounds(p.Forecast.Monthly[i])})
		}
	}
	return b.Render()
}

// budgetsCSV is the budget report as a table: one row per programme and
// month, with budget, actual and forecast.
func (s *Server) budgetsCSV(r *http.Request) (string, chart.Table, error) {
	sc, loc, rep, err := s.budgetReport(r)
	if err != nil {
		return "", chart.Table{}, err
	}
	t := chart.Table{Caption: fmt.Sprintf("%s budgets %s", sc.Org, sc.Year),
		Header: []string{"org", "locality", "year", "programme", "month", "budget_pounds", "actual_pounds", "forecast_pounds", "forecast_outturn_pounds", "rag"}}
	money := func(m finance.Money) chart.Cell { return chart.Num(pounds(m), m.String()) }
	for _, p := range append(append([]finance.Position(nil), rep.Programmes...), rep.Total) {
		prog := string(p.Programme)
		if prog == "" {
			prog = "total"
		}
		for i, m := range sc.Year.Months() {
			actual := chart.Num(0, "")
			if i < p.Forecast.Elapsed {
				actual = money(p.Forecast.Monthly[i])
			}
			t.Rows = append(t.Rows, []chart.Cell{chart.Text(sc.Org), chart.Text(loc), chart.Text(sc.Year.String()), chart.Text(prog),
				chart.Text(m.String()), money(p.Monthly[i]), actual, money(p.Forecast.Monthly[i]), money(p.Forecast.Outturn), chart.Text(string(p.RAG))})
		}
	}
	name := fmt.Sprintf("budgets-%s-%d", sc.Org, int(sc.Year))
	if loc != "" {
		name += "-" + loc
	}
	return name + ".csv", t, nil
}

// BudgetEditView is the form for a finance user to move budget between
// programmes (a virement) under the balance rule.
type BudgetEditView struct {
	financeScope
	Rows   []BudgetEditRow     `json:"rows"`
	Total  finance.Money       `json:"total_pence"`
	Reason string              `json:"reason"`
	Error  string              `json:"error,omitempty"`
	Edit   *finance.BudgetEdit `json:"edit,omitempty"`
	CSRF   string              `json:"-"`
	Query  string              `json:"-"`
}

// BudgetEditRow is one line of the form: a programme's commissioner-wide
// budget, or its budget in one locality.
type BudgetEditRow struct {
	Locality  string            `json:"locality,omitempty"`
	Programme finance.Programme `json:"programme"`
	Label     string            `json:"label"`
	Current   finance.Money     `json:"current_pence"`
	// Field names the form box ("amount-acute", "amount-community--LOC-NORTH").
	Field string `json:"field"`
	// Value is what the form shows in the box (pounds).
	Value string `json:"value"`
}

func (s *Server) budgetEditModel(r *http.Request) (BudgetEditView, error) {
	sc, err := s.financeScopeOf(r)
	if err != nil {
		return BudgetEditView{}, err
	}
	annual, err := s.deps.Finance.AnnualBudgets(r.Context(), sc.Org, sc.Year)
	if err != nil {
		return BudgetEditView{}, err
	}
	v := BudgetEditView{financeScope: sc, CSRF: csrfFor(r), Query: scopeQuery(sc, "")}
	var locs []string
	seen := map[string]bool{}
	for k := range annual {
		if k.Locality != "" && !seen[k.Locality] {
			seen[k.Locality] = true
			locs = append(locs, k.Locality)
		}
	}
	sort.Strings(locs)
	for _, p := range finance.Programmes {
		k := finance.BudgetChange{Programme: p}
		cur, has := annual[k]
		hasLocal := false
		for _, l := range locs {
			if _, ok := annual[finance.BudgetChange{Locality: l, Programme: p}]; ok {
				hasLocal = true
			}
		}
		if has || !hasLocal {
			v.Rows = append(v.Rows, BudgetEditRow{Programme: p, Label: p.Label(), Current: cur, Field: "amount-" + string(p), Value: poundsText(cur)})
			v.Total += cur
		}
		for _, l := range locs {
			if cur, ok := annual[finance.BudgetChange{Locality: l, Programme: p}]; ok {
				v.Rows = append(v.Rows, BudgetEditRow{Locality: l, Programme: p, Label: p.Label() + " (" + l + ")", Current: cur,
					Field: "amount-" + string(p) + "--" + l, Value: poundsText(cur)})
				v.Total += cur
			}
		}
	}
	return v, nil
}

// poundsText writes pence as a plain amount of pounds for a form box.
func poundsText(m finance.Money) string {
	sign := ""
	if m < 0 {
		sign, m = "-", -m
	}
	return fmt.Sprintf("%s%d.%02d", sign, int64(m)/100, int64(m)%100)
}

func (s *Server) budgetEditView(r *http.Request) (any, error) {
	return s.budgetEditModel(r)
}

// budgetEditPost applies a virement. An edit that breaks the balance rule
// (or has an amount that is not pounds and pence) shows the form again
// with what was entered and a message saying what to change; nothing is
// saved.
func (s *Server) budgetEditPost(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return invalid("The form could not be read.")
	}
	q := r.URL.Query()
	for _, k := range []string{"org", "year"} {
		if v := r.PostForm.Get(k); v != "" {
			q.Set(k, v)
		}
	}
	r.URL.RawQuery = q.Encode()
	v, err := s.budgetEditModel(r)
	if err != nil {
		return err
	}
	v.Reason = strings.TrimSpace(r.PostForm.Get("reason"))
	var changes []finance.BudgetChange
	var problems []string
	for i, row := range v.Rows {
		raw := strings.TrimSpace(r.PostForm.Get(row.Field))
		if raw == "" {
			continue
		}
		v.Rows[i].Value = raw
		m, err := finance.ParsePounds(raw)
		if err != nil {
			problems = append(problems, row.Label+": "+err.Error())
			continue
		}
		if m != row.Current {
			changes = append(changes, finance.BudgetChange{Locality: row.Locality, Programme: row.Programme, Annual: m})
		}
	}
	if len(problems) == 0 && len(changes) == 0 {
		problems = append(problems, "Nothing was changed: enter new amounts for the programmes that money moves between.")
	}
	if len(problems) == 0 {
		by := "unknown"
		if p := personFrom(r); p != nil {
			by = p.Email
		}
		edit, err := s.deps.Finance.EditBudget(r.Context(), by, v.Org, v.Year, changes, v.Reason)
		if err == nil {
			http.Redirect(w, r, "/finance/budgets?"+scopeQuery(v.financeScope, "")+"&saved=1", http.StatusSeeOther)
			return nil
		}
		if !errors.Is(err, errs.ErrInvalid) {
			return err
		}
		if len(edit.Lines) > 0 {
			v.Edit = &edit
		}
		msg := err.Error()
		msg = strings.TrimPrefix(msg, "finance: edit budget: ")
		msg = strings.TrimSuffix(msg, ": "+errs.ErrInvalid.Error())
		problems = append(problems, strings.ToUpper(msg[:1])+msg[1:]+".")
	}
	v.Error = strings.Join(problems, " ")
	return s.render(w, r, http.StatusBadRequest, "finance/edit", v, "")
}
