package governance

import (
	"fmt"
	"sort"
	"strings"
)

// DecisionType is a kind of decision in the scheme of delegation.
type DecisionType string

// The decision types of the default scheme; a CCG may add others.
const (
	ApproveContract     DecisionType = "approve-contract"
	ApproveBusinessCase DecisionType = "approve-business-case"
	VaryBudget          DecisionType = "vary-budget"
	AdoptClinicalPolicy DecisionType = "adopt-clinical-policy"
	ChangeConstitution  DecisionType = "change-constitution"
)

// DecisionTypeInfo names and explains a decision type.
type DecisionTypeInfo struct {
	Type        DecisionType `json:"type"`
	Name        string       `json:"name"`
	Description string       `json:"description"`
}

// Delegation is one row of the scheme of delegation: decisions of Type with
// a value in [From, To) pence (To zero: no upper limit) are taken by Body
// (or, when Body is empty, by the body of kind BodyKind the decision
// concerns, for example the locality group of its locality).
type Delegation struct {
	Type     DecisionType `json:"type"`
	From     int64        `json:"from"`
	To       int64        `json:"to,omitempty"`
	Body     BodyID       `json:"body,omitempty"`
	BodyKind BodyKind     `json:"body_kind,omitempty"`
	// RequiresRatification says the member council must ratify the decision
	// before it takes effect and is published.
	RequiresRatification bool `json:"requires_ratification,omitempty"`
	// Why explains the delegation in plain language.
	Why string `json:"why"`
}

// Covers reports whether value lies in the delegation's band.
func (d Delegation) Covers(value int64) bool {
	return value >= d.From && (d.To == 0 || value < d.To)
}

// Band describes the value band in plain language.
func (d Delegation) Band() string {
	switch {
	case d.From == 0 && d.To == 0:
		return "any value"
	case d.To == 0:
		return Pounds(d.From) + " or more"
	case d.From == 0:
		return "under " + Pounds(d.To)
	}
	return fmt.Sprintf("from %s up to (not including) %s", Pounds(d.From), Pounds(d.To))
}

// Authorises reports whether body b has the authority this delegation gives.
func (d Delegation) Authorises(b Body) bool {
	if d.Body != "" {
		return b.ID == d.Body
	}
	return d.BodyKind != "" && b.Kind == d.BodyKind
}

// Scheme is the scheme of delegation: who may decide what.
type Scheme struct {
	Types       []DecisionTypeInfo `json:"types"`
	Delegations []Delegation       `json:"delegations"`
}

// TypeInfo returns the name and description of decision type t.
func (s Scheme) TypeInfo(t DecisionType) (DecisionTypeInfo, bool) {
	for _, ti := range s.Types {
		if ti.Type == t {
			return ti, true
		}
	}
	return DecisionTypeInfo{}, false
}

// typeName gives t's plain name, or t itself.
func (s Scheme) typeName(t DecisionType) string {
	if ti, ok := s.TypeInfo(t); ok {
		return ti.Name
	}
	return string(t)
}

// Validate checks that every delegation names a known type and a body or
// body kind, that bands are well formed, and that no two bands of a type
// overlap. Gaps are allowed: a value in a gap has no body with authority.
func (s Scheme) Validate() error {
	byType := map[DecisionType][]Delegation{}
	for _, d := range s.Delegations {
		if _, ok := s.TypeInfo(d.Type); !ok {
			return invalid("governance: scheme of delegation: decision type %q is not listed", d.Type)
		}
		if d.Body == "" && !d.BodyKind.Valid() {
			return invalid("governance: scheme of delegation: %s %s names no body", d.Type, d.Band())
		}
		if d.From < 0 || (d.To != 0 && d.To <= d.From) {
			return invalid("governance: scheme of delegation: %s band %d-%d is empty or negative", d.Type, d.From, d.To)
		}
		if strings.TrimSpace(d.Why) == "" {
			return invalid("governance: scheme of delegation: %s %s needs a plain-language reason", d.Type, d.Band())
		}
		byType[d.Type] = append(byType[d.Type], d)
	}
	for t, ds := range byType {
		sort.Slice(ds, func(i, j int) bool { return ds[i].From < ds[j].From })
		for i := 0; i+1 < len(ds); i++ {
			if ds[i].To == 0 || ds[i].To > ds[i+1].From {
				return invalid("governance: scheme of delegation: %s bands %s and %s overlap", t, ds[i].Band(), ds[i+1].Band())
			}
		}
	}
	return nil
}

// WhoDecides returns the delegation for a decision of type t and value
// (pence), with a plain-language explanation of who decides and why. It
// wraps errs.ErrInvalid when no body has authority.
func (s Scheme) WhoDecides(t DecisionType, value int64) (Delegation, string, error) {
	return s.whoDecides(t, value, func(id BodyID) string { return "the " + string(id) })
}

// whoDecides is WhoDecides with body names from name.
func (s Scheme) whoDecides(t DecisionType, value int64, name func(BodyID) string) (Delegation, string, error) {
	if _, ok := s.TypeInfo(t); !ok {
		return Delegation{}, "", invalid("governance: who decides: %q is not a decision type in the scheme of delegation", t)
	}
	if value < 0 {
		return Delegation{}, "", invalid("governance: who decides: a value cannot be negative (%s)", Pounds(value))
	}
	for _, d := range s.Delegations {
		if d.Type == t && d.Covers(value) {
			who := "the " + strings.ToLower(d.BodyKind.Label()) + " concerned"
			if d.Body != "" {
				who = name(d.Body)
			}
			exp := fmt.Sprintf("To %s worth %s (%s), the decision is taken by %s. %s",
				strings.ToLower(s.typeName(t)), Pounds(value), d.Band(), who, d.Why)
			if d.RequiresRatification {
				exp += " The member council must then ratify it."
			}
			return d, exp, nil
		}
	}
	return Delegation{}, "", invalid("governance: who decides: no body has authority to %s worth %s: the scheme of delegation has no band covering this value",
		strings.ToLower(s.typeName(t)), Pounds(value))
}

// CheckRoute checks that body b may take a decision of type t and value.
// When it may not, the error (wrapping errs.ErrInvalid) says who may and why.
func (s Scheme) CheckRoute(t DecisionType, value int64, b Body) (Delegation, error) {
	d, exp, err := s.WhoDecides(t, value)
	if err != nil {
		return Delegation{}, err
	}
	if !d.Authorises(b) {
		return Delegation{}, invalid("governance: route to %s: %s has no authority for this decision. %s", b.ID, b.Name, exp)
	}
	return d, nil
}
