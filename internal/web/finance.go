package web

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"ccg/internal/access"
	"ccg/internal/calendar"
	"ccg/internal/errs"
	"ccg/internal/finance"
	"ccg/internal/registry"
)

// financeRoutes are the pages and API of the finance capability ("Money");
// none when Deps.Finance is nil. The public see only the published summary;
// budgets, allocations, practice prescribing budgets and transfers need
// ActFinanceView on what they show (a practice's own prescribing budget is
// open to its members and its locality lead), and budget edits
// ActFinanceEdit.
func (s *Server) financeRoutes() []route {
	if s.deps.Finance == nil {
		return nil
	}
	published := func(*http.Request) Resource { return Resource{Kind: "finance-summary", Published: true} }
	budget := func(r *http.Request) Resource {
		return Resource{Kind: "budget", Locality: strings.ToUpper(strings.TrimSpace(r.URL.Query().Get("locality")))}
	}
	practice := func(r *http.Request) Resource { return Resource{Kind: "practice", ID: codeParam(r)} }
	return []route{
		{Method: "GET", Path: "/finance", API: apiPrefix + "/finance", Action: access.ActFinanceView, Resource: published,
			Page: "finance/summary", View: s.financeSummaryView},
		{Method: "GET", Path: "/finance/budgets", API: apiPrefix + "/budgets", Action: access.ActFinanceView, Resource: budget,
			Page: "finance/budgets", View: s.budgetsView},
		{Method: "GET", Path: "/finance/budgets.csv", Action: access.ActFinanceView, Resource: budget, Table: s.budgetsCSV},
		{Method: "GET", Path: "/finance/budgets/edit", API: apiPrefix + "/budgets/edit", Action: access.ActFinanceEdit,
			Page: "finance/edit", View: s.budgetEditView},
		{Method: "POST", Path: "/finance/budgets/edit", Action: access.ActFinanceEdit, Raw: s.budgetEditPost},
		{Method: "GET", Path: "/finance/allocations", API: apiPrefix + "/allocations", Action: access.ActFinanceView,
			Page: "finance/allocations", View: s.allocationsView},
		{Method: "GET", Path: "/finance/allocations.csv", Action: access.ActFinanceView, Table: s.allocationsCSV},
		{Method: "GET", Path: "/finance/prescribing", API: apiPrefix + "/prescribing-budgets", Action: access.ActFinanceView,
			Page: "finance/prescribing", View: s.prescribingBudgetsView},
		{Method: "GET", Path: "/finance/prescribing.csv", Action: access.ActFinanceView, Table: s.prescribingBudgetsCSV},
		{Method: "GET", Path: "/finance/prescribing/{code}", API: apiPrefix + "/prescribing-budgets/{code}", Action: access.ActFinanceView,
			Resource: practice, Page: "finance/practice", View: s.practiceBudgetView},
		{Method: "GET", Path: "/finance/transfers", API: apiPrefix + "/transfers", Action: access.ActFinanceView,
			Page: "finance/transfers", View: s.transfersView},
		// The finance role's forms (finance_forms.go), each with a JSON twin taking the same fields.
		{Method: "POST", Path: "/finance/transfers/agreements", Action: access.ActFinanceEdit, Raw: s.agreementPost(false)},
		{Method: "POST", Path: apiPrefix + "/transfers/agreements", Action: access.ActFinanceEdit, Raw: s.agreementPost(true)},
		{Method: "POST", Path: "/finance/transfers/receipts", Action: access.ActFinanceEdit, Raw: s.receiptPost(false)},
		{Method: "POST", Path: apiPrefix + "/transfers/receipts", Action: access.ActFinanceEdit, Raw: s.receiptPost(true)},
		{Method: "GET", Path: "/finance/allocations/new", Action: access.ActFinanceEdit, Page: "finance/build", View: s.allocationBuildView},
		{Method: "POST", Path: "/finance/allocations/new", Action: access.ActFinanceEdit, Raw: s.allocationBuildPost(false)},
		{Method: "POST", Path: apiPrefix + "/allocations", Action: access.ActFinanceEdit, Raw: s.allocationBuildPost(true)},
	}
}

// financeScope is the organisation and year a finance page is about.
type financeScope struct {
	Org     string                 `json:"org"`
	OrgName string                 `json:"org_name"`
	Year    calendar.FinancialYear `json:"year"`
	// Years are the years a page offers, newest first.
	Years []calendar.FinancialYear `json:"-"`
}

// YearLabel writes the year as "2020/21".
func (f financeScope) YearLabel() string { return f.Year.String() }

// financeScopeOf reads ?org= and ?year= (the financial year starting in
// April of YYYY). Without org, the commissioner is the open CCG with the
// lowest code (the merged CCG, after a merger); without year, the newest
// year, up to this one, in which it has budget lines.
func (s *Server) financeScopeOf(r *http.Request) (financeScope, error) {
	ctx := r.Context()
	q := r.URL.Query()
	org := strings.ToUpper(strings.TrimSpace(q.Get("org")))
	if org == "" {
		var err error
		if org, err = s.defaultCommissioner(ctx); err != nil {
			return financeScope{}, err
		}
	}
	sc := financeScope{Org: org, OrgName: org}
	o, err := s.deps.Registry.Organisation(ctx, org)
	switch {
	case errors.Is(err, errs.ErrNotFound):
		return financeScope{}, notFound("There is no organisation with the code %s.", org)
	case err != nil:
		return financeScope{}, err
	}
	sc.OrgName = o.Name
	this := s.today().Month().FinancialYear()
	if v := strings.TrimSpace(q.Get("year")); v != "" {
		y, err := strconv.Atoi(v)
		if err != nil || y < 1990 || y > 2100 {
			return financeScope{}, invalid("%q is not a financial year. Enter the year it starts in April, like 2020 for 2020/21.", v)
		}
		sc.Year = calendar.FinancialYear(y)
	}
	for y := this; y > this-12; y-- {
		lines, err := s.deps.Finance.Store().BudgetLines(ctx, org, y)
		if err != nil {
			return financeScope{}, err
		}
		if len(lines) > 0 {
			sc.Years = append(sc.Years, y)
		}
	}
	if sc.Year == 0 {
		sc.Year = this
		if len(sc.Years) > 0 {
			sc.Year = sc.Years[0]
		}
	}
	return sc, nil
}

// defaultCommissioner returns the open CCG with the lowest code, or the
// first CCG when none is open.
func (s *Server) defaultCommissioner(ctx context.Context) (string, error) {
	ccgs, _, err := s.deps.Registry.Search(ctx, registry.Filter{Kind: registry.KindCCG, Limit: 500})
	if err != nil {
		return "", err
	}
	best := ""
	for _, o := range ccgs {
		if o.Closed.IsZero() && (best == "" || o.Code < best) {
			best = o.Code
		}
	}
	if best == "" && len(ccgs) > 0 {
		best = ccgs[0].Code
	}
	if best == "" {
		return "", notFound("There is no clinical commissioning group in the registry yet, so there are no budgets to show.")
	}
	return best, nil
}

// canFinance reports whether the person may see the finance pages that
// are not published, and edit budgets (for links).
func canFinance(r *http.Request) (view, edit bool) {
	p := personFrom(r)
	return access.Can(p, access.ActFinanceView, Resource{}), access.Can(p, access.ActFinanceEdit, Resource{})
}

// financeErr turns a finance "not found" into a message a person can act on.
func financeErr(err error, format string, args ...any) error {
	if errors.Is(err, errs.ErrNotFound) {
		return notFound(format, args...)
	}
	return err
}

// pounds writes pence as pounds for chart axes.
func pounds(m finance.Money) float64 { return m.Pounds() }
