package finance

import (
	"fmt"
	"strings"

	"ccg/internal/calendar"
	"ccg/internal/errs"
)

// Programme is a budget programme: the heading a CCG plans and reports its
// spending under.
type Programme string

// The programmes, as the ledger file and the pages name them.
const (
	ProgAcute        Programme = "acute"
	ProgCommunity    Programme = "community"
	ProgMentalHealth Programme = "mental-health"
	ProgPrescribing  Programme = "prescribing"
	ProgPrimaryCare  Programme = "primary-care"
	ProgCHC          Programme = "continuing-healthcare"
	ProgRunning      Programme = "running-costs"
)

// Programmes lists every programme in the order pages show them.
var Programmes = []Programme{ProgAcute, ProgCommunity, ProgMentalHealth, ProgPrescribing, ProgPrimaryCare, ProgCHC, ProgRunning}

// Label gives the programme's name in words.
func (p Programme) Label() string {
	switch p {
	case ProgAcute:
		return "Acute"
	case ProgCommunity:
		return "Community"
	case ProgMentalHealth:
		return "Mental health"
	case ProgPrescribing:
		return "Prescribing"
	case ProgPrimaryCare:
		return "Primary care"
	case ProgCHC:
		return "Continuing healthcare"
	case ProgRunning:
		return "Running costs"
	}
	return string(p)
}

// Valid reports whether p is one of Programmes.
func (p Programme) Valid() bool {
	for _, q := range Programmes {
		if p == q {
			return true
		}
	}
	return false
}

// ParseProgramme reads a programme as ledgers write it: the code
// ("mental-health") or the label ("Mental health"), in any case, with
// spaces, hyphens or underscores; "CHC" for continuing healthcare and
// "running" / "admin" for running costs are accepted too. An unknown name
// is an error wrapping errs.ErrInvalid whose message lists the programmes.
func ParseProgramme(s string) (Programme, error) {
	k := strings.Join(strings.FieldsFunc(strings.ToLower(strings.TrimSpace(s)), func(r rune) bool {
		return r == ' ' || r == '-' || r == '_'
	}), "-")
	switch k {
	case "chc":
		return ProgCHC, nil
	case "running", "admin", "running-cost":
		return ProgRunning, nil
	case "mental-health-services", "mh":
		return ProgMentalHealth, nil
	case "acute-services":
		return ProgAcute, nil
	}
	for _, p := range Programmes {
		if k == string(p) {
			return p, nil
		}
	}
	names := make([]string, len(Programmes))
	for i, p := range Programmes {
		names[i] = string(p)
	}
	return "", fmt.Errorf("the programme %q is not one of %s: %w", s, strings.Join(names, ", "), errs.ErrInvalid)
}

// BudgetLine is the budget for one month of one programme, for a
// commissioner and optionally one of its localities.
type BudgetLine struct {
	// Org is the commissioner whose budget this is (a CCG or PCT code).
	Org string `json:"org"`
	// Locality is "" for the commissioner-wide budget.
	Locality  string         `json:"locality,omitempty"`
	Programme Programme      `json:"programme"`
	Month     calendar.Month `json:"month"`
	Amount    Money          `json:"amount_pence"`
	// Source says where the figure came from ("allocation 12",
	// "governing body 2013-03-28").
	Source string `json:"source,omitempty"`
}

// Actual is spending from the general ledger: the total for one period,
// cost centre and programme (and locality, when the ledger records it).
// Positive amounts are spending; negative are credits.
type Actual struct {
	// Org is the commissioner whose ledger this is; "" in a file without
	// an organisation column, meaning the commissioner running ccg.
	Org        string         `json:"org,omitempty"`
	Period     calendar.Month `json:"period"`
	CostCentre string         `json:"cost_centre"`
	Programme  Programme      `json:"programme"`
	Locality   string         `json:"locality,omitempty"`
	Amount     Money          `json:"amount_pence"`
	// Description is the ledger's text for the line (the first given,
	// when the file sums several lines into one).
	Description string `json:"description,omitempty"`
	// Source names the import that last wrote the figure.
	Source string `json:"source,omitempty"`
}

// ActualKey is what identifies an Actual: a new figure for the same key
// replaces the old.
type ActualKey struct {
	Org        string
	Period     calendar.Month
	CostCentre string
	Programme  Programme
	Locality   string
}

// Key returns a's key.
func (a Actual) Key() ActualKey {
	return ActualKey{a.Org, a.Period, a.CostCentre, a.Programme, a.Locality}
}

// Phase spreads an annual amount over the twelve months of a financial
// year in proportion to profile (twelve weights, April first; nil for
// equal months), in whole pence summing exactly to annual (Apportion).
func Phase(annual Money, profile []float64) ([12]Money, error) {
	var out [12]Money
	if profile == nil {
		profile = []float64{1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1}
	}
	if len(profile) != 12 {
		return out, fmt.Errorf("finance: phase: a profile has 12 months, not %d: %w", len(profile), errs.ErrInvalid)
	}
	ms, err := Apportion(annual, profile)
	if err != nil {
		return out, fmt.Errorf("finance: phase: %w", err)
	}
	copy(out[:], ms)
	return out, nil
}

// monthIndex returns m's position in its financial year, 0 for April.
func monthIndex(m calendar.Month) int { return m.Since(m.FinancialYear().Start()) }
