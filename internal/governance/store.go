package governance

import (
	"context"
	"time"

	"ccg/internal/calendar"
	"ccg/internal/txn"
)

// Store is what governance needs from persistence (store/sqlstore,
// migrations 0200-0299). Lookups of a missing thing return an error
// wrapping errs.ErrNotFound; a broken uniqueness or a stale state wraps
// errs.ErrConflict. The Service runs every change in InTx.
type Store interface {
	txn.Runner
	ConstitutionStore
	DecisionStore
	MeetingStore
	VoteStore
	RegisterStore
}

// ConstitutionStore keeps every adopted version of the constitution.
type ConstitutionStore interface {
	// SaveConstitution stores c as version c.Version.Number; a version
	// number already stored wraps errs.ErrConflict.
	SaveConstitution(ctx context.Context, c Constitution) error
	// Constitution returns version n; n = 0 returns the latest version.
	Constitution(ctx context.Context, n int) (Constitution, error)
	// ConstitutionVersions returns every version's description, oldest first.
	ConstitutionVersions(ctx context.Context) ([]Version, error)
}

// DecisionFilter selects decision records.
type DecisionFilter struct {
	Status Status // "" for any
	Body   BodyID // "" for any
	// DecidedFrom and DecidedTo bound the decision date, [From, To); zero
	// bounds are open.
	DecidedFrom, DecidedTo calendar.Date
	Limit, Offset          int // Limit 0: no limit
}

// DecisionStore keeps decision records and their history.
type DecisionStore interface {
	// CreateDecision stores a new decision (d.ID is ignored) and returns its id.
	CreateDecision(ctx context.Context, d Decision) (int64, error)
	// Decision returns one decision with its history.
	Decision(ctx context.Context, id int64) (Decision, error)
	// UpdateDecision replaces decision d.ID only if its stored status is
	// still from (a compare-and-swap); otherwise it wraps errs.ErrConflict.
	// It does not rewrite the history.
	UpdateDecision(ctx context.Context, d Decision, from Status) error
	// AppendDecisionEvent adds an entry to a decision's history.
	AppendDecisionEvent(ctx context.Context, id int64, e Event) error
	// Decisions returns the decisions matching f, newest decided (then
	// newest id) first.
	Decisions(ctx context.Context, f DecisionFilter) ([]Decision, error)
}

// MeetingStore keeps meetings with their agenda, attendance, declarations,
// minutes and actions.
type MeetingStore interface {
	// CreateMeeting stores a new meeting and returns its id.
	CreateMeeting(ctx context.Context, m Meeting) (int64, error)
	// Meeting returns one meeting.
	Meeting(ctx context.Context, id int64) (Meeting, error)
	// UpdateMeeting replaces meeting m.ID and everything in it.
	UpdateMeeting(ctx context.Context, m Meeting) error
	// Meetings returns a body's meetings ("" for every body) held in
	// [from, to), oldest first.
	Meetings(ctx context.Context, body BodyID, from, to calendar.Date) ([]Meeting, error)
}

// VoteStore keeps online member votes.
//
// Anonymous ballots: CastVote receives three separate things and the store
// must keep them apart. The Participation goes into the "has voted" set
// (unique per vote and practice). The BoxEntry is added to per-option
// running totals (count and weight) and is NOT stored as a row: no ballot
// id, time, sequence or weight-per-ballot is kept, because with weighted
// votes a weight equals a practice's list size and would identify it. The
// named Ballot is nil for an anonymous vote. The has-voted set and the
// totals then cannot be joined: any assignment of the same choices to the
// same practices leaves the stored data identical.
type VoteStore interface {
	// CreateVote stores a new vote and returns its id.
	CreateVote(ctx context.Context, v MemberVote) (int64, error)
	// Vote returns one vote.
	Vote(ctx context.Context, id int64) (MemberVote, error)
	// UpdateVote replaces the vote's proxies and outcome (its rules and
	// roster are fixed once it opens).
	UpdateVote(ctx context.Context, v MemberVote) error
	// Votes returns the votes of a body ("" for all), newest first.
	Votes(ctx context.Context, body BodyID) ([]MemberVote, error)
	// CastVote, in one transaction, adds p to the has-voted set (a second
	// vote for the same practice wraps errs.ErrConflict), adds e to the
	// totals and, when b is not nil, stores the named ballot.
	CastVote(ctx context.Context, p Participation, e BoxEntry, b *Ballot) error
	// Participations returns the has-voted set, ordered by practice code
	// (never by time of casting).
	Participations(ctx context.Context, vote int64) ([]Participation, error)
	// Totals returns the running totals (zeroes before any vote).
	Totals(ctx context.Context, vote int64) (Totals, error)
	// Ballots returns the named ballots of a vote that is not anonymous.
	Ballots(ctx context.Context, vote int64) ([]Ballot, error)
}

// RegisterStore keeps the registers of interests, confirmations, gifts and
// hospitality, procurement decisions and breaches.
type RegisterStore interface {
	// PutInterest inserts (ID 0) or replaces an interest and returns its id.
	PutInterest(ctx context.Context, i Interest) (int64, error)
	// Interests returns a person's interests (person 0: everyone's), by id.
	Interests(ctx context.Context, person PersonID) ([]Interest, error)
	// InterestsIn returns every interest naming one of the organisations.
	InterestsIn(ctx context.Context, organisations []string) ([]Interest, error)
	// AddConfirmation records a yearly confirmation.
	AddConfirmation(ctx context.Context, c Confirmation) error
	// LatestConfirmations returns each person's latest confirmation date.
	LatestConfirmations(ctx context.Context) (map[PersonID]calendar.Date, error)
	// PutGift inserts (ID 0) or replaces a gift or hospitality entry.
	PutGift(ctx context.Context, g Gift) (int64, error)
	// Gift returns one entry.
	Gift(ctx context.Context, id int64) (Gift, error)
	// Gifts returns the entries offered in [from, to), oldest first.
	Gifts(ctx context.Context, from, to calendar.Date) ([]Gift, error)
	// PutProcurement inserts (ID 0) or replaces a procurement decision.
	PutProcurement(ctx context.Context, p ProcurementDecision) (int64, error)
	// Procurements returns the register of procurement decisions, newest first.
	Procurements(ctx context.Context) ([]ProcurementDecision, error)
	// PutBreach inserts (ID 0) or replaces a breach.
	PutBreach(ctx context.Context, b Breach) (int64, error)
	// Breaches returns the register of breaches, newest first.
	Breaches(ctx context.Context) ([]Breach, error)
}

// Auditor writes every change to the audit chain (implemented by the
// people-and-roles package). detail must never hold an anonymous ballot's
// choice.
type Auditor interface {
	Record(ctx context.Context, action, subject, detail string) error
}

// Entitlement says who may act for a member practice (for example its
// partners and practice manager), as the people-and-roles package records.
type Entitlement interface {
	// MayActFor reports whether person may cast practice's vote at t.
	MayActFor(ctx context.Context, person PersonID, practice string, at time.Time) (bool, error)
}

// Roster gives the member practices a body of practices is made of on a
// date, with list sizes (implemented over the registry).
type Roster interface {
	// Practices returns the practices entitled to vote in body on date on:
	// every member practice for the member council, the locality's
	// practices for a locality group.
	Practices(ctx context.Context, body Body, on calendar.Date) ([]Entitled, error)
}
