package governance

import (
	"fmt"
	"strings"
	"time"

	"ccg/internal/calendar"
	"ccg/internal/errs"
)

// invalid wraps errs.ErrInvalid with a plain-language explanation.
func invalid(format string, args ...any) error {
	return fmt.Errorf(format+": %w", append(args, errs.ErrInvalid)...)
}

// InterestKind is the kind of a declared interest, as NHS England's
// conflicts-of-interest guidance names them.
type InterestKind string

// The kinds of interest.
const (
	InterestFinancial    InterestKind = "financial"                  // a direct financial gain or loss
	InterestProfessional InterestKind = "non-financial-professional" // professional standing or reputation
	InterestPersonal     InterestKind = "non-financial-personal"     // personal benefit not measured in money
	InterestIndirect     InterestKind = "indirect"                   // an interest of a close associate
)

// InterestKinds lists every kind of interest.
var InterestKinds = []InterestKind{InterestFinancial, InterestProfessional, InterestPersonal, InterestIndirect}

// Valid reports whether k is a known kind of interest.
func (k InterestKind) Valid() bool {
	for _, v := range InterestKinds {
		if v == k {
			return true
		}
	}
	return false
}

// Label gives a plain-language name for the kind.
func (k InterestKind) Label() string {
	switch k {
	case InterestFinancial:
		return "a financial interest"
	case InterestProfessional:
		return "a non-financial professional interest"
	case InterestPersonal:
		return "a non-financial personal interest"
	case InterestIndirect:
		return "an indirect interest"
	}
	return string(k)
}

// Statutory periods from NHS England's conflicts-of-interest guidance.
const (
	// DeclareWithinDays is how soon an interest must be recorded after it arises.
	DeclareWithinDays = 28
	// PublicAfterExpiryMonths is how long an expired interest stays on the
	// public register.
	PublicAfterExpiryMonths = 6
	// RetainYears is how long records of interests are kept.
	RetainYears = 6
)

// Interest is one entry in the register of interests.
type Interest struct {
	ID     int64        `json:"id"`
	Person PersonID     `json:"person"`
	Name   string       `json:"name,omitempty"` // the person's name, for the public register
	Kind   InterestKind `json:"kind"`
	// Organisation names the organisation involved, by ODS code where it has
	// one (so that items about it flag the interest automatically).
	Organisation     string `json:"organisation"`
	OrganisationName string `json:"organisation_name,omitempty"`
	Description      string `json:"description"`
	// From is when the interest arose, To when it ended (zero: continuing).
	From calendar.Date `json:"from"`
	To   calendar.Date `json:"to"`
	// Declared is when the interest was recorded.
	Declared calendar.Date `json:"declared"`
	// Managed says how the conflict is managed (for example "excluded from
	// decisions about the federation's contracts").
	Managed string `json:"managed,omitempty"`
}

// LiveOn reports whether the interest was in force on d.
func (i Interest) LiveOn(d calendar.Date) bool { return d.Within(i.From, i.To) }

// Summary gives a short plain-language description for minutes.
func (i Interest) Summary() string {
	s := i.Kind.Label()
	if i.Description != "" {
		s += " (" + i.Description + ")"
	}
	return s
}

// Validate checks that the entry is complete.
func (i Interest) Validate() error {
	var miss []string
	if i.Person == 0 {
		miss = append(miss, "the person")
	}
	if !i.Kind.Valid() {
		miss = append(miss, "the kind of interest (financial, non-financial professional, non-financial personal or indirect)")
	}
	if strings.TrimSpace(i.Organisation) == "" {
		miss = append(miss, "the organisation involved")
	}
	if i.From.IsZero() {
		miss = append(miss, "the date the interest arose")
	}
	if len(miss) > 0 {
		return invalid("governance: interest: please give %s", strings.Join(miss, ", "))
	}
	if !i.To.IsZero() && !i.From.Before(i.To) {
		return invalid("governance: interest: it ends (%s) on or before it arose (%s)", i.To, i.From)
	}
	return nil
}

// DeclareBy is the last day an interest arising on from may be recorded on
// time.
func DeclareBy(from calendar.Date) calendar.Date { return from.AddDays(DeclareWithinDays) }

// DeclaredLate reports whether the interest was recorded more than 28 days
// after it arose (a breach to be reported).
func DeclaredLate(i Interest) bool {
	return !i.Declared.IsZero() && !i.From.IsZero() && i.Declared.After(DeclareBy(i.From))
}

// ConfirmationDue returns when a person who last confirmed their register
// entries on last must confirm them again (a year later), and whether that
// is overdue on today. A person who has never confirmed is due at once.
func ConfirmationDue(last, today calendar.Date) (due calendar.Date, overdue bool) {
	if last.IsZero() {
		return today, false
	}
	due = addMonths(last, 12)
	return due, today.After(due)
}

// PublicUntil returns the first day an expired interest no longer appears
// on the public register (six months after it ended); zero for an interest
// that has not ended.
func PublicUntil(i Interest) calendar.Date {
	if i.To.IsZero() {
		return calendar.Date{}
	}
	return addMonths(i.To, PublicAfterExpiryMonths)
}

// OnPublicRegister reports whether the interest appears on the public
// register on today: while live, and for six months after it ends.
func OnPublicRegister(i Interest, today calendar.Date) bool {
	if today.Before(i.From) {
		return false
	}
	u := PublicUntil(i)
	return u.IsZero() || today.Before(u)
}

// RetainUntil returns the first day the record of an interest may be
// destroyed (six years after it ended); zero while it continues.
func RetainUntil(i Interest) calendar.Date {
	if i.To.IsZero() {
		return calendar.Date{}
	}
	return addMonths(i.To, 12*RetainYears)
}

// addMonths moves d by n months, clamping to the end of a shorter month
// (31 August + 6 months is 28 or 29 February, not 2 or 3 March).
func addMonths(d calendar.Date, n int) calendar.Date {
	t := d.Time()
	first := time.Date(t.Year(), t.Month()+time.Month(n), 1, 0, 0, 0, 0, time.UTC)
	last := first.AddDate(0, 1, -1).Day()
	day := t.Day()
	if day > last {
		day = last
	}
	return calendar.NewDate(first.Year(), first.Month(), day)
}

// Confirmation records that a person confirmed their register entries
// were complete and correct on a date.
type Confirmation struct {
	Person PersonID      `json:"person"`
	On     calendar.Date `json:"on"`
}

// DueConfirmation lists the people (of people) whose yearly confirmation is
// due on or before today, given each one's latest confirmation.
func DueConfirmation(people []PersonID, latest map[PersonID]calendar.Date, today calendar.Date) []PersonID {
	var out []PersonID
	for _, p := range people {
		due, overdue := ConfirmationDue(latest[p], today)
		if overdue || !today.Before(due) {
			out = append(out, p)
		}
	}
	return out
}

// GiftKind says whether an offer was a gift or hospitality.
type GiftKind string

// The kinds of entry in the gifts and hospitality register.
const (
	KindGift        GiftKind = "gift"
	KindHospitality GiftKind = "hospitality"
)

// GiftThresholds are the configurable values, in pence, above which gifts
// and hospitality must be declared or approved. Values are compared with
// "above", so a gift of exactly £6 need not be declared.
type GiftThresholds struct {
	// SupplierGift: gifts from suppliers or contractors above this must be declared.
	SupplierGift int64 `json:"supplier_gift"`
	// OtherGift: gifts from anyone else above this must be declared.
	OtherGift int64 `json:"other_gift"`
	// Hospitality above this must be declared.
	Hospitality int64 `json:"hospitality"`
	// HospitalityApproval: hospitality above this needs senior approval.
	HospitalityApproval int64 `json:"hospitality_approval"`
}

// DefaultGiftThresholds are NHS England's defaults: supplier gifts above £6,
// other gifts above £50 and hospitality above £25 must be declared;
// hospitality above £75 needs senior approval.
var DefaultGiftThresholds = GiftThresholds{SupplierGift: 600, OtherGift: 5000, Hospitality: 2500, HospitalityApproval: 7500}

// Gift is one entry in the gifts and hospitality register.
type Gift struct {
	ID     int64    `json:"id"`
	Person PersonID `json:"person"`
	Name   string   `json:"name,omitempty"`
	Kind   GiftKind `json:"kind"`
	// From names who offered it; FromSupplier says whether they supply, or
	// may supply, the CCG.
	From         string        `json:"from"`
	FromSupplier bool          `json:"from_supplier"`
	Description  string        `json:"description"`
	Value        int64         `json:"value"` // pence, estimated
	Offered      calendar.Date `json:"offered"`
	Declined     bool          `json:"declined,omitempty"`
	Declared     calendar.Date `json:"declared"`
	ApprovedBy   PersonID      `json:"approved_by,omitempty"`
	ApprovedOn   calendar.Date `json:"approved_on"`
}

// MustDeclare reports whether g must be entered in the register, and why.
func (t GiftThresholds) MustDeclare(g Gift) (bool, string) {
	switch {
	case g.Kind == KindHospitality && g.Value > t.Hospitality:
		return true, fmt.Sprintf("hospitality worth %s is above %s", Pounds(g.Value), Pounds(t.Hospitality))
	case g.Kind == KindHospitality:
		return false, fmt.Sprintf("hospitality worth %s is not above %s", Pounds(g.Value), Pounds(t.Hospitality))
	case g.FromSupplier && g.Value > t.SupplierGift:
		return true, fmt.Sprintf("a gift from a supplier worth %s is above %s", Pounds(g.Value), Pounds(t.SupplierGift))
	case g.FromSupplier:
		return false, fmt.Sprintf("a gift from a supplier worth %s is not above %s", Pounds(g.Value), Pounds(t.SupplierGift))
	case g.Value > t.OtherGift:
		return true, fmt.Sprintf("a gift worth %s is above %s", Pounds(g.Value), Pounds(t.OtherGift))
	}
	return false, fmt.Sprintf("a gift worth %s is not above %s", Pounds(g.Value), Pounds(t.OtherGift))
}

// NeedsApproval reports whether g needs senior approval before it is accepted.
func (t GiftThresholds) NeedsApproval(g Gift) bool {
	return g.Kind == KindHospitality && !g.Declined && g.Value > t.HospitalityApproval
}

// ProcurementParticipant is someone who took part in a procurement decision.
type ProcurementParticipant struct {
	Person PersonID `json:"person"`
	Name   string   `json:"name"`
	Role   string   `json:"role"`
	// Declared is what they declared about the bidders ("none" when nothing).
	Declared string `json:"declared"`
	// Managed says how any conflict was managed.
	Managed string `json:"managed,omitempty"`
}

// ProcurementDecision is one entry in the register of procurement decisions.
type ProcurementDecision struct {
	ID           int64                    `json:"id"`
	Decision     int64                    `json:"decision,omitempty"` // the decision record, if any
	Title        string                   `json:"title"`
	Service      string                   `json:"service"`
	Supplier     string                   `json:"supplier"` // ODS code or name of the organisation awarded
	Value        int64                    `json:"value"`    // pence
	Decided      calendar.Date            `json:"decided"`
	Body         BodyID                   `json:"body"`
	Participants []ProcurementParticipant `json:"participants"`
	HowManaged   string                   `json:"how_managed"`
}

// Validate checks that the entry says who took part and how conflicts were managed.
func (p ProcurementDecision) Validate() error {
	if strings.TrimSpace(p.Title) == "" || p.Decided.IsZero() || p.Body == "" {
		return invalid("governance: procurement decision: a title, the body and the date decided are required")
	}
	if len(p.Participants) == 0 {
		return invalid("governance: procurement decision %q: the register must say who took part", p.Title)
	}
	if strings.TrimSpace(p.HowManaged) == "" {
		return invalid("governance: procurement decision %q: the register must say how conflicts were managed", p.Title)
	}
	return nil
}

// Breach is one entry in the published register of breaches of the
// conflicts-of-interest rules. It names no one: the public register says
// what happened and what was done.
type Breach struct {
	ID          int64         `json:"id"`
	Occurred    calendar.Date `json:"occurred"`
	Reported    calendar.Date `json:"reported"`
	Description string        `json:"description"`
	Action      string        `json:"action"`
	Lessons     string        `json:"lessons,omitempty"`
	Published   calendar.Date `json:"published"`
}

// Validate checks that the entry is complete.
func (b Breach) Validate() error {
	if strings.TrimSpace(b.Description) == "" || b.Reported.IsZero() {
		return invalid("governance: breach: a description and the date reported are required")
	}
	return nil
}
