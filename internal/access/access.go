// Package access is who is acting and what they may do: people and their
// roles, local passwords, sessions, personal API tokens, sign-in throttling,
// the one authorisation policy (Can, in policy.go) and the hash-chained
// audit log.
//
// The package knows nothing of SQL or HTTP. It defines the Store port that
// store/sqlstore implements and the Service that applies the rules; the web
// adapter and the CLI ask Can for every page, API call and command, and never
// look at roles themselves.
package access

import (
	"fmt"
	"net/mail"
	"slices"
	"strings"
	"time"

	"ccg/internal/errs"
)

// Role is a set of rights granted to a person. A person may hold several;
// everybody, signed in or not, also holds RolePublic.
type Role string

// The roles. RolePublic is the anonymous public and is never stored.
const (
	RolePublic         Role = "public"
	RoleAdmin          Role = "administrator"
	RoleAnalyst        Role = "analyst"
	RoleFinance        Role = "finance"
	RoleGovSecretary   Role = "governance-secretary"
	RoleGoverningBody  Role = "governing-body-member"
	RoleLocalityLead   Role = "locality-lead"
	RolePracticeMember Role = "practice-member"
)

// Roles lists every role a person can be given, in the order pages show them
// (RolePublic is not among them: everybody has it).
var Roles = []Role{RoleAdmin, RoleAnalyst, RoleFinance, RoleGovSecretary, RoleGoverningBody, RoleLocalityLead, RolePracticeMember}

// Label gives the role's name in plain words.
func (r Role) Label() string {
	switch r {
	case RolePublic:
		return "Public"
	case RoleAdmin:
		return "Administrator"
	case RoleAnalyst:
		return "Analyst"
	case RoleFinance:
		return "Finance"
	case RoleGovSecretary:
		return "Governance secretary"
	case RoleGoverningBody:
		return "Governing body member"
	case RoleLocalityLead:
		return "Locality lead"
	case RolePracticeMember:
		return "Practice member"
	}
	return string(r)
}

// Valid reports whether r is a role a person can be given.
func (r Role) Valid() bool { return slices.Contains(Roles, r) }

// ParseRole reads a role from its code or its label, ignoring case, spaces,
// hyphens and underscores ("Governing body member", "governing_body_member").
func ParseRole(s string) (Role, error) {
	k := normKey(s)
	for _, r := range Roles {
		if normKey(string(r)) == k || normKey(r.Label()) == k {
			return r, nil
		}
	}
	switch k {
	case "admin":
		return RoleAdmin, nil
	case "governingbody", "gbmember":
		return RoleGoverningBody, nil
	case "member", "practice":
		return RolePracticeMember, nil
	case "secretary":
		return RoleGovSecretary, nil
	}
	return "", fmt.Errorf("access: unknown role %q: %w", s, errs.ErrInvalid)
}

// ProfessionalRole is what a person does for a living (not a right).
type ProfessionalRole string

// The professional roles.
const (
	ProGPPartner       ProfessionalRole = "gp-partner"
	ProSalariedGP      ProfessionalRole = "salaried-gp"
	ProPracticeManager ProfessionalRole = "practice-manager"
	ProPracticeNurse   ProfessionalRole = "practice-nurse"
	ProPharmacist      ProfessionalRole = "pharmacist"
	ProLayMember       ProfessionalRole = "lay-member"
	ProCCGOfficer      ProfessionalRole = "ccg-officer"
)

// ProfessionalRoles lists the professional roles in display order.
var ProfessionalRoles = []ProfessionalRole{ProGPPartner, ProSalariedGP, ProPracticeManager, ProPracticeNurse, ProPharmacist, ProLayMember, ProCCGOfficer}

// Label gives the professional role in plain words.
func (p ProfessionalRole) Label() string {
	switch p {
	case ProGPPartner:
		return "GP partner"
	case ProSalariedGP:
		return "Salaried GP"
	case ProPracticeManager:
		return "Practice manager"
	case ProPracticeNurse:
		return "Practice nurse"
	case ProPharmacist:
		return "Pharmacist"
	case ProLayMember:
		return "Lay member"
	case ProCCGOfficer:
		return "CCG officer"
	}
	return string(p)
}

// Valid reports whether p is a known professional role.
func (p ProfessionalRole) Valid() bool { return slices.Contains(ProfessionalRoles, p) }

// ParseProfessionalRole reads a professional role from its code or label,
// ignoring case, spaces, hyphens and underscores.
func ParseProfessionalRole(s string) (ProfessionalRole, error) {
	k := normKey(s)
	for _, p := range ProfessionalRoles {
		if normKey(string(p)) == k || normKey(p.Label()) == k {
			return p, nil
		}
	}
	switch k {
	case "gp", "partner":
		return ProGPPartner, nil
	case "nurse":
		return ProPracticeNurse, nil
	case "manager":
		return ProPracticeManager, nil
	case "officer":
		return ProCCGOfficer, nil
	}
	return "", fmt.Errorf("access: unknown professional role %q: %w", s, errs.ErrInvalid)
}

func normKey(s string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case ' ', '-', '_', '.':
			return -1
		}
		return r
	}, strings.ToLower(strings.TrimSpace(s)))
}

// Person is someone who can sign in.
type Person struct {
	ID           int64            `json:"id"`
	Name         string           `json:"name"`
	Email        string           `json:"email"` // stored lower-case; unique
	Professional ProfessionalRole `json:"professional_role,omitempty"`
	Roles        []Role           `json:"roles"`
	// Practices are the ODS codes of the practices the person works at.
	Practices []string `json:"practices,omitempty"`
	// Localities are the localities the person belongs to: those given
	// directly (a locality lead's) and those of their practices, filled in
	// by the Service when it loads a person.
	Localities []string `json:"localities,omitempty"`
	// Bodies are the codes of the bodies (governing body, committees) the
	// person sits on; later capabilities define them.
	Bodies   []string  `json:"bodies,omitempty"`
	Disabled bool      `json:"disabled"`
	Created  time.Time `json:"created"`
	// PasswordHash is the encoded argon2id hash, or "" when the person has
	// no local password (OIDC only, or not yet set).
	PasswordHash string `json:"-"`
	// OIDCSubject is "issuer|subject" once the person has signed in through
	// an identity provider.
	OIDCSubject string `json:"-"`
}

// Has reports whether the person holds role r. Everybody holds RolePublic.
func (p *Person) Has(r Role) bool {
	if r == RolePublic {
		return true
	}
	if p == nil || p.Disabled {
		return false
	}
	return slices.Contains(p.Roles, r)
}

// WorksAt reports whether the person is linked to the practice.
func (p *Person) WorksAt(practice string) bool {
	return p != nil && practice != "" && slices.Contains(p.Practices, practice)
}

// InLocality reports whether the person belongs to the locality.
func (p *Person) InLocality(locality string) bool {
	return p != nil && locality != "" && slices.Contains(p.Localities, locality)
}

// SignedIn reports whether p is a signed-in, enabled person.
func (p *Person) SignedIn() bool { return p != nil && !p.Disabled && p.ID != 0 }

// Display returns the person's name, or their email when unnamed, or
// "anonymous".
func (p *Person) Display() string {
	switch {
	case p == nil:
		return "anonymous"
	case p.Name != "":
		return p.Name
	case p.Email != "":
		return p.Email
	}
	return "anonymous"
}

// System is the actor for the command line: whoever can run ccg against the
// database already holds every right, so it acts as an administrator. It is
// still checked by Can, like everyone.
var System = &Person{ID: -1, Name: "command line", Email: "cli", Roles: []Role{RoleAdmin}}

// NormaliseEmail trims and lower-cases an email address and checks its form.
func NormaliseEmail(s string) (string, error) {
	e := strings.ToLower(strings.TrimSpace(s))
	if e == "" || len(e) > 254 {
		return "", fmt.Errorf("access: email %q: %w", s, errs.ErrInvalid)
	}
	a, err := mail.ParseAddress(e)
	if err != nil || a.Address != e || !strings.Contains(e[strings.LastIndexByte(e, '@')+1:], ".") {
		return "", fmt.Errorf("access: email %q is not an address like name@example.nhs.uk: %w", s, errs.ErrInvalid)
	}
	return e, nil
}

// NewPerson is what an administrator gives to add a person.
type NewPerson struct {
	Name         string
	Email        string
	Professional ProfessionalRole
	Roles        []Role
	Practices    []string
	Localities   []string
	Bodies       []string
	// Password is the first password; empty leaves the person without one
	// (they sign in through the identity provider or after a reset).
	Password string
}

// validate normalises np and checks it.
func (np *NewPerson) validate() error {
	np.Name = strings.TrimSpace(np.Name)
	if np.Name == "" {
		return fmt.Errorf("access: a person needs a name: %w", errs.ErrInvalid)
	}
	e, err := NormaliseEmail(np.Email)
	if err != nil {
		return err
	}
	np.Email = e
	if np.Professional != "" && !np.Professional.Valid() {
		return fmt.Errorf("access: unknown professional role %q: %w", np.Professional, errs.ErrInvalid)
	}
	for _, r := range np.Roles {
		if !r.Valid() {
			return fmt.Errorf("access: unknown role %q: %w", r, errs.ErrInvalid)
		}
	}
	np.Roles = uniq(np.Roles)
	np.Practices = uniq(upperAll(np.Practices))
	np.Localities = uniq(upperAll(np.Localities))
	np.Bodies = uniq(np.Bodies)
	return nil
}

func upperAll(s []string) []string {
	out := make([]string, 0, len(s))
	for _, v := range s {
		if v = strings.ToUpper(strings.TrimSpace(v)); v != "" {
			out = append(out, v)
		}
	}
	return out
}

func uniq[T ~string](s []T) []T {
	out := make([]T, 0, len(s))
	for _, v := range s {
		if v != "" && !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	slices.Sort(out)
	return out
}
