package finance

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"ccg/internal/calendar"
	"ccg/internal/errs"
	"ccg/internal/registry"
)

// Audit actions written by the Service.
const (
	AuditAllocationSave = "finance.allocation-save"
	AuditBudgetSet      = "finance.budget-set"
	AuditAgreementPut   = "finance.agreement-put"
	AuditReceiptAdd     = "finance.receipt-add"
)

// Service applies the finance rules over a Store and the registry,
// writing every change to the Auditor.
type Service struct {
	store   Store
	pop     Population
	rx      PrescribingCosts
	audit   Auditor
	quality QualityChecks
	rag     RAGPolicy
	now     func() time.Time
}

// NewService returns a Service. store, pop and audit are required; rx may
// be nil until prescribing data is wired (PrescribingBudgets then fails).
func NewService(store Store, pop Population, rx PrescribingCosts, audit Auditor) *Service {
	return &Service{store: store, pop: pop, rx: rx, audit: audit, rag: DefaultRAG, now: time.Now}
}

// WithClock returns the service using now as its clock (tests, the demo).
func (s *Service) WithClock(now func() time.Time) *Service {
	c := *s
	c.now = now
	return &c
}

// WithRAG returns the service rating positions with p.
func (s *Service) WithRAG(p RAGPolicy) *Service {
	c := *s
	c.rag = p
	return &c
}

// WithQuality returns the service adding q's warnings to allocations.
func (s *Service) WithQuality(q QualityChecks) *Service {
	c := *s
	c.quality = q
	return &c
}

// Store returns the service's store.
func (s *Service) Store() Store { return s.store }

func (s *Service) record(ctx context.Context, action, subject, detail string) error {
	if err := s.audit.Record(ctx, action, subject, detail); err != nil {
		return fmt.Errorf("audit %s: %w", action, err)
	}
	return nil
}

// AllocationRequest says what allocation to build.
type AllocationRequest struct {
	Org       string
	Year      calendar.FinancialYear
	Programme Programme
	// Total is the amount to share among the practices.
	Total Money
	// Weights are the age-sex weights: ASTROPU2013Cost for prescribing,
	// DefaultCostCurve or a local curve otherwise. Zero: the default for
	// the programme.
	Weights *Weights
	// ListSizeMonth is the list-size month used; zero means the latest
	// month held that is not after the year's first month.
	ListSizeMonth calendar.Month
	// MembersAt is the date membership is taken on; zero means the first
	// day of the year.
	MembersAt calendar.Date
	Need      *NeedIndex
	Pace      PacePolicy
	// Current budgets by practice. Nil takes them from the most recent
	// saved allocation for the same org, programme and previous year.
	Current map[string]Money
}

// BuildAllocation builds (but does not save) an allocation: the org's
// member practices on MembersAt, weighted from the list-size month, with
// targets, distances, paced budgets, locality roll-ups and the inputs used,
// including every quality warning.
func (s *Service) BuildAllocation(ctx context.Context, req AllocationRequest) (Allocation, error) {
	const op = "finance: build allocation"
	if req.Org == "" {
		return Allocation{}, fmt.Errorf("%s: the organisation is required: %w", op, errs.ErrInvalid)
	}
	if !req.Programme.Valid() {
		return Allocation{}, fmt.Errorf("%s: programme %q: %w", op, req.Programme, errs.ErrInvalid)
	}
	w := DefaultCostCurve()
	if req.Programme == ProgPrescribing {
		w = ASTROPU2013Cost()
	}
	if req.Weights != nil {
		w = *req.Weights
	}
	at := req.MembersAt
	if at.IsZero() {
		at = req.Year.Start().First()
	}
	month := req.ListSizeMonth
	var warnings []string
	if month.IsZero() {
		months, err := s.pop.ListSizeMonths(ctx)
		if err != nil {
			return Allocation{}, fmt.Errorf("%s: %w", op, err)
		}
		for _, m := range months {
			if !req.Year.Start().Before(m) {
				month = m
			}
		}
		if month.IsZero() {
			return Allocation{}, fmt.Errorf("%s: no list sizes held for %s or before: %w", op, req.Year.Start(), errs.ErrNotFound)
		}
		if gap := req.Year.Start().Since(month); gap > 3 {
			warnings = append(warnings, fmt.Sprintf("the latest list sizes are for %s, %d months before the year starts", month, gap))
		}
	}
	members, err := s.pop.MembersAt(ctx, req.Org, at, false)
	if err != nil {
		return Allocation{}, fmt.Errorf("%s: members of %s: %w", op, req.Org, err)
	}
	if len(members) == 0 {
		return Allocation{}, fmt.Errorf("%s: %s had no member practices on %s: %w", op, req.Org, at, errs.ErrNotFound)
	}
	memberOf := map[string]registry.MemberAt{}
	for _, m := range members {
		memberOf[m.Code] = m
	}
	all, err := s.pop.ListSizesForMonth(ctx, month)
	if err != nil {
		return Allocation{}, fmt.Errorf("%s: list sizes %s: %w", op, month, err)
	}
	var rows []registry.ListSize
	for _, r := range all {
		if _, ok := memberOf[r.Practice]; ok {
			rows = append(rows, r)
		}
	}
	pops, err := WeightPopulation(rows, w)
	if err != nil {
		return Allocation{}, fmt.Errorf("%s: %w", op, err)
	}
	if len(pops) == 0 {
		return Allocation{}, fmt.Errorf("%s: no member practice of %s has list sizes for %s: %w", op, req.Org, month, errs.ErrNotFound)
	}
	have := map[string]bool{}
	for _, p := range pops {
		have[p.Practice] = true
	}
	codes := make([]string, 0, len(members))
	for _, m := range members {
		codes = append(codes, m.Code)
		if !have[m.Code] {
			warnings = append(warnings, fmt.Sprintf("%s %s: member practice has no list size; it gets no share", m.Code, month))
		}
	}
	sort.Strings(codes)
	if s.quality != nil {
		qw, err := s.quality.ListSizeWarnings(ctx, month, codes)
		if err != nil {
			return Allocation{}, fmt.Errorf("%s: quality checks: %w", op, err)
		}
		warnings = append(warnings, qw...)
	}
	current, currentSource := req.Current, "given with the request"
	if current == nil {
		current, currentSource, err = s.previousBudgets(ctx, req.Org, req.Programme, req.Year-1)
		if err != nil {
			return Allocation{}, fmt.Errorf("%s: %w", op, err)
		}
	}
	shares := make([]Share, len(pops))
	for i, p := range pops {
		shares[i] = Share{Practice: p.Practice, Locality: memberOf[p.Practice].Locality, WeightedPopulation: p, Current: current[p.Practice]}
	}
	in := Inputs{ListSizeMonth: month, MembersAt: at, Weights: w.Name, WeightsVersion: w.Version, WeightsSource: w.Source,
		CurrentSource: currentSource, QualityWarnings: warnings}
	a, err := Allocate(req.Total, shares, req.Need, req.Pace, in)
	if err != nil {
		return Allocation{}, fmt.Errorf("%s: %w", op, err)
	}
	a.Org, a.Year, a.Programme, a.Created = req.Org, req.Year, req.Programme, s.now().UTC()
	return a, nil
}

// previousBudgets returns the budgets of the newest saved allocation for
// the same org and programme in year.
func (s *Service) previousBudgets(ctx context.Context, org string, p Programme, year calendar.FinancialYear) (map[string]Money, string, error) {
	as, err := s.store.Allocations(ctx, org, year)
	if err != nil {
		return nil, "", fmt.Errorf("allocations %s: %w", year, err)
	}
	for _, a := range as {
		if a.Programme != p {
			continue
		}
		out := map[string]Money{}
		for _, l := range a.Lines {
			out[l.Practice] = l.Budget
		}
		return out, fmt.Sprintf("allocation %d (%s %s budgets)", a.ID, year, p), nil
	}
	return map[string]Money{}, "none: no allocation for " + year.String(), nil
}

// SaveAllocation stores a built allocation and returns it with its id.
func (s *Service) SaveAllocation(ctx context.Context, by string, a Allocation) (Allocation, error) {
	const op = "finance: save allocation"
	if len(a.Lines) == 0 || a.Org == "" {
		return Allocation{}, fmt.Errorf("%s: nothing to save: %w", op, errs.ErrInvalid)
	}
	if Sum(linesTargets(a.Lines)) != a.Total {
		return Allocation{}, fmt.Errorf("%s: the targets do not sum to the total: %w", op, errs.ErrInvalid)
	}
	a.CreatedBy = by
	err := s.store.InTx(ctx, func(ctx context.Context) error {
		id, err := s.store.SaveAllocation(ctx, a)
		if err != nil {
			return err
		}
		a.ID = id
		return s.record(ctx, AuditAllocationSave, fmt.Sprintf("allocation %d", id),
			fmt.Sprintf("%s %s %s total %s, %d practices, weights %s, list sizes %s, %d quality warnings",
				a.Org, a.Year, a.Programme, a.Total, len(a.Lines), a.Inputs.Weights+"/"+a.Inputs.WeightsVersion,
				a.Inputs.ListSizeMonth, len(a.Inputs.QualityWarnings)))
	})
	if err != nil {
		return Allocation{}, fmt.Errorf("%s: %w", op, err)
	}
	return a, nil
}

func linesTargets(ls []AllocationLine) []Money {
	out := make([]Money, len(ls))
	for i, l := range ls {
		out[i] = l.Target
	}
	return out
}

// Allocation returns one saved allocation.
func (s *Service) Allocation(ctx context.Context, id int64) (Allocation, error) {
	a, err := s.store.Allocation(ctx, id)
	if err != nil {
		return Allocation{}, fmt.Errorf("finance: allocation %d: %w", id, err)
	}
	return a, nil
}

// Allocations returns org's saved allocations for year, newest first.
func (s *Service) Allocations(ctx context.Context, org string, year calendar.FinancialYear) ([]Allocation, error) {
	as, err := s.store.Allocations(ctx, org, year)
	if err != nil {
		return nil, fmt.Errorf("finance: allocations %s %s: %w", org, year, err)
	}
	return as, nil
}

// SetBudget stores budget lines (replacing lines with the same org,
// locality, programme and month) and returns how many changed.
func (s *Service) SetBudget(ctx context.Context, by string, lines []BudgetLine) (int, error) {
	const op = "finance: set budget"
	for i, l := range lines {
		switch {
		case l.Org == "":
			return 0, fmt.Errorf("%s: line %d has no organisation: %w", op, i+1, errs.ErrInvalid)
		case !l.Programme.Valid():
			return 0, fmt.Errorf("%s: line %d: unknown programme %q: %w", op, i+1, l.Programme, errs.ErrInvalid)
		case l.Month.IsZero():
			return 0, fmt.Errorf("%s: line %d has no month: %w", op, i+1, errs.ErrInvalid)
		}
	}
	var changed int
	err := s.store.InTx(ctx, func(ctx context.Context) error {
		var err error
		if changed, err = s.store.PutBudgetLines(ctx, lines); err != nil {
			return err
		}
		if changed == 0 {
			return nil
		}
		return s.record(ctx, AuditBudgetSet, budgetSubject(lines), fmt.Sprintf("%d lines, %d changed, by %s", len(lines), changed, by))
	})
	if err != nil {
		return 0, fmt.Errorf("%s: %w", op, err)
	}
	return changed, nil
}

func budgetSubject(lines []BudgetLine) string {
	if len(lines) == 0 {
		return "budget"
	}
	return fmt.Sprintf("budget %s %s", lines[0].Org, lines[0].Month.FinancialYear())
}

// SetAnnualBudget phases an annual budget over the year's months by
// profile (nil: equal months; see Phase) and stores it.
func (s *Service) SetAnnualBudget(ctx context.Context, by, org, locality string, p Programme, year calendar.FinancialYear, annual Money, profile []float64, source string) (int, error) {
	months, err := Phase(annual, profile)
	if err != nil {
		return 0, err
	}
	lines := make([]BudgetLine, 12)
	for i, m := range year.Months() {
		lines[i] = BudgetLine{Org: org, Locality: locality, Programme: p, Month: m, Amount: months[i], Source: source}
	}
	return s.SetBudget(ctx, by, lines)
}

// BudgetReport is a commissioner's (or a locality's) position for a year:
// one Position per programme with a budget or actuals, and the total.
type BudgetReport struct {
	Org        string                 `json:"org"`
	Locality   string                 `json:"locality,omitempty"`
	Year       calendar.FinancialYear `json:"year"`
	Through    calendar.Month         `json:"through"`
	Programmes []Position             `json:"programmes"`
	Total      Position               `json:"total"`
	// Localities lists the localities with budget lines, for links.
	Localities []string `json:"localities,omitempty"`
}

// Position returns the financial position of org (or of one of its
// localities when locality is not "") for year, from budget lines and
// ledger actuals. An org's figures are all its lines: its own ("" locality)
// and its localities'. through is the last month of actuals to use; zero
// means the latest month of the year with any actual for org. A prior year
// is used for seasonal forecasts when org's ledger has actuals in all
// twelve of its months; for an organisation formed by a merger (or a
// handover) on or before the year's start whose own ledger does not, the
// ledgers of its predecessors are added to its own for that prior year
// (the sources say so). Actuals with no organisation count as org's.
func (s *Service) Position(ctx context.Context, org, locality string, year calendar.FinancialYear, through calendar.Month) (BudgetReport, error) {
	const op = "finance: position"
	lines, err := s.store.BudgetLines(ctx, org, year)
	if err != nil {
		return BudgetReport{}, fmt.Errorf("%s: budgets %s %s: %w", op, org, year, err)
	}
	acts, err := s.store.Actuals(ctx, (year - 1).Start(), year.Start().Add(11))
	if err != nil {
		return BudgetReport{}, fmt.Errorf("%s: actuals: %w", op, err)
	}
	rep := BudgetReport{Org: org, Locality: locality, Year: year}
	locs := map[string]bool{}
	budget := map[Programme]*[12]Money{}
	cur := map[Programme]*[12]Money{}
	prior := map[Programme]*[12]Money{}
	get := func(m map[Programme]*[12]Money, p Programme) *[12]Money {
		if m[p] == nil {
			m[p] = &[12]Money{}
		}
		return m[p]
	}
	for _, l := range lines {
		if l.Locality != "" {
			locs[l.Locality] = true
		}
		if locality != "" && l.Locality != locality {
			continue
		}
		get(budget, l.Programme)[monthIndex(l.Month)] += l.Amount
	}
	var latest calendar.Month
	priorMonths := map[calendar.Month]bool{}
	for _, a := range acts {
		if a.Org != org && a.Org != "" {
			continue
		}
		fy := a.Period.FinancialYear()
		if fy == year && (latest.IsZero() || latest.Before(a.Period)) {
			latest = a.Period
		}
		if fy == year-1 {
			priorMonths[a.Period] = true
		}
		if locality != "" && a.Locality != locality {
			continue
		}
		if fy == year {
			get(cur, a.Programme)[monthIndex(a.Period)] += a.Amount
		} else {
			get(prior, a.Programme)[monthIndex(a.Period)] += a.Amount
		}
	}
	// A commissioner formed by a merger has no ledger of its own for the
	// year before: its predecessors' actuals, added together, give the
	// seasonal profile (their records are read, not changed).
	var priorFrom []string
	if len(priorMonths) < 12 {
		preds, err := s.predecessorsBefore(ctx, org, year)
		if err != nil {
			return BudgetReport{}, fmt.Errorf("%s: %w", op, err)
		}
		if len(preds) > 0 {
			in := map[string]bool{org: true, "": true}
			for _, p := range preds {
				in[p] = true
			}
			priorMonths = map[calendar.Month]bool{}
			prior = map[Programme]*[12]Money{}
			for _, a := range acts {
				if !in[a.Org] || a.Period.FinancialYear() != year-1 {
					continue
				}
				priorMonths[a.Period] = true
				if locality != "" && a.Locality != locality {
					continue
				}
				get(prior, a.Programme)[monthIndex(a.Period)] += a.Amount
			}
			priorFrom = preds
		}
	}
	if through.IsZero() {
		through = latest
	}
	elapsed := 0
	if !through.IsZero() {
		elapsed = through.Since(year.Start()) + 1
		if elapsed < 0 {
			elapsed = 0
		}
		if elapsed > 12 {
			elapsed = 12
		}
	}
	if elapsed > 0 {
		rep.Through = year.Start().Add(elapsed - 1)
	}
	hasPrior := len(priorMonths) == 12
	var tb, ta, tp [12]Money
	for _, p := range Programmes {
		if budget[p] == nil && cur[p] == nil {
			continue
		}
		b, a := *get(budget, p), *get(cur, p)
		var pr []Money
		if hasPrior {
			pp := *get(prior, p)
			pr = pp[:]
		}
		pos, err := BuildPosition(year, b, a, elapsed, pr, s.rag)
		if err != nil {
			return BudgetReport{}, fmt.Errorf("%s: %s: %w", op, p, err)
		}
		pos.Org, pos.Locality, pos.Programme = org, locality, p
		pos.Inputs.Sources = sources(lines, acts, org, locality, p, year)
		if hasPrior && len(priorFrom) > 0 {
			pos.Inputs.Sources = append(pos.Inputs.Sources, "prior year: the ledgers of the predecessors "+strings.Join(priorFrom, ", "))
		}
		rep.Programmes = append(rep.Programmes, pos)
		for i := range tb {
			tb[i] += b[i]
			ta[i] += a[i]
			if hasPrior {
				tp[i] += pr[i]
			}
		}
	}
	var tpr []Money
	if hasPrior {
		tpr = tp[:]
	}
	total, err := BuildPosition(year, tb, ta, elapsed, tpr, s.rag)
	if err != nil {
		return BudgetReport{}, fmt.Errorf("%s: total: %w", op, err)
	}
	total.Org, total.Locality = org, locality
	rep.Total = total
	rep.Localities = sortedKeys(locs)
	return rep, nil
}

// predecessorsBefore returns the organisations that passed into org on or
// before the start of year (by registry successions), sorted.
func (s *Service) predecessorsBefore(ctx context.Context, org string, year calendar.FinancialYear) ([]string, error) {
	succ, err := s.pop.Predecessors(ctx, org)
	if errors.Is(err, errs.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("predecessors of %s: %w", org, err)
	}
	seen := map[string]bool{}
	for _, sc := range succ {
		if sc.Predecessor != org && !sc.Effective.After(year.Start().First()) {
			seen[sc.Predecessor] = true
		}
	}
	return sortedKeys(seen), nil
}

// sources lists the distinct sources of the lines and actuals behind one
// programme's position.
func sources(lines []BudgetLine, acts []Actual, org, locality string, p Programme, year calendar.FinancialYear) []string {
	set := map[string]bool{}
	for _, l := range lines {
		if l.Programme == p && (locality == "" || l.Locality == locality) && l.Source != "" {
			set["budget: "+l.Source] = true
		}
	}
	for _, a := range acts {
		if a.Programme == p && (a.Org == org || a.Org == "") && (locality == "" || a.Locality == locality) &&
			a.Period.FinancialYear() == year && a.Source != "" {
			set["ledger: "+a.Source] = true
		}
	}
	return sortedKeys(set)
}

// PrescribingBudgets sets each practice's prescribing budget from a saved
// prescribing allocation (its paced Budget, phased equally over the
// months) and compares it month by month with the practice's actual cost.
// Months up to through (zero: the whole year) are asked of the
// PrescribingCosts port; a month it has no data for is shown without an
// actual.
func (s *Service) PrescribingBudgets(ctx context.Context, allocationID int64, through calendar.Month) ([]PracticePrescribing, error) {
	const op = "finance: prescribing budgets"
	if s.rx == nil {
		return nil, fmt.Errorf("%s: no prescribing data is connected: %w", op, errs.ErrNotFound)
	}
	a, err := s.store.Allocation(ctx, allocationID)
	if err != nil {
		return nil, fmt.Errorf("%s: allocation %d: %w", op, allocationID, err)
	}
	if a.Programme != ProgPrescribing {
		return nil, fmt.Errorf("%s: allocation %d is for %s, not prescribing: %w", op, allocationID, a.Programme, errs.ErrInvalid)
	}
	out := make([]PracticePrescribing, 0, len(a.Lines))
	for _, l := range a.Lines {
		budget, err := Phase(l.Budget, nil)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", op, err)
		}
		var actual [12]Money
		var has [12]bool
		for i, m := range a.Year.Months() {
			if !through.IsZero() && through.Before(m) {
				break
			}
			c, err := s.rx.ActualCost(ctx, l.Practice, m)
			if errors.Is(err, errs.ErrNotFound) {
				continue
			}
			if err != nil {
				return nil, fmt.Errorf("%s: %s %s: %w", op, l.Practice, m, err)
			}
			actual[i], has[i] = c, true
		}
		p, err := ComparePrescribing(a.Year, budget, actual, has, s.rag)
		if err != nil {
			return nil, fmt.Errorf("%s: %s: %w", op, l.Practice, err)
		}
		p.Practice, p.Locality, p.AllocationID = l.Practice, l.Locality, a.ID
		p.Warnings = append(p.Warnings, l.Warnings...)
		out = append(out, p)
	}
	return out, nil
}

// RecordAgreement validates and stores an agreement (a.ID 0: new).
func (s *Service) RecordAgreement(ctx context.Context, by string, a Agreement) (Agreement, error) {
	const op = "finance: record agreement"
	a.From, a.To = strings.ToUpper(strings.TrimSpace(a.From)), strings.ToUpper(strings.TrimSpace(a.To))
	if err := a.Validate(); err != nil {
		return Agreement{}, fmt.Errorf("%s: %w", op, err)
	}
	err := s.store.InTx(ctx, func(ctx context.Context) error {
		id, err := s.store.PutAgreement(ctx, a)
		if err != nil {
			return err
		}
		a.ID = id
		return s.record(ctx, AuditAgreementPut, fmt.Sprintf("agreement %d", id),
			fmt.Sprintf("%s owes %s %s by %s (%s), by %s", a.From, a.To, a.Amount, a.Due, a.Description, by))
	})
	if err != nil {
		return Agreement{}, fmt.Errorf("%s: %w", op, err)
	}
	return a, nil
}

// RecordReceipt stores a receipt against an agreement. A receipt of zero
// or less, or of more than is outstanding on its date, wraps
// errs.ErrInvalid: an overpayment is a new agreement the other way.
func (s *Service) RecordReceipt(ctx context.Context, by string, r Receipt) (Receipt, error) {
	const op = "finance: record receipt"
	if r.Amount <= 0 || r.Received.IsZero() {
		return Receipt{}, fmt.Errorf("%s: a receipt needs a date and an amount above zero: %w", op, errs.ErrInvalid)
	}
	err := s.store.InTx(ctx, func(ctx context.Context) error {
		a, err := s.store.Agreement(ctx, r.Agreement)
		if err != nil {
			return err
		}
		rs, err := s.store.Receipts(ctx, a.ID)
		if err != nil {
			return err
		}
		st := Status(a, rs, calendar.NewDate(9999, 12, 31))
		if r.Amount > st.Outstanding {
			return fmt.Errorf("%s is more than the %s outstanding: %w", r.Amount, st.Outstanding, errs.ErrInvalid)
		}
		id, err := s.store.AddReceipt(ctx, r)
		if err != nil {
			return err
		}
		r.ID = id
		return s.record(ctx, AuditReceiptAdd, fmt.Sprintf("agreement %d", a.ID),
			fmt.Sprintf("received %s from %s on %s, by %s", r.Amount, a.From, r.Received, by))
	})
	if err != nil {
		return Receipt{}, fmt.Errorf("%s: %w", op, err)
	}
	return r, nil
}

// TransfersReport is what is owed to and by an organisation on a date.
type TransfersReport struct {
	Org  string        `json:"org"`
	AsAt calendar.Date `json:"as_at"`
	// OwedTo lists agreements in which others owe Org; Owing those in
	// which Org owes others.
	OwedTo []AgreementStatus `json:"owed_to"`
	Owing  []AgreementStatus `json:"owing"`
	// Receivable ages what Org is owed; Payable what it owes.
	Receivable Ageing `json:"receivable"`
	Payable    Ageing `json:"payable"`
}

// Transfers returns org's agreements as they stood on asAt (zero: today),
// with outstanding and overdue amounts, ages and escalation.
func (s *Service) Transfers(ctx context.Context, org string, asAt calendar.Date) (TransfersReport, error) {
	const op = "finance: transfers"
	if asAt.IsZero() {
		asAt = calendar.DateOf(s.now().UTC())
	}
	as, err := s.store.Agreements(ctx, org)
	if err != nil {
		return TransfersReport{}, fmt.Errorf("%s: %w", op, err)
	}
	rep := TransfersReport{Org: org, AsAt: asAt}
	for _, a := range as {
		if a.Agreed.After(asAt) {
			continue
		}
		rs, err := s.store.Receipts(ctx, a.ID)
		if err != nil {
			return TransfersReport{}, fmt.Errorf("%s: receipts of %d: %w", op, a.ID, err)
		}
		st := Status(a, rs, asAt)
		switch {
		case strings.EqualFold(a.To, org):
			rep.OwedTo = append(rep.OwedTo, st)
		case strings.EqualFold(a.From, org):
			rep.Owing = append(rep.Owing, st)
		}
	}
	rep.Receivable, rep.Payable = Age(asAt, rep.OwedTo), Age(asAt, rep.Owing)
	return rep, nil
}

// Consolidated returns successor's budgets and actuals for year together
// with those of every organisation that passed into it (registry
// successions), leaving each organisation's records as they are.
func (s *Service) Consolidated(ctx context.Context, successor string, year calendar.FinancialYear) (Consolidated, error) {
	const op = "finance: consolidate"
	succ, err := s.pop.Predecessors(ctx, successor)
	if err != nil {
		return Consolidated{}, fmt.Errorf("%s: predecessors of %s: %w", op, successor, err)
	}
	orgs := []string{successor}
	var preds []string
	seen := map[string]bool{successor: true}
	for _, sc := range succ {
		if !seen[sc.Predecessor] {
			seen[sc.Predecessor] = true
			preds = append(preds, sc.Predecessor)
			orgs = append(orgs, sc.Predecessor)
		}
	}
	var lines []BudgetLine
	for _, o := range orgs {
		ls, err := s.store.BudgetLines(ctx, o, year)
		if err != nil {
			return Consolidated{}, fmt.Errorf("%s: budgets of %s: %w", op, o, err)
		}
		lines = append(lines, ls...)
	}
	acts, err := s.store.Actuals(ctx, year.Start(), year.Start().Add(11))
	if err != nil {
		return Consolidated{}, fmt.Errorf("%s: actuals: %w", op, err)
	}
	return Consolidate(successor, preds, year, lines, acts), nil
}

// ListSizeMonths returns the months for which list sizes are held, oldest
// first: the months an allocation can be built from.
func (s *Service) ListSizeMonths(ctx context.Context) ([]calendar.Month, error) {
	ms, err := s.pop.ListSizeMonths(ctx)
	if err != nil {
		return nil, fmt.Errorf("finance: list-size months: %w", err)
	}
	return ms, nil
}
