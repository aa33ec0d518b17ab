package finance_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"ccg/internal/calendar"
	"ccg/internal/errs"
	"ccg/internal/finance"
	"ccg/internal/registry"
	"ccg/internal/store/sqlite"
	"ccg/internal/store/sqlstore"
)

type pop struct{}

func (pop) MembersAt(context.Context, string, calendar.Date, bool) ([]registry.MemberAt, error) {
	return []registry.MemberAt{
		{Organisation: registry.Organisation{Code: "A81001"}, Locality: "01X-NORTH"},
		{Organisation: registry.Organisation{Code: "A81002"}, Locality: "01X-SOUTH"},
		{Organisation: registry.Organisation{Code: "A81003"}, Locality: "01X-SOUTH"},
	}, nil
}

func (pop) ListSizesForMonth(_ context.Context, m calendar.Month) ([]registry.ListSize, error) {
	r := func(p, sex, band string, n int) registry.ListSize {
		return registry.ListSize{Practice: p, Month: m, Sex: registry.Sex(sex), AgeBand: band, Patients: n}
	}
	return []registry.ListSize{
		r("A81001", "male", "0-4", 100), r("A81001", "female", "0-4", 100),
		r("A81002", "male", "0-4", 200),
		r("Z99999", "male", "0-4", 500), // not a member: left out
	}, nil
}

func (pop) ListSizeMonths(context.Context) ([]calendar.Month, error) {
	return []calendar.Month{calendar.MustMonth("2013-01"), calendar.MustMonth("2013-04"), calendar.MustMonth("2013-07")}, nil
}

func (pop) Predecessors(context.Context, string) ([]registry.Succession, error) {
	return []registry.Succession{{Predecessor: "01A", Successor: "99X"}, {Predecessor: "02B", Successor: "99X"}}, nil
}

type audit struct{ actions []string }

func (a *audit) Record(_ context.Context, action, subject, _ string) error {
	a.actions = append(a.actions, action+" "+subject)
	return nil
}

// newService returns a service over a fresh, migrated SQLite store (the
// real store; the conformance suite in store/storetest runs the same
// service on PostgreSQL too).
func newService(t *testing.T) (*finance.Service, *sqlstore.Store, *audit) {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "ccg.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if _, err := st.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	au := &audit{}
	now := func() time.Time { return time.Date(2013, 10, 1, 9, 0, 0, 0, time.UTC) }
	return finance.NewService(st, pop{}, nil, au).WithClock(now), st, au
}

func TestBuildAllocation(t *testing.T) {
	ctx := context.Background()
	s, _, au := newService(t)
	a, err := s.BuildAllocation(ctx, finance.AllocationRequest{Org: "01X", Year: 2013, Programme: finance.ProgPrescribing, Total: 300000})
	if err != nil {
		t.Fatal(err)
	}
	// The latest list sizes not after April 2013 are April's. A81001 weighs
	// 100 × 1.0 + 100 × 0.874764602225095 = 187.4764602225095; A81002
	// 200 × 1.0 = 200; Σ 387.4764602225095. A81003 has no list: no share.
	// 300000 × 187.4764602225095 / 387.4764602225095 = 145152.32 → 145152;
	// 300000 × 200 / 387.4764602225095 = 154847.68 → 154848 (larger remainder).
	if a.Inputs.ListSizeMonth.String() != "2013-04" || a.Inputs.Weights != "astro-pu-cost" || len(a.Lines) != 2 ||
		a.Lines[0].Target != 145152 || a.Lines[1].Target != 154848 || len(a.Inputs.QualityWarnings) != 1 {
		t.Fatalf("allocation %+v", a)
	}
	saved, err := s.SaveAllocation(ctx, "cfo@example.nhs.uk", a)
	if err != nil || saved.ID == 0 || len(au.actions) != 1 {
		t.Fatalf("save: %v %+v %v", err, saved, au.actions)
	}
	// Next year: current budgets come from the saved allocation.
	b, err := s.BuildAllocation(ctx, finance.AllocationRequest{Org: "01X", Year: 2014, Programme: finance.ProgPrescribing, Total: 300000,
		Pace: finance.PacePolicy{Method: finance.PaceGapShare, Share: 0.5}})
	if err != nil {
		t.Fatal(err)
	}
	if b.Lines[0].Current != 145152 || b.Inputs.CurrentSource == "" {
		t.Errorf("next year %+v", b.Lines[0])
	}
}

func TestPositionAndTransfers(t *testing.T) {
	ctx := context.Background()
	s, st, _ := newService(t)
	if _, err := s.SetAnnualBudget(ctx, "cfo", "01X", "", finance.ProgAcute, 2013, 1200000, nil, "governing body 2013-03-28"); err != nil {
		t.Fatal(err)
	}
	m := calendar.MustMonth
	if _, err := st.PutActuals(ctx, []finance.Actual{
		{Period: m("2013-04"), CostCentre: "CC1", Programme: finance.ProgAcute, Amount: 100000},
		{Period: m("2013-05"), CostCentre: "CC1", Programme: finance.ProgAcute, Amount: 110000},
		{Period: m("2013-06"), CostCentre: "CC1", Programme: finance.ProgAcute, Amount: 120000, Source: "ledger jun.csv"},
	}); err != nil {
		t.Fatal(err)
	}
	rep, err := s.Position(ctx, "01X", "", 2013, calendar.Month{})
	if err != nil {
		t.Fatal(err)
	}
	// Run rate: 330,000 × 12 / 3 = 1,320,000 against 1,200,000: +10%, red.
	if rep.Through.String() != "2013-06" || len(rep.Programmes) != 1 || rep.Total.Forecast.Outturn != 1320000 || rep.Total.RAG != finance.Red {
		t.Errorf("report %+v", rep)
	}

	// A handover in which the PCT withholds part of what it owes.
	ag, err := s.RecordAgreement(ctx, "cfo", finance.Agreement{From: "5hp", To: "01X", Description: "PCT balances at handover",
		Amount: 1000000, Agreed: calendar.MustDate("2013-04-01"), Due: calendar.MustDate("2013-06-30")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.RecordReceipt(ctx, "cfo", finance.Receipt{Agreement: ag.ID, Received: calendar.MustDate("2013-06-20"), Amount: 700000}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.RecordReceipt(ctx, "cfo", finance.Receipt{Agreement: ag.ID, Received: calendar.MustDate("2013-07-01"), Amount: 300001}); !errors.Is(err, errs.ErrInvalid) {
		t.Errorf("overpayment: error %v, want ErrInvalid", err)
	}
	tr, err := s.Transfers(ctx, "01X", calendar.Date{}) // today: 2013-10-01, 93 days after 30 June
	if err != nil {
		t.Fatal(err)
	}
	if len(tr.OwedTo) != 1 || tr.OwedTo[0].Overdue != 300000 || tr.OwedTo[0].DaysOverdue != 93 ||
		tr.Receivable.Highest != finance.EscNHSEngland || tr.Receivable.ByBucket[finance.Bucket90Plus] != 300000 {
		t.Errorf("transfers %+v", tr)
	}

	// Merger view: 99X with predecessors 01A and 02B.
	if _, err := s.SetAnnualBudget(ctx, "cfo", "01A", "", finance.ProgAcute, 2013, 1200, nil, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SetAnnualBudget(ctx, "cfo", "99X", "", finance.ProgAcute, 2013, 2400, nil, ""); err != nil {
		t.Fatal(err)
	}
	c, err := s.Consolidated(ctx, "99X", 2013)
	if err != nil {
		t.Fatal(err)
	}
	if c.Budget != 3600 || c.BudgetByOrg["01A"] != 1200 || c.Budgets[0].Amount != 300 || len(c.Predecessors) != 2 {
		t.Errorf("consolidated %+v", c)
	}
}
