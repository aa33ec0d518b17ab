package storetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"ccg/internal/calendar"
	"ccg/internal/errs"
	"ccg/internal/finance"
	"ccg/internal/formats/ledger"
	"ccg/internal/importing"
	"ccg/internal/registry"
	"ccg/internal/store/sqlstore"
)

func init() { Register(Suite{Name: "finance", Run: financeSuite}) }

var mon = calendar.MustMonth

func actualString(as []finance.Actual) string {
	var b strings.Builder
	for _, a := range as {
		fmt.Fprintf(&b, "[%s %s %s %s %s %d %q %q] ", a.Org, a.Period, a.CostCentre, a.Programme, a.Locality, a.Amount, a.Description, a.Source)
	}
	return b.String()
}

func budgetString(ls []finance.BudgetLine) string {
	var b strings.Builder
	for _, l := range ls {
		fmt.Fprintf(&b, "[%s %s %s %s %d %q] ", l.Org, l.Locality, l.Programme, l.Month, l.Amount, l.Source)
	}
	return b.String()
}

// financeAudit records the audit actions the finance service writes.
type financeAudit struct{ actions []string }

func (a *financeAudit) Record(_ context.Context, action, subject, _ string) error {
	a.actions = append(a.actions, action+" "+subject)
	return nil
}

func financeSuite(t *testing.T, open Opener) {
	ctx := context.Background()
	tests := []struct {
		name string
		run  func(t *testing.T, s finance.Store)
	}{
		{"actuals: upsert by key, count real changes, order and range", func(t *testing.T, s finance.Store) {
			rows := []finance.Actual{
				{Period: mon("2013-05"), CostCentre: "CC200", Programme: finance.ProgAcute, Amount: 500, Source: "ledger a.csv"},
				{Org: "01A", Period: mon("2013-04"), CostCentre: "CC100", Programme: finance.ProgAcute, Amount: 100, Description: "Acute"},
				{Period: mon("2013-04"), CostCentre: "CC100", Programme: finance.ProgAcute, Locality: "01X-NORTH", Amount: 123456},
				{Period: mon("2013-04"), CostCentre: "CC100", Programme: finance.ProgAcute, Amount: -25000, Description: "Credit"},
				{Period: mon("2014-04"), CostCentre: "CC100", Programme: finance.ProgCHC, Amount: 9_000_000_000_00},
			}
			n, err := s.PutActuals(ctx, rows)
			must(t, "put", err)
			if n != 5 {
				t.Errorf("first put changed %d, want 5", n)
			}
			n, err = s.PutActuals(ctx, rows)
			must(t, "put again", err)
			if n != 0 {
				t.Errorf("same rows again changed %d, want 0", n)
			}
			rows[0].Amount = 501
			rows[1].Description = "Acute (corrected)"
			rows[2].Source = "ledger b.csv"
			n, err = s.PutActuals(ctx, rows)
			must(t, "put changed", err)
			if n != 3 {
				t.Errorf("changed amount, description and source: %d, want 3", n)
			}
			n, err = s.PutActuals(ctx, nil)
			must(t, "put none", err)
			if n != 0 {
				t.Errorf("put none changed %d", n)
			}
			_, err = s.PutActuals(ctx, []finance.Actual{{CostCentre: "CC1", Programme: finance.ProgAcute}})
			wantErr(t, "no period", err, errs.ErrInvalid)

			all, err := s.Actuals(ctx, calendar.Month{}, calendar.Month{})
			must(t, "all", err)
			want := `[ 2013-04 CC100 acute  -25000 "Credit" ""] [ 2013-04 CC100 acute 01X-NORTH 123456 "" "ledger b.csv"] ` +
				`[ 2013-05 CC200 acute  501 "" "ledger a.csv"] [ 2014-04 CC100 continuing-healthcare  900000000000 "" ""] ` +
				`[01A 2013-04 CC100 acute  100 "Acute (corrected)" ""] `
			if got := actualString(all); got != want {
				t.Errorf("actuals:\n got %s\nwant %s", got, want)
			}
			year, err := s.Actuals(ctx, mon("2013-05"), mon("2014-03"))
			must(t, "range", err)
			if len(year) != 1 || year[0].Amount != 501 {
				t.Errorf("May 2013 to March 2014: %s", actualString(year))
			}
			from, err := s.Actuals(ctx, mon("2014-04"), calendar.Month{})
			must(t, "from", err)
			if len(from) != 1 || from[0].Programme != finance.ProgCHC {
				t.Errorf("from April 2014: %s", actualString(from))
			}
		}},
		{"actuals: large batches", func(t *testing.T, s finance.Store) {
			var rows []finance.Actual
			for i := range 250 {
				rows = append(rows, finance.Actual{Period: mon("2019-04").Add(i % 24), CostCentre: fmt.Sprintf("CC%03d", i), Programme: finance.Programmes[i%7], Amount: finance.Money(i)})
			}
			n, err := s.PutActuals(ctx, rows)
			must(t, "put", err)
			if n != 250 {
				t.Errorf("changed %d, want 250", n)
			}
			got, err := s.Actuals(ctx, calendar.Month{}, calendar.Month{})
			must(t, "actuals", err)
			if len(got) != 250 {
				t.Errorf("%d actuals, want 250", len(got))
			}
		}},
		{"budget lines: upsert, year, order, last of a repeated key wins", func(t *testing.T, s finance.Store) {
			lines := []finance.BudgetLine{
				{Org: "99Z", Programme: finance.ProgPrescribing, Month: mon("2019-04"), Amount: 100, Source: "allocation 1"},
				{Org: "99Z", Programme: finance.ProgAcute, Month: mon("2020-03"), Amount: 300},
				{Org: "99Z", Programme: finance.ProgAcute, Month: mon("2019-04"), Amount: 200},
				{Org: "99Z", Locality: "99Z-NORTH", Programme: finance.ProgAcute, Month: mon("2019-05"), Amount: 50},
				{Org: "99Z", Programme: finance.ProgAcute, Month: mon("2020-04"), Amount: 999}, // next year
				{Org: "99X", Programme: finance.ProgAcute, Month: mon("2019-04"), Amount: 7},   // another org
			}
			n, err := s.PutBudgetLines(ctx, lines)
			must(t, "put", err)
			if n != 6 {
				t.Errorf("changed %d, want 6", n)
			}
			n, err = s.PutBudgetLines(ctx, lines)
			must(t, "again", err)
			if n != 0 {
				t.Errorf("again changed %d, want 0", n)
			}
			n, err = s.PutBudgetLines(ctx, []finance.BudgetLine{
				{Org: "99Z", Programme: finance.ProgAcute, Month: mon("2019-04"), Amount: 201},
				{Org: "99Z", Programme: finance.ProgAcute, Month: mon("2019-04"), Amount: 202},
				{Org: "99Z", Programme: finance.ProgPrescribing, Month: mon("2019-04"), Amount: 100, Source: "virement"},
			})
			must(t, "changes", err)
			if n != 3 {
				t.Errorf("a repeated key and a new source changed %d, want 3", n)
			}
			_, err = s.PutBudgetLines(ctx, []finance.BudgetLine{{Org: "99Z", Programme: "dentistry", Month: mon("2019-04")}})
			wantErr(t, "unknown programme", err, errs.ErrInvalid)
			got, err := s.BudgetLines(ctx, "99Z", 2019)
			must(t, "lines", err)
			want := `[99Z  acute 2019-04 202 ""] [99Z  acute 2020-03 300 ""] [99Z  prescribing 2019-04 100 "virement"] [99Z 99Z-NORTH acute 2019-05 50 ""] `
			if budgetString(got) != want {
				t.Errorf("2019/20 lines:\n got %s\nwant %s", budgetString(got), want)
			}
			none, err := s.BudgetLines(ctx, "NOPE", 2019)
			must(t, "none", err)
			if len(none) != 0 {
				t.Errorf("lines of an unknown org: %s", budgetString(none))
			}
		}},
		{"allocations: saved whole, never altered, newest first", func(t *testing.T, s finance.Store) {
			floor := -0.02
			a := finance.Allocation{Org: "99Z", Year: 2020, Programme: finance.ProgPrescribing, Total: 300000,
				Pace:    finance.PacePolicy{Method: finance.PaceGapShare, Share: 0.5, Floor: &floor},
				Inputs:  finance.Inputs{ListSizeMonth: mon("2020-04"), MembersAt: d("2020-04-01"), Weights: "astro-pu-cost", WeightsVersion: "2013", WeightsSource: "NHS BSA", NeedIndexSource: "IMD", CurrentSource: "allocation 1", QualityWarnings: []string{"P3 2020-04: member practice has no list size; it gets no share"}},
				Created: time.Date(2020, 3, 1, 9, 30, 0, 123, time.UTC), CreatedBy: "finance@demo.ccg.example",
				Lines: []finance.AllocationLine{
					{Practice: "P2", Locality: "L1", Patients: 200, Weighted: 200, Need: 1.1, Adjusted: 220, Target: 160000, Current: 150000, Distance: -10000, DistancePct: -6.25, Budget: 155000, Change: 5000},
					{Practice: "P1", Locality: "L2", Patients: 100, Weighted: 187.5, Need: 1, Adjusted: 187.5, Target: 140000, Current: 150000, Distance: 10000, DistancePct: 7.142857142857143, Budget: 145000, Change: -5000, Warnings: []string{"one", "two"}},
				}}
			a.Localities = finance.RollUp(a.Lines)
			id, err := s.SaveAllocation(ctx, a)
			must(t, "save", err)
			got, err := s.Allocation(ctx, id)
			must(t, "allocation", err)
			a.ID = id
			if !got.Created.Equal(a.Created) {
				t.Errorf("created %v, want %v", got.Created, a.Created)
			}
			got.Created = a.Created
			if !reflect.DeepEqual(got, a) {
				t.Errorf("round trip:\n got %+v\nwant %+v", got, a)
			}
			b := a
			b.Programme, b.Lines = finance.ProgAcute, a.Lines[:1]
			id2, err := s.SaveAllocation(ctx, b)
			must(t, "save second", err)
			c := a
			c.Org = "99X"
			_, err = s.SaveAllocation(ctx, c)
			must(t, "save other org", err)
			list, err := s.Allocations(ctx, "99Z", 2020)
			must(t, "list", err)
			if len(list) != 2 || list[0].ID != id2 || list[1].ID != id || len(list[0].Lines) != 1 || len(list[1].Lines) != 2 {
				t.Errorf("allocations of 99Z: %d", len(list))
			}
			all, err := s.Allocations(ctx, "", 2020)
			must(t, "all", err)
			other, err := s.Allocations(ctx, "99Z", 2019)
			must(t, "other year", err)
			if len(all) != 3 || len(other) != 0 {
				t.Errorf("every org: %d, other year: %d", len(all), len(other))
			}
			_, err = s.Allocation(ctx, 9999)
			wantErr(t, "missing", err, errs.ErrNotFound)
		}},
		{"agreements and receipts", func(t *testing.T, s finance.Store) {
			a := finance.Agreement{From: "5XA", To: "99X", Description: "PCT balances at handover", Amount: 1000000,
				Agreed: d("2013-04-01"), Due: d("2013-06-30"), Reference: "HO-1"}
			id, err := s.PutAgreement(ctx, a)
			must(t, "put", err)
			a.ID = id
			got, err := s.Agreement(ctx, id)
			must(t, "agreement", err)
			if got != a {
				t.Errorf("round trip: got %+v want %+v", got, a)
			}
			a.Amount = 1200000
			id2, err := s.PutAgreement(ctx, a)
			must(t, "replace", err)
			if id2 != id {
				t.Errorf("replace gave id %d, want %d", id2, id)
			}
			got, _ = s.Agreement(ctx, id)
			if got.Amount != 1200000 {
				t.Errorf("replaced amount %d", got.Amount)
			}
			_, err = s.PutAgreement(ctx, finance.Agreement{ID: 999, From: "A", To: "B", Description: "x", Amount: 1, Due: d("2013-01-01")})
			wantErr(t, "replace missing", err, errs.ErrNotFound)
			early, err := s.PutAgreement(ctx, finance.Agreement{From: "99X", To: "99Z", Description: "merger balance", Amount: 5, Due: d("2013-05-01")})
			must(t, "second", err)
			_, err = s.PutAgreement(ctx, finance.Agreement{From: "5XB", To: "99Y", Description: "other", Amount: 5, Due: d("2012-01-01")})
			must(t, "third", err)
			list, err := s.Agreements(ctx, "99X")
			must(t, "agreements of 99X", err)
			if len(list) != 2 || list[0].ID != early || list[1].ID != id {
				t.Errorf("agreements of 99X by due date: %+v", list)
			}
			all, err := s.Agreements(ctx, "")
			must(t, "all", err)
			if len(all) != 3 || all[0].From != "5XB" {
				t.Errorf("all agreements: %+v", all)
			}

			r2, err := s.AddReceipt(ctx, finance.Receipt{Agreement: id, Received: d("2013-07-01"), Amount: 300, Reference: "BACS 2", Note: "late"})
			must(t, "receipt", err)
			r1, err := s.AddReceipt(ctx, finance.Receipt{Agreement: id, Received: d("2013-06-20"), Amount: 700})
			must(t, "receipt", err)
			_, err = s.AddReceipt(ctx, finance.Receipt{Agreement: 999, Received: d("2013-06-20"), Amount: 1})
			wantErr(t, "receipt for nothing", err, errs.ErrNotFound)
			rs, err := s.Receipts(ctx, id)
			must(t, "receipts", err)
			if len(rs) != 2 || rs[0].ID != r1 || rs[1].ID != r2 || rs[1].Reference != "BACS 2" || rs[1].Note != "late" || rs[1].Received != d("2013-07-01") {
				t.Errorf("receipts: %+v", rs)
			}
			none, err := s.Receipts(ctx, early)
			must(t, "no receipts", err)
			if len(none) != 0 {
				t.Errorf("receipts of another agreement: %+v", none)
			}
		}},
		{"a failed transaction leaves nothing", func(t *testing.T, s finance.Store) {
			boom := errors.New("boom")
			err := s.InTx(ctx, func(ctx context.Context) error {
				if _, err := s.PutActuals(ctx, []finance.Actual{{Period: mon("2019-04"), CostCentre: "CC", Programme: finance.ProgAcute, Amount: 1}}); err != nil {
					return err
				}
				if _, err := s.PutBudgetLines(ctx, []finance.BudgetLine{{Org: "99Z", Programme: finance.ProgAcute, Month: mon("2019-04"), Amount: 1}}); err != nil {
					return err
				}
				if _, err := s.PutAgreement(ctx, finance.Agreement{From: "A", To: "B", Description: "x", Amount: 1, Due: d("2019-01-01")}); err != nil {
					return err
				}
				return boom
			})
			if !errors.Is(err, boom) {
				t.Fatalf("InTx = %v", err)
			}
			as, _ := s.Actuals(ctx, calendar.Month{}, calendar.Month{})
			bs, _ := s.BudgetLines(ctx, "99Z", 2019)
			ags, _ := s.Agreements(ctx, "")
			if len(as)+len(bs)+len(ags) != 0 {
				t.Errorf("after rollback: %d actuals, %d lines, %d agreements", len(as), len(bs), len(ags))
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.run(t, Migrated(t, open)) })
	}
	t.Run("service", func(t *testing.T) { financeServiceSuite(t, open) })
}

// financeWorld is a migrated store with a small registry: CCGs 99X and 99Y
// merged into 99Z on 2020-04-01; practices P1, P2 (99X, locality L1) and P3
// (99Y, locality L2), list sizes for 2020-01; and a finance service over
// the real registry and store.
func financeWorld(t *testing.T, open Opener) (*sqlstore.Store, *finance.Service, *financeAudit) {
	t.Helper()
	ctx := context.Background()
	s := Migrated(t, open)
	reg := registry.NewService(s)
	for _, o := range []registry.Organisation{
		org("99X", "NHS X CCG", registry.KindCCG), org("99Y", "NHS Y CCG", registry.KindCCG), org("99Z", "NHS Z CCG", registry.KindCCG),
		org("L1", "North", registry.KindLocality), org("L2", "South", registry.KindLocality),
		org("P1", "Alpha", registry.KindPractice), org("P2", "Bravo", registry.KindPractice), org("P3", "Charlie", registry.KindPractice),
	} {
		_, err := s.UpsertOrganisation(ctx, o)
		must(t, "upsert", err)
	}
	for _, sc := range []registry.Succession{
		{Predecessor: "99X", Successor: "99Z", Reason: "Merger", Effective: d("2020-04-01")},
		{Predecessor: "99Y", Successor: "99Z", Reason: "Merger", Effective: d("2020-04-01")},
	} {
		_, err := s.PutSuccession(ctx, sc)
		must(t, "succession", err)
	}
	for _, r := range []registry.Relationship{
		rel("P1", "99X", registry.RelMemberOf, "2013-04-01", "2020-04-01"), rel("P2", "99X", registry.RelMemberOf, "2013-04-01", "2020-04-01"),
		rel("P3", "99Y", registry.RelMemberOf, "2013-04-01", "2020-04-01"),
		rel("P1", "99Z", registry.RelMemberOf, "2020-04-01", ""), rel("P2", "99Z", registry.RelMemberOf, "2020-04-01", ""),
		rel("P3", "99Z", registry.RelMemberOf, "2020-04-01", ""),
		rel("P1", "L1", registry.RelInLocality, "2013-04-01", ""), rel("P2", "L1", registry.RelInLocality, "2013-04-01", ""),
		rel("P3", "L2", registry.RelInLocality, "2013-04-01", ""),
	} {
		_, err := s.PutRelationship(ctx, r)
		must(t, "relationship", err)
	}
	var ls []registry.ListSize
	for p, n := range map[string]int{"P1": 100, "P2": 200, "P3": 300} {
		ls = append(ls, registry.ListSize{Practice: p, Month: mon("2020-01"), Sex: registry.SexMale, AgeBand: "0-4", Patients: n})
	}
	_, err := s.PutListSizes(ctx, ls)
	must(t, "list sizes", err)
	au := &financeAudit{}
	now := func() time.Time { return time.Date(2020, 10, 1, 9, 0, 0, 0, time.UTC) }
	return s, finance.NewService(s, finance.RegistryPopulation{Reg: reg}, nil, au).WithClock(now), au
}

func financeServiceSuite(t *testing.T, open Opener) {
	ctx := context.Background()
	t.Run("allocation from the real registry, saved and read back", func(t *testing.T) {
		_, svc, au := financeWorld(t, open)
		a, err := svc.BuildAllocation(ctx, finance.AllocationRequest{Org: "99Z", Year: 2020, Programme: finance.ProgAcute, Total: 600000,
			Weights: &finance.Weights{Name: "flat", Version: "1", Bands: []finance.Band{{Label: "0+", Lo: 0, Hi: -1}}, Male: []float64{1}, Female: []float64{1}}})
		must(t, "build", err)
		// 100 : 200 : 300 of £6,000.00 is £1,000, £2,000, £3,000 exactly.
		// The list sizes are for 2020-01, three months before the year.
		if len(a.Lines) != 3 || a.Lines[0].Target != 100000 || a.Lines[1].Target != 200000 || a.Lines[2].Target != 300000 ||
			a.Inputs.ListSizeMonth != mon("2020-01") || len(a.Localities) != 2 || a.Localities[0].Target != 300000 {
			t.Fatalf("allocation %+v", a)
		}
		saved, err := svc.SaveAllocation(ctx, "finance@example", a)
		must(t, "save", err)
		back, err := svc.Allocation(ctx, saved.ID)
		must(t, "read back", err)
		if back.Total != 600000 || back.Lines[2].Practice != "P3" || back.Inputs.Weights != "flat" || back.CreatedBy != "finance@example" || len(au.actions) != 1 {
			t.Errorf("read back %+v, audit %v", back, au.actions)
		}
	})
	t.Run("position, virement under the balance rule, transfers, merger", func(t *testing.T) {
		s, svc, au := financeWorld(t, open)
		_, err := svc.SetAnnualBudget(ctx, "cfo", "99Z", "", finance.ProgAcute, 2020, 1200000, nil, "governing body 2020-03-26")
		must(t, "budget acute", err)
		_, err = svc.SetAnnualBudget(ctx, "cfo", "99Z", "", finance.ProgPrescribing, 2020, 600000, nil, "governing body 2020-03-26")
		must(t, "budget prescribing", err)
		_, err = s.PutActuals(ctx, []finance.Actual{
			{Period: mon("2020-04"), CostCentre: "CC1", Programme: finance.ProgAcute, Amount: 100000},
			{Period: mon("2020-05"), CostCentre: "CC1", Programme: finance.ProgAcute, Amount: 110000},
			{Org: "99Z", Period: mon("2020-06"), CostCentre: "CC1", Programme: finance.ProgAcute, Amount: 120000, Source: "ledger jun.csv"},
		})
		must(t, "actuals", err)
		rep, err := svc.Position(ctx, "99Z", "", 2020, calendar.Month{})
		must(t, "position", err)
		// Acute run rate: 330,000 × 12 / 3 = 1,320,000 against 1,200,000:
		// +10%, red. Prescribing has no actuals in the three months that
		// have passed: its run rate is 0, under budget (green).
		if rep.Through != mon("2020-06") || len(rep.Programmes) != 2 || rep.Programmes[0].Forecast.Outturn != 1320000 ||
			rep.Programmes[0].RAG != finance.Red || rep.Programmes[1].Forecast.Outturn != 0 || rep.Total.Forecast.Outturn != 1320000 {
			t.Errorf("position %+v", rep)
		}

		// The balance rule: adding £1,000.00 to acute alone is refused and
		// changes nothing; moving it from prescribing is accepted.
		_, err = svc.EditBudget(ctx, "cfo", "99Z", 2020, []finance.BudgetChange{{Programme: finance.ProgAcute, Annual: 1300000}}, "winter pressures")
		wantErr(t, "unbalanced", err, errs.ErrInvalid)
		if !strings.Contains(err.Error(), "do not balance") || !strings.Contains(err.Error(), "£1,000.00") {
			t.Errorf("unbalanced message: %v", err)
		}
		annual, err := svc.AnnualBudgets(ctx, "99Z", 2020)
		must(t, "annual", err)
		if annual[finance.BudgetChange{Programme: finance.ProgAcute}] != 1200000 {
			t.Errorf("refused edit changed acute to %d", annual[finance.BudgetChange{Programme: finance.ProgAcute}])
		}
		edit, err := svc.EditBudget(ctx, "cfo", "99Z", 2020, []finance.BudgetChange{
			{Programme: finance.ProgAcute, Annual: 1300000}, {Programme: finance.ProgPrescribing, Annual: 500000}}, "winter pressures")
		must(t, "balanced", err)
		annual, _ = svc.AnnualBudgets(ctx, "99Z", 2020)
		lines, _ := s.BudgetLines(ctx, "99Z", 2020)
		if edit.Net != 0 || annual[finance.BudgetChange{Programme: finance.ProgAcute}] != 1300000 ||
			annual[finance.BudgetChange{Programme: finance.ProgPrescribing}] != 500000 || len(lines) != 24 ||
			!strings.Contains(lines[0].Source, "winter pressures") {
			t.Errorf("after virement: %v, %s", annual, budgetString(lines[:1]))
		}
		if last := au.actions[len(au.actions)-1]; last != "finance.virement budget 99Z 2020/21" {
			t.Errorf("audit %v", au.actions)
		}

		// A handover in which a PCT withholds part of what it owes.
		ag, err := svc.RecordAgreement(ctx, "cfo", finance.Agreement{From: "5xa", To: "99Z", Description: "PCT balances at handover",
			Amount: 1000000, Agreed: d("2020-04-01"), Due: d("2020-06-30")})
		must(t, "agreement", err)
		_, err = svc.RecordReceipt(ctx, "cfo", finance.Receipt{Agreement: ag.ID, Received: d("2020-06-20"), Amount: 700000})
		must(t, "receipt", err)
		_, err = svc.RecordReceipt(ctx, "cfo", finance.Receipt{Agreement: ag.ID, Received: d("2020-07-01"), Amount: 300001})
		wantErr(t, "overpayment", err, errs.ErrInvalid)
		tr, err := svc.Transfers(ctx, "99Z", calendar.Date{}) // 2020-10-01: 93 days after 30 June
		must(t, "transfers", err)
		if len(tr.OwedTo) != 1 || tr.OwedTo[0].Agreement.From != "5XA" || tr.OwedTo[0].Overdue != 300000 || tr.OwedTo[0].DaysOverdue != 93 ||
			tr.Receivable.Highest != finance.EscNHSEngland {
			t.Errorf("transfers %+v", tr)
		}

		// Merger: 99X's and 99Y's own records stay theirs.
		_, err = svc.SetAnnualBudget(ctx, "cfo", "99X", "", finance.ProgAcute, 2020, 1200, nil, "")
		must(t, "99X budget", err)
		c, err := svc.Consolidated(ctx, "99Z", 2020)
		must(t, "consolidated", err)
		if c.Budget != 1801200 || c.BudgetByOrg["99X"] != 1200 || c.Actual != 330000 || len(c.Predecessors) != 2 {
			t.Errorf("consolidated %+v", c)
		}
	})
	t.Run("a merged CCG forecasts from its predecessors' year", func(t *testing.T) {
		s, svc, _ := financeWorld(t, open)
		_, err := svc.SetAnnualBudget(ctx, "cfo", "99Z", "", finance.ProgAcute, 2020, 1200000, nil, "")
		must(t, "budget", err)
		var rows []finance.Actual
		for i, m := range calendar.FinancialYear(2019).Months() {
			x := finance.Money(200)
			if i < 3 {
				x = 100
			}
			rows = append(rows, finance.Actual{Org: "99X", Period: m, CostCentre: "CC1", Programme: finance.ProgAcute, Amount: x},
				finance.Actual{Org: "99Y", Period: m, CostCentre: "CC1", Programme: finance.ProgAcute, Amount: 50})
		}
		for i, x := range []finance.Money{100000, 110000, 120000} {
			rows = append(rows, finance.Actual{Org: "99Z", Period: mon("2020-04").Add(i), CostCentre: "CC1", Programme: finance.ProgAcute, Amount: x})
		}
		_, err = s.PutActuals(ctx, rows)
		must(t, "actuals", err)
		rep, err := svc.Position(ctx, "99Z", "", 2020, calendar.Month{})
		must(t, "position", err)
		// Predecessors' 2019/20: 99X 3 × 100 + 9 × 200 = 2,100 and 99Y
		// 12 × 50 = 600, P = 2,700; April to June Pe = 300 + 150 = 450.
		// Outturn = 330,000 × 2,700 ÷ 450 = 1,980,000 (run rate: 1,320,000).
		p := rep.Programmes[0]
		if p.Forecast.Method != finance.MethodSeasonal || p.Forecast.Outturn != 1980000 || !p.Inputs.PriorYear ||
			!strings.Contains(strings.Join(p.Inputs.Sources, ";"), "predecessors 99X, 99Y") {
			t.Errorf("merged forecast %+v %v", p.Forecast, p.Inputs)
		}
		// The predecessors' own positions are unchanged by the merger.
		x, err := svc.Position(ctx, "99X", "", 2019, calendar.Month{})
		must(t, "99X position", err)
		if x.Total.Forecast.Method != finance.MethodActual || x.Total.Forecast.Outturn != 2100 {
			t.Errorf("99X 2019/20 %+v", x.Total.Forecast)
		}
	})
	t.Run("ledger import through the import pipeline: all-or-nothing, once", func(t *testing.T) {
		s, _, _ := financeWorld(t, open)
		svc := importing.NewService(s, ledger.NewHandler(s))
		file := []byte("period,cost_centre,programme,amount,locality,description,organisation\n" +
			"2020-04,CC100,acute,\"1,234.56\",L1,Acute contract,99Z\n" +
			"2020-04,CC100,acute,100.44,L1,Adjustment,99Z\n" +
			"2020-04,CC200,dentistry,5.00,,,99Z\n" +
			"2019-04,CC100,acute,(75.25),,Refund,99X\n")
		sum, err := svc.Import(ctx, "ledger", "ledger.csv", bytes.NewReader(file), 0, importing.Options{Actor: "test"})
		must(t, "import", err)
		if sum.Read != 4 || sum.Accepted != 3 || sum.Rejected != 1 || sum.Changed != 2 {
			t.Errorf("summary %+v", sum.Run)
		}
		as, err := s.Actuals(ctx, calendar.Month{}, calendar.Month{})
		must(t, "actuals", err)
		if got, want := actualString(as), `[99X 2019-04 CC100 acute  -7525 "Refund" "ledger ledger.csv"] [99Z 2020-04 CC100 acute L1 133500 "Acute contract" "ledger ledger.csv"] `; got != want {
			t.Errorf("actuals:\n got %s\nwant %s", got, want)
		}
		// The file had a rejected row, so it may be imported again; the
		// figures it holds are already stored and change nothing.
		again, err := svc.Import(ctx, "ledger", "ledger.csv", bytes.NewReader(file), 0, importing.Options{})
		must(t, "again", err)
		if again.AlreadyImported || again.Changed != 0 {
			t.Errorf("the same rows again changed %d", again.Changed)
		}
		broken := []byte("period,cost_centre,programme,amount\n2021-01,CC9,acute,1.00\n2021-02,CC9,acute,1,000.00\n")
		_, err = svc.Import(ctx, "ledger", "broken.csv", bytes.NewReader(broken), 0, importing.Options{})
		if err == nil || !strings.Contains(err.Error(), "broken.csv:3") {
			t.Fatalf("broken file: %v", err)
		}
		after, _ := s.Actuals(ctx, mon("2021-01"), calendar.Month{})
		if len(after) != 0 {
			t.Errorf("a failed import left %s", actualString(after))
		}
	})
}
