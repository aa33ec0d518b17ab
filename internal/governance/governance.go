// Package governance holds the rules of a clinical commissioning group's
// constitution: its bodies (member council, governing body, locality groups,
// committees and panels), their quorum and voting rules, the scheme of
// delegation that says which body may take which decision, the life of a
// decision record, meetings, online votes of member practices, and the
// registers of interests, gifts and hospitality, procurement decisions and
// breaches that NHS England's conflicts-of-interest rules require.
//
// The package is pure: it imports neither database drivers nor net/http.
// Rules are plain functions over values (CheckQuorum, Scheme.WhoDecides,
// Conflicts, Tally, DeclaredLate, ...) so that they can be tested as tables;
// Service applies them over the Store port and writes every change to an
// Auditor. People are referred to by PersonID and practices by ODS code, so
// the package does not depend on the people-and-roles package.
//
// Dates are calendar.Date and intervals are half-open, [From, To), with a
// zero To meaning "still open". Money is int64 pence.
package governance

import (
	"fmt"
	"strings"

	"ccg/internal/calendar"
)

// PersonID identifies a person (kept by the people-and-roles package). It is
// an alias of int64 so that any package's person identifier converts freely.
type PersonID = int64

// BodyID names a body in the constitution by a stable slug, for example
// "governing-body" or "locality-north".
type BodyID string

// BodyKind is the kind of a body in the constitution.
type BodyKind string

// The kinds of body a CCG constitution has.
const (
	KindMemberCouncil BodyKind = "member-council" // every member practice
	KindGoverningBody BodyKind = "governing-body" // the CCG's board
	KindLocalityGroup BodyKind = "locality-group" // the practices of one locality
	KindCommittee     BodyKind = "committee"      // audit, remuneration, primary care commissioning, quality, ...
	KindPanel         BodyKind = "panel"          // for example an unconflicted panel used as an alternate
)

// BodyKinds lists every kind of body, in the order pages show them.
var BodyKinds = []BodyKind{KindMemberCouncil, KindGoverningBody, KindLocalityGroup, KindCommittee, KindPanel}

// Valid reports whether k is a known kind of body.
func (k BodyKind) Valid() bool {
	for _, v := range BodyKinds {
		if v == k {
			return true
		}
	}
	return false
}

// Label gives a plain-language name for the kind.
func (k BodyKind) Label() string {
	switch k {
	case KindMemberCouncil:
		return "Member council"
	case KindGoverningBody:
		return "Governing body"
	case KindLocalityGroup:
		return "Locality group"
	case KindCommittee:
		return "Committee"
	case KindPanel:
		return "Panel"
	}
	return string(k)
}

// Role is the capacity in which someone sits on a body.
type Role string

// The roles members of bodies hold.
const (
	RoleGP           Role = "gp"                    // a GP (often also a provider: watch for conflicts)
	RoleLay          Role = "lay"                   // a lay member
	RoleNurse        Role = "nurse"                 // the registered nurse
	RoleSecondaryDoc Role = "secondary-care-doctor" // the secondary-care specialist doctor
	RoleOfficer      Role = "officer"               // an officer of the CCG (accountable officer, finance lead, ...)
	RolePractice     Role = "practice"              // a member practice, represented by a person entitled for it
)

// Roles lists every role.
var Roles = []Role{RoleGP, RoleLay, RoleNurse, RoleSecondaryDoc, RoleOfficer, RolePractice}

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	for _, v := range Roles {
		if v == r {
			return true
		}
	}
	return false
}

// Label gives a plain-language name for the role.
func (r Role) Label() string {
	switch r {
	case RoleGP:
		return "GP"
	case RoleLay:
		return "lay member"
	case RoleNurse:
		return "nurse"
	case RoleSecondaryDoc:
		return "secondary-care doctor"
	case RoleOfficer:
		return "officer"
	case RolePractice:
		return "member practice"
	}
	return string(r)
}

// Seat identifies a place on a body: a person's seat (Person set) or a
// member practice's seat (Practice set, an ODS code). It is comparable and
// is used as a map key for attendance, exclusions and votes.
type Seat struct {
	Person   PersonID `json:"person,omitempty"`
	Practice string   `json:"practice,omitempty"`
}

// String gives a stable text form, "person:12" or "practice:A81001".
func (s Seat) String() string {
	if s.Practice != "" {
		return "practice:" + s.Practice
	}
	return fmt.Sprintf("person:%d", s.Person)
}

// IsZero reports whether the seat names nobody.
func (s Seat) IsZero() bool { return s.Person == 0 && s.Practice == "" }

// Member is one seat on a body, held in a role for a term [From, To).
type Member struct {
	Seat
	Name string `json:"name"`
	Role Role   `json:"role"`
	// NonVoting marks a member who attends but neither votes nor counts
	// towards the quorum (for example an officer in attendance).
	NonVoting bool          `json:"non_voting,omitempty"`
	From      calendar.Date `json:"from"`
	To        calendar.Date `json:"to"`
}

// InTermOn reports whether the member's term covers d.
func (m Member) InTermOn(d calendar.Date) bool { return d.Within(m.From, m.To) }

// Percent is a whole-number percentage, 0 to 100, used for shares so that
// rules never depend on floating-point rounding.
type Percent int

// RoleMin says a quorum needs at least Min members of Role present.
type RoleMin struct {
	Role Role `json:"role"`
	Min  int  `json:"min"`
}

// QuorumRule says how many voting members must be present, and of what
// kinds, for a body to decide. All of its parts must be met.
type QuorumRule struct {
	// MinCount is the least number of voting members present (0: no count rule).
	MinCount int `json:"min_count,omitempty"`
	// MinShare is the least share of the voting members in term that must be
	// present (0: no share rule). Conflicted members are in the denominator
	// but not the numerator, so exclusions can make a body inquorate.
	MinShare Percent `json:"min_share,omitempty"`
	// Composition lists roles that must be present, for example at least one
	// lay member and one GP.
	Composition []RoleMin `json:"composition,omitempty"`
}

// Majority is the share of votes a motion needs to carry.
type Majority string

// The majorities a voting rule may require.
const (
	SimpleMajority Majority = "simple-majority" // more than half of the votes cast (abstentions not counted)
	TwoThirds      Majority = "two-thirds"      // at least two thirds of the votes cast (abstentions not counted)
)

// PracticeVote says how the votes of member practices are weighed; it is
// empty for bodies of people, where each voting member has one vote.
type PracticeVote string

// The ways member practices' votes may be weighed.
const (
	OnePracticeOneVote PracticeVote = "one-practice-one-vote"
	WeightedByListSize PracticeVote = "weighted-by-list-size"
)

// VotingRule says how a body's votes are counted.
type VotingRule struct {
	Majority     Majority     `json:"majority"`
	PracticeVote PracticeVote `json:"practice_vote,omitempty"`
	// HideResultsUntilClose is the body's default for online votes: running
	// totals are not shown until the vote closes.
	HideResultsUntilClose bool `json:"hide_results_until_close,omitempty"`
}

// Describe gives the rule in plain language.
func (v VotingRule) Describe() string {
	var b strings.Builder
	switch v.Majority {
	case TwoThirds:
		b.WriteString("at least two thirds of the votes cast")
	default:
		b.WriteString("more than half of the votes cast")
	}
	switch v.PracticeVote {
	case OnePracticeOneVote:
		b.WriteString(", one practice one vote")
	case WeightedByListSize:
		b.WriteString(", each practice's vote weighted by its registered list size")
	}
	b.WriteString("; abstentions are not counted")
	return b.String()
}

// Body is one decision-making body of the CCG.
type Body struct {
	ID      BodyID   `json:"id"`
	Name    string   `json:"name"`
	Kind    BodyKind `json:"kind"`
	Purpose string   `json:"purpose"` // plain language: what the body is for
	// Locality is the ODS code of the locality a locality group serves.
	Locality string `json:"locality,omitempty"`
	// AllMemberPractices says the body's members are every member practice
	// of the CCG (the member council), taken from the registry on the day
	// rather than listed in Members.
	AllMemberPractices bool       `json:"all_member_practices,omitempty"`
	Members            []Member   `json:"members,omitempty"`
	Quorum             QuorumRule `json:"quorum"`
	Voting             VotingRule `json:"voting"`
	// AllowProxies lets one member practice vote for another when the other
	// has appointed it.
	AllowProxies bool `json:"allow_proxies,omitempty"`
	// Alternate is the body an item goes to when exclusions for conflicts
	// of interest would leave this body inquorate.
	Alternate BodyID `json:"alternate,omitempty"`
}

// MembersOn returns the members whose term covers d.
func (b Body) MembersOn(d calendar.Date) []Member {
	var out []Member
	for _, m := range b.Members {
		if m.InTermOn(d) {
			out = append(out, m)
		}
	}
	return out
}

// Member returns the member holding seat s on d.
func (b Body) Member(s Seat, d calendar.Date) (Member, bool) {
	for _, m := range b.Members {
		if m.Seat == s && m.InTermOn(d) {
			return m, true
		}
	}
	return Member{}, false
}

// Pounds formats pence as pounds for plain-language text: "£6", "£25.50",
// "£1,250,000".
func Pounds(pence int64) string {
	neg := pence < 0
	if neg {
		pence = -pence
	}
	whole, frac := pence/100, pence%100
	s := fmt.Sprint(whole)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	out := "£" + b.String()
	if frac != 0 {
		out += fmt.Sprintf(".%02d", frac)
	}
	if neg {
		out = "-" + out
	}
	return out
}

// plural returns "n thing" or "n things".
func plural(n int, thing string) string {
	if n == 1 {
		return fmt.Sprintf("1 %s", thing)
	}
	return fmt.Sprintf("%d %ss", n, thing)
}
