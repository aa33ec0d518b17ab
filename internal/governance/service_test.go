package governance

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"ccg/internal/calendar"
	"ccg/internal/errs"
)

// memStore is an in-memory Store for service tests. InTx does not roll
// back; the SQL store's behaviour is checked by store/storetest.
type memStore struct {
	consts    []Constitution
	decisions map[int64]Decision
	meetings  map[int64]Meeting
	votes     map[int64]MemberVote
	parts     map[int64]map[string]Participation
	totals    map[int64]Totals
	ballots   map[int64][]Ballot
	interests map[int64]Interest
	confirms  map[PersonID]calendar.Date
	gifts     map[int64]Gift
	procs     map[int64]ProcurementDecision
	breaches  map[int64]Breach
	next      int64
}

func newMemStore() *memStore {
	return &memStore{decisions: map[int64]Decision{}, meetings: map[int64]Meeting{}, votes: map[int64]MemberVote{},
		parts: map[int64]map[string]Participation{}, totals: map[int64]Totals{}, ballots: map[int64][]Ballot{},
		interests: map[int64]Interest{}, confirms: map[PersonID]calendar.Date{}, gifts: map[int64]Gift{},
		procs: map[int64]ProcurementDecision{}, breaches: map[int64]Breach{}}
}

func (m *memStore) id() int64 { m.next++; return m.next }

func notFound(what string, id any) error { return fmt.Errorf("%s %v: %w", what, id, errs.ErrNotFound) }

func (m *memStore) InTx(ctx context.Context, fn func(context.Context) error) error { return fn(ctx) }

func (m *memStore) SaveConstitution(_ context.Context, c Constitution) error {
	for _, x := range m.consts {
		if x.Version.Number == c.Version.Number {
			return errs.ErrConflict
		}
	}
	m.consts = append(m.consts, clone(c))
	return nil
}
func (m *memStore) Constitution(_ context.Context, n int) (Constitution, error) {
	if len(m.consts) == 0 {
		return Constitution{}, notFound("constitution", n)
	}
	if n == 0 {
		return clone(m.consts[len(m.consts)-1]), nil
	}
	for _, c := range m.consts {
		if c.Version.Number == n {
			return clone(c), nil
		}
	}
	return Constitution{}, notFound("constitution", n)
}
func (m *memStore) ConstitutionVersions(context.Context) ([]Version, error) {
	var out []Version
	for _, c := range m.consts {
		out = append(out, c.Version)
	}
	return out, nil
}
func (m *memStore) CreateDecision(_ context.Context, d Decision) (int64, error) {
	d.ID = m.id()
	m.decisions[d.ID] = d
	return d.ID, nil
}
func (m *memStore) Decision(_ context.Context, id int64) (Decision, error) {
	d, ok := m.decisions[id]
	if !ok {
		return Decision{}, notFound("decision", id)
	}
	return d, nil
}
func (m *memStore) UpdateDecision(_ context.Context, d Decision, from Status) error {
	old, ok := m.decisions[d.ID]
	if !ok {
		return notFound("decision", d.ID)
	}
	if old.Status != from {
		return errs.ErrConflict
	}
	d.History = old.History
	m.decisions[d.ID] = d
	return nil
}
func (m *memStore) AppendDecisionEvent(_ context.Context, id int64, e Event) error {
	d, ok := m.decisions[id]
	if !ok {
		return notFound("decision", id)
	}
	d.History = append(d.History, e)
	m.decisions[id] = d
	return nil
}
func (m *memStore) Decisions(_ context.Context, f DecisionFilter) ([]Decision, error) {
	var out []Decision
	for _, d := range m.decisions {
		if (f.Status == "" || d.Status == f.Status) && (f.Body == "" || d.Body == f.Body) &&
			(f.DecidedFrom.IsZero() && f.DecidedTo.IsZero() || !d.Decided.IsZero() && d.Decided.Within(f.DecidedFrom, f.DecidedTo)) {
			out = append(out, d)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID > out[j].ID })
	return out, nil
}
func (m *memStore) CreateMeeting(_ context.Context, mt Meeting) (int64, error) {
	mt.ID = m.id()
	m.meetings[mt.ID] = mt
	return mt.ID, nil
}
func (m *memStore) Meeting(_ context.Context, id int64) (Meeting, error) {
	mt, ok := m.meetings[id]
	if !ok {
		return Meeting{}, notFound("meeting", id)
	}
	return mt, nil
}
func (m *memStore) UpdateMeeting(_ context.Context, mt Meeting) error {
	m.meetings[mt.ID] = mt
	return nil
}
func (m *memStore) Meetings(_ context.Context, body BodyID, from, to calendar.Date) ([]Meeting, error) {
	var out []Meeting
	for _, mt := range m.meetings {
		if (body == "" || mt.Body == body) && mt.Date.Within(from, to) {
			out = append(out, mt)
		}
	}
	return out, nil
}
func (m *memStore) CreateVote(_ context.Context, v MemberVote) (int64, error) {
	v.ID = m.id()
	m.votes[v.ID] = v
	m.parts[v.ID] = map[string]Participation{}
	m.totals[v.ID] = NewTotals(len(v.Options))
	return v.ID, nil
}
func (m *memStore) Vote(_ context.Context, id int64) (MemberVote, error) {
	v, ok := m.votes[id]
	if !ok {
		return MemberVote{}, notFound("vote", id)
	}
	return v, nil
}
func (m *memStore) UpdateVote(_ context.Context, v MemberVote) error { m.votes[v.ID] = v; return nil }
func (m *memStore) Votes(_ context.Context, body BodyID) ([]MemberVote, error) {
	var out []MemberVote
	for _, v := range m.votes {
		if body == "" || v.Body == body {
			out = append(out, v)
		}
	}
	return out, nil
}
func (m *memStore) CastVote(_ context.Context, p Participation, e BoxEntry, b *Ballot) error {
	if _, dup := m.parts[p.Vote][p.Practice]; dup {
		return errs.ErrConflict
	}
	m.parts[p.Vote][p.Practice] = p
	t := m.totals[e.Vote]
	t.Count, t.Weight = append([]int64(nil), t.Count...), append([]int64(nil), t.Weight...)
	t.Add(e)
	m.totals[e.Vote] = t
	if b != nil {
		m.ballots[b.Vote] = append(m.ballots[b.Vote], *b)
	}
	return nil
}
func (m *memStore) Participations(_ context.Context, vote int64) ([]Participation, error) {
	var out []Participation
	for _, p := range m.parts[vote] {
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Practice < out[j].Practice })
	return out, nil
}
func (m *memStore) Totals(_ context.Context, vote int64) (Totals, error) { return m.totals[vote], nil }
func (m *memStore) Ballots(_ context.Context, vote int64) ([]Ballot, error) {
	return m.ballots[vote], nil
}
func (m *memStore) PutInterest(_ context.Context, i Interest) (int64, error) {
	if i.ID == 0 {
		i.ID = m.id()
	}
	m.interests[i.ID] = i
	return i.ID, nil
}
func (m *memStore) Interests(_ context.Context, p PersonID) ([]Interest, error) {
	var out []Interest
	for _, i := range m.interests {
		if p == 0 || i.Person == p {
			out = append(out, i)
		}
	}
	sort.Slice(out, func(a, b int) bool { return out[a].ID < out[b].ID })
	return out, nil
}
func (m *memStore) InterestsIn(_ context.Context, orgs []string) ([]Interest, error) {
	var out []Interest
	for _, i := range m.interests {
		for _, o := range orgs {
			if normOrg(o) == normOrg(i.Organisation) {
				out = append(out, i)
			}
		}
	}
	return out, nil
}
func (m *memStore) AddConfirmation(_ context.Context, c Confirmation) error {
	if c.On.After(m.confirms[c.Person]) {
		m.confirms[c.Person] = c.On
	}
	return nil
}
func (m *memStore) LatestConfirmations(context.Context) (map[PersonID]calendar.Date, error) {
	return m.confirms, nil
}
func (m *memStore) PutGift(_ context.Context, g Gift) (int64, error) {
	if g.ID == 0 {
		g.ID = m.id()
	}
	m.gifts[g.ID] = g
	return g.ID, nil
}
func (m *memStore) Gift(_ context.Context, id int64) (Gift, error) {
	g, ok := m.gifts[id]
	if !ok {
		return Gift{}, notFound("gift", id)
	}
	return g, nil
}
func (m *memStore) Gifts(context.Context, calendar.Date, calendar.Date) ([]Gift, error) {
	var out []Gift
	for _, g := range m.gifts {
		out = append(out, g)
	}
	sort.Slice(out, func(a, b int) bool { return out[a].ID < out[b].ID })
	return out, nil
}
func (m *memStore) PutProcurement(_ context.Context, p ProcurementDecision) (int64, error) {
	if p.ID == 0 {
		p.ID = m.id()
	}
	m.procs[p.ID] = p
	return p.ID, nil
}
func (m *memStore) Procurements(context.Context) ([]ProcurementDecision, error) { return nil, nil }
func (m *memStore) PutBreach(_ context.Context, b Breach) (int64, error) {
	if b.ID == 0 {
		b.ID = m.id()
	}
	m.breaches[b.ID] = b
	return b.ID, nil
}
func (m *memStore) Breaches(context.Context) ([]Breach, error) { return nil, nil }

// clone deep-copies v as a database would.
func clone[T any](v T) T {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	var out T
	if err := json.Unmarshal(b, &out); err != nil {
		panic(err)
	}
	return out
}

type auditLog []string

func (a *auditLog) Record(_ context.Context, action, subject, detail string) error {
	*a = append(*a, action+" "+subject+" "+detail)
	return nil
}

// entitled maps a person to the practices they may act for.
type entitled map[PersonID][]string

func (e entitled) MayActFor(_ context.Context, p PersonID, practice string, _ time.Time) (bool, error) {
	for _, x := range e[p] {
		if x == practice {
			return true, nil
		}
	}
	return false, nil
}

type fixedRoster []Entitled

func (r fixedRoster) Practices(context.Context, Body, calendar.Date) ([]Entitled, error) {
	return r, nil
}

// world is a service over a fresh store with the default constitution, a
// governing body of 2 GPs (1, 2), 2 lay members (3, 4), a nurse (5) and an
// officer (6), and a panel of lay members 3, 4 and 8.
type world struct {
	svc   *Service
	store *memStore
	audit *auditLog
	now   time.Time
}

func newWorld(t *testing.T) *world {
	t.Helper()
	w := &world{store: newMemStore(), audit: &auditLog{}, now: time.Date(2021, 3, 1, 10, 0, 0, 0, time.UTC)}
	ents := entitled{101: {"A1"}, 102: {"B2"}, 103: {"C3"}, 104: {"D4"}}
	w.svc = NewService(w.store, w.audit, ents, fixedRoster(roster())).WithClock(func() time.Time { return w.now })
	c := defaultConstitution(t)
	for i := range c.Bodies {
		switch c.Bodies[i].ID {
		case "governing-body":
			c.Bodies[i].Members = gbMembers()[:6]
		case "primary-care-commissioning-panel":
			c.Bodies[i].Members = []Member{person(3, RoleLay), person(4, RoleLay), person(8, RoleOfficer)}
		}
	}
	if _, err := w.svc.AdoptConstitution(context.Background(), 6, c); err != nil {
		t.Fatal(err)
	}
	return w
}

func (w *world) meeting(t *testing.T, body BodyID, date string, decision int64, attend ...PersonID) Meeting {
	t.Helper()
	m := Meeting{Body: body, Date: day(date), Title: "Meeting", Agenda: []AgendaItem{{No: 1, Title: "Federation contract",
		Decision: decision, Organisations: []string{"Y01FED"}}}}
	for _, p := range attend {
		m.Attendance = append(m.Attendance, Attendee{Seat: Seat{Person: p}, Person: p, Name: fmt.Sprintf("member %d", p)})
	}
	m, err := w.svc.CreateMeeting(context.Background(), 6, m)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestServiceProposalToPublished(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	if _, _, err := w.svc.DeclareInterest(ctx, 1, Interest{Person: 1, Kind: InterestFinancial, Organisation: "Y01FED",
		Description: "partner in the GP federation", From: day("2019-04-01"), Declared: day("2019-04-10")}); err != nil {
		t.Fatal(err)
	}
	d, err := w.svc.Propose(ctx, 6, Decision{Title: "Extended access contract", Type: ApproveContract, Value: 30_000_000,
		Organisations: []string{"Y01FED"}})
	if err != nil {
		t.Fatal(err)
	}
	// The GP federation's partner declared an interest; the item concerns it.
	// Routed to the wrong body: refused, with the reason kept.
	q := w.meeting(t, "quality-committee", "2021-04-01", d.ID)
	_, err = w.svc.Route(ctx, 6, d.ID, "quality-committee", q.ID, 0)
	if !errors.Is(err, errs.ErrInvalid) || !strings.Contains(err.Error(), "taken by the Governing body") {
		t.Fatalf("route to wrong body: %v", err)
	}
	got, _ := w.svc.Decision(ctx, d.ID)
	if got.Status != StatusProposed || len(got.History) != 2 || !got.History[1].Refused || !strings.Contains(got.History[1].Note, "no authority") {
		t.Fatalf("refusal not kept: %+v", got)
	}
	if !strings.Contains(strings.Join(*w.audit, "\n"), "decision.route-refused") {
		t.Error("refusal not audited")
	}
	if _, err := w.svc.StartConsultation(ctx, 6, d.ID, day("2021-03-01"), day("2021-03-29")); err != nil {
		t.Fatal(err)
	}
	gb := w.meeting(t, "governing-body", "2021-04-08", d.ID, 1, 2, 3, 4, 5, 6)
	if _, err := w.svc.Route(ctx, 6, d.ID, "governing-body", gb.ID, 0); err != nil {
		t.Fatal(err)
	}
	// Too many votes for those entitled (5 after excluding the conflicted GP).
	if _, c, err := w.svc.DecideAtMeeting(ctx, 3, d.ID, MeetingVote{Item: 1, Vote: VoteCount{For: 6}, Rationale: "r", MemberViews: "v"}); !errors.Is(err, errs.ErrInvalid) {
		t.Fatalf("5 votes from 4: %v %+v", err, c)
	}
	d, chk, err := w.svc.DecideAtMeeting(ctx, 3, d.ID, MeetingVote{Item: 1, Vote: VoteCount{For: 4, Against: 1},
		Rationale: "Best value bid", MemberViews: "Localities asked for evening appointments; the contract requires them."})
	if err != nil {
		t.Fatal(err)
	}
	if d.Status != StatusDecided || d.Outcome != OutcomeCarried || len(d.Exclusions) != 1 || d.Exclusions[0].Person != 1 || chk.Quorum.Counted != 5 {
		t.Fatalf("decided: %+v check %+v", d, chk)
	}
	m, _ := w.store.Meeting(ctx, gb.ID)
	if len(m.Minutes) == 0 || !strings.Contains(m.Minutes[len(m.Minutes)-1].Text, "was excluded") || m.Agenda[0].Check == nil {
		t.Errorf("exclusion not minuted: %+v", m)
	}
	if d, err = w.svc.Publish(ctx, 6, d.ID); err != nil || d.Status != StatusPublished || d.Published.IsZero() {
		t.Fatalf("publish: %v %+v", err, d)
	}
	pub, _ := w.svc.PublishedDecisions(ctx, 10, 0)
	if len(pub) != 1 {
		t.Errorf("published register has %d", len(pub))
	}
	// Illegal move after publication.
	if _, err := w.svc.Withdraw(ctx, 6, d.ID, "too late"); !errors.Is(err, errs.ErrInvalid) {
		t.Errorf("withdraw published: %v", err)
	}
	rep, err := w.svc.Assurance(ctx, day("2021-04-01"), day("2022-04-01"))
	if err != nil || len(rep.Decisions) != 1 || len(rep.Conflicts) != 1 {
		t.Errorf("assurance: %v %+v", err, rep)
	}
}

func TestServiceAlternateArrangement(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	for _, p := range []PersonID{1, 2} {
		if _, _, err := w.svc.DeclareInterest(ctx, p, Interest{Person: p, Kind: InterestFinancial, Organisation: "Y01FED", From: day("2019-04-01")}); err != nil {
			t.Fatal(err)
		}
	}
	d, _ := w.svc.Propose(ctx, 6, Decision{Title: "Federation contract", Type: ApproveContract, Value: 30_000_000, Organisations: []string{"Y01FED"}})
	gb := w.meeting(t, "governing-body", "2021-04-08", d.ID, 1, 2, 3, 4, 5)
	if _, err := w.svc.Route(ctx, 6, d.ID, "governing-body", gb.ID, 0); err != nil {
		t.Fatal(err)
	}
	d, chk, err := w.svc.DecideAtMeeting(ctx, 3, d.ID, MeetingVote{Item: 1, Vote: VoteCount{For: 3}, Rationale: "r", MemberViews: "v"})
	if err != nil {
		t.Fatal(err)
	}
	if chk.RouteTo != "primary-care-commissioning-panel" || d.Status != StatusDeferred || d.Body != "primary-care-commissioning-panel" || d.AlternateFor != "governing-body" {
		t.Fatalf("not sent to alternate: %+v %+v", d, chk)
	}
	panel := w.meeting(t, "primary-care-commissioning-panel", "2021-04-15", d.ID, 3, 4, 8)
	if _, err := w.svc.Route(ctx, 6, d.ID, "primary-care-commissioning-panel", panel.ID, 0); err != nil {
		t.Fatalf("route to the alternate: %v", err)
	}
	d, _, err = w.svc.DecideAtMeeting(ctx, 3, d.ID, MeetingVote{Item: 1, Vote: VoteCount{For: 2, Against: 1}, Rationale: "r", MemberViews: "v"})
	if err != nil || d.Status != StatusDecided || d.Body != "primary-care-commissioning-panel" {
		t.Fatalf("panel decision: %v %+v", err, d)
	}
	// An inquorate meeting cannot decide and says why.
	d2, _ := w.svc.Propose(ctx, 6, Decision{Title: "Other contract", Type: ApproveContract, Value: 30_000_000})
	gb2 := w.meeting(t, "governing-body", "2021-05-08", d2.ID, 3, 4)
	w.svc.Route(ctx, 6, d2.ID, "governing-body", gb2.ID, 0)
	_, chk, err = w.svc.DecideAtMeeting(ctx, 3, d2.ID, MeetingVote{Item: 1, Vote: VoteCount{For: 2}, Rationale: "r", MemberViews: "v"})
	if !errors.Is(err, errs.ErrInvalid) || !strings.Contains(err.Error(), "inquorate") || chk.CanDecide {
		t.Fatalf("inquorate: %v", err)
	}
	if m, _ := w.store.Meeting(ctx, gb2.ID); !m.Inquorate() {
		t.Error("inquorate item not recorded on the meeting")
	}
}

func TestServiceRatification(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	d, _ := w.svc.Propose(ctx, 6, Decision{Title: "Hospital contract", Type: ApproveContract, Value: 600_000_000})
	gb := w.meeting(t, "governing-body", "2021-04-08", d.ID, 1, 2, 3, 4, 5)
	w.svc.Route(ctx, 6, d.ID, "governing-body", gb.ID, 0)
	d, _, err := w.svc.DecideAtMeeting(ctx, 3, d.ID, MeetingVote{Item: 1, Vote: VoteCount{For: 5}, Rationale: "r", MemberViews: "v"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.Publish(ctx, 6, d.ID); !errors.Is(err, errs.ErrInvalid) || !strings.Contains(err.Error(), "ratify") {
		t.Fatalf("publish unratified: %v", err)
	}
	if _, err := w.svc.Ratify(ctx, 6, d.ID, day("2021-05-01")); err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.Publish(ctx, 6, d.ID); err != nil {
		t.Fatal(err)
	}
}

// refusingCheck is a publish gate that refuses until it is opened, and
// remembers the decisions it was asked about.
type refusingCheck struct {
	open  bool
	asked []int64
}

func (c *refusingCheck) CheckPublish(_ context.Context, id int64) error {
	c.asked = append(c.asked, id)
	if !c.open {
		return fmt.Errorf("members were consulted, so the record must say \"you said, we did\" before it is published: %w", errs.ErrInvalid)
	}
	return nil
}

func TestServicePublishCheck(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	gate := &refusingCheck{}
	w.svc.SetPublishCheck(gate)
	d, _ := w.svc.Propose(ctx, 6, Decision{Title: "Federation contract", Type: ApproveContract, Value: 30_000_000})
	gb := w.meeting(t, "governing-body", "2021-04-08", d.ID, 1, 2, 3, 4, 5)
	if _, err := w.svc.Route(ctx, 6, d.ID, "governing-body", gb.ID, 0); err != nil {
		t.Fatal(err)
	}
	d, _, err := w.svc.DecideAtMeeting(ctx, 3, d.ID, MeetingVote{Item: 1, Vote: VoteCount{For: 5}, Rationale: "r", MemberViews: "v"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = w.svc.Publish(ctx, 6, d.ID)
	if !errors.Is(err, errs.ErrInvalid) || !strings.Contains(err.Error(), "you said, we did") {
		t.Fatalf("publish refused by the gate: %v", err)
	}
	if got, _ := w.svc.Decision(ctx, d.ID); got.Status != StatusDecided || !got.Published.IsZero() {
		t.Fatalf("refused decision changed: %+v", got)
	}
	if strings.Contains(strings.Join(*w.audit, "\n"), "decision.published") {
		t.Error("a refused publication was audited as published")
	}
	gate.open = true
	if d, err = w.svc.Publish(ctx, 6, d.ID); err != nil || d.Status != StatusPublished {
		t.Fatalf("publish once the gate opens: %v %+v", err, d)
	}
	if !slices.Equal(gate.asked, []int64{d.ID, d.ID}) {
		t.Errorf("the gate was asked about %v", gate.asked)
	}
	// Without a gate (nil) nothing is asked.
	w.svc.SetPublishCheck(nil)
	d2, _ := w.svc.Propose(ctx, 6, Decision{Title: "Withdrawn", Type: ApproveContract, Value: 30_000_000})
	if _, err := w.svc.Withdraw(ctx, 6, d2.ID, "not needed"); err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.Publish(ctx, 6, d2.ID); err != nil {
		t.Fatalf("publish without a gate: %v", err)
	}
	if len(gate.asked) != 2 {
		t.Errorf("the removed gate was asked: %v", gate.asked)
	}
}

func TestServiceMemberVote(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	d, _ := w.svc.Propose(ctx, 6, Decision{Title: "Move £2m to community services", Type: VaryBudget, Value: 200_000_000})
	v, err := w.svc.OpenVote(ctx, 6, MemberVote{Body: "member-council", Decision: d.ID, Question: "Move £2m?", Options: []string{"For", "Against"},
		Opens: w.now, Closes: w.now.Add(7 * 24 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if !v.HideResults || !v.AllowProxies || len(v.Roster) != 4 {
		t.Fatalf("body rules not copied: %+v", v)
	}
	if _, err := w.svc.Route(ctx, 6, d.ID, "member-council", 0, v.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.AppointProxy(ctx, 104, v.ID, Proxy{Practice: "D4", Holder: "A1"}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.AppointProxy(ctx, 101, v.ID, Proxy{Practice: "C3", Holder: "A1"}); !errors.Is(err, errs.ErrForbidden) {
		t.Fatalf("appointing for another practice: %v", err)
	}
	casts := []struct {
		name string
		req  CastRequest
		want error
	}{
		{"A1 votes for", CastRequest{Practice: "A1", Person: 101, Choice: 0}, nil},
		{"A1 again", CastRequest{Practice: "A1", Person: 101, Choice: 1}, errs.ErrConflict},
		{"person not entitled for B2", CastRequest{Practice: "B2", Person: 101, Choice: 1}, errs.ErrForbidden},
		{"B2 votes for", CastRequest{Practice: "B2", Person: 102, Choice: 0}, nil},
		{"D4 by proxy through A1", CastRequest{Practice: "D4", Person: 101, ProxyHolder: "A1", Choice: 1}, nil},
	}
	for _, c := range casts {
		t.Run(c.name, func(t *testing.T) {
			c.req.Vote = v.ID
			if err := w.svc.CastVote(ctx, c.req); !errors.Is(err, c.want) && !(err == nil && c.want == nil) {
				t.Errorf("err = %v, want %v", err, c.want)
			}
		})
	}
	_, turnout, res, _ := w.svc.VoteStatus(ctx, v.ID)
	if turnout.Voted != 3 || res.Visible {
		t.Errorf("live: %+v %+v", turnout, res)
	}
	w.now = w.now.Add(6 * 24 * time.Hour)
	if rem, _ := w.svc.Reminders(ctx, v.ID, 48*time.Hour); len(rem) != 1 || rem[0].Practice != "C3" {
		t.Errorf("reminders: %+v", rem)
	}
	if _, err := w.svc.DecideByMemberVote(ctx, 6, d.ID, "r", "v"); !errors.Is(err, errs.ErrConflict) {
		t.Errorf("decide before close: %v", err)
	}
	w.now = v.Closes
	d, err = w.svc.DecideByMemberVote(ctx, 6, d.ID, "Most practices supported the shift", "Put to every practice")
	if err != nil || d.Outcome != OutcomeCarried || d.Vote.For != 2 || d.Vote.Against != 1 {
		t.Fatalf("decide by vote: %v %+v", err, d)
	}
	ballots, _ := w.store.Ballots(ctx, v.ID)
	if len(ballots) != 3 || ballots[2].ProxyHolder != "A1" {
		t.Errorf("named ballots, proxy recorded: %+v", ballots)
	}
	if _, err := w.svc.RecordOutcome(ctx, 6, v.ID, VoteOutcome{Statement: "Carried", Reasons: "2 of 3", ReviewDate: day("2022-03-01")}); err != nil {
		t.Error(err)
	}
}

// TestAnonymousBallotUnlinkable casts the same multiset of choices with
// every assignment of choices to practices and checks that everything kept
// (has-voted set, ballot box, named ballots and the audit trail) is
// identical: the stored data cannot tell which practice chose what. A named
// vote, by contrast, must differ.
func TestAnonymousBallotUnlinkable(t *testing.T) {
	assignments := []map[string]Choice{
		{"A1": 0, "B2": 1, "C3": 0, "D4": Abstain},
		{"A1": 1, "B2": 0, "C3": 0, "D4": Abstain},
		{"A1": Abstain, "B2": 0, "C3": 1, "D4": 0},
		{"A1": 0, "B2": Abstain, "C3": 0, "D4": 1},
	}
	for _, tt := range []struct {
		name      string
		anonymous bool
		weighted  bool
		same      bool
	}{
		{"anonymous one practice one vote", true, false, true},
		{"named votes can be linked", false, false, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var snaps []string
			for _, a := range assignments {
				ctx := context.Background()
				w := newWorld(t)
				v, err := w.svc.OpenVote(ctx, 6, MemberVote{Body: "member-council", Question: "Q", Options: []string{"For", "Against"},
					Opens: w.now, Closes: w.now.Add(time.Hour), Anonymous: tt.anonymous})
				if err != nil {
					t.Fatal(err)
				}
				people := map[string]PersonID{"A1": 101, "B2": 102, "C3": 103, "D4": 104}
				for _, p := range []string{"D4", "A1", "C3", "B2"} { // casting order fixed; choices vary
					w.now = w.now.Add(time.Minute)
					if err := w.svc.CastVote(ctx, CastRequest{Vote: v.ID, Practice: p, Person: people[p], Choice: a[p]}); err != nil {
						t.Fatal(err)
					}
				}
				parts, _ := w.store.Participations(ctx, v.ID)
				tot, _ := w.store.Totals(ctx, v.ID)
				bal, _ := w.store.Ballots(ctx, v.ID)
				b, _ := json.Marshal([]any{parts, tot, bal, *w.audit})
				snaps = append(snaps, string(b))
			}
			for i := 1; i < len(snaps); i++ {
				if (snaps[i] == snaps[0]) != tt.same {
					t.Fatalf("assignment %d: stored data identical=%v, want %v\n%s\n%s", i, snaps[i] == snaps[0], tt.same, snaps[0], snaps[i])
				}
			}
		})
	}
}

func TestServiceRegisters(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	_, late, err := w.svc.DeclareInterest(ctx, 1, Interest{Person: 1, Kind: InterestProfessional, Organisation: "RXX", From: day("2021-01-01")})
	if err != nil || !late {
		t.Errorf("declared 2021-03-01 for 2021-01-01: late=%v err=%v", late, err)
	}
	if _, _, err := w.svc.DeclareInterest(ctx, 1, Interest{Person: 1, Kind: "hobby", Organisation: "RXX", From: day("2021-01-01")}); !errors.Is(err, errs.ErrInvalid) {
		t.Errorf("bad kind: %v", err)
	}
	w.svc.DeclareInterest(ctx, 2, Interest{Person: 2, Kind: InterestFinancial, Organisation: "OLD", From: day("2010-01-01"), To: day("2020-01-01")})
	pub, _ := w.svc.PublicInterests(ctx)
	if len(pub) != 1 {
		t.Errorf("public register: %+v", pub)
	}
	g, chk, err := w.svc.DeclareGift(ctx, 5, Gift{Person: 5, Kind: KindHospitality, From: "Pharma Ltd", FromSupplier: true, Value: 8000, Offered: day("2021-02-20")})
	if err != nil || !chk.MustDeclare || !chk.NeedsApproval {
		t.Fatalf("gift: %v %+v", err, chk)
	}
	if _, err := w.svc.ApproveGift(ctx, 5, g.ID, day("2021-02-21")); !errors.Is(err, errs.ErrForbidden) {
		t.Errorf("self-approval: %v", err)
	}
	if _, err := w.svc.ApproveGift(ctx, 6, g.ID, day("2021-02-21")); err != nil {
		t.Error(err)
	}
	if _, err := w.svc.RecordProcurement(ctx, 6, ProcurementDecision{Title: "Extended access", Body: "governing-body", Decided: day("2021-04-08")}); !errors.Is(err, errs.ErrInvalid) {
		t.Errorf("procurement without participants: %v", err)
	}
	w.svc.ConfirmRegister(ctx, 1, day("2020-01-01"))
	due, _ := w.svc.DueConfirmations(ctx, []PersonID{1, 2})
	if len(due) != 2 {
		t.Errorf("due: %v", due)
	}
	vs, _ := w.svc.Versions(ctx)
	c, _ := w.svc.Constitution(ctx, 0)
	c.Bodies[1].Quorum.MinCount = 4
	c.Version = Version{Summary: "Smaller governing body quorum"}
	if _, err := w.svc.AdoptConstitution(ctx, 6, c); err != nil {
		t.Fatal(err)
	}
	ch, err := w.svc.CompareVersions(ctx, 1, 2)
	if len(vs) != 1 || err != nil || len(ch) != 1 || ch[0].Subject != "body governing-body: quorum" {
		t.Errorf("versions %v changes %+v %v", vs, ch, err)
	}
	if _, err := w.svc.AdoptConstitution(ctx, 6, c); !errors.Is(err, errs.ErrInvalid) {
		t.Errorf("adopting an unchanged constitution: %v", err)
	}
}

// TestServiceOwnRegister checks what a person sees of their own entries and
// when their yearly confirmation is due (the world's clock is 2021-03-01).
func TestServiceOwnRegister(t *testing.T) {
	for _, tc := range []struct {
		name          string
		confirmed     string // "" for never
		wantDue       bool
		wantConfirmBy string
	}{
		{"never confirmed: due at once", "", true, "2021-03-01"},
		{"confirmed a month ago", "2021-02-01", false, "2022-02-01"},
		{"confirmed exactly a year ago", "2020-03-01", true, "2021-03-01"},
		{"confirmed over a year ago", "2019-12-31", true, "2020-12-31"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			w := newWorld(t)
			if _, _, err := w.svc.DeclareInterest(ctx, 1, Interest{Person: 1, Kind: InterestFinancial, Organisation: "Y01FED", From: day("2021-02-15")}); err != nil {
				t.Fatal(err)
			}
			if _, _, err := w.svc.DeclareInterest(ctx, 2, Interest{Person: 2, Kind: InterestIndirect, Organisation: "RXX", From: day("2021-02-15")}); err != nil {
				t.Fatal(err)
			}
			for _, p := range []PersonID{1, 2} {
				if _, _, err := w.svc.DeclareGift(ctx, p, Gift{Person: p, Kind: KindGift, From: "Pharma Ltd", Value: 1000, Offered: day("2021-02-20")}); err != nil {
					t.Fatal(err)
				}
			}
			if tc.confirmed != "" {
				if err := w.svc.ConfirmRegister(ctx, 1, day(tc.confirmed)); err != nil {
					t.Fatal(err)
				}
			}
			r, err := w.svc.OwnRegister(ctx, 1)
			if err != nil {
				t.Fatal(err)
			}
			if len(r.Interests) != 1 || r.Interests[0].Organisation != "Y01FED" || len(r.Gifts) != 1 || r.Gifts[0].Person != 1 {
				t.Errorf("entries are not only person 1's: %+v", r)
			}
			if r.Due != tc.wantDue || r.ConfirmBy != day(tc.wantConfirmBy) {
				t.Errorf("due=%v confirm by %s, want %v %s", r.Due, r.ConfirmBy, tc.wantDue, tc.wantConfirmBy)
			}
		})
	}
}
