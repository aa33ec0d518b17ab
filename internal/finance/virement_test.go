package finance

import (
	"errors"
	"strings"
	"testing"

	"ccg/internal/errs"
)

func TestCheckBalance(t *testing.T) {
	before := map[BudgetChange]Money{
		{Programme: ProgAcute}:                            120000000, // £1,200,000.00
		{Programme: ProgPrescribing}:                      30000000,  // £300,000.00
		{Locality: "99Z-NORTH", Programme: ProgCommunity}: 5000000,   // £50,000.00
	}
	tests := []struct {
		name    string
		changes []BudgetChange
		net     Money
		wantErr string // "" for a balanced edit
	}{
		{"nothing changed", nil, 0, ""},
		{"same amount again", []BudgetChange{{Programme: ProgAcute, Annual: 120000000}}, 0, ""},
		// £10,000 from acute to prescribing: −1,000,000 + 1,000,000 = 0.
		{"virement between programmes", []BudgetChange{
			{Programme: ProgAcute, Annual: 119000000}, {Programme: ProgPrescribing, Annual: 31000000}}, 0, ""},
		// £50,000 from a locality's community line to a new mental-health line.
		{"to a new line", []BudgetChange{
			{Locality: "99Z-NORTH", Programme: ProgCommunity, Annual: 0}, {Programme: ProgMentalHealth, Annual: 5000000}}, 0, ""},
		// Acute up £5,000.00 and nothing down: +500,000 pence.
		{"adds money", []BudgetChange{{Programme: ProgAcute, Annual: 120500000}}, 500000,
			"they add £5,000.00 to the year's budget"},
		// Prescribing down £0.01 only.
		{"takes a penny out", []BudgetChange{{Programme: ProgPrescribing, Annual: 29999999}}, -1,
			"they take £0.01 out of the year's budget"},
		// −£10,000 + £9,999.99 = −£0.01.
		{"a penny short", []BudgetChange{
			{Programme: ProgAcute, Annual: 119000000}, {Programme: ProgPrescribing, Annual: 30999999}}, -1, "Give £0.01 to other lines"},
		{"negative budget", []BudgetChange{{Programme: ProgAcute, Annual: -1}}, 0, "cannot be negative"},
		{"unknown programme", []BudgetChange{{Programme: "dentistry", Annual: 1}}, 0, "unknown programme"},
		{"same line twice", []BudgetChange{{Programme: ProgAcute, Annual: 1}, {Programme: ProgAcute, Annual: 2}}, 0, "changed twice"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e, err := CheckBalance(before, tc.changes)
			if tc.wantErr == "" {
				if err != nil || e.Net != 0 {
					t.Fatalf("got %+v, %v; want balanced", e, err)
				}
				return
			}
			if !errors.Is(err, errs.ErrInvalid) || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("error %v, want ErrInvalid containing %q", err, tc.wantErr)
			}
			if e.Net != tc.net {
				t.Errorf("net %d, want %d", e.Net, tc.net)
			}
		})
	}
}
