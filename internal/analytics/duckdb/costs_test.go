package duckdb

import (
	"context"
	"errors"
	"testing"

	"ccg/internal/calendar"
	"ccg/internal/errs"
)

func TestActualCost(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	// Two presentations for P1 in September 2019 (£10.005 + £2.50 =
	// £12.505, 1250.5 pence, rounded half away from zero to 1251), one for
	// P2; nothing for October.
	if err := s.PutPart(ctx, "prescribing", "2019-09", `SELECT * FROM (VALUES
		(DATE '2019-09-01', 'P1', '0101010A0AAAAAA', 1.0, 10.0, 10.005, 11.0, NULL::DOUBLE),
		(DATE '2019-09-01', 'P1', '0101010B0AAAAAA', 1, 10, 2.50, 3, NULL),
		(DATE '2019-09-01', 'P2', '0101010A0AAAAAA', 1, 10, 7.25, 8, NULL))`); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		practice string
		month    string
		want     int64
		err      error
	}{
		{"two presentations summed and rounded", "P1", "2019-09", 1251, nil},
		{"one presentation", "P2", "2019-09", 725, nil},
		{"a practice with nothing in a month with data", "P9", "2019-09", 0, nil},
		{"a month with no data", "P1", "2019-10", 0, errs.ErrNotFound},
	}
	all, err := s.ActualCosts(ctx, calendar.MustMonth("2019-09"))
	if err != nil || len(all) != 2 || all["P1"] != 1251 || all["P2"] != 725 {
		t.Errorf("ActualCosts(2019-09) = %v, %v; want P1 1251, P2 725", all, err)
	}
	if _, err := s.ActualCosts(ctx, calendar.MustMonth("2019-10")); !errors.Is(err, errs.ErrNotFound) {
		t.Errorf("ActualCosts(2019-10) error %v, want ErrNotFound", err)
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.ActualCost(ctx, tc.practice, calendar.MustMonth(tc.month))
			if tc.err != nil {
				if !errors.Is(err, tc.err) {
					t.Fatalf("error %v, want %v", err, tc.err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("got %d, %v; want %d", got, err, tc.want)
			}
		})
	}
}
