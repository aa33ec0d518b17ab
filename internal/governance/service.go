package governance

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"ccg/internal/calendar"
	"ccg/internal/errs"
)

// Service applies the governance rules over a Store, writing every change
// to the Auditor.
type Service struct {
	store  Store
	audit  Auditor
	ent    Entitlement
	roster Roster
	now    func() time.Time
	// publishCheck, when set, is asked before a decision is published.
	publishCheck PublishCheck
	// notifier, when set, is told about opened votes and meeting agendas.
	notifier Notifier
}

// PublishCheck is asked before a decision is published, inside the publish
// transaction; an error refuses the publication and is returned as it is
// (engagement's "you said, we did" rule wraps errs.ErrInvalid).
type PublishCheck interface {
	CheckPublish(ctx context.Context, id int64) error
}

// SetPublishCheck makes the service ask c before it publishes a decision;
// nil (the default) asks nobody. Call it while wiring, before the service
// is in use.
func (s *Service) SetPublishCheck(c PublishCheck) { s.publishCheck = c }

// NewService returns a Service. Every dependency is required.
func NewService(store Store, audit Auditor, ent Entitlement, roster Roster) *Service {
	return &Service{store: store, audit: audit, ent: ent, roster: roster, now: time.Now}
}

// WithClock returns the service using now as its clock (for tests and the demo).
func (s *Service) WithClock(now func() time.Time) *Service {
	c := *s
	c.now = now
	return &c
}

func (s *Service) today() calendar.Date { return calendar.DateOf(s.now().UTC()) }

// record writes one audit entry.
func (s *Service) record(ctx context.Context, action, subject, detail string) error {
	if err := s.audit.Record(ctx, action, subject, detail); err != nil {
		return fmt.Errorf("audit %s: %w", action, err)
	}
	return nil
}

// AdoptConstitution validates c and stores it as the next version, listing
// what changed from the current one (unless c already lists its changes).
func (s *Service) AdoptConstitution(ctx context.Context, by PersonID, c Constitution) (Constitution, error) {
	const op = "governance: adopt constitution"
	if err := c.Validate(); err != nil {
		return Constitution{}, fmt.Errorf("%s: %w", op, err)
	}
	err := s.store.InTx(ctx, func(ctx context.Context) error {
		cur, err := s.store.Constitution(ctx, 0)
		switch {
		case errors.Is(err, errs.ErrNotFound):
			c.Version.Number = 1
		case err != nil:
			return err
		default:
			c.Version.Number = cur.Version.Number + 1
			if len(c.Version.Changes) == 0 {
				c.Version.Changes = Diff(cur, c)
			}
			if len(c.Version.Changes) == 0 {
				return invalid("nothing has changed from version %d", cur.Version.Number)
			}
		}
		if c.Version.Adopted.IsZero() {
			c.Version.Adopted = s.today()
		}
		if err := s.store.SaveConstitution(ctx, c); err != nil {
			return err
		}
		return s.record(ctx, "constitution.adopt", fmt.Sprintf("constitution/%d", c.Version.Number),
			fmt.Sprintf("by %d: %s (%d changes)", by, c.Version.Summary, len(c.Version.Changes)))
	})
	if err != nil {
		return Constitution{}, fmt.Errorf("%s: %w", op, err)
	}
	return c, nil
}

// Constitution returns version n of the constitution (0: the current one).
func (s *Service) Constitution(ctx context.Context, n int) (Constitution, error) {
	c, err := s.store.Constitution(ctx, n)
	if err != nil {
		return Constitution{}, fmt.Errorf("governance: constitution %d: %w", n, err)
	}
	return c, nil
}

// Versions lists every version of the constitution, oldest first.
func (s *Service) Versions(ctx context.Context) ([]Version, error) {
	v, err := s.store.ConstitutionVersions(ctx)
	if err != nil {
		return nil, fmt.Errorf("governance: constitution versions: %w", err)
	}
	return v, nil
}

// CompareVersions lists what changed from version a to version b.
func (s *Service) CompareVersions(ctx context.Context, a, b int) ([]Change, error) {
	ca, err := s.Constitution(ctx, a)
	if err != nil {
		return nil, err
	}
	cb, err := s.Constitution(ctx, b)
	if err != nil {
		return nil, err
	}
	return Diff(ca, cb), nil
}

// WhoDecides says, under the current constitution, which body decides a
// decision of type t and value, and why.
func (s *Service) WhoDecides(ctx context.Context, t DecisionType, value int64) (Delegation, string, error) {
	c, err := s.Constitution(ctx, 0)
	if err != nil {
		return Delegation{}, "", err
	}
	return c.WhoDecides(t, value)
}

// Propose creates a decision record in the proposed state.
func (s *Service) Propose(ctx context.Context, by PersonID, d Decision) (Decision, error) {
	const op = "governance: propose"
	d.ProposedBy, d.Status = by, StatusProposed
	if d.Proposed.IsZero() {
		d.Proposed = s.today()
	}
	if err := d.Validate(); err != nil {
		return Decision{}, fmt.Errorf("%s: %w", op, err)
	}
	err := s.store.InTx(ctx, func(ctx context.Context) error {
		c, err := s.store.Constitution(ctx, 0)
		if err != nil {
			return err
		}
		if _, ok := c.Scheme.TypeInfo(d.Type); !ok {
			return invalid("%q is not a decision type in the scheme of delegation", d.Type)
		}
		if d.ID, err = s.store.CreateDecision(ctx, d); err != nil {
			return err
		}
		if err := s.event(ctx, d, by, "", StatusProposed, false, "proposed"); err != nil {
			return err
		}
		return s.record(ctx, "decision.propose", decisionSubject(d.ID), d.Title)
	})
	if err != nil {
		return Decision{}, fmt.Errorf("%s: %w", op, err)
	}
	return d, nil
}

func decisionSubject(id int64) string { return fmt.Sprintf("decision/%d", id) }

func (s *Service) event(ctx context.Context, d Decision, by PersonID, from, to Status, refused bool, note string) error {
	return s.store.AppendDecisionEvent(ctx, d.ID, Event{At: s.now(), By: by, From: from, To: to, Refused: refused, Note: note})
}

// move checks and stores a change of state made by change, in one transaction.
func (s *Service) move(ctx context.Context, op string, by PersonID, id int64, to Status, note string,
	change func(ctx context.Context, d *Decision) error) (Decision, error) {
	var out Decision
	err := s.store.InTx(ctx, func(ctx context.Context) error {
		d, err := s.store.Decision(ctx, id)
		if err != nil {
			return err
		}
		from := d.Status
		if ok, why := CanMove(from, to); !ok {
			return invalid("%s", why)
		}
		if change != nil {
			if err := change(ctx, &d); err != nil {
				return err
			}
		}
		if err := d.CheckMove(to); err != nil {
			return err
		}
		d.Status = to
		if err := s.store.UpdateDecision(ctx, d, from); err != nil {
			return err
		}
		if err := s.event(ctx, d, by, from, to, false, note); err != nil {
			return err
		}
		out = d
		return s.record(ctx, "decision."+string(to), decisionSubject(id), fmt.Sprintf("by %d: %s", by, note))
	})
	if err != nil {
		return Decision{}, fmt.Errorf("%s %d: %w", op, id, err)
	}
	return out, nil
}

// StartConsultation puts a proposal out to members from one date to another.
func (s *Service) StartConsultation(ctx context.Context, by PersonID, id int64, from, to calendar.Date) (Decision, error) {
	return s.move(ctx, "governance: consult on decision", by, id, StatusConsultation,
		fmt.Sprintf("consultation %s to %s", from, to), func(_ context.Context, d *Decision) error {
			d.ConsultFrom, d.ConsultTo = from, to
			return nil
		})
}

// Route puts a decision on the agenda of a body, at a meeting (meeting > 0)
// or by a member vote (vote > 0). Routing to a body without authority under
// the scheme of delegation is refused: the refusal, with the scheme's
// explanation, is kept in the decision's history and the audit chain, and
// the error wraps errs.ErrInvalid.
func (s *Service) Route(ctx context.Context, by PersonID, id int64, body BodyID, meeting, vote int64) (Decision, error) {
	const op = "governance: route decision"
	var refusal error
	d, err := s.move(ctx, op, by, id, StatusOnAgenda, "routed to "+string(body), func(ctx context.Context, d *Decision) error {
		c, err := s.store.Constitution(ctx, 0)
		if err != nil {
			return err
		}
		del, err := c.CheckRoute(d.Type, d.Value, body)
		if err != nil && d.AlternateFor != "" {
			// An item sent to an alternate arrangement may go to it.
			if orig, ok := c.Body(d.AlternateFor); ok && orig.Alternate == body {
				del, err = d.Delegation, nil
			}
		}
		if err != nil {
			refusal = err
			return err
		}
		d.Body, d.Delegation, d.Meeting, d.MemberVote = body, del, meeting, vote
		if meeting > 0 {
			m, err := s.store.Meeting(ctx, meeting)
			if err != nil {
				return err
			}
			if m.Body != body {
				return invalid("meeting %d is a meeting of %s, not %s", meeting, m.Body, body)
			}
		}
		if vote > 0 {
			v, err := s.store.Vote(ctx, vote)
			if err != nil {
				return err
			}
			if v.Body != body {
				return invalid("vote %d is a vote of %s, not %s", vote, v.Body, body)
			}
		}
		return nil
	})
	if refusal != nil {
		// Keep the refusal on the record, outside the rolled-back transaction.
		cur, gerr := s.store.Decision(ctx, id)
		if gerr == nil {
			note := strings.TrimPrefix(refusal.Error(), "governance: ")
			if e := s.event(ctx, cur, by, cur.Status, StatusOnAgenda, true, note); e != nil {
				return Decision{}, fmt.Errorf("%s %d: %w", op, id, e)
			}
			if e := s.record(ctx, "decision.route-refused", decisionSubject(id), note); e != nil {
				return Decision{}, fmt.Errorf("%s %d: %w", op, id, e)
			}
		}
	}
	return d, err
}

// Defer defers a decision on the agenda, with a reason.
func (s *Service) Defer(ctx context.Context, by PersonID, id int64, reason string) (Decision, error) {
	return s.move(ctx, "governance: defer decision", by, id, StatusDeferred, reason, func(_ context.Context, d *Decision) error {
		d.Reason = reason
		return nil
	})
}

// Withdraw withdraws a decision before it is decided, with a reason.
func (s *Service) Withdraw(ctx context.Context, by PersonID, id int64, reason string) (Decision, error) {
	return s.move(ctx, "governance: withdraw decision", by, id, StatusWithdrawn, reason, func(_ context.Context, d *Decision) error {
		d.Reason, d.Outcome = reason, OutcomeWithdrawn
		return nil
	})
}

// MeetingVote is the vote on an agenda item at a meeting.
type MeetingVote struct {
	// Item is the agenda item number that takes the decision.
	Item        int        `json:"item"`
	Vote        VoteCount  `json:"vote"`
	Rationale   string     `json:"rationale"`
	MemberViews string     `json:"member_views"`
	Overrides   []Override `json:"overrides,omitempty"`
}

// MeetingCarried applies a body's voting rule to a show of hands: more than
// half (or at least two thirds) of the votes for and against; abstentions
// are not counted; a tie is not carried.
func MeetingCarried(rule VotingRule, v VoteCount) (bool, string) {
	cast := v.For + v.Against
	switch {
	case cast == 0:
		return false, "no votes were cast for or against, so the motion is not carried"
	case v.For == v.Against:
		return false, fmt.Sprintf("the vote was tied, %d for and %d against, so the motion is not carried", v.For, v.Against)
	case rule.Majority == TwoThirds && v.For*3 >= cast*2, rule.Majority != TwoThirds && v.For*2 > cast:
		return true, fmt.Sprintf("carried by %d votes to %d (%s)", v.For, v.Against, rule.Describe())
	}
	return false, fmt.Sprintf("not carried: %d votes to %d (%s)", v.For, v.Against, rule.Describe())
}

// membersFor returns the members of b in term on d; for bodies of member
// practices they come from the roster as practice seats.
func (s *Service) membersFor(ctx context.Context, b Body, d calendar.Date) ([]Member, error) {
	if b.Voting.PracticeVote == "" {
		return b.MembersOn(d), nil
	}
	ents, err := s.roster.Practices(ctx, b, d)
	if err != nil {
		return nil, err
	}
	out := make([]Member, 0, len(ents))
	for _, e := range ents {
		out = append(out, Member{Seat: Seat{Practice: e.Practice}, Name: e.Name, Role: RolePractice})
	}
	return out, nil
}

// CheckMeetingItem applies the conflict and quorum rules to an agenda item
// as things stand, without recording anything (for the meeting page).
func (s *Service) CheckMeetingItem(ctx context.Context, meeting int64, item int, overrides []Override) (ItemCheck, error) {
	_, m, it, b, err := s.itemContext(ctx, meeting, item)
	if err != nil {
		return ItemCheck{}, fmt.Errorf("governance: check item %d/%d: %w", meeting, item, err)
	}
	chk, err := s.checkItem(ctx, m, it, b, overrides)
	if err != nil {
		return ItemCheck{}, fmt.Errorf("governance: check item %d/%d: %w", meeting, item, err)
	}
	return chk, nil
}

func (s *Service) itemContext(ctx context.Context, meeting int64, item int) (Constitution, Meeting, AgendaItem, Body, error) {
	c, err := s.store.Constitution(ctx, 0)
	if err != nil {
		return Constitution{}, Meeting{}, AgendaItem{}, Body{}, err
	}
	m, err := s.store.Meeting(ctx, meeting)
	if err != nil {
		return Constitution{}, Meeting{}, AgendaItem{}, Body{}, err
	}
	it, ok := m.Item(item)
	if !ok {
		return Constitution{}, Meeting{}, AgendaItem{}, Body{}, fmt.Errorf("agenda item %d: %w", item, errs.ErrNotFound)
	}
	b, ok := c.Body(m.Body)
	if !ok {
		return Constitution{}, Meeting{}, AgendaItem{}, Body{}, fmt.Errorf("body %q: %w", m.Body, errs.ErrNotFound)
	}
	return c, m, it, b, nil
}

func (s *Service) checkItem(ctx context.Context, m Meeting, it AgendaItem, b Body, overrides []Override) (ItemCheck, error) {
	members, err := s.membersFor(ctx, b, m.Date)
	if err != nil {
		return ItemCheck{}, err
	}
	ints, err := s.store.InterestsIn(ctx, it.Organisations)
	if err != nil {
		return ItemCheck{}, err
	}
	return CheckItem(b, members, m.Date, it.Title, it.Organisations, m.Attendance, ints, overrides)
}

// DecideAtMeeting takes a decision at its meeting. Members with a live
// interest in the item's organisations are excluded (unless overridden with
// a reason) and the exclusions minuted. If the body is inquorate after
// exclusions and has an alternate arrangement, the decision is deferred and
// sent to the alternate body (the returned check says so, and the error is
// nil); if it is inquorate otherwise the error wraps errs.ErrInvalid and
// says why. The item's check is recorded on the meeting either way.
func (s *Service) DecideAtMeeting(ctx context.Context, by PersonID, id int64, mv MeetingVote) (Decision, ItemCheck, error) {
	const op = "governance: decide at meeting"
	var check ItemCheck
	var out Decision
	var refused error
	err := s.store.InTx(ctx, func(ctx context.Context) error {
		d, err := s.store.Decision(ctx, id)
		if err != nil {
			return err
		}
		if d.Status != StatusOnAgenda || d.Meeting == 0 {
			return invalid("decision %d is not on a meeting's agenda (it is %s)", id, d.Status.Label())
		}
		_, m, it, b, err := s.itemContext(ctx, d.Meeting, mv.Item)
		if err != nil {
			return err
		}
		if it.Decision != id {
			return invalid("agenda item %d is not about decision %d", mv.Item, id)
		}
		if check, err = s.checkItem(ctx, m, it, b, mv.Overrides); err != nil {
			return err
		}
		for i := range m.Agenda {
			if m.Agenda[i].No == it.No {
				c := check
				m.Agenda[i].Check = &c
			}
		}
		m.Minutes = append(m.Minutes, Minute{Item: it.No, Text: strings.TrimSpace(check.Minute + " " + check.Explanation)})
		if err := s.store.UpdateMeeting(ctx, m); err != nil {
			return err
		}
		from := d.Status
		switch {
		case check.RouteTo != "":
			d.Status, d.Reason = StatusDeferred, check.Explanation
			d.AlternateFor, d.Body, d.Meeting, d.Exclusions = d.Body, check.RouteTo, 0, check.Exclusions
			if err := s.store.UpdateDecision(ctx, d, from); err != nil {
				return err
			}
			out = d
			if err := s.event(ctx, d, by, from, StatusDeferred, false, check.Explanation); err != nil {
				return err
			}
			return s.record(ctx, "decision.to-alternate", decisionSubject(id), check.Explanation)
		case !check.CanDecide:
			refused = invalid("%s", check.Explanation)
			if err := s.event(ctx, d, by, from, StatusDecided, true, check.Explanation); err != nil {
				return err
			}
			return s.record(ctx, "decision.inquorate", decisionSubject(id), check.Explanation)
		}
		v := mv.Vote
		if v.For < 0 || v.Against < 0 || v.Abstain < 0 || v.For+v.Against+v.Abstain > int64(check.Quorum.Counted) {
			return invalid("%d votes were recorded but only %d voting members may vote on this item",
				v.For+v.Against+v.Abstain, check.Quorum.Counted)
		}
		carried, why := MeetingCarried(b.Voting, v)
		d.Vote, d.Rationale, d.MemberViews, d.Exclusions = v, mv.Rationale, mv.MemberViews, check.Exclusions
		d.Outcome, d.Decided = OutcomeNotCarried, m.Date
		if carried {
			d.Outcome = OutcomeCarried
		}
		if err := d.CheckMove(StatusDecided); err != nil {
			return err
		}
		d.Status = StatusDecided
		if err := s.store.UpdateDecision(ctx, d, from); err != nil {
			return err
		}
		out = d
		if err := s.event(ctx, d, by, from, StatusDecided, false, why); err != nil {
			return err
		}
		return s.record(ctx, "decision.decided", decisionSubject(id), why)
	})
	if err == nil && refused != nil {
		err = refused
	}
	if err != nil {
		return Decision{}, check, fmt.Errorf("%s %d: %w", op, id, err)
	}
	return out, check, nil
}

// DecideByMemberVote records a decision from its closed member vote:
// carried when option 0 (the motion) won under the body's rule.
func (s *Service) DecideByMemberVote(ctx context.Context, by PersonID, id int64, rationale, memberViews string) (Decision, error) {
	return s.move(ctx, "governance: decide by member vote", by, id, StatusDecided, "decided by member vote",
		func(ctx context.Context, d *Decision) error {
			if d.MemberVote == 0 {
				return invalid("decision %d is not being decided by a member vote", d.ID)
			}
			v, _, r, err := s.voteStatus(ctx, d.MemberVote)
			if err != nil {
				return err
			}
			if !r.Final {
				return fmt.Errorf("the member vote closes at %s: %w", v.Closes.Format(time.RFC3339), errs.ErrConflict)
			}
			d.Vote = VoteCount{Abstain: r.Totals.AbstainWeight}
			for i, w := range r.Totals.Weight {
				if i == 0 {
					d.Vote.For = w
				} else {
					d.Vote.Against += w
				}
			}
			d.Outcome, d.Decided = OutcomeNotCarried, calendar.DateOf(v.Closes)
			if r.Winner == 0 {
				d.Outcome = OutcomeCarried
			}
			d.Rationale, d.MemberViews = rationale, memberViews
			return nil
		})
}

// Ratify records the member council's ratification of a decision that needs it.
func (s *Service) Ratify(ctx context.Context, by PersonID, id int64, on calendar.Date) (Decision, error) {
	const op = "governance: ratify decision"
	var out Decision
	err := s.store.InTx(ctx, func(ctx context.Context) error {
		d, err := s.store.Decision(ctx, id)
		if err != nil {
			return err
		}
		if d.Status != StatusDecided || !d.RequiresRatification() {
			return invalid("only a decided decision that the scheme says needs ratifying can be ratified (this one is %s)", d.Status.Label())
		}
		if on.IsZero() || on.Before(d.Decided) {
			return invalid("ratification date %q is before the decision (%s)", on, d.Decided)
		}
		d.Ratified = on
		if err := s.store.UpdateDecision(ctx, d, d.Status); err != nil {
			return err
		}
		out = d
		if err := s.event(ctx, d, by, d.Status, d.Status, false, "ratified by the member council on "+on.String()); err != nil {
			return err
		}
		return s.record(ctx, "decision.ratify", decisionSubject(id), on.String())
	})
	if err != nil {
		return Decision{}, fmt.Errorf("%s %d: %w", op, id, err)
	}
	return out, nil
}

// Publish publishes a decided (and, where needed, ratified) or withdrawn decision.
func (s *Service) Publish(ctx context.Context, by PersonID, id int64) (Decision, error) {
	return s.move(ctx, "governance: publish decision", by, id, StatusPublished, "published", func(ctx context.Context, d *Decision) error {
		if s.publishCheck != nil {
			if err := s.publishCheck.CheckPublish(ctx, d.ID); err != nil {
				return err
			}
		}
		d.Published = s.today()
		return nil
	})
}

// CheckPublish asks the publish gate (SetPublishCheck) whether decision id
// may be published now, changing nothing; nil when there is no gate. Pages
// use it to say why a decision cannot be published yet.
func (s *Service) CheckPublish(ctx context.Context, id int64) error {
	if s.publishCheck == nil {
		return nil
	}
	if err := s.publishCheck.CheckPublish(ctx, id); err != nil {
		return fmt.Errorf("governance: check publication of decision %d: %w", id, err)
	}
	return nil
}

// Decision returns one decision record with its history.
func (s *Service) Decision(ctx context.Context, id int64) (Decision, error) {
	d, err := s.store.Decision(ctx, id)
	if err != nil {
		return Decision{}, fmt.Errorf("governance: decision %d: %w", id, err)
	}
	return d, nil
}

// PublishedDecisions returns the decisions register, newest first.
func (s *Service) PublishedDecisions(ctx context.Context, limit, offset int) ([]Decision, error) {
	ds, err := s.store.Decisions(ctx, DecisionFilter{Status: StatusPublished, Limit: limit, Offset: offset})
	if err != nil {
		return nil, fmt.Errorf("governance: published decisions: %w", err)
	}
	return ds, nil
}

// CreateMeeting schedules a meeting of a body in the constitution.
func (s *Service) CreateMeeting(ctx context.Context, by PersonID, m Meeting) (Meeting, error) {
	const op = "governance: create meeting"
	if err := m.Validate(); err != nil {
		return Meeting{}, fmt.Errorf("%s: %w", op, err)
	}
	err := s.store.InTx(ctx, func(ctx context.Context) error {
		c, err := s.store.Constitution(ctx, 0)
		if err != nil {
			return err
		}
		if _, ok := c.Body(m.Body); !ok {
			return invalid("there is no body %q in the constitution", m.Body)
		}
		if m.ID, err = s.store.CreateMeeting(ctx, m); err != nil {
			return err
		}
		if s.notifier != nil && len(m.Agenda) > 0 {
			if err := s.notifier.MeetingAgenda(ctx, m); err != nil {
				return err
			}
		}
		return s.record(ctx, "meeting.create", fmt.Sprintf("meeting/%d", m.ID), fmt.Sprintf("by %d: %s %s", by, m.Body, m.Date))
	})
	if err != nil {
		return Meeting{}, fmt.Errorf("%s: %w", op, err)
	}
	return m, nil
}

// UpdateMeeting saves a meeting's agenda, papers, attendance, declarations,
// minutes and actions. The body and date cannot change, nor can the
// recorded quorum checks of items already taken.
func (s *Service) UpdateMeeting(ctx context.Context, by PersonID, m Meeting) (Meeting, error) {
	const op = "governance: update meeting"
	if err := m.Validate(); err != nil {
		return Meeting{}, fmt.Errorf("%s %d: %w", op, m.ID, err)
	}
	err := s.store.InTx(ctx, func(ctx context.Context) error {
		old, err := s.store.Meeting(ctx, m.ID)
		if err != nil {
			return err
		}
		if old.Body != m.Body || old.Date != m.Date {
			return invalid("a meeting's body and date cannot change; cancel it and create another")
		}
		for _, it := range old.Agenda {
			if it.Check == nil {
				continue
			}
			for i := range m.Agenda {
				if m.Agenda[i].No == it.No {
					m.Agenda[i].Check = it.Check
				}
			}
		}
		if err := s.store.UpdateMeeting(ctx, m); err != nil {
			return err
		}
		if s.notifier != nil && len(m.Agenda) > 0 {
			if err := s.notifier.MeetingAgenda(ctx, m); err != nil {
				return err
			}
		}
		return s.record(ctx, "meeting.update", fmt.Sprintf("meeting/%d", m.ID), fmt.Sprintf("by %d", by))
	})
	if err != nil {
		return Meeting{}, fmt.Errorf("%s %d: %w", op, m.ID, err)
	}
	return m, nil
}

// OpenVote opens an online vote of a body of member practices. The rule,
// quorum, proxy permission and (when v.Roster is empty) the roster are
// taken from the body on the day; results are hidden until close when
// either the body's rule or v asks for it.
func (s *Service) OpenVote(ctx context.Context, by PersonID, v MemberVote) (MemberVote, error) {
	const op = "governance: open vote"
	err := s.store.InTx(ctx, func(ctx context.Context) error {
		c, err := s.store.Constitution(ctx, 0)
		if err != nil {
			return err
		}
		b, ok := c.Body(v.Body)
		if !ok {
			return invalid("there is no body %q in the constitution", v.Body)
		}
		v.Rule, v.QuorumShare, v.AllowProxies, v.OpenedBy = b.Voting, b.Quorum.MinShare, b.AllowProxies, by
		v.HideResults = v.HideResults || b.Voting.HideResultsUntilClose
		if len(v.Roster) == 0 && b.Voting.PracticeVote != "" {
			if v.Roster, err = s.roster.Practices(ctx, b, calendar.DateOf(v.Opens)); err != nil {
				return err
			}
		}
		if err := v.Validate(); err != nil {
			return err
		}
		if v.ID, err = s.store.CreateVote(ctx, v); err != nil {
			return err
		}
		if s.notifier != nil {
			if err := s.notifier.VoteOpened(ctx, v); err != nil {
				return err
			}
		}
		return s.record(ctx, "vote.open", fmt.Sprintf("vote/%d", v.ID),
			fmt.Sprintf("by %d: %q, %d practices entitled, anonymous=%t", by, v.Question, len(v.Roster), v.Anonymous))
	})
	if err != nil {
		return MemberVote{}, fmt.Errorf("%s: %w", op, err)
	}
	return v, nil
}

// AppointProxy records that a practice appointed another to cast its vote;
// refused unless the body's constitution allows proxies. The person
// appointing must be entitled to act for the appointing practice.
func (s *Service) AppointProxy(ctx context.Context, by PersonID, vote int64, p Proxy) (MemberVote, error) {
	const op = "governance: appoint proxy"
	var out MemberVote
	err := s.store.InTx(ctx, func(ctx context.Context) error {
		v, err := s.store.Vote(ctx, vote)
		if err != nil {
			return err
		}
		if v.ClosedAt(s.now()) {
			return fmt.Errorf("the vote has closed: %w", errs.ErrConflict)
		}
		ok, err := s.ent.MayActFor(ctx, by, p.Practice, s.now())
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("person %d may not act for practice %s: %w", by, p.Practice, errs.ErrForbidden)
		}
		v.Proxies = append(append([]Proxy(nil), v.Proxies...), p)
		if err := v.Validate(); err != nil {
			return err
		}
		if err := s.store.UpdateVote(ctx, v); err != nil {
			return err
		}
		out = v
		return s.record(ctx, "vote.proxy", fmt.Sprintf("vote/%d", vote), fmt.Sprintf("%s appointed %s as proxy", p.Practice, p.Holder))
	})
	if err != nil {
		return MemberVote{}, fmt.Errorf("%s: %w", op, err)
	}
	return out, nil
}

// CastVote casts a practice's vote. The person must be entitled to act for
// the practice (or for its appointed proxy holder), else errs.ErrForbidden;
// a second vote for a practice, or a vote outside the window, wraps
// errs.ErrConflict. The audit entry says that the practice voted, never how.
func (s *Service) CastVote(ctx context.Context, req CastRequest) error {
	op := fmt.Sprintf("governance: cast vote %d", req.Vote)
	err := s.store.InTx(ctx, func(ctx context.Context) error {
		v, err := s.store.Vote(ctx, req.Vote)
		if err != nil {
			return err
		}
		parts, err := s.store.Participations(ctx, req.Vote)
		if err != nil {
			return err
		}
		voted := map[string]bool{}
		for _, p := range parts {
			voted[p.Practice] = true
		}
		now := s.now()
		p, e, b, actFor, err := PrepareCast(v, req, voted, now)
		if err != nil {
			return err
		}
		ok, err := s.ent.MayActFor(ctx, req.Person, actFor, now)
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("person %d may not cast a vote for practice %s: %w", req.Person, actFor, errs.ErrForbidden)
		}
		if err := s.store.CastVote(ctx, p, e, b); err != nil {
			return err
		}
		detail := fmt.Sprintf("practice %s voted", req.Practice)
		if req.ProxyHolder != "" {
			detail += " by proxy through " + req.ProxyHolder
		}
		return s.record(ctx, "vote.cast", fmt.Sprintf("vote/%d", req.Vote), detail)
	})
	if err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	return nil
}

func (s *Service) voteStatus(ctx context.Context, id int64) (MemberVote, Turnout, Result, error) {
	v, err := s.store.Vote(ctx, id)
	if err != nil {
		return MemberVote{}, Turnout{}, Result{}, err
	}
	parts, err := s.store.Participations(ctx, id)
	if err != nil {
		return MemberVote{}, Turnout{}, Result{}, err
	}
	tot, err := s.store.Totals(ctx, id)
	if err != nil {
		return MemberVote{}, Turnout{}, Result{}, err
	}
	t := TurnoutOf(v, parts)
	return v, t, Tally(v, tot, t, s.now()), nil
}

// VoteStatus returns a vote with its live turnout and its result (hidden
// until the vote closes when the vote says so).
func (s *Service) VoteStatus(ctx context.Context, id int64) (MemberVote, Turnout, Result, error) {
	v, t, r, err := s.voteStatus(ctx, id)
	if err != nil {
		return MemberVote{}, Turnout{}, Result{}, fmt.Errorf("governance: vote %d: %w", id, err)
	}
	return v, t, r, nil
}

// Reminders returns the practices yet to vote when the vote closes within before.
func (s *Service) Reminders(ctx context.Context, id int64, before time.Duration) ([]Entitled, error) {
	v, err := s.store.Vote(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("governance: reminders for vote %d: %w", id, err)
	}
	parts, err := s.store.Participations(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("governance: reminders for vote %d: %w", id, err)
	}
	return RemindersDue(v, parts, s.now(), before), nil
}

// RecordOutcome records the outcome statement of a closed vote.
func (s *Service) RecordOutcome(ctx context.Context, by PersonID, id int64, o VoteOutcome) (MemberVote, error) {
	const op = "governance: record vote outcome"
	var out MemberVote
	err := s.store.InTx(ctx, func(ctx context.Context) error {
		v, err := s.store.Vote(ctx, id)
		if err != nil {
			return err
		}
		if err := CheckOutcome(v, o, s.now()); err != nil {
			return err
		}
		o.By, o.Recorded = by, s.now()
		v.Outcome = &o
		if err := s.store.UpdateVote(ctx, v); err != nil {
			return err
		}
		out = v
		return s.record(ctx, "vote.outcome", fmt.Sprintf("vote/%d", id), o.Statement)
	})
	if err != nil {
		return MemberVote{}, fmt.Errorf("%s %d: %w", op, id, err)
	}
	return out, nil
}

// DeclareInterest records an interest (Declared defaults to today) and
// reports whether it was declared more than 28 days after it arose.
func (s *Service) DeclareInterest(ctx context.Context, by PersonID, i Interest) (Interest, bool, error) {
	const op = "governance: declare interest"
	if i.Declared.IsZero() {
		i.Declared = s.today()
	}
	if err := i.Validate(); err != nil {
		return Interest{}, false, fmt.Errorf("%s: %w", op, err)
	}
	late := DeclaredLate(i)
	err := s.store.InTx(ctx, func(ctx context.Context) error {
		var err error
		if i.ID, err = s.store.PutInterest(ctx, i); err != nil {
			return err
		}
		detail := fmt.Sprintf("by %d: %s in %s from %s", by, i.Kind, i.Organisation, i.From)
		if late {
			detail += fmt.Sprintf(" (declared late: due by %s)", DeclareBy(i.From))
		}
		return s.record(ctx, "interest.declare", fmt.Sprintf("interest/%d", i.ID), detail)
	})
	if err != nil {
		return Interest{}, false, fmt.Errorf("%s: %w", op, err)
	}
	return i, late, nil
}

// ConfirmRegister records a person's yearly confirmation of their entries.
func (s *Service) ConfirmRegister(ctx context.Context, person PersonID, on calendar.Date) error {
	err := s.store.InTx(ctx, func(ctx context.Context) error {
		if err := s.store.AddConfirmation(ctx, Confirmation{Person: person, On: on}); err != nil {
			return err
		}
		return s.record(ctx, "interest.confirm", fmt.Sprintf("person/%d", person), on.String())
	})
	if err != nil {
		return fmt.Errorf("governance: confirm register of %d: %w", person, err)
	}
	return nil
}

// DueConfirmations lists the people whose yearly confirmation is due today.
func (s *Service) DueConfirmations(ctx context.Context, people []PersonID) ([]PersonID, error) {
	latest, err := s.store.LatestConfirmations(ctx)
	if err != nil {
		return nil, fmt.Errorf("governance: due confirmations: %w", err)
	}
	return DueConfirmation(people, latest, s.today()), nil
}

// PublicInterests returns the public register of interests on today: live
// interests and those that ended less than six months ago.
func (s *Service) PublicInterests(ctx context.Context) ([]Interest, error) {
	all, err := s.store.Interests(ctx, 0)
	if err != nil {
		return nil, fmt.Errorf("governance: public register of interests: %w", err)
	}
	today := s.today()
	var out []Interest
	for _, i := range all {
		if OnPublicRegister(i, today) {
			out = append(out, i)
		}
	}
	return out, nil
}

// GiftCheck says what the rules require of a gift or hospitality entry.
type GiftCheck struct {
	MustDeclare   bool   `json:"must_declare"`
	NeedsApproval bool   `json:"needs_approval"`
	Why           string `json:"why"`
}

// DeclareGift records a gift or hospitality entry, applying the
// constitution's thresholds.
func (s *Service) DeclareGift(ctx context.Context, by PersonID, g Gift) (Gift, GiftCheck, error) {
	const op = "governance: declare gift"
	var chk GiftCheck
	if g.Person == 0 || (g.Kind != KindGift && g.Kind != KindHospitality) || g.Value < 0 || g.Offered.IsZero() {
		return Gift{}, chk, fmt.Errorf("%s: %w", op, invalid("the person, kind (gift or hospitality), value and date offered are required"))
	}
	if g.Declared.IsZero() {
		g.Declared = s.today()
	}
	err := s.store.InTx(ctx, func(ctx context.Context) error {
		c, err := s.store.Constitution(ctx, 0)
		if err != nil {
			return err
		}
		th := c.Gifts
		if th == (GiftThresholds{}) {
			th = DefaultGiftThresholds
		}
		chk.MustDeclare, chk.Why = th.MustDeclare(g)
		chk.NeedsApproval = th.NeedsApproval(g)
		if g.ID, err = s.store.PutGift(ctx, g); err != nil {
			return err
		}
		return s.record(ctx, "gift.declare", fmt.Sprintf("gift/%d", g.ID), fmt.Sprintf("by %d: %s", by, chk.Why))
	})
	if err != nil {
		return Gift{}, chk, fmt.Errorf("%s: %w", op, err)
	}
	return g, chk, nil
}

// ApproveGift records senior approval of hospitality; nobody may approve
// their own.
func (s *Service) ApproveGift(ctx context.Context, by PersonID, id int64, on calendar.Date) (Gift, error) {
	const op = "governance: approve gift"
	var out Gift
	err := s.store.InTx(ctx, func(ctx context.Context) error {
		g, err := s.store.Gift(ctx, id)
		if err != nil {
			return err
		}
		if g.Person == by {
			return fmt.Errorf("nobody may approve their own hospitality: %w", errs.ErrForbidden)
		}
		g.ApprovedBy, g.ApprovedOn = by, on
		if _, err := s.store.PutGift(ctx, g); err != nil {
			return err
		}
		out = g
		return s.record(ctx, "gift.approve", fmt.Sprintf("gift/%d", id), fmt.Sprintf("by %d on %s", by, on))
	})
	if err != nil {
		return Gift{}, fmt.Errorf("%s %d: %w", op, id, err)
	}
	return out, nil
}

// RecordProcurement adds an entry to the register of procurement decisions.
func (s *Service) RecordProcurement(ctx context.Context, by PersonID, p ProcurementDecision) (ProcurementDecision, error) {
	const op = "governance: record procurement decision"
	if err := p.Validate(); err != nil {
		return ProcurementDecision{}, fmt.Errorf("%s: %w", op, err)
	}
	err := s.store.InTx(ctx, func(ctx context.Context) error {
		var err error
		if p.ID, err = s.store.PutProcurement(ctx, p); err != nil {
			return err
		}
		return s.record(ctx, "procurement.record", fmt.Sprintf("procurement/%d", p.ID), fmt.Sprintf("by %d: %s", by, p.Title))
	})
	if err != nil {
		return ProcurementDecision{}, fmt.Errorf("%s: %w", op, err)
	}
	return p, nil
}

// RecordBreach adds an entry to the register of breaches.
func (s *Service) RecordBreach(ctx context.Context, by PersonID, b Breach) (Breach, error) {
	const op = "governance: record breach"
	if err := b.Validate(); err != nil {
		return Breach{}, fmt.Errorf("%s: %w", op, err)
	}
	err := s.store.InTx(ctx, func(ctx context.Context) error {
		var err error
		if b.ID, err = s.store.PutBreach(ctx, b); err != nil {
			return err
		}
		return s.record(ctx, "breach.record", fmt.Sprintf("breach/%d", b.ID), fmt.Sprintf("by %d", by))
	})
	if err != nil {
		return Breach{}, fmt.Errorf("%s: %w", op, err)
	}
	return b, nil
}

// Assurance builds the assurance report for NHS England over [from, to).
func (s *Service) Assurance(ctx context.Context, from, to calendar.Date) (AssuranceReport, error) {
	ds, err := s.store.Decisions(ctx, DecisionFilter{DecidedFrom: from, DecidedTo: to})
	if err != nil {
		return AssuranceReport{}, fmt.Errorf("governance: assurance: %w", err)
	}
	ms, err := s.store.Meetings(ctx, "", from, to)
	if err != nil {
		return AssuranceReport{}, fmt.Errorf("governance: assurance: %w", err)
	}
	return BuildAssurance(from, to, ds, ms), nil
}
