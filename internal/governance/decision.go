package governance

import (
	"fmt"
	"strings"
	"time"

	"ccg/internal/calendar"
)

// Status is where a decision record is in its life.
type Status string

// The states of a decision record:
//
//	proposed → consultation → on-agenda → decided  → published
//	proposed ─────────────→ on-agenda → deferred → on-agenda (again)
//	                                  → withdrawn → published
//
// and any state before decided may go to withdrawn.
const (
	StatusProposed     Status = "proposed"
	StatusConsultation Status = "consultation"
	StatusOnAgenda     Status = "on-agenda"
	StatusDecided      Status = "decided"
	StatusDeferred     Status = "deferred"
	StatusWithdrawn    Status = "withdrawn"
	StatusPublished    Status = "published"
)

// transitions lists the legal moves from each state.
var transitions = map[Status][]Status{
	StatusProposed:     {StatusConsultation, StatusOnAgenda, StatusWithdrawn},
	StatusConsultation: {StatusOnAgenda, StatusWithdrawn},
	StatusOnAgenda:     {StatusDecided, StatusDeferred, StatusWithdrawn},
	StatusDeferred:     {StatusOnAgenda, StatusWithdrawn},
	StatusDecided:      {StatusPublished},
	StatusWithdrawn:    {StatusPublished},
	StatusPublished:    nil,
}

// Label gives a plain-language name for the state.
func (s Status) Label() string {
	switch s {
	case StatusOnAgenda:
		return "on the agenda"
	case StatusConsultation:
		return "out for consultation"
	}
	return string(s)
}

// Next returns the states a decision may move to from s.
func (s Status) Next() []Status { return append([]Status(nil), transitions[s]...) }

// CanMove reports whether a decision may move from s to to, and when it
// may not, why in plain language.
func CanMove(from, to Status) (bool, string) {
	next, known := transitions[from]
	if !known {
		return false, fmt.Sprintf("%q is not a state a decision can be in", from)
	}
	for _, n := range next {
		if n == to {
			return true, ""
		}
	}
	if len(next) == 0 {
		return false, fmt.Sprintf("a decision that is %s cannot change", from.Label())
	}
	var names []string
	for _, n := range next {
		names = append(names, n.Label())
	}
	return false, fmt.Sprintf("a decision that is %s cannot become %s; it can only become %s",
		from.Label(), to.Label(), strings.Join(names, " or "))
}

// Outcome is what was decided.
type Outcome string

// The outcomes of a decision.
const (
	OutcomeNone       Outcome = ""
	OutcomeCarried    Outcome = "carried"
	OutcomeNotCarried Outcome = "not-carried"
	OutcomeWithdrawn  Outcome = "withdrawn"
)

// VoteCount is the vote on an item at a meeting (or the weighted totals of
// an online member vote).
type VoteCount struct {
	For     int64 `json:"for"`
	Against int64 `json:"against"`
	Abstain int64 `json:"abstain"`
}

// Event is one entry in a decision's history, including refused attempts
// (for example routing to a body without authority).
type Event struct {
	At      time.Time `json:"at"`
	By      PersonID  `json:"by"`
	From    Status    `json:"from"`
	To      Status    `json:"to"`
	Refused bool      `json:"refused,omitempty"`
	Note    string    `json:"note"`
}

// Decision is a decision record.
type Decision struct {
	ID      int64        `json:"id"`
	Title   string       `json:"title"`
	Summary string       `json:"summary"`
	Type    DecisionType `json:"type"`
	Value   int64        `json:"value"` // pence
	// Organisations are the ODS codes (or names) of organisations the
	// decision concerns; members with a live interest in one are flagged.
	Organisations []string      `json:"organisations,omitempty"`
	Locality      string        `json:"locality,omitempty"`
	Status        Status        `json:"status"`
	ProposedBy    PersonID      `json:"proposed_by"`
	Proposed      calendar.Date `json:"proposed"`
	// Consultation window, when the decision went out to members.
	ConsultFrom calendar.Date `json:"consult_from"`
	ConsultTo   calendar.Date `json:"consult_to"`
	// Body is the body the decision is routed to (and, once decided, the
	// body that decided it); Delegation is the scheme row giving authority.
	Body       BodyID     `json:"body,omitempty"`
	Delegation Delegation `json:"delegation"`
	// AlternateFor is set when the item went to Body as the alternate
	// arrangement of this body, whose members were too conflicted to decide.
	AlternateFor BodyID `json:"alternate_for,omitempty"`
	// Meeting or MemberVote is where it is (or was) to be decided.
	Meeting    int64         `json:"meeting,omitempty"`
	MemberVote int64         `json:"member_vote,omitempty"`
	Vote       VoteCount     `json:"vote"`
	Outcome    Outcome       `json:"outcome,omitempty"`
	Decided    calendar.Date `json:"decided"`
	Rationale  string        `json:"rationale,omitempty"`
	// MemberViews says how the views of members were taken into account.
	MemberViews string      `json:"member_views,omitempty"`
	Exclusions  []Exclusion `json:"exclusions,omitempty"`
	// Reason says why it was deferred or withdrawn.
	Reason    string        `json:"reason,omitempty"`
	Ratified  calendar.Date `json:"ratified"`
	Published calendar.Date `json:"published"`
	History   []Event       `json:"history,omitempty"`
}

// RequiresRatification reports whether the member council must ratify the
// decision before it is published.
func (d Decision) RequiresRatification() bool { return d.Delegation.RequiresRatification }

// Validate checks a new proposal is complete.
func (d Decision) Validate() error {
	var miss []string
	if strings.TrimSpace(d.Title) == "" {
		miss = append(miss, "a title")
	}
	if d.Type == "" {
		miss = append(miss, "the type of decision")
	}
	if d.ProposedBy == 0 {
		miss = append(miss, "who proposes it")
	}
	if len(miss) > 0 {
		return invalid("governance: proposal: please give %s", strings.Join(miss, ", "))
	}
	if d.Value < 0 {
		return invalid("governance: proposal %q: the value cannot be negative", d.Title)
	}
	return nil
}

// CheckMove checks that d may move to state to, including the conditions
// each move needs, and says why not in plain language (wrapping
// errs.ErrInvalid).
func (d Decision) CheckMove(to Status) error {
	if ok, why := CanMove(d.Status, to); !ok {
		return invalid("governance: decision %d: %s", d.ID, why)
	}
	switch to {
	case StatusOnAgenda:
		if d.Body == "" || (d.Meeting == 0 && d.MemberVote == 0) {
			return invalid("governance: decision %d: to go on an agenda it needs a body and a meeting or member vote", d.ID)
		}
	case StatusDecided:
		if d.Outcome != OutcomeCarried && d.Outcome != OutcomeNotCarried {
			return invalid("governance: decision %d: the outcome (carried or not carried) must be recorded", d.ID)
		}
		if strings.TrimSpace(d.Rationale) == "" {
			return invalid("governance: decision %d: the rationale must be recorded", d.ID)
		}
		if strings.TrimSpace(d.MemberViews) == "" {
			return invalid("governance: decision %d: the record must say how member views were taken into account", d.ID)
		}
	case StatusDeferred, StatusWithdrawn:
		if strings.TrimSpace(d.Reason) == "" {
			return invalid("governance: decision %d: say why it is %s", d.ID, to.Label())
		}
	case StatusPublished:
		if d.Status == StatusDecided && d.RequiresRatification() && d.Ratified.IsZero() {
			return invalid("governance: decision %d: the member council must ratify it before it is published", d.ID)
		}
	case StatusConsultation:
		if d.ConsultFrom.IsZero() || d.ConsultTo.IsZero() || !d.ConsultFrom.Before(d.ConsultTo) {
			return invalid("governance: decision %d: a consultation needs a start and a later end date", d.ID)
		}
	}
	return nil
}
