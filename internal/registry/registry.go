// Package registry holds the organisations ccg knows about (GP practices and
// other prescribing settings, localities, CCGs, and the bodies above and
// before them) and the dated relationships between them.
//
// Everything in the registry is dated so that it can answer "as at" questions:
// which practices were members of CCG X on date D, what is the current
// successor of Y, what is the whole history of practice P. Intervals are
// half-open, [From, To): a relationship with To = 2018-04-01 ended at the
// close of 31 March 2018, and a zero To means it is still open.
//
// The package knows nothing of SQL or HTTP: it defines the Store port that
// adapters implement and the Service that applies the rules.
package registry

import (
	"slices"

	"ccg/internal/calendar"
)

// Kind is the kind of an organisation.
type Kind string

// The kinds of organisation in the registry.
const (
	KindPractice   Kind = "practice"   // a GP practice (ODS prescribing setting 4)
	KindPrescriber Kind = "prescriber" // another prescribing cost centre (walk-in centre, out of hours, ...)
	KindLocality   Kind = "locality"   // a group of practices inside a commissioner, where peer review happens
	KindCCG        Kind = "ccg"        // a clinical commissioning group
	KindRegion     Kind = "region"     // an NHS England region (or a government office region before it)
	KindAreaTeam   Kind = "area-team"  // an NHS England area team / local office / sub-region
	KindPCT        Kind = "pct"        // a primary care trust (before April 2013)
	KindSHA        Kind = "sha"        // a strategic health authority (before April 2013)
	KindTrust      Kind = "trust"      // an NHS trust (a provider)
)

// Kinds lists every kind, in the order pages show them.
var Kinds = []Kind{KindCCG, KindLocality, KindPractice, KindPrescriber, KindPCT, KindSHA, KindRegion, KindAreaTeam, KindTrust}

// Label gives a plain-language name for the kind.
func (k Kind) Label() string {
	switch k {
	case KindPractice:
		return "GP practice"
	case KindPrescriber:
		return "Other prescribing setting"
	case KindLocality:
		return "Locality"
	case KindCCG:
		return "Clinical commissioning group"
	case KindRegion:
		return "NHS England region"
	case KindAreaTeam:
		return "NHS England area team"
	case KindPCT:
		return "Primary care trust"
	case KindSHA:
		return "Strategic health authority"
	case KindTrust:
		return "NHS trust"
	}
	return string(k)
}

// Valid reports whether k is one of the known kinds.
func (k Kind) Valid() bool {
	for _, v := range Kinds {
		if v == k {
			return true
		}
	}
	return false
}

// Status is an organisation's ODS status.
type Status string

// ODS status codes.
const (
	StatusActive   Status = "active"   // ODS "A" / "ACTIVE"
	StatusClosed   Status = "closed"   // ODS "C"
	StatusDormant  Status = "dormant"  // ODS "D"
	StatusProposed Status = "proposed" // ODS "P"
)

// Organisation is one organisation, as its most recent source describes it.
type Organisation struct {
	Code     string        `json:"code"`
	Name     string        `json:"name"`
	Kind     Kind          `json:"kind"`
	Address  []string      `json:"address,omitempty"` // address lines, blanks removed
	Postcode string        `json:"postcode,omitempty"`
	Phone    string        `json:"phone,omitempty"`
	Opened   calendar.Date `json:"opened"`
	Closed   calendar.Date `json:"closed"`
	Status   Status        `json:"status"`
	// Setting is the ODS prescribing setting or role (for example "4" for a
	// GP practice, or a role id such as "RO76" in newer downloads).
	Setting string `json:"setting,omitempty"`
	// Source names the import that last wrote this record (for example
	// "ods-practices epraccur_20180831.csv").
	Source string `json:"source,omitempty"`
}

// sameFacts reports whether o and p say the same thing, ignoring Source.
func (o Organisation) sameFacts(p Organisation) bool {
	return o.Code == p.Code && o.Name == p.Name && o.Kind == p.Kind &&
		slices.Equal(o.Address, p.Address) && o.Postcode == p.Postcode && o.Phone == p.Phone &&
		o.Opened == p.Opened && o.Closed == p.Closed && o.Status == p.Status && o.Setting == p.Setting
}

// OpenOn reports whether the organisation was open on d.
func (o Organisation) OpenOn(d calendar.Date) bool { return d.Within(o.Opened, o.Closed) }

// RelationKind is the kind of a dated relationship between two organisations.
type RelationKind string

// The relationships the registry records. In each, Child belongs to Parent.
const (
	// RelMemberOf: a practice (or prescriber) is a member of a CCG or PCT.
	RelMemberOf RelationKind = "member-of"
	// RelInLocality: a practice is in a locality.
	RelInLocality RelationKind = "in-locality"
	// RelLocalityOf: a locality belongs to a CCG.
	RelLocalityOf RelationKind = "locality-of"
	// RelAccountableTo: a CCG (or PCT) answers to a region or area team.
	RelAccountableTo RelationKind = "accountable-to"
)

// Relationship says that Child belonged to Parent from From to To.
type Relationship struct {
	Child  string        `json:"child"`
	Parent string        `json:"parent"`
	Kind   RelationKind  `json:"kind"`
	From   calendar.Date `json:"from"`
	To     calendar.Date `json:"to"`
	Source string        `json:"source,omitempty"`
}

// ActiveOn reports whether the relationship held on d.
func (r Relationship) ActiveOn(d calendar.Date) bool { return d.Within(r.From, r.To) }

// Membership is one member-of relationship active on a date, as
// Store.MembershipsOn returns it: all the variation pages need to know of
// the registry's membership, read at once instead of CCG by CCG.
type Membership struct {
	Child  string `json:"child"`
	Parent string `json:"parent"`
	// ChildKind and ParentKind are "" for an organisation the registry
	// does not hold.
	ChildKind  Kind `json:"child_kind"`
	ParentKind Kind `json:"parent_kind"`
	// Locality is the child's locality (RelInLocality) on the date, "" for none.
	Locality string `json:"locality"`
}

// Succession says that Predecessor was succeeded by Successor on Effective,
// as ODS succ.csv records it (for example two CCGs merging into one).
type Succession struct {
	Predecessor string        `json:"predecessor"`
	Successor   string        `json:"successor"`
	Reason      string        `json:"reason"` // for example "Merger"
	Effective   calendar.Date `json:"effective"`
	Indicator   string        `json:"indicator,omitempty"` // ODS succession indicator
	Source      string        `json:"source,omitempty"`
}

// Sex is the sex a list-size count is for.
type Sex string

// Sexes used in list sizes.
const (
	SexAll    Sex = "all"
	SexMale   Sex = "male"
	SexFemale Sex = "female"
)

// AgeAll is the age band that means "all ages".
const AgeAll = "all"

// ListSize is the number of patients registered at a practice in a month, for
// one sex and age band. Age bands are written "0-4", "5-9", ..., "95+" (or the
// wider bands of older layouts, such as "5-14" and "75+"), or AgeAll.
type ListSize struct {
	Practice string         `json:"practice"`
	Month    calendar.Month `json:"month"`
	Sex      Sex            `json:"sex"`
	AgeBand  string         `json:"age_band"`
	Patients int            `json:"patients"`
}

// MemberAt is one practice that belonged to a commissioner on a date, with
// the commissioner it belonged to then (which differs from the one asked
// about when predecessors are included).
type MemberAt struct {
	Organisation
	Via      string        `json:"via"` // the commissioner the practice belonged to on the date
	Since    calendar.Date `json:"since"`
	Locality string        `json:"locality,omitempty"` // locality code on the date, if any
}

// Filter selects organisations for a search or a listing.
type Filter struct {
	Kind  Kind   // "" for any
	Query string // matched case-insensitively against code, name and postcode; "" for any
	Limit int    // 0 means a default of 50
	// Offset skips this many results, for paging.
	Offset int
}
