package storetest

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"ccg/internal/calendar"
	"ccg/internal/errs"
	"ccg/internal/variation"
)

func init() { Register(Suite{Name: "variation/reference-rates", Run: referenceRatesSuite}) }

func rateString(rs []variation.ReferenceRate) string {
	s := ""
	for _, r := range rs {
		s += fmt.Sprintf("[%s %s %s %s %s %d/%d] ", r.Month, r.Area, r.FunctionCode, r.Sex, r.AgeBand, r.Referrals, r.Patients)
	}
	return s
}

func referenceRatesSuite(t *testing.T, open Opener) {
	ctx := context.Background()
	jan, feb := calendar.MustMonth("2024-01"), calendar.MustMonth("2024-02")
	rr := func(m calendar.Month, area, fn, sex, band string, n, p int64) variation.ReferenceRate {
		return variation.ReferenceRate{Month: m, Area: area, FunctionCode: fn, Sex: sex, AgeBand: band, Referrals: n, Patients: p}
	}
	t.Run("replace is per month and area, idempotent", func(t *testing.T) {
		var s variation.ReferenceStore = Migrated(t, open)
		first := []variation.ReferenceRate{
			rr(jan, "england", "110", "female", "70-74", 50, 1000),
			rr(jan, "england", "110", "male", "0-4", 1, 1000),
			rr(jan, "00X", "110", "male", "0-4", 2, 100),
			rr(feb, "england", "110", "male", "0-4", 3, 1000),
		}
		n, err := s.ReplaceReferenceRates(ctx, first)
		if err != nil || n != 4 {
			t.Fatalf("first: %d, %v", n, err)
		}
		if n, err := s.ReplaceReferenceRates(ctx, first); err != nil || n != 0 {
			t.Fatalf("the same rows again changed %d (%v)", n, err)
		}
		// England's January table again, with one band fewer and one count changed.
		n, err = s.ReplaceReferenceRates(ctx, []variation.ReferenceRate{rr(jan, "england", "110", "male", "0-4", 4, 1000)})
		if err != nil || n != 2 {
			t.Fatalf("replace: %d, %v", n, err)
		}
		got, err := s.ReferenceRates(ctx, jan)
		if err != nil {
			t.Fatal(err)
		}
		want := "[2024-01 00X 110 male 0-4 2/100] [2024-01 england 110 male 0-4 4/1000] "
		if rateString(got) != want {
			t.Errorf("January: %s, want %s", rateString(got), want)
		}
		months, err := s.ReferenceRateMonths(ctx)
		if err != nil || len(months) != 2 || months[0] != jan || months[1] != feb {
			t.Errorf("months %v %v", months, err)
		}
	})
	t.Run("bad rows are refused whole", func(t *testing.T) {
		var s variation.ReferenceStore = Migrated(t, open)
		_, err := s.ReplaceReferenceRates(ctx, []variation.ReferenceRate{rr(jan, "england", "110", "male", "0-4", 1, 10), rr(jan, "england", "110", "male", "5-9", 1, 0)})
		if !errors.Is(err, errs.ErrInvalid) {
			t.Fatalf("no patients: %v", err)
		}
		if got, _ := s.ReferenceRates(ctx, jan); len(got) != 0 {
			t.Errorf("half applied: %s", rateString(got))
		}
	})
}
