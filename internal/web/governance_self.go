package web

import (
	"fmt"
	"net/http"
	"strings"

	"ccg/internal/governance"
)

// govOwnResource is the signed-in person's own register entries: only they
// may declare, see and confirm them (scope Self).
func govOwnResource(r *http.Request) Resource {
	res := Resource{Kind: "declarations"}
	if p := personFrom(r); p.SignedIn() {
		res.Owner = p.ID
	}
	return res
}

// govOwnVM is a person's own declarations: interests, gifts and
// hospitality, and their yearly confirmation, with the forms to add to them.
type govOwnVM struct {
	Name          string                    `json:"name"`
	Interests     []govInterestRow          `json:"interests"`
	Gifts         []govOwnGiftRow           `json:"gifts"`
	LastConfirmed string                    `json:"last_confirmed,omitempty"`
	ConfirmBy     string                    `json:"confirm_by"`
	Due           bool                      `json:"confirmation_due"`
	Thresholds    string                    `json:"thresholds"`
	Kinds         []governance.InterestKind `json:"-"`
	CSRF          string                    `json:"-"`
}

// govOwnGiftRow is one of a person's gifts or hospitality, with what the
// thresholds require of it.
type govOwnGiftRow struct {
	governance.Gift
	ValueText     string `json:"value_text"`
	MustDeclare   bool   `json:"must_declare"`
	NeedsApproval bool   `json:"needs_approval"`
	Why           string `json:"why"`
}

// giftThresholds are the constitution's thresholds, or NHS England's defaults.
func giftThresholds(c governance.Constitution) governance.GiftThresholds {
	if c.Gifts == (governance.GiftThresholds{}) {
		return governance.DefaultGiftThresholds
	}
	return c.Gifts
}

func thresholdsText(t governance.GiftThresholds) string {
	return fmt.Sprintf("Gifts from suppliers above %s, other gifts above %s and hospitality above %s must be declared; hospitality above %s needs a senior manager's approval.",
		governance.Pounds(t.SupplierGift), governance.Pounds(t.OtherGift), governance.Pounds(t.Hospitality), governance.Pounds(t.HospitalityApproval))
}

func (s *Server) govOwnView(r *http.Request) (any, error) {
	ctx, p := r.Context(), personFrom(r)
	own, err := s.deps.Governance.OwnRegister(ctx, p.ID)
	if err != nil {
		return nil, err
	}
	c, err := s.govConstitution(ctx)
	if err != nil {
		return nil, err
	}
	th := giftThresholds(c)
	vm := govOwnVM{Name: p.Name, Interests: []govInterestRow{}, Gifts: []govOwnGiftRow{}, ConfirmBy: own.ConfirmBy.String(), Due: own.Due,
		Thresholds: thresholdsText(th), Kinds: governance.InterestKinds, CSRF: csrfFor(r)}
	if !own.LastConfirmed.IsZero() {
		vm.LastConfirmed = own.LastConfirmed.String()
	}
	for _, i := range own.Interests {
		vm.Interests = append(vm.Interests, govInterestRow{Interest: i, KindLabel: i.Kind.Label()})
	}
	for _, g := range own.Gifts {
		row := govOwnGiftRow{Gift: g, ValueText: governance.Pounds(g.Value), NeedsApproval: th.NeedsApproval(g)}
		row.MustDeclare, row.Why = th.MustDeclare(g)
		vm.Gifts = append(vm.Gifts, row)
	}
	return vm, nil
}

// govDeclaredVM answers a declaration: the done page's message, and for
// the JSON twin what the rules found.
type govDeclaredVM struct {
	Message string                `json:"message"`
	Back    string                `json:"back"`
	ID      int64                 `json:"id,omitempty"`
	Late    bool                  `json:"late,omitempty"`
	Check   *governance.GiftCheck `json:"check,omitempty"`
}

func (s *Server) govOwnInterestView(r *http.Request) (any, error) {
	p := personFrom(r)
	i := governance.Interest{Person: p.ID, Name: p.Name, Kind: governance.InterestKind(r.PostFormValue("kind")),
		Organisation: strings.TrimSpace(r.PostFormValue("organisation")), OrganisationName: strings.TrimSpace(r.PostFormValue("organisation_name")),
		Description: strings.TrimSpace(r.PostFormValue("description"))}
	var err error
	if i.From, err = formDate(r, "from"); err != nil {
		return nil, err
	}
	if i.To, err = formDate(r, "to"); err != nil {
		return nil, err
	}
	i, late, err := s.deps.Governance.DeclareInterest(r.Context(), p.ID, i)
	if err != nil {
		return nil, err
	}
	msg := fmt.Sprintf("Your interest in %s has been added to the register of interests.", i.Organisation)
	if late {
		msg += fmt.Sprintf(" It was declared late: interests must be declared within %d days of arising (by %s).", governance.DeclareWithinDays, governance.DeclareBy(i.From))
	}
	return govDeclaredVM{Message: msg, Back: "/governance/declarations", ID: i.ID, Late: late}, nil
}

func (s *Server) govOwnGiftView(r *http.Request) (any, error) {
	p := personFrom(r)
	value, err := parsePounds(r.PostFormValue("value"))
	if err != nil {
		return nil, invalid("enter the estimated value in pounds, for example 30 or 12.50")
	}
	g := governance.Gift{Person: p.ID, Name: p.Name, Kind: governance.GiftKind(r.PostFormValue("kind")), From: strings.TrimSpace(r.PostFormValue("from")),
		FromSupplier: r.PostFormValue("supplier") != "", Description: strings.TrimSpace(r.PostFormValue("description")), Value: value,
		Declined: r.PostFormValue("declined") != ""}
	if g.Offered, err = formDate(r, "offered"); err != nil {
		return nil, err
	}
	g, chk, err := s.deps.Governance.DeclareGift(r.Context(), p.ID, g)
	if err != nil {
		return nil, err
	}
	msg := fmt.Sprintf("Recorded: %s from %s worth %s. ", g.Kind, g.From, governance.Pounds(g.Value))
	if chk.MustDeclare {
		msg += "It must be declared: " + chk.Why + "."
	} else {
		msg += "It need not have been declared (" + chk.Why + "), but it is on the register."
	}
	if chk.NeedsApproval {
		msg += " It needs a senior manager's approval before you accept it."
	}
	return govDeclaredVM{Message: msg, Back: "/governance/declarations", ID: g.ID, Check: &chk}, nil
}

func (s *Server) govOwnConfirmView(r *http.Request) (any, error) {
	ctx, p := r.Context(), personFrom(r)
	if err := s.deps.Governance.ConfirmRegister(ctx, p.ID, s.deps.Governance.Now()); err != nil {
		return nil, err
	}
	own, err := s.deps.Governance.OwnRegister(ctx, p.ID)
	if err != nil {
		return nil, err
	}
	return govDoneVM{Message: fmt.Sprintf("Thank you: you have confirmed that your declarations are complete and correct. Please confirm them again by %s.", own.ConfirmBy),
		Back: "/governance/declarations"}, nil
}
