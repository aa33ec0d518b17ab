package cli

import (
	"context"
	"errors"
	"fmt"
	"sort"

	"ccg/internal/access"
	"ccg/internal/calendar"
	"ccg/internal/demo"
	"ccg/internal/errs"
	"ccg/internal/finance"
)

// seedDemoFinance adds what the demo's finance pages show that is not imported
// from files (it runs after every import and the demo accounts): the annual
// budgets the governing bodies set for 2019/20 (99X, 99Y) and 2020/21 (99Z),
// phased by month; a prescribing fair-share allocation for 99Z in 2020/21
// (ASTRO-PU weights, the demo need index, a third of the gap to target
// closed), whose current budgets are each practice's actual prescribing
// cost in 2019/20 from the imported prescribing data; and the handover and
// merger agreements with their receipts. It does nothing when budgets are
// already stored (the demo run again).
func seedDemoFinance(ctx context.Context, e *env, a *app, w *demo.World) error {
	if a.finance == nil || len(w.Finance.Budgets) == 0 {
		return nil
	}
	fw := w.Finance
	ctx = access.WithActor(ctx, &access.Person{Name: "Demo", Email: "demo@ccg.example"})
	if have, err := a.finance.Store().BudgetLines(ctx, w.MergedCCG, 2020); err != nil {
		return fmt.Errorf("demo finance: %w", err)
	} else if len(have) > 0 {
		return nil
	}
	const by = "demo"
	for _, b := range fw.Budgets {
		source := fmt.Sprintf("governing body %d-03-26", int(b.Year))
		// Community services are budgeted by locality (the ledger records
		// them so), in proportion to the localities' registered patients.
		locs, weights := demoLocalityShares(w, b.Org, b.Year)
		if b.Programme == string(finance.ProgCommunity) && len(locs) > 0 {
			shares, err := finance.Apportion(finance.Money(b.Pence), weights)
			if err != nil {
				return fmt.Errorf("demo finance: community budget of %s: %w", b.Org, err)
			}
			for i, loc := range locs {
				if _, err := a.finance.SetAnnualBudget(ctx, by, b.Org, loc, finance.ProgCommunity, b.Year, shares[i], nil, source); err != nil {
					return fmt.Errorf("demo finance: budget %s %s %s: %w", b.Org, loc, b.Year, err)
				}
			}
			continue
		}
		if _, err := a.finance.SetAnnualBudget(ctx, by, b.Org, "", finance.Programme(b.Programme), b.Year, finance.Money(b.Pence), nil, source); err != nil {
			return fmt.Errorf("demo finance: budget %s %s %s: %w", b.Org, b.Year, b.Programme, err)
		}
	}

	// The prescribing allocation for the merged CCG's first year.
	var rxBudget finance.Money
	for _, b := range fw.Budgets {
		if b.Org == w.MergedCCG && b.Year == 2020 && b.Programme == string(finance.ProgPrescribing) {
			rxBudget = finance.Money(b.Pence)
		}
	}
	members := w.MembersOn(w.MergedCCG, calendar.MustDate("2020-04-01"))
	current := map[string]finance.Money{}
	source := "each practice's actual prescribing cost in 2019/20 (imported prescribing data)"
	costs := newAnalyticsCosts(a.prescribingAnalytics)
	var total finance.Money
	for _, p := range members {
		var sum finance.Money
		for _, m := range calendar.FinancialYear(2019).Months() {
			c, err := costs.ActualCost(ctx, p.Code, m)
			if errors.Is(err, errs.ErrNotFound) {
				continue
			}
			if err != nil {
				return fmt.Errorf("demo finance: prescribing cost of %s: %w", p.Code, err)
			}
			sum += c
		}
		current[p.Code] = sum
		total += sum
	}
	if total == 0 {
		// No prescribing data: last year's budgets at a flat rate a head.
		source = fmt.Sprintf("£%.0f a patient (no prescribing data imported)", fw.PrescribingPerHead)
		for _, p := range members {
			if l, ok := p.ListSize(calendar.MustMonth("2020-03")); ok {
				current[p.Code] = finance.Money(float64(l.Total()) * fw.PrescribingPerHead * 100)
				total += current[p.Code]
			}
		}
	} else {
		// The allocation shares last year's cost plus 3% growth.
		rxBudget = finance.Money(finance.RoundDiv(int64(total)*103, 100))
	}
	need := &finance.NeedIndex{Source: fw.NeedSource, Values: fw.NeedIndex}
	alloc, err := a.finance.BuildAllocation(ctx, finance.AllocationRequest{Org: w.MergedCCG, Year: 2020, Programme: finance.ProgPrescribing,
		Total: rxBudget, Need: need, Pace: finance.PacePolicy{Method: finance.PaceGapShare, Share: 1.0 / 3}, Current: current})
	if err != nil {
		return fmt.Errorf("demo finance: allocation: %w", err)
	}
	alloc.Inputs.CurrentSource = source
	if _, err := a.finance.SaveAllocation(ctx, by, alloc); err != nil {
		return fmt.Errorf("demo finance: allocation: %w", err)
	}

	for _, ag := range fw.Agreements {
		saved, err := a.finance.RecordAgreement(ctx, by, finance.Agreement{From: ag.From, To: ag.To, Description: ag.Description,
			Reference: ag.Reference, Amount: finance.Money(ag.Pence), Agreed: ag.Agreed, Due: ag.Due})
		if err != nil {
			return fmt.Errorf("demo finance: agreement %s: %w", ag.Reference, err)
		}
		for _, r := range ag.Receipts {
			if _, err := a.finance.RecordReceipt(ctx, by, finance.Receipt{Agreement: saved.ID, Received: r.Received, Amount: finance.Money(r.Pence)}); err != nil {
				return fmt.Errorf("demo finance: receipt %s: %w", ag.Reference, err)
			}
		}
	}
	fmt.Fprintf(e.stdout, "Finance: %d budgets, prescribing allocation for %d practices, %d transfer agreements\n",
		len(fw.Budgets), len(alloc.Lines), len(fw.Agreements))
	return nil
}

// demoLocalityShares returns org's localities in year (in code order) with
// the patients registered at their member practices in the year's first
// month.
func demoLocalityShares(w *demo.World, org string, year calendar.FinancialYear) ([]string, []float64) {
	patients := map[string]int{}
	for _, p := range w.MembersOn(org, year.Start().First()) {
		loc := p.LocalityOn(year.Start().First())
		if loc == "" {
			continue
		}
		if l, ok := p.ListSize(year.Start()); ok {
			patients[loc] += l.Total()
		}
	}
	var locs []string
	for _, l := range w.Localities {
		if patients[l.Code] > 0 {
			locs = append(locs, l.Code)
		}
	}
	sort.Strings(locs)
	weights := make([]float64, len(locs))
	for i, l := range locs {
		weights[i] = float64(patients[l])
	}
	return locs, weights
}
