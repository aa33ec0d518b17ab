package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"ccg/internal/calendar"
	"ccg/internal/errs"
	"ccg/internal/governance"
	"ccg/internal/store/sqlstore"
)

func init() { Register(Suite{Name: "governance", Run: governanceSuite}) }

func governanceSuite(t *testing.T, open Opener) {
	for _, tc := range []struct {
		name string
		run  func(t *testing.T, s governance.Store)
	}{
		{"constitution versions", govConstitution},
		{"decisions compare and swap, history, filter", govDecisions},
		{"meetings", govMeetings},
		{"votes keep the has-voted set and totals apart", govVotes},
		{"registers", govRegisters},
		{"service: proposal to published with a conflict excluded", govServiceProposal},
		{"service: quorum after exclusions", govServiceQuorum},
		{"service: member vote weights", govServiceVoteWeights},
		{"service: anonymous ballots unlinkable", govServiceAnonymous},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var st *sqlstore.Store = Migrated(t, open)
			tc.run(t, st)
		})
	}
}

var gday = calendar.MustDate

func govConstitution(t *testing.T, s governance.Store) {
	ctx := context.Background()
	_, err := s.Constitution(ctx, 0)
	wantErr(t, "empty", err, errs.ErrNotFound)
	c, err := governance.DefaultConstitution()
	must(t, "default", err)
	must(t, "save 1", s.SaveConstitution(ctx, c))
	wantErr(t, "save 1 again", s.SaveConstitution(ctx, c), errs.ErrConflict)
	c2 := c
	c2.Version = governance.Version{Number: 2, Adopted: gday("2020-04-01"), Summary: "Added a committee",
		Changes: []governance.Change{{Kind: governance.Added, Subject: "body x", After: "X"}}}
	must(t, "save 2", s.SaveConstitution(ctx, c2))
	latest, err := s.Constitution(ctx, 0)
	must(t, "latest", err)
	if latest.Version.Number != 2 || len(latest.Bodies) != len(c.Bodies) || len(latest.Scheme.Delegations) != len(c.Scheme.Delegations) {
		t.Fatalf("latest: %+v", latest.Version)
	}
	one, err := s.Constitution(ctx, 1)
	must(t, "v1", err)
	if one.Version.Number != 1 || one.Version.Adopted.String() != c.Version.Adopted.String() {
		t.Fatalf("v1: %+v", one.Version)
	}
	vs, err := s.ConstitutionVersions(ctx)
	must(t, "versions", err)
	if len(vs) != 2 || vs[0].Number != 1 || vs[1].Changes[0].Subject != "body x" {
		t.Fatalf("versions: %+v", vs)
	}
	_, err = s.Constitution(ctx, 9)
	wantErr(t, "missing version", err, errs.ErrNotFound)
}

func govDecisions(t *testing.T, s governance.Store) {
	ctx := context.Background()
	at := time.Date(2021, 3, 1, 10, 0, 0, 0, time.UTC)
	var ids []int64
	for i, st := range []struct {
		status  governance.Status
		body    governance.BodyID
		decided string
	}{
		{governance.StatusProposed, "", ""},
		{governance.StatusPublished, "governing-body", "2021-04-08"},
		{governance.StatusPublished, "member-council", "2021-06-01"},
		{governance.StatusDecided, "governing-body", "2021-05-01"},
	} {
		d := governance.Decision{Title: fmt.Sprintf("D%d", i), Type: governance.ApproveContract, Value: int64(i) * 100,
			Status: st.status, Body: st.body, Organisations: []string{"Y01FED"}, Proposed: gday("2021-03-01"),
			History: []governance.Event{{At: at, By: 6, To: governance.StatusProposed, Note: "proposed"}}}
		if st.decided != "" {
			d.Decided = gday(st.decided)
		}
		id, err := s.CreateDecision(ctx, d)
		must(t, "create", err)
		ids = append(ids, id)
	}
	got, err := s.Decision(ctx, ids[0])
	must(t, "get", err)
	if got.ID != ids[0] || got.Title != "D0" || len(got.History) != 1 || !got.History[0].At.Equal(at) || got.Organisations[0] != "Y01FED" {
		t.Fatalf("got %+v", got)
	}
	_, err = s.Decision(ctx, 999)
	wantErr(t, "missing", err, errs.ErrNotFound)

	got.Status = governance.StatusOnAgenda
	got.Body = "governing-body"
	must(t, "cas", s.UpdateDecision(ctx, got, governance.StatusProposed))
	wantErr(t, "stale cas", s.UpdateDecision(ctx, got, governance.StatusProposed), errs.ErrConflict)
	must(t, "event", s.AppendDecisionEvent(ctx, ids[0], governance.Event{At: at.Add(time.Hour), By: 6,
		From: governance.StatusProposed, To: governance.StatusOnAgenda, Refused: true, Note: "no authority"}))
	wantErr(t, "event on missing", s.AppendDecisionEvent(ctx, 999, governance.Event{At: at}), errs.ErrNotFound)
	got, _ = s.Decision(ctx, ids[0])
	if got.Status != governance.StatusOnAgenda || len(got.History) != 2 || !got.History[1].Refused || got.History[1].From != governance.StatusProposed {
		t.Fatalf("after update: %+v", got)
	}

	for _, tc := range []struct {
		name string
		f    governance.DecisionFilter
		want []int
	}{
		{"all, newest decided first", governance.DecisionFilter{}, []int{2, 3, 1, 0}},
		{"published", governance.DecisionFilter{Status: governance.StatusPublished}, []int{2, 1}},
		{"body", governance.DecisionFilter{Body: "governing-body"}, []int{3, 1, 0}},
		{"decided in April-May", governance.DecisionFilter{DecidedFrom: gday("2021-04-01"), DecidedTo: gday("2021-06-01")}, []int{3, 1}},
		{"limit and offset", governance.DecisionFilter{Limit: 2, Offset: 1}, []int{3, 1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ds, err := s.Decisions(ctx, tc.f)
			must(t, "decisions", err)
			var have []string
			for _, d := range ds {
				have = append(have, d.Title)
			}
			var want []string
			for _, i := range tc.want {
				want = append(want, fmt.Sprintf("D%d", i))
			}
			if strings.Join(have, ",") != strings.Join(want, ",") {
				t.Fatalf("got %v, want %v", have, want)
			}
		})
	}
}

func govMeetings(t *testing.T, s governance.Store) {
	ctx := context.Background()
	m := governance.Meeting{Body: "governing-body", Date: gday("2021-04-08"), Title: "Governing body", Public: true,
		Agenda:     []governance.AgendaItem{{No: 1, Title: "Contract", Decision: 3, Organisations: []string{"Y01FED"}, Papers: []governance.Paper{{Title: "Paper A", Ref: "GB/21/1"}}}},
		Attendance: []governance.Attendee{{Seat: governance.Seat{Person: 1}, Person: 1, Name: "Dr One"}},
		Actions:    []governance.Action{{Item: 1, Text: "Sign", Owner: 6, Due: gday("2021-05-01")}}}
	id, err := s.CreateMeeting(ctx, m)
	must(t, "create", err)
	_, err = s.CreateMeeting(ctx, governance.Meeting{Body: "audit-committee", Date: gday("2021-03-01"), Title: "Audit"})
	must(t, "create 2", err)
	got, err := s.Meeting(ctx, id)
	must(t, "get", err)
	if got.ID != id || got.Agenda[0].Papers[0].Ref != "GB/21/1" || got.Actions[0].Due.String() != "2021-05-01" || !got.Public {
		t.Fatalf("got %+v", got)
	}
	got.Minutes = append(got.Minutes, governance.Minute{Item: 1, Text: "Dr One was excluded"})
	got.Agenda[0].Check = &governance.ItemCheck{Quorum: governance.QuorumResult{Quorate: false, Explanation: "too few"}}
	must(t, "update", s.UpdateMeeting(ctx, got))
	wantErr(t, "update missing", s.UpdateMeeting(ctx, governance.Meeting{ID: 999, Body: "x", Date: gday("2021-01-01")}), errs.ErrNotFound)
	got, _ = s.Meeting(ctx, id)
	if len(got.Minutes) != 1 || !got.Inquorate() {
		t.Fatalf("after update %+v", got)
	}
	_, err = s.Meeting(ctx, 999)
	wantErr(t, "missing", err, errs.ErrNotFound)
	for _, tc := range []struct {
		name     string
		body     governance.BodyID
		from, to string
		want     int
	}{
		{"every body, oldest first", "", "", "", 2},
		{"one body", "governing-body", "", "", 1},
		{"window", "", "2021-04-01", "2021-05-01", 1},
		{"window end excluded", "", "2021-01-01", "2021-03-01", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var from, to calendar.Date
			if tc.from != "" {
				from, to = gday(tc.from), gday(tc.to)
			}
			ms, err := s.Meetings(ctx, tc.body, from, to)
			must(t, "meetings", err)
			if len(ms) != tc.want || (tc.want == 2 && ms[0].Title != "Audit") {
				t.Fatalf("got %d meetings %+v", len(ms), ms)
			}
		})
	}
}

func govVotes(t *testing.T, s governance.Store) {
	ctx := context.Background()
	opens := time.Date(2021, 3, 1, 9, 0, 0, 0, time.UTC)
	for _, anonymous := range []bool{true, false} {
		t.Run(fmt.Sprintf("anonymous=%v", anonymous), func(t *testing.T) {
			v := governance.MemberVote{Body: "member-council", Question: "Merge?", Options: []string{"For", "Against"},
				Opens: opens, Closes: opens.Add(7 * 24 * time.Hour), Anonymous: anonymous, QuorumShare: 50,
				Roster: []governance.Entitled{{Practice: "A1", ListSize: 100}, {Practice: "B2", ListSize: 50}, {Practice: "C3", ListSize: 10}}}
			id, err := s.CreateVote(ctx, v)
			must(t, "create", err)
			tot, err := s.Totals(ctx, id)
			must(t, "empty totals", err)
			if len(tot.Count) != 2 || tot.Count[0] != 0 || tot.AbstainCount != 0 {
				t.Fatalf("empty totals %+v", tot)
			}
			for _, c := range []struct {
				practice string
				choice   governance.Choice
				weight   int64
				want     error
			}{
				{"B2", 0, 50, nil},
				{"A1", 1, 100, nil},
				{"B2", 1, 50, errs.ErrConflict},
				{"C3", governance.Abstain, 10, nil},
			} {
				p := governance.Participation{Vote: id, Practice: c.practice, CastBy: 7}
				e := governance.BoxEntry{Vote: id, Choice: c.choice, Weight: c.weight}
				var b *governance.Ballot
				if !anonymous {
					b = &governance.Ballot{Vote: id, Practice: c.practice, CastBy: 7, Choice: c.choice, Weight: c.weight, At: opens.Add(time.Hour)}
				}
				wantErr(t, "cast "+c.practice, s.CastVote(ctx, p, e, b), c.want)
			}
			tot, err = s.Totals(ctx, id)
			must(t, "totals", err)
			if tot.Count[0] != 1 || tot.Weight[0] != 50 || tot.Count[1] != 1 || tot.Weight[1] != 100 || tot.AbstainCount != 1 || tot.AbstainWeight != 10 {
				t.Fatalf("totals %+v (a refused second vote must not count)", tot)
			}
			parts, err := s.Participations(ctx, id)
			must(t, "participations", err)
			if len(parts) != 3 || parts[0].Practice != "A1" || parts[2].Practice != "C3" {
				t.Fatalf("participations %+v", parts)
			}
			bal, err := s.Ballots(ctx, id)
			must(t, "ballots", err)
			if anonymous && len(bal) != 0 || !anonymous && (len(bal) != 3 || bal[0].Choice != 1 || !bal[0].At.Equal(opens.Add(time.Hour))) {
				t.Fatalf("ballots %+v", bal)
			}
			got, err := s.Vote(ctx, id)
			must(t, "vote", err)
			got.Proxies = []governance.Proxy{{Practice: "C3", Holder: "A1"}}
			got.Outcome = &governance.VoteOutcome{Statement: "Carried", ReviewDate: gday("2022-03-01")}
			got.Question = "ignored"
			must(t, "update", s.UpdateVote(ctx, got))
			got, _ = s.Vote(ctx, id)
			if got.Question != "Merge?" || len(got.Proxies) != 1 || got.Outcome == nil || !got.Closes.Equal(v.Closes) || len(got.Roster) != 3 {
				t.Fatalf("after update %+v", got)
			}
		})
	}
	all, err := s.Votes(ctx, "")
	must(t, "votes", err)
	if len(all) != 2 || all[0].ID < all[1].ID {
		t.Fatalf("votes newest first: %+v", all)
	}
	if none, _ := s.Votes(ctx, "locality-north"); len(none) != 0 {
		t.Fatalf("other body: %+v", none)
	}
	_, err = s.Vote(ctx, 999)
	wantErr(t, "missing vote", err, errs.ErrNotFound)
}

func govRegisters(t *testing.T, s governance.Store) {
	ctx := context.Background()
	i := governance.Interest{Person: 1, Name: "Dr One", Kind: governance.InterestFinancial, Organisation: "Y01FED",
		Description: "partner", From: gday("2019-04-01"), Declared: gday("2019-04-10")}
	id, err := s.PutInterest(ctx, i)
	must(t, "put", err)
	_, err = s.PutInterest(ctx, governance.Interest{Person: 2, Kind: governance.InterestIndirect, Organisation: "rxx ", From: gday("2020-01-01")})
	must(t, "put 2", err)
	i.ID = id
	i.To = gday("2021-01-01")
	_, err = s.PutInterest(ctx, i)
	must(t, "replace", err)
	_, err = s.PutInterest(ctx, governance.Interest{ID: 999, Person: 1})
	wantErr(t, "replace missing", err, errs.ErrNotFound)
	mine, err := s.Interests(ctx, 1)
	must(t, "mine", err)
	if len(mine) != 1 || mine[0].To.String() != "2021-01-01" || mine[0].ID != id {
		t.Fatalf("mine %+v", mine)
	}
	all, _ := s.Interests(ctx, 0)
	in, err := s.InterestsIn(ctx, []string{" y01fed", "RXX"})
	must(t, "in", err)
	if len(all) != 2 || len(in) != 2 {
		t.Fatalf("all %d, in %d", len(all), len(in))
	}
	if none, _ := s.InterestsIn(ctx, nil); len(none) != 0 {
		t.Fatal("no organisations")
	}

	must(t, "confirm", s.AddConfirmation(ctx, governance.Confirmation{Person: 1, On: gday("2020-04-01")}))
	must(t, "confirm later", s.AddConfirmation(ctx, governance.Confirmation{Person: 1, On: gday("2021-04-01")}))
	must(t, "confirm same day", s.AddConfirmation(ctx, governance.Confirmation{Person: 1, On: gday("2021-04-01")}))
	latest, err := s.LatestConfirmations(ctx)
	must(t, "latest", err)
	if len(latest) != 1 || latest[1].String() != "2021-04-01" {
		t.Fatalf("latest %+v", latest)
	}

	gid, err := s.PutGift(ctx, governance.Gift{Person: 1, Kind: governance.KindHospitality, From: "Pharma Ltd", FromSupplier: true, Value: 8000, Offered: gday("2021-02-01")})
	must(t, "gift", err)
	_, err = s.PutGift(ctx, governance.Gift{Person: 2, Kind: governance.KindGift, From: "Supplier", Value: 1000, Offered: gday("2021-01-01")})
	must(t, "gift 2", err)
	g, err := s.Gift(ctx, gid)
	must(t, "get gift", err)
	if g.ID != gid || g.Value != 8000 || !g.FromSupplier {
		t.Fatalf("gift %+v", g)
	}
	gs, _ := s.Gifts(ctx, gday("2021-01-01"), gday("2021-02-01"))
	if len(gs) != 1 || gs[0].From != "Supplier" {
		t.Fatalf("gifts in January %+v", gs)
	}
	_, err = s.Gift(ctx, 999)
	wantErr(t, "missing gift", err, errs.ErrNotFound)

	_, err = s.PutProcurement(ctx, governance.ProcurementDecision{Title: "Old", Decided: gday("2020-01-01"), Body: "governing-body"})
	must(t, "procurement", err)
	_, err = s.PutProcurement(ctx, governance.ProcurementDecision{Title: "New", Decided: gday("2021-01-01"), Body: "governing-body",
		Participants: []governance.ProcurementParticipant{{Person: 1, Name: "Dr One", Declared: "partner", Managed: "excluded"}}})
	must(t, "procurement 2", err)
	ps, _ := s.Procurements(ctx)
	if len(ps) != 2 || ps[0].Title != "New" || ps[0].Participants[0].Managed != "excluded" {
		t.Fatalf("procurements %+v", ps)
	}
	_, err = s.PutBreach(ctx, governance.Breach{Occurred: gday("2021-01-01"), Description: "late declaration", Action: "reminded"})
	must(t, "breach", err)
	bs, _ := s.Breaches(ctx)
	if len(bs) != 1 || bs[0].Action != "reminded" {
		t.Fatalf("breaches %+v", bs)
	}
}

// govAudit records audit entries for service tests.
type govAudit []string

func (a *govAudit) Record(_ context.Context, action, subject, detail string) error {
	*a = append(*a, action+" "+subject+" "+detail)
	return nil
}

type govEntitled map[governance.PersonID]string

func (e govEntitled) MayActFor(_ context.Context, p governance.PersonID, practice string, _ time.Time) (bool, error) {
	return e[p] == practice, nil
}

type govRoster []governance.Entitled

func (r govRoster) Practices(context.Context, governance.Body, calendar.Date) ([]governance.Entitled, error) {
	return r, nil
}

func govMember(id governance.PersonID, role governance.Role) governance.Member {
	return governance.Member{Seat: governance.Seat{Person: id}, Name: fmt.Sprintf("%s %d", role, id), Role: role}
}

type govWorld struct {
	svc   *governance.Service
	audit *govAudit
	now   time.Time
}

// newGovWorld is the service over the real store with the default
// constitution: governing body of GPs 1, 2, lay 3, 4, nurse 5, officer 6;
// panel of 3, 4, 8; member practices A1 (10000), B2 (6000), C3 (3000), D4 (1000).
func newGovWorld(t *testing.T, s governance.Store, weighted bool) *govWorld {
	t.Helper()
	w := &govWorld{audit: &govAudit{}, now: time.Date(2021, 3, 1, 10, 0, 0, 0, time.UTC)}
	roster := govRoster{{Practice: "A1", ListSize: 10000}, {Practice: "B2", ListSize: 6000}, {Practice: "C3", ListSize: 3000}, {Practice: "D4", ListSize: 1000}}
	w.svc = governance.NewService(s, w.audit, govEntitled{101: "A1", 102: "B2", 103: "C3", 104: "D4"}, roster).
		WithClock(func() time.Time { return w.now })
	c, err := governance.DefaultConstitution()
	must(t, "default", err)
	for i := range c.Bodies {
		switch c.Bodies[i].ID {
		case "governing-body":
			c.Bodies[i].Members = []governance.Member{govMember(1, governance.RoleGP), govMember(2, governance.RoleGP),
				govMember(3, governance.RoleLay), govMember(4, governance.RoleLay), govMember(5, governance.RoleNurse), govMember(6, governance.RoleOfficer)}
		case "primary-care-commissioning-panel":
			c.Bodies[i].Members = []governance.Member{govMember(3, governance.RoleLay), govMember(4, governance.RoleLay), govMember(8, governance.RoleOfficer)}
		case "member-council":
			if weighted {
				c.Bodies[i].Voting.PracticeVote = governance.WeightedByListSize
			}
		}
	}
	_, err = w.svc.AdoptConstitution(context.Background(), 6, c)
	must(t, "adopt", err)
	return w
}

func (w *govWorld) meeting(t *testing.T, body governance.BodyID, date string, decision int64, attend ...governance.PersonID) governance.Meeting {
	t.Helper()
	m := governance.Meeting{Body: body, Date: gday(date), Title: "Meeting", Agenda: []governance.AgendaItem{{No: 1, Title: "Federation contract",
		Decision: decision, Organisations: []string{"Y01FED"}}}}
	for _, p := range attend {
		m.Attendance = append(m.Attendance, governance.Attendee{Seat: governance.Seat{Person: p}, Person: p, Name: fmt.Sprintf("member %d", p)})
	}
	m, err := w.svc.CreateMeeting(context.Background(), 6, m)
	must(t, "meeting", err)
	return m
}

func govServiceProposal(t *testing.T, s governance.Store) {
	ctx := context.Background()
	w := newGovWorld(t, s, false)
	_, _, err := w.svc.DeclareInterest(ctx, 1, governance.Interest{Person: 1, Kind: governance.InterestFinancial, Organisation: "Y01FED",
		Description: "partner in the GP federation", From: gday("2019-04-01"), Declared: gday("2019-04-10")})
	must(t, "declare", err)
	d, err := w.svc.Propose(ctx, 6, governance.Decision{Title: "Extended access contract", Type: governance.ApproveContract, Value: 30_000_000,
		Organisations: []string{"Y01FED"}})
	must(t, "propose", err)
	q := w.meeting(t, "quality-committee", "2021-04-01", d.ID)
	_, err = w.svc.Route(ctx, 6, d.ID, "quality-committee", q.ID, 0)
	wantErr(t, "route to the wrong body", err, errs.ErrInvalid)
	got, err := w.svc.Decision(ctx, d.ID)
	must(t, "decision", err)
	if got.Status != governance.StatusProposed || len(got.History) != 2 || !got.History[1].Refused {
		t.Fatalf("refusal not kept: %+v", got)
	}
	gb := w.meeting(t, "governing-body", "2021-04-08", d.ID, 1, 2, 3, 4, 5, 6)
	_, err = w.svc.Route(ctx, 6, d.ID, "governing-body", gb.ID, 0)
	must(t, "route", err)
	d, chk, err := w.svc.DecideAtMeeting(ctx, 3, d.ID, governance.MeetingVote{Item: 1, Vote: governance.VoteCount{For: 4, Against: 1},
		Rationale: "Best value bid", MemberViews: "Localities asked for evening appointments."})
	must(t, "decide", err)
	if d.Status != governance.StatusDecided || d.Outcome != governance.OutcomeCarried || len(d.Exclusions) != 1 || d.Exclusions[0].Person != 1 || chk.Quorum.Counted != 5 {
		t.Fatalf("decided: %+v check %+v", d, chk)
	}
	m, err := s.Meeting(ctx, gb.ID)
	must(t, "meeting", err)
	if len(m.Minutes) == 0 || !strings.Contains(m.Minutes[len(m.Minutes)-1].Text, "was excluded") {
		t.Errorf("exclusion not minuted: %+v", m.Minutes)
	}
	d, err = w.svc.Publish(ctx, 6, d.ID)
	must(t, "publish", err)
	pub, err := w.svc.PublishedDecisions(ctx, 10, 0)
	must(t, "published", err)
	if len(pub) != 1 || pub[0].ID != d.ID || len(pub[0].Exclusions) != 1 || len(pub[0].History) < 4 {
		t.Fatalf("published register: %+v", pub)
	}
	rep, err := w.svc.Assurance(ctx, gday("2021-04-01"), gday("2022-04-01"))
	must(t, "assurance", err)
	if len(rep.Decisions) != 1 || len(rep.Conflicts) != 1 {
		t.Errorf("assurance %+v", rep)
	}
}

// govServiceQuorum checks quorum after conflict exclusions, as a table, on
// the real store: the item goes to the alternate panel or cannot be decided.
func govServiceQuorum(t *testing.T, s governance.Store) {
	ctx := context.Background()
	w := newGovWorld(t, s, false)
	for _, p := range []governance.PersonID{1, 2} {
		_, _, err := w.svc.DeclareInterest(ctx, p, governance.Interest{Person: p, Kind: governance.InterestFinancial, Organisation: "Y01FED", From: gday("2019-04-01")})
		must(t, "declare", err)
	}
	for i, tc := range []struct {
		name    string
		orgs    []string
		attend  []governance.PersonID
		status  governance.Status
		routeTo governance.BodyID
		err     error
	}{
		{"no conflict, quorate", nil, []governance.PersonID{1, 2, 3, 4, 5}, governance.StatusDecided, "", nil},
		{"both GPs conflicted: alternate panel", []string{"Y01FED"}, []governance.PersonID{1, 2, 3, 4, 5}, governance.StatusDeferred, "primary-care-commissioning-panel", nil},
		{"too few present: inquorate", nil, []governance.PersonID{3, 4}, governance.StatusOnAgenda, "", errs.ErrInvalid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, err := w.svc.Propose(ctx, 6, governance.Decision{Title: tc.name, Type: governance.ApproveContract, Value: 30_000_000, Organisations: tc.orgs})
			must(t, "propose", err)
			m := governance.Meeting{Body: "governing-body", Date: gday("2021-04-08").AddDays(i), Title: "GB",
				Agenda: []governance.AgendaItem{{No: 1, Title: tc.name, Decision: d.ID, Organisations: tc.orgs}}}
			for _, p := range tc.attend {
				m.Attendance = append(m.Attendance, governance.Attendee{Seat: governance.Seat{Person: p}, Person: p})
			}
			m, err = w.svc.CreateMeeting(ctx, 6, m)
			must(t, "meeting", err)
			_, err = w.svc.Route(ctx, 6, d.ID, "governing-body", m.ID, 0)
			must(t, "route", err)
			got, chk, err := w.svc.DecideAtMeeting(ctx, 3, d.ID, governance.MeetingVote{Item: 1, Vote: governance.VoteCount{For: 2}, Rationale: "r", MemberViews: "v"})
			wantErr(t, "decide", err, tc.err)
			if tc.err != nil {
				got, _ = w.svc.Decision(ctx, d.ID)
			}
			if got.Status != tc.status || chk.RouteTo != tc.routeTo {
				t.Fatalf("status %s route %q, want %s %q (%+v)", got.Status, chk.RouteTo, tc.status, tc.routeTo, chk)
			}
		})
	}
}

// govServiceVoteWeights runs member votes through the real store and checks
// the counts under each way of weighing practices' votes.
func govServiceVoteWeights(t *testing.T, s governance.Store) {
	ctx := context.Background()
	for _, tc := range []struct {
		name     string
		weighted bool
		outcome  governance.Outcome
	}{
		// A1 (10000) against; B2, C3, D4 (10000 together) for:
		{"one practice one vote: carried 3 to 1", false, governance.OutcomeCarried},
		{"weighted by list size: tie is not carried", true, governance.OutcomeNotCarried},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newGovWorldOnce(t, s, tc.weighted)
			d, err := w.svc.Propose(ctx, 6, governance.Decision{Title: "Move money", Type: governance.VaryBudget, Value: 200_000_000})
			must(t, "propose", err)
			v, err := w.svc.OpenVote(ctx, 6, governance.MemberVote{Body: "member-council", Decision: d.ID, Question: "Move?", Options: []string{"For", "Against"},
				Opens: w.now, Closes: w.now.Add(7 * 24 * time.Hour)})
			must(t, "open", err)
			_, err = w.svc.Route(ctx, 6, d.ID, "member-council", 0, v.ID)
			must(t, "route", err)
			for p, c := range map[string]governance.Choice{"A1": 1, "B2": 0, "C3": 0, "D4": 0} {
				must(t, "cast "+p, w.svc.CastVote(ctx, governance.CastRequest{Vote: v.ID, Practice: p, Person: personFor(p), Choice: c}))
			}
			err = w.svc.CastVote(ctx, governance.CastRequest{Vote: v.ID, Practice: "A1", Person: 101, Choice: 0})
			wantErr(t, "second vote", err, errs.ErrConflict)
			err = w.svc.CastVote(ctx, governance.CastRequest{Vote: v.ID, Practice: "B2", Person: 101, Choice: 0})
			if !errors.Is(err, errs.ErrForbidden) && !errors.Is(err, errs.ErrConflict) {
				t.Fatalf("not entitled: %v", err)
			}
			_, turnout, res, err := w.svc.VoteStatus(ctx, v.ID)
			must(t, "status", err)
			if turnout.Voted != 4 || res.Visible {
				t.Fatalf("live: %+v %+v", turnout, res)
			}
			w.now = v.Closes
			d, err = w.svc.DecideByMemberVote(ctx, 6, d.ID, "as voted", "put to every practice")
			must(t, "decide", err)
			if d.Outcome != tc.outcome {
				t.Fatalf("outcome %s, want %s (%+v)", d.Outcome, tc.outcome, d.Vote)
			}
		})
	}
}

// newGovWorldOnce adopts the constitution on a store the first time, and a
// changed version (the member council's practice vote) after that.
func newGovWorldOnce(t *testing.T, s governance.Store, weighted bool) *govWorld {
	t.Helper()
	if _, err := s.Constitution(context.Background(), 0); errors.Is(err, errs.ErrNotFound) {
		return newGovWorld(t, s, weighted)
	}
	w := &govWorld{audit: &govAudit{}, now: time.Date(2021, 3, 1, 10, 0, 0, 0, time.UTC)}
	roster := govRoster{{Practice: "A1", ListSize: 10000}, {Practice: "B2", ListSize: 6000}, {Practice: "C3", ListSize: 3000}, {Practice: "D4", ListSize: 1000}}
	w.svc = governance.NewService(s, w.audit, govEntitled{101: "A1", 102: "B2", 103: "C3", 104: "D4"}, roster).
		WithClock(func() time.Time { return w.now })
	c, err := s.Constitution(context.Background(), 0)
	must(t, "current", err)
	for i := range c.Bodies {
		if c.Bodies[i].ID == "member-council" {
			c.Bodies[i].Voting.PracticeVote = governance.OnePracticeOneVote
			if weighted {
				c.Bodies[i].Voting.PracticeVote = governance.WeightedByListSize
			}
		}
	}
	c.Version = governance.Version{Summary: "Weighted member votes"}
	_, err = w.svc.AdoptConstitution(context.Background(), 6, c)
	must(t, "adopt", err)
	return w
}

func personFor(practice string) governance.PersonID {
	return map[string]governance.PersonID{"A1": 101, "B2": 102, "C3": 103, "D4": 104}[practice]
}

// govServiceAnonymous casts the same choices with different assignments to
// practices into anonymous votes on the real store and checks that what is
// stored cannot tell them apart.
func govServiceAnonymous(t *testing.T, s governance.Store) {
	ctx := context.Background()
	w := newGovWorld(t, s, false)
	var snaps []string
	for _, a := range []map[string]governance.Choice{
		{"A1": 0, "B2": 1, "C3": 0, "D4": governance.Abstain},
		{"A1": 1, "B2": 0, "C3": 0, "D4": governance.Abstain},
		{"A1": governance.Abstain, "B2": 0, "C3": 1, "D4": 0},
	} {
		v, err := w.svc.OpenVote(ctx, 6, governance.MemberVote{Body: "member-council", Question: "Q", Options: []string{"For", "Against"},
			Opens: w.now, Closes: w.now.Add(time.Hour), Anonymous: true})
		must(t, "open", err)
		*w.audit = nil
		for _, p := range []string{"D4", "A1", "C3", "B2"} {
			must(t, "cast", w.svc.CastVote(ctx, governance.CastRequest{Vote: v.ID, Practice: p, Person: personFor(p), Choice: a[p]}))
		}
		parts, _ := s.Participations(ctx, v.ID)
		for i := range parts {
			parts[i].Vote = 0
		}
		tot, _ := s.Totals(ctx, v.ID)
		bal, _ := s.Ballots(ctx, v.ID)
		audit := strings.ReplaceAll(strings.Join(*w.audit, "\n"), fmt.Sprintf("vote/%d", v.ID), "vote/N")
		b, _ := json.Marshal([]any{parts, tot, bal, audit})
		snaps = append(snaps, string(b))
	}
	for i := 1; i < len(snaps); i++ {
		if snaps[i] != snaps[0] {
			t.Fatalf("assignment %d is distinguishable:\n%s\n%s", i, snaps[0], snaps[i])
		}
	}
}
