package finance

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"ccg/internal/calendar"
	"ccg/internal/errs"
)

// AuditVirement is the audit action of a balanced budget edit.
const AuditVirement = "finance.virement"

// BudgetChange is a new annual amount for one programme (and locality) of
// a commissioner's budget for a year.
type BudgetChange struct {
	Locality  string    `json:"locality,omitempty"`
	Programme Programme `json:"programme"`
	Annual    Money     `json:"annual_pence"`
}

// BudgetEdit is a budget edit checked against the balance rule: the
// annual amounts before and after, by line, and the net change.
type BudgetEdit struct {
	Lines []BudgetEditLine `json:"lines"`
	// Net is Σ (After − Before): zero for a balanced edit.
	Net Money `json:"net_pence"`
}

// BudgetEditLine is one line of a BudgetEdit.
type BudgetEditLine struct {
	Locality  string    `json:"locality,omitempty"`
	Programme Programme `json:"programme"`
	Before    Money     `json:"before_pence"`
	After     Money     `json:"after_pence"`
	Change    Money     `json:"change_pence"`
}

// CheckBalance applies the balance rule to an edit of annual budgets: a
// commissioner's budget for a year is its allocation, so an edit may move
// money between programmes and localities (a virement) but not create or
// remove it; the changes must add up to exactly zero. before holds the
// current annual amounts by line; changes the new amounts of the lines
// edited (a line not named keeps its amount; a new line starts from zero).
// No amount may be negative. The error wraps errs.ErrInvalid and says, in
// pounds, by how much the edit is out of balance and which way.
func CheckBalance(before map[BudgetChange]Money, changes []BudgetChange) (BudgetEdit, error) {
	type key struct {
		loc string
		p   Programme
	}
	seen := map[key]bool{}
	var e BudgetEdit
	for _, c := range changes {
		k := key{c.Locality, c.Programme}
		if !c.Programme.Valid() {
			return BudgetEdit{}, fmt.Errorf("budget edit: unknown programme %q: %w", c.Programme, errs.ErrInvalid)
		}
		if seen[k] {
			return BudgetEdit{}, fmt.Errorf("budget edit: %s is changed twice: %w", lineName(c.Locality, c.Programme), errs.ErrInvalid)
		}
		seen[k] = true
		if c.Annual < 0 {
			return BudgetEdit{}, fmt.Errorf("budget edit: the budget for %s cannot be negative (%s): %w", lineName(c.Locality, c.Programme), c.Annual, errs.ErrInvalid)
		}
		b := before[BudgetChange{Locality: c.Locality, Programme: c.Programme}]
		e.Lines = append(e.Lines, BudgetEditLine{Locality: c.Locality, Programme: c.Programme, Before: b, After: c.Annual, Change: c.Annual - b})
		e.Net += c.Annual - b
	}
	sort.Slice(e.Lines, func(i, j int) bool {
		if e.Lines[i].Locality != e.Lines[j].Locality {
			return e.Lines[i].Locality < e.Lines[j].Locality
		}
		return programmeOrder(e.Lines[i].Programme) < programmeOrder(e.Lines[j].Programme)
	})
	switch {
	case e.Net > 0:
		return e, fmt.Errorf("the changes do not balance: they add %s to the year's budget. Take %s from other lines so that the changes add up to zero: %w", e.Net, e.Net, errs.ErrInvalid)
	case e.Net < 0:
		return e, fmt.Errorf("the changes do not balance: they take %s out of the year's budget. Give %s to other lines so that the changes add up to zero: %w", -e.Net, -e.Net, errs.ErrInvalid)
	}
	return e, nil
}

func lineName(loc string, p Programme) string {
	if loc == "" {
		return p.Label()
	}
	return p.Label() + " (" + loc + ")"
}

// AnnualBudgets returns org's annual budget by line (locality and
// programme; Annual is the sum of the line's months) for year.
func (s *Service) AnnualBudgets(ctx context.Context, org string, year calendar.FinancialYear) (map[BudgetChange]Money, error) {
	lines, err := s.store.BudgetLines(ctx, org, year)
	if err != nil {
		return nil, fmt.Errorf("finance: annual budgets %s %s: %w", org, year, err)
	}
	out := map[BudgetChange]Money{}
	for _, l := range lines {
		out[BudgetChange{Locality: l.Locality, Programme: l.Programme}] += l.Amount
	}
	return out, nil
}

// EditBudget changes org's annual budgets for year under the balance rule
// (CheckBalance): an unbalanced edit changes nothing and returns an error
// wrapping errs.ErrInvalid with the edit worked out. Each changed line is
// phased over the months in proportion to its present monthly profile
// (equal months for a new line or one that was zero), and the whole edit
// is written in one transaction and audited with its reason.
func (s *Service) EditBudget(ctx context.Context, by, org string, year calendar.FinancialYear, changes []BudgetChange, reason string) (BudgetEdit, error) {
	const op = "finance: edit budget"
	if strings.TrimSpace(org) == "" {
		return BudgetEdit{}, fmt.Errorf("%s: the organisation is required: %w", op, errs.ErrInvalid)
	}
	if strings.TrimSpace(reason) == "" {
		return BudgetEdit{}, fmt.Errorf("%s: say why the budget is changing (the reason is kept in the audit log): %w", op, errs.ErrInvalid)
	}
	var edit BudgetEdit
	err := s.store.InTx(ctx, func(ctx context.Context) error {
		lines, err := s.store.BudgetLines(ctx, org, year)
		if err != nil {
			return err
		}
		before := map[BudgetChange]Money{}
		profile := map[BudgetChange][]float64{}
		for _, l := range lines {
			k := BudgetChange{Locality: l.Locality, Programme: l.Programme}
			before[k] += l.Amount
			if profile[k] == nil {
				profile[k] = make([]float64, 12)
			}
			if l.Amount > 0 {
				profile[k][monthIndex(l.Month)] += float64(l.Amount)
			}
		}
		if edit, err = CheckBalance(before, changes); err != nil {
			return err
		}
		var out []BudgetLine
		var moved []string
		for _, l := range edit.Lines {
			if l.Change == 0 {
				continue
			}
			k := BudgetChange{Locality: l.Locality, Programme: l.Programme}
			prof := profile[k]
			if prof != nil {
				sum := 0.0
				for _, v := range prof {
					sum += v
				}
				if sum == 0 {
					prof = nil
				}
			}
			months, err := Phase(l.After, prof)
			if err != nil {
				return err
			}
			for i, m := range year.Months() {
				out = append(out, BudgetLine{Org: org, Locality: l.Locality, Programme: l.Programme, Month: m, Amount: months[i],
					Source: "virement by " + by + ": " + reason})
			}
			moved = append(moved, fmt.Sprintf("%s %s → %s", lineName(l.Locality, l.Programme), l.Before, l.After))
		}
		if len(out) == 0 {
			return nil
		}
		if _, err := s.store.PutBudgetLines(ctx, out); err != nil {
			return err
		}
		return s.record(ctx, AuditVirement, fmt.Sprintf("budget %s %s", org, year),
			fmt.Sprintf("%s; reason: %s; by %s", strings.Join(moved, "; "), reason, by))
	})
	if err != nil {
		return edit, fmt.Errorf("%s: %w", op, err)
	}
	return edit, nil
}
