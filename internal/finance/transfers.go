package finance

import (
	"fmt"
	"sort"
	"strings"

	"ccg/internal/calendar"
	"ccg/internal/errs"
)

// Agreement is money one organisation has agreed to pay another by a date:
// for example a PCT handing funds to a CCG at the April 2013 handover, or
// one CCG's balance passing to the CCG it merges into.
type Agreement struct {
	ID          int64         `json:"id"`
	From        string        `json:"from"` // the payer's code (the organisation that owes)
	To          string        `json:"to"`   // the payee's code
	Description string        `json:"description"`
	Amount      Money         `json:"amount_pence"`
	Agreed      calendar.Date `json:"agreed"`
	Due         calendar.Date `json:"due"`
	// Reference is the agreement's reference in the parties' papers.
	Reference string `json:"reference,omitempty"`
}

// Validate checks the agreement's fields; errors wrap errs.ErrInvalid.
func (a Agreement) Validate() error {
	var probs []string
	if strings.TrimSpace(a.From) == "" || strings.TrimSpace(a.To) == "" {
		probs = append(probs, "both the organisation that owes and the one owed are required")
	} else if strings.EqualFold(a.From, a.To) {
		probs = append(probs, "an organisation cannot owe itself")
	}
	if a.Amount <= 0 {
		probs = append(probs, "the amount owed must be more than zero")
	}
	if a.Due.IsZero() {
		probs = append(probs, "the due date is required")
	} else if !a.Agreed.IsZero() && a.Due.Before(a.Agreed) {
		probs = append(probs, "the due date is before the date agreed")
	}
	if strings.TrimSpace(a.Description) == "" {
		probs = append(probs, "a description is required")
	}
	if len(probs) > 0 {
		return fmt.Errorf("agreement: %s: %w", strings.Join(probs, "; "), errs.ErrInvalid)
	}
	return nil
}

// Receipt is a payment received against an agreement.
type Receipt struct {
	ID        int64         `json:"id"`
	Agreement int64         `json:"agreement"`
	Received  calendar.Date `json:"received"`
	Amount    Money         `json:"amount_pence"`
	Reference string        `json:"reference,omitempty"`
	Note      string        `json:"note,omitempty"`
}

// Bucket is an ageing bucket of an overdue amount.
type Bucket string

// The ageing buckets, by whole days past the due date.
const (
	BucketNotDue Bucket = "not-due" // not yet past the due date (or nothing outstanding)
	Bucket0to30  Bucket = "0-30"    // 1 to 30 days overdue
	Bucket31to60 Bucket = "31-60"
	Bucket61to90 Bucket = "61-90"
	Bucket90Plus Bucket = "90+" // 91 days or more
)

// Buckets lists the buckets in order.
var Buckets = []Bucket{BucketNotDue, Bucket0to30, Bucket31to60, Bucket61to90, Bucket90Plus}

// BucketFor returns the bucket of an amount daysOverdue days past due
// (0 or less: not due).
func BucketFor(daysOverdue int) Bucket {
	switch {
	case daysOverdue <= 0:
		return BucketNotDue
	case daysOverdue <= 30:
		return Bucket0to30
	case daysOverdue <= 60:
		return Bucket31to60
	case daysOverdue <= 90:
		return Bucket61to90
	}
	return Bucket90Plus
}

// Escalation is how far an overdue amount has been escalated.
type Escalation int

// The escalation levels. Each is reached when the oldest outstanding
// amount has been overdue for the days given; each names who acts.
const (
	// EscNone: nothing is overdue.
	EscNone Escalation = 0
	// EscReminder (1-30 days): the finance team sends a reminder to the
	// payer's finance team.
	EscReminder Escalation = 1
	// EscCFO (31-60 days): the chief finance officer writes to the payer's
	// chief finance officer.
	EscCFO Escalation = 2
	// EscGoverningBody (61-90 days): the accountable officer writes to the
	// payer's accountable officer and the governing body is told.
	EscGoverningBody Escalation = 3
	// EscNHSEngland (over 90 days): the debt is referred to NHS England
	// (the area team) for dispute resolution.
	EscNHSEngland Escalation = 4
)

// EscalationFor returns the level for an amount daysOverdue days past due.
func EscalationFor(daysOverdue int) Escalation {
	switch BucketFor(daysOverdue) {
	case Bucket0to30:
		return EscReminder
	case Bucket31to60:
		return EscCFO
	case Bucket61to90:
		return EscGoverningBody
	case Bucket90Plus:
		return EscNHSEngland
	}
	return EscNone
}

// Label says the level and who acts, in words.
func (e Escalation) Label() string {
	switch e {
	case EscNone:
		return "None"
	case EscReminder:
		return "Reminder from the finance team"
	case EscCFO:
		return "Chief finance officer to chief finance officer"
	case EscGoverningBody:
		return "Accountable officer, and reported to the governing body"
	case EscNHSEngland:
		return "Referred to NHS England for dispute resolution"
	}
	return fmt.Sprintf("level %d", int(e))
}

// AgreementStatus is an agreement as it stood on a date.
type AgreementStatus struct {
	Agreement Agreement     `json:"agreement"`
	AsAt      calendar.Date `json:"as_at"`
	// Receipts are those received on or before AsAt, oldest first.
	Receipts    []Receipt `json:"receipts"`
	Received    Money     `json:"received_pence"`
	Outstanding Money     `json:"outstanding_pence"` // Amount − Received, never below zero
	Overpaid    Money     `json:"overpaid_pence,omitempty"`
	// Overdue is the outstanding amount when AsAt is after the due date.
	Overdue     Money      `json:"overdue_pence"`
	DaysOverdue int        `json:"days_overdue"` // 0 when not overdue
	Bucket      Bucket     `json:"bucket"`
	Escalation  Escalation `json:"escalation"`
	Settled     bool       `json:"settled"`
}

// Status works out where an agreement stood on asAt from its receipts
// (receipts after asAt are left out, so a past date shows the position as
// it was then). An amount is overdue from the day after its due date:
// DaysOverdue = asAt − due in days, when positive and something is
// outstanding.
func Status(a Agreement, receipts []Receipt, asAt calendar.Date) AgreementStatus {
	s := AgreementStatus{Agreement: a, AsAt: asAt, Bucket: BucketNotDue}
	for _, r := range receipts {
		if r.Agreement != a.ID || r.Received.After(asAt) {
			continue
		}
		s.Receipts = append(s.Receipts, r)
		s.Received += r.Amount
	}
	sort.SliceStable(s.Receipts, func(i, j int) bool { return s.Receipts[i].Received.Before(s.Receipts[j].Received) })
	s.Outstanding = a.Amount - s.Received
	if s.Outstanding <= 0 {
		s.Overpaid, s.Outstanding, s.Settled = -s.Outstanding, 0, true
		return s
	}
	days := int(asAt.Time().Sub(a.Due.Time()).Hours() / 24)
	if days > 0 {
		s.Overdue, s.DaysOverdue = s.Outstanding, days
		s.Bucket, s.Escalation = BucketFor(days), EscalationFor(days)
	}
	return s
}

// Ageing is the outstanding amounts of many agreements by bucket.
type Ageing struct {
	AsAt        calendar.Date    `json:"as_at"`
	Outstanding Money            `json:"outstanding_pence"`
	Overdue     Money            `json:"overdue_pence"`
	ByBucket    map[Bucket]Money `json:"by_bucket_pence"`
	// Highest is the highest escalation reached by any agreement.
	Highest Escalation `json:"highest"`
}

// Age sums statuses into an ageing table.
func Age(asAt calendar.Date, ss []AgreementStatus) Ageing {
	a := Ageing{AsAt: asAt, ByBucket: map[Bucket]Money{}}
	for _, b := range Buckets {
		a.ByBucket[b] = 0
	}
	for _, s := range ss {
		a.Outstanding += s.Outstanding
		a.Overdue += s.Overdue
		a.ByBucket[s.Bucket] += s.Outstanding
		if s.Escalation > a.Highest {
			a.Highest = s.Escalation
		}
	}
	return a
}

// ConsolidatedLine is one programme and month of a merged commissioner's
// budget or actuals, with what each predecessor contributed.
type ConsolidatedLine struct {
	Programme Programme        `json:"programme"`
	Month     calendar.Month   `json:"month"`
	Amount    Money            `json:"amount_pence"`
	ByOrg     map[string]Money `json:"by_org_pence"`
}

// Consolidated is a successor's budgets and actuals for a year together
// with its predecessors': a view built on the fly from each organisation's
// own records, which stay as they were.
type Consolidated struct {
	Successor    string                 `json:"successor"`
	Predecessors []string               `json:"predecessors"`
	Year         calendar.FinancialYear `json:"year"`
	Budgets      []ConsolidatedLine     `json:"budgets"`
	Actuals      []ConsolidatedLine     `json:"actuals"`
	// Budget and Actual are totals; ByOrg the totals per organisation.
	Budget      Money            `json:"budget_pence"`
	Actual      Money            `json:"actual_pence"`
	BudgetByOrg map[string]Money `json:"budget_by_org_pence"`
	ActualByOrg map[string]Money `json:"actual_by_org_pence"`
}

// Consolidate sums the budget lines and actuals of successor and its
// predecessors for year (lines of other organisations and years are left
// out; locality lines are folded into their programme). The records
// passed in are not changed; each line keeps each organisation's part in
// ByOrg, so either side's figures can still be read. Actuals with Org ""
// count as the successor's (the commissioner running ccg).
func Consolidate(successor string, predecessors []string, year calendar.FinancialYear, budgets []BudgetLine, actuals []Actual) Consolidated {
	c := Consolidated{Successor: successor, Predecessors: append([]string(nil), predecessors...), Year: year,
		BudgetByOrg: map[string]Money{}, ActualByOrg: map[string]Money{}}
	sort.Strings(c.Predecessors)
	in := map[string]bool{successor: true}
	for _, p := range predecessors {
		in[p] = true
	}
	type key struct {
		p Programme
		m calendar.Month
	}
	add := func(lines map[key]*ConsolidatedLine, org string, p Programme, m calendar.Month, amt Money) {
		k := key{p, m}
		l := lines[k]
		if l == nil {
			l = &ConsolidatedLine{Programme: p, Month: m, ByOrg: map[string]Money{}}
			lines[k] = l
		}
		l.Amount += amt
		l.ByOrg[org] += amt
	}
	bl, al := map[key]*ConsolidatedLine{}, map[key]*ConsolidatedLine{}
	for _, b := range budgets {
		if !in[b.Org] || b.Month.FinancialYear() != year {
			continue
		}
		add(bl, b.Org, b.Programme, b.Month, b.Amount)
		c.Budget += b.Amount
		c.BudgetByOrg[b.Org] += b.Amount
	}
	for _, a := range actuals {
		org := a.Org
		if org == "" {
			org = successor
		}
		if !in[org] || a.Period.FinancialYear() != year {
			continue
		}
		add(al, org, a.Programme, a.Period, a.Amount)
		c.Actual += a.Amount
		c.ActualByOrg[org] += a.Amount
	}
	flatten := func(m map[key]*ConsolidatedLine) []ConsolidatedLine {
		out := make([]ConsolidatedLine, 0, len(m))
		for _, l := range m {
			out = append(out, *l)
		}
		sort.Slice(out, func(i, j int) bool {
			pi, pj := programmeOrder(out[i].Programme), programmeOrder(out[j].Programme)
			if pi != pj {
				return pi < pj
			}
			return out[i].Month.Before(out[j].Month)
		})
		return out
	}
	c.Budgets, c.Actuals = flatten(bl), flatten(al)
	return c
}

func programmeOrder(p Programme) int {
	for i, q := range Programmes {
		if p == q {
			return i
		}
	}
	return len(Programmes)
}
