package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"ccg/internal/access"
	"ccg/internal/calendar"
	"ccg/internal/demo"
	"ccg/internal/errs"
	"ccg/internal/governance"
)

// The demo's GP federation, the organisation the conflicted GP has an
// interest in.
const (
	demoFederation     = "Y0FED1"
	demoFederationName = "Demo GP Federation"
)

// seedDemoGovernance adds what the demo's governance pages show that is not imported
// from files (it runs after every import and the demo accounts): a
// constitution in two versions, members of the governing body and
// committees, registers of interests and gifts, a year of meetings and
// decisions (one decided by a member vote, one where a conflicted GP was
// excluded, one refused because it was routed to the wrong body, one
// inquorate), and an open locality vote the demo member can cast. It does
// nothing when a constitution is already stored (the demo run again).
func seedDemoGovernance(ctx context.Context, e *env, a *app, w *demo.World) error {
	if a.governance == nil || len(w.Accounts) == 0 {
		return nil
	}
	if _, err := a.governance.Constitution(ctx, 0); err == nil {
		return nil
	} else if !errors.Is(err, errs.ErrNotFound) {
		return fmt.Errorf("demo governance: %w", err)
	}
	g := &govSeed{a: a, w: w, now: time.Now().UTC().Truncate(time.Hour)}
	g.start = g.now.AddDate(-1, 0, 0)
	g.clock = g.start
	g.svc = a.governance.WithClock(func() time.Time { return g.clock })
	if err := g.run(ctx); err != nil {
		return fmt.Errorf("demo governance: %w", err)
	}
	return nil
}

// demoGovernanceSummary counts the governance records once every part of
// the demo has been seeded (consultations add decisions of their own), so
// that the numbers match the registers.
func demoGovernanceSummary(ctx context.Context, w io.Writer, a *app, world *demo.World) error {
	ms, err := a.governance.Meetings(ctx, "", calendar.Date{}, calendar.Date{})
	if err != nil {
		return fmt.Errorf("demo governance: %w", err)
	}
	ds, err := a.governance.Decisions(ctx, governance.DecisionFilter{})
	if err != nil {
		return fmt.Errorf("demo governance: %w", err)
	}
	vs, err := a.governance.Votes(ctx, "")
	if err != nil {
		return fmt.Errorf("demo governance: %w", err)
	}
	open, voter := 0, ""
	now := time.Now()
	for _, v := range vs {
		if v.OpenAt(now) {
			open++
		}
	}
	for _, acct := range world.Accounts {
		if acct.Role == string(access.RolePracticeMember) {
			voter = acct.Email
		}
	}
	fmt.Fprintf(w, "Governance: constitution in 2 versions, %d meetings, %d decisions, %d member votes (%d open; %s may vote at /governance)\n",
		len(ms), len(ds), len(vs), open, voter)
	return nil
}

// govSeed is the state of seeding the demo's governance records.
type govSeed struct {
	a            *app
	w            *demo.World
	svc          *governance.Service
	now, start   time.Time
	clock        time.Time
	people       map[string]access.Person // by email
	secretary    int64
	lead         int64
	governor     int64
	member       access.Person
	memberPrac   string
	memberLocal  string
	staffFor     map[string]int64 // practice -> a practice member entitled to vote for it
	localityBody governance.BodyID
}

func (g *govSeed) day(offset int) calendar.Date {
	return calendar.DateOf(g.start.AddDate(0, 0, offset))
}

// at sets the clock to start + offset days, 10:00.
func (g *govSeed) at(offset int) {
	d := g.start.AddDate(0, 0, offset)
	g.clock = time.Date(d.Year(), d.Month(), d.Day(), 10, 0, 0, 0, time.UTC)
}

func (g *govSeed) run(ctx context.Context) error {
	if err := g.loadPeople(ctx); err != nil {
		return err
	}
	sec := g.people["secretary@demo.ccg.example"]
	ctx = access.WithActor(ctx, &sec)
	steps := []func(context.Context) error{g.constitution, g.registers, g.conflictedContract, g.wrongBody, g.memberVote, g.inquorate, g.routineMeetings, g.openVote}
	for _, step := range steps {
		if err := step(ctx); err != nil {
			return err
		}
	}
	return nil
}

// loadPeople finds the demo accounts and practice staff, adds the lay and
// clinical members of the governing body, and records which bodies the
// governor and the locality lead sit on.
func (g *govSeed) loadPeople(ctx context.Context) error {
	st := g.a.sql
	extra := []access.Person{
		{Name: "Lesley Lay", Email: "lay.governance@demo.ccg.example"},
		{Name: "Patrick Public", Email: "lay.ppi@demo.ccg.example"},
		{Name: "Nia Nurse", Email: "nurse@demo.ccg.example"},
		{Name: "Dr Sam Specialist", Email: "secondary@demo.ccg.example"},
	}
	for _, p := range extra {
		p.Roles, p.Bodies, p.Created = []access.Role{access.RoleGoverningBody}, []string{"governing-body"}, g.now
		if _, err := st.CreatePerson(ctx, p); err != nil && !errors.Is(err, errs.ErrConflict) {
			return err
		}
	}
	all, err := st.People(ctx)
	if err != nil {
		return err
	}
	g.people = map[string]access.Person{}
	g.staffFor = map[string]int64{}
	slices.SortFunc(all, func(p, q access.Person) int { return int(p.ID - q.ID) })
	for _, p := range all {
		g.people[p.Email] = p
		if slices.Contains(p.Roles, access.RolePracticeMember) && strings.HasSuffix(p.Email, ".demo.ccg.example") {
			for _, pr := range p.Practices {
				if _, ok := g.staffFor[pr]; !ok {
					g.staffFor[pr] = p.ID
				}
			}
		}
	}
	need := func(email string) (access.Person, error) {
		p, ok := g.people[email]
		if !ok {
			return access.Person{}, fmt.Errorf("no demo account %s: %w", email, errs.ErrNotFound)
		}
		return p, nil
	}
	gov, err := need("governor@demo.ccg.example")
	if err != nil {
		return err
	}
	lead, err := need("lead@demo.ccg.example")
	if err != nil {
		return err
	}
	sec, err := need("secretary@demo.ccg.example")
	if err != nil {
		return err
	}
	if g.member, err = need("member@demo.ccg.example"); err != nil {
		return err
	}
	g.governor, g.lead, g.secretary = gov.ID, lead.ID, sec.ID
	if len(g.member.Practices) > 0 {
		g.memberPrac = g.member.Practices[0]
	}
	for _, p := range g.w.Practices {
		if p.Code == g.memberPrac {
			g.memberLocal = p.LocalityOn(calendar.DateOf(g.now))
			if g.memberLocal == "" {
				g.memberLocal = p.Locality
			}
		}
	}
	for _, u := range []struct {
		p      access.Person
		bodies []string
	}{
		{gov, []string{"governing-body", "quality-committee", "member-council"}},
		{lead, []string{"governing-body", "primary-care-commissioning-committee"}},
	} {
		u.p.Bodies = u.bodies
		if err := st.UpdatePerson(ctx, u.p); err != nil {
			return err
		}
	}
	return nil
}

func (g *govSeed) id(email string) int64 { return g.people[email].ID }

func seat(id int64, name string, role governance.Role, from calendar.Date) governance.Member {
	return governance.Member{Seat: governance.Seat{Person: id}, Name: name, Role: role, From: from}
}

// constitution adopts version 1 (at the merger) and version 2 (a year ago).
func (g *govSeed) constitution(ctx context.Context) error {
	c, err := governance.DefaultConstitution()
	if err != nil {
		return err
	}
	name := g.w.MergedCCG
	for _, cc := range g.w.CCGs {
		if cc.Code == g.w.MergedCCG {
			name = cc.Name
		}
	}
	c.CCG, c.Name = g.w.MergedCCG, "Constitution of "+name
	c.Version = governance.Version{Number: 1, Adopted: g.w.MergerDate, Summary: "The constitution adopted when the CCGs merged."}
	from := g.w.MergerDate
	gb := []governance.Member{
		seat(g.governor, g.people["governor@demo.ccg.example"].Name, governance.RoleGP, from),
		seat(g.lead, g.people["lead@demo.ccg.example"].Name, governance.RoleGP, from),
		seat(g.id("lay.governance@demo.ccg.example"), "Lesley Lay", governance.RoleLay, from),
		seat(g.id("lay.ppi@demo.ccg.example"), "Patrick Public", governance.RoleLay, from),
		seat(g.id("nurse@demo.ccg.example"), "Nia Nurse", governance.RoleNurse, from),
		seat(g.id("secondary@demo.ccg.example"), "Dr Sam Specialist", governance.RoleSecondaryDoc, from),
		seat(g.secretary, g.people["secretary@demo.ccg.example"].Name, governance.RoleOfficer, from),
	}
	var bodies []governance.Body
	for _, b := range c.Bodies {
		switch b.ID {
		case "governing-body":
			b.Members = gb
		case "quality-committee":
			b.Members = []governance.Member{gb[0], gb[4], gb[5], gb[2]}
		case "audit-committee", "remuneration-committee":
			b.Members = []governance.Member{gb[2], gb[3], gb[6]}
		case "primary-care-commissioning-committee":
			b.Members = []governance.Member{gb[2], gb[3], gb[6], gb[1], gb[4]}
		case "primary-care-commissioning-panel":
			b.Members = []governance.Member{gb[2], gb[3], gb[4], gb[5]}
		}
		if b.Kind == governance.KindLocalityGroup {
			continue
		}
		bodies = append(bodies, b)
	}
	// One locality group per demo locality, in place of the defaults.
	tmpl, _ := c.Body("locality-north")
	for _, l := range g.w.Localities {
		b := tmpl
		b.ID = governance.BodyID("locality-" + strings.ToLower(strings.ReplaceAll(l.Name, " ", "-")))
		b.Name, b.Locality = l.Name+" locality group", l.Code
		b.Purpose = fmt.Sprintf("The practices of the %s locality: shape local services and decide small local schemes.", l.Name)
		if l.Code == g.memberLocal {
			g.localityBody = b.ID
		}
		bodies = append(bodies, b)
	}
	c.Bodies = bodies
	if _, err := g.svc.AdoptConstitution(ctx, g.secretary, c); err != nil {
		return err
	}
	// Version 2: the quality committee needs a lay member present.
	for i := range c.Bodies {
		if c.Bodies[i].ID == "quality-committee" {
			c.Bodies[i].Quorum.MinCount = 3
			c.Bodies[i].Quorum.Composition = append(c.Bodies[i].Quorum.Composition, governance.RoleMin{Role: governance.RoleLay, Min: 1})
		}
	}
	c.Version = governance.Version{Adopted: g.day(-20), Summary: "The quality committee's quorum now needs a lay member, as the member council asked."}
	g.at(-20)
	_, err = g.svc.AdoptConstitution(ctx, g.secretary, c)
	return err
}

// registers declares interests, gifts and hospitality, a procurement
// decision and a breach.
func (g *govSeed) registers(ctx context.Context) error {
	g.at(5)
	lead := g.people["lead@demo.ccg.example"]
	gov := g.people["governor@demo.ccg.example"]
	interests := []governance.Interest{
		{Person: lead.ID, Name: lead.Name, Kind: governance.InterestFinancial, Organisation: demoFederation, OrganisationName: demoFederationName,
			Description: "Partner in a member practice that holds shares in the GP federation", From: g.w.MergerDate, Declared: g.w.MergerDate.AddDays(10),
			Managed: "Excluded from decisions about contracts the federation bids for"},
		{Person: gov.ID, Name: gov.Name, Kind: governance.InterestProfessional, Organisation: "RCGP", OrganisationName: "Royal College of General Practitioners",
			Description: "Faculty board member", From: g.day(-400), Declared: g.day(-390)},
		{Person: g.id("lay.ppi@demo.ccg.example"), Name: "Patrick Public", Kind: governance.InterestIndirect, Organisation: "HWDEMO", OrganisationName: "Healthwatch Demo",
			Description: "Spouse is a trustee", From: g.day(-700), To: g.day(-60), Declared: g.day(-690)},
	}
	for _, i := range interests {
		if _, _, err := g.svc.DeclareInterest(ctx, i.Person, i); err != nil {
			return err
		}
	}
	gifts := []governance.Gift{
		{Person: gov.ID, Name: gov.Name, Kind: governance.KindHospitality, From: "Pharma Example Ltd", FromSupplier: true, Description: "Dinner at an education evening", Value: 4500, Offered: g.day(30)},
		{Person: g.lead, Name: lead.Name, Kind: governance.KindGift, From: "Medical Supplies Co", FromSupplier: true, Description: "Branded pens and a notebook", Value: 1200, Offered: g.day(70), Declined: true},
	}
	for _, gf := range gifts {
		g.at(int(gf.Offered.Time().Sub(g.start).Hours()/24) + 3)
		if _, _, err := g.svc.DeclareGift(ctx, gf.Person, gf); err != nil {
			return err
		}
	}
	for _, p := range []governance.PersonID{g.governor, g.lead, g.secretary} {
		if err := g.svc.ConfirmRegister(ctx, p, g.day(10)); err != nil {
			return err
		}
	}
	g.at(200)
	_, err := g.svc.RecordBreach(ctx, g.secretary, governance.Breach{Occurred: g.day(150), Reported: g.day(160),
		Description: "A committee member declared a new directorship 40 days after it began, beyond the 28 days allowed.",
		Action:      "The interest was added to the register and the member reminded of the rules.", Lessons: "Declarations are now prompted at every meeting.",
		Published: g.day(200)})
	return err
}

func (g *govSeed) gbAttendance(ids ...int64) []governance.Attendee {
	var out []governance.Attendee
	for _, id := range ids {
		for _, p := range g.people {
			if p.ID == id {
				out = append(out, governance.Attendee{Seat: governance.Seat{Person: id}, Person: id, Name: p.Name})
			}
		}
	}
	return out
}

// conflictedContract: the governing body awards the extended access
// contract to the GP federation; the locality lead, a partner in it, is
// excluded from the item and its quorum.
func (g *govSeed) conflictedContract(ctx context.Context) error {
	g.at(40)
	d, err := g.svc.Propose(ctx, g.secretary, governance.Decision{Title: "Extended access contract: evening and weekend appointments",
		Summary: "Award a three-year contract for extended access across the CCG.", Type: governance.ApproveContract, Value: 120_000_000,
		Organisations: []string{demoFederation}})
	if err != nil {
		return err
	}
	if _, err := g.svc.StartConsultation(ctx, g.secretary, d.ID, g.day(40), g.day(68)); err != nil {
		return err
	}
	g.at(70)
	gbIDs := []int64{g.governor, g.lead, g.id("lay.governance@demo.ccg.example"), g.id("lay.ppi@demo.ccg.example"),
		g.id("nurse@demo.ccg.example"), g.id("secondary@demo.ccg.example"), g.secretary}
	m, err := g.svc.CreateMeeting(ctx, g.secretary, governance.Meeting{Body: "governing-body", Date: g.day(75), Title: "Governing body meeting in public",
		Location: "CCG headquarters, Board room", Public: true, Attendance: g.gbAttendance(gbIDs...),
		Agenda: []governance.AgendaItem{
			{No: 1, Title: "Apologies and declarations of interest"},
			{No: 2, Title: "Extended access contract", Decision: d.ID, Organisations: []string{demoFederation},
				Papers: []governance.Paper{{Title: "Extended access procurement: evaluation report", Ref: "GB/75/02"}}},
			{No: 3, Title: "Finance report", Papers: []governance.Paper{{Title: "Month 4 finance report", Ref: "GB/75/03"}}},
		},
		Declarations: []governance.Declaration{{Person: g.lead, Name: g.people["lead@demo.ccg.example"].Name, Item: 2,
			Text: "Partner in a practice that holds shares in " + demoFederationName + "."}},
	})
	if err != nil {
		return err
	}
	if _, err := g.svc.Route(ctx, g.secretary, d.ID, "governing-body", m.ID, 0); err != nil {
		return err
	}
	g.at(75)
	if _, _, err := g.svc.DecideAtMeeting(ctx, g.secretary, d.ID, governance.MeetingVote{Item: 2, Vote: governance.VoteCount{For: 5, Against: 1},
		Rationale:   "The federation's bid scored highest on quality and value; the evaluation panel had no conflicted members.",
		MemberViews: "Every locality group asked for evening appointments; the contract requires them in each locality."}); err != nil {
		return err
	}
	m, err = g.svc.Meeting(ctx, m.ID)
	if err != nil {
		return err
	}
	m.Minutes = append([]governance.Minute{{Item: 1, Text: "Apologies: none. The locality lead declared an interest in item 2."}}, m.Minutes...)
	m.Minutes = append(m.Minutes, governance.Minute{Item: 3, Text: "The governing body noted the month 4 finance report."})
	m.Actions = []governance.Action{{Item: 2, Text: "Sign the contract and publish the award notice", Owner: g.secretary, Due: g.day(90), Done: g.day(85)}}
	if _, err := g.svc.UpdateMeeting(ctx, g.secretary, m); err != nil {
		return err
	}
	g.at(80)
	if _, err := g.svc.Publish(ctx, g.secretary, d.ID); err != nil {
		return err
	}
	_, err = g.svc.RecordProcurement(ctx, g.secretary, governance.ProcurementDecision{Decision: d.ID, Title: "Extended access contract",
		Service: "Extended access to general practice", Supplier: demoFederationName, Value: 120_000_000, Decided: g.day(75), Body: "governing-body",
		Participants: []governance.ProcurementParticipant{
			{Person: g.governor, Name: g.people["governor@demo.ccg.example"].Name, Role: "GP member", Declared: "none relevant"},
			{Person: g.lead, Name: g.people["lead@demo.ccg.example"].Name, Role: "GP member", Declared: "partner in a shareholder practice", Managed: "excluded from the item"},
		},
		HowManaged: "The conflicted GP left the room for the item and did not count towards the quorum."})
	return err
}

// wrongBody: a clinical policy routed to the governing body is refused (only
// the quality committee may adopt one), then decided by the committee.
func (g *govSeed) wrongBody(ctx context.Context) error {
	g.at(100)
	d, err := g.svc.Propose(ctx, g.secretary, governance.Decision{Title: "Adopt the wound care formulary",
		Summary: "A shared formulary of dressings for practices and community nurses.", Type: governance.AdoptClinicalPolicy, Value: 0})
	if err != nil {
		return err
	}
	gb, err := g.svc.CreateMeeting(ctx, g.secretary, governance.Meeting{Body: "governing-body", Date: g.day(110), Title: "Governing body meeting in public",
		Public: true, Attendance: g.gbAttendance(g.governor, g.lead, g.id("lay.governance@demo.ccg.example"), g.id("nurse@demo.ccg.example"), g.secretary),
		Agenda: []governance.AgendaItem{{No: 1, Title: "Performance report"}}, Minutes: []governance.Minute{{Item: 1, Text: "The governing body noted the report."}}})
	if err != nil {
		return err
	}
	if _, err := g.svc.Route(ctx, g.secretary, d.ID, "governing-body", gb.ID, 0); err == nil {
		return fmt.Errorf("routing a clinical policy to the governing body was not refused")
	}
	q, err := g.svc.CreateMeeting(ctx, g.secretary, governance.Meeting{Body: "quality-committee", Date: g.day(120), Title: "Quality committee",
		Public: true, Attendance: g.gbAttendance(g.governor, g.id("nurse@demo.ccg.example"), g.id("secondary@demo.ccg.example"), g.id("lay.governance@demo.ccg.example")),
		Agenda: []governance.AgendaItem{{No: 1, Title: "Wound care formulary", Decision: d.ID,
			Papers: []governance.Paper{{Title: "Wound care formulary, draft 3", Ref: "QC/120/01"}}}}})
	if err != nil {
		return err
	}
	if _, err := g.svc.Route(ctx, g.secretary, d.ID, "quality-committee", q.ID, 0); err != nil {
		return err
	}
	g.at(120)
	if _, _, err := g.svc.DecideAtMeeting(ctx, g.secretary, d.ID, governance.MeetingVote{Item: 1, Vote: governance.VoteCount{For: 4},
		Rationale: "Cheaper dressings of equal quality; one formulary across settings.", MemberViews: "Practice nurses were consulted through the locality groups."}); err != nil {
		return err
	}
	g.at(125)
	_, err = g.svc.Publish(ctx, g.secretary, d.ID)
	return err
}

// memberVote: moving £2m into community services is the member council's
// decision, taken by an online vote of the member practices.
func (g *govSeed) memberVote(ctx context.Context) error {
	g.at(150)
	d, err := g.svc.Propose(ctx, g.secretary, governance.Decision{Title: "Move £2m from hospital activity to community services",
		Summary: "Vary the budget to fund community musculoskeletal and diabetes services.", Type: governance.VaryBudget, Value: 200_000_000})
	if err != nil {
		return err
	}
	v, err := g.svc.OpenVote(ctx, g.secretary, governance.MemberVote{Body: "member-council", Decision: d.ID,
		Question: "Should the CCG move £2m from hospital activity to community services?", Options: []string{"For", "Against"},
		Opens: g.clock, Closes: g.clock.Add(14 * 24 * time.Hour)})
	if err != nil {
		return err
	}
	if _, err := g.svc.Route(ctx, g.secretary, d.ID, "member-council", 0, v.ID); err != nil {
		return err
	}
	g.castAll(ctx, v, map[int]governance.Choice{0: 1, 3: governance.Abstain, 5: 1}, 4)
	g.clock = v.Closes
	if _, err := g.svc.DecideByMemberVote(ctx, g.secretary, d.ID, "A majority of member practices voted for the change.",
		"Every member practice was entitled to vote; the locality groups discussed it first."); err != nil {
		return err
	}
	if _, err := g.svc.RecordOutcome(ctx, g.secretary, v.ID, governance.VoteOutcome{Statement: "The member council agreed to move £2m to community services.",
		Reasons: "Most practices want care closer to home; waiting times for musculoskeletal clinics are long.", ReviewDate: g.day(530)}); err != nil {
		return err
	}
	g.at(170)
	_, err = g.svc.Publish(ctx, g.secretary, d.ID)
	return err
}

// castAll casts the votes of the roster's practices with a staff member
// entitled for them: practice i chooses override[i] or 0, and every
// skip-th practice does not vote. The demo member's practice never votes.
func (g *govSeed) castAll(ctx context.Context, v governance.MemberVote, override map[int]governance.Choice, skip int) {
	for i, e := range v.Roster {
		if e.Practice == g.memberPrac || (skip > 0 && i%skip == skip-1) {
			continue
		}
		person, ok := g.staffFor[e.Practice]
		if !ok {
			continue
		}
		choice, ok := override[i%7]
		if !ok {
			choice = 0
		}
		g.clock = g.clock.Add(time.Hour)
		// A practice whose staff cannot vote (for example closed) is left out.
		_ = g.svc.CastVote(ctx, governance.CastRequest{Vote: v.ID, Practice: e.Practice, Person: person, Choice: choice})
	}
}

// inquorate: a primary care commissioning committee meeting with too few
// members present cannot decide; the item says why.
func (g *govSeed) inquorate(ctx context.Context) error {
	g.at(200)
	d, err := g.svc.Propose(ctx, g.secretary, governance.Decision{Title: "Practice premises improvement grant", Type: governance.ApproveContract, Value: 8_000_000})
	if err != nil {
		return err
	}
	m, err := g.svc.CreateMeeting(ctx, g.secretary, governance.Meeting{Body: "primary-care-commissioning-committee", Date: g.day(210),
		Title: "Primary care commissioning committee", Public: true, Attendance: g.gbAttendance(g.id("lay.governance@demo.ccg.example"), g.secretary),
		Apologies: []governance.Seat{{Person: g.id("lay.ppi@demo.ccg.example")}, {Person: g.id("nurse@demo.ccg.example")}},
		Agenda:    []governance.AgendaItem{{No: 1, Title: "Premises improvement grant", Decision: d.ID}}})
	if err != nil {
		return err
	}
	if _, err := g.svc.Route(ctx, g.secretary, d.ID, "primary-care-commissioning-committee", m.ID, 0); err != nil {
		return err
	}
	g.at(210)
	if _, _, err := g.svc.DecideAtMeeting(ctx, g.secretary, d.ID, governance.MeetingVote{Item: 1, Vote: governance.VoteCount{For: 2},
		Rationale: "r", MemberViews: "v"}); err == nil {
		return fmt.Errorf("an inquorate committee decided")
	}
	_, err = g.svc.Defer(ctx, g.secretary, d.ID, "The committee was inquorate; the item goes to its next meeting.")
	return err
}

// routineMeetings fills the year with the bodies' regular meetings:
// governing body and audit committee every quarter, the demo member's
// locality group every other month, each with papers, minutes and actions.
func (g *govSeed) routineMeetings(ctx context.Context) error {
	lay, lay2 := g.id("lay.governance@demo.ccg.example"), g.id("lay.ppi@demo.ccg.example")
	type plan struct {
		body   governance.BodyID
		title  string
		days   []int
		attend []int64
		public bool
		item   string
		minute string
		action string
	}
	plans := []plan{
		{body: "governing-body", title: "Governing body meeting in public", days: []int{165, 255, 345}, public: true,
			attend: []int64{g.governor, g.lead, lay, lay2, g.id("nurse@demo.ccg.example"), g.secretary},
			item:   "Integrated performance report", minute: "The governing body noted performance against the constitutional standards and asked for a recovery plan for diagnostics waits.",
			action: "Bring the diagnostics recovery plan to the next meeting"},
		{body: "audit-committee", title: "Audit committee", days: []int{30, 120, 210, 300}, public: false,
			attend: []int64{lay, lay2, g.secretary},
			item:   "Internal audit progress report", minute: "The committee received the internal audit progress report and the conflicts of interest audit, rated substantial assurance.",
			action: "Follow up the two open audit recommendations"},
	}
	if g.localityBody != "" {
		plans = append(plans, plan{body: g.localityBody, title: "Locality group meeting", days: []int{20, 80, 140, 200, 260, 320}, public: true,
			attend: []int64{g.lead, g.member.ID},
			item:   "Local services and the locality's prescribing", minute: "Practices discussed referral patterns and agreed to share a phlebotomy clinic rota.",
			action: "Draft the shared phlebotomy proposal for a locality vote"})
	}
	for _, p := range plans {
		for _, day := range p.days {
			g.at(day - 7)
			m := governance.Meeting{Body: p.body, Date: g.day(day), Title: p.title, Public: p.public, Attendance: g.gbAttendance(p.attend...),
				Agenda: []governance.AgendaItem{{No: 1, Title: "Apologies and declarations of interest"},
					{No: 2, Title: p.item, Papers: []governance.Paper{{Title: p.item, Ref: fmt.Sprintf("%s/%d/02", strings.ToUpper(string(p.body[:2])), day)}}}},
				Minutes: []governance.Minute{{Item: 1, Text: "No new interests were declared; members confirmed the register is up to date."}, {Item: 2, Text: p.minute}},
				Actions: []governance.Action{{Item: 2, Text: p.action, Owner: g.secretary, Due: g.day(day + 60)}}}
			if _, err := g.svc.CreateMeeting(ctx, g.secretary, m); err != nil {
				return fmt.Errorf("meeting of %s: %w", p.body, err)
			}
		}
	}
	return nil
}

// openVote opens a vote of the demo member's locality group, closing in
// two weeks, that the demo member can cast for their practice.
func (g *govSeed) openVote(ctx context.Context) error {
	if g.localityBody == "" {
		return nil
	}
	g.clock = g.now.Add(-48 * time.Hour)
	v, err := g.svc.OpenVote(ctx, g.secretary, governance.MemberVote{Body: g.localityBody,
		Question: "Should the locality run a shared phlebotomy clinic on Saturdays?", Options: []string{"For", "Against"},
		Opens: g.clock, Closes: g.now.Add(12 * 24 * time.Hour), Anonymous: true})
	if err != nil {
		return err
	}
	g.castAll(ctx, v, map[int]governance.Choice{1: 1}, 2)
	// The member council's next vote, in which a neighbouring practice has
	// appointed the demo member's practice as its proxy.
	mc, err := g.svc.OpenVote(ctx, g.secretary, governance.MemberVote{Body: "member-council",
		Question: "Should the CCG adopt the revised constitution?", Options: []string{"For", "Against"},
		Opens: g.clock, Closes: g.now.Add(20 * 24 * time.Hour)})
	if err != nil {
		return err
	}
	for _, e := range mc.Roster {
		if e.Practice == g.memberPrac {
			continue
		}
		if person, ok := g.staffFor[e.Practice]; ok {
			_, err := g.svc.AppointProxy(ctx, person, mc.ID, governance.Proxy{Practice: e.Practice, Holder: g.memberPrac})
			return err
		}
	}
	return nil
}
