package web

import (
	"context"
	"errors"
	"log/slog"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"ccg/internal/access"
	"ccg/internal/analytics/duckdb"
	"ccg/internal/calendar"
	"ccg/internal/engagement"
	"ccg/internal/errs"
	"ccg/internal/finance"
	"ccg/internal/governance"
	"ccg/internal/importing"
	"ccg/internal/mail"
	"ccg/internal/registry"
	"ccg/internal/store/sqlstore"
	"ccg/internal/variation"
)

// The web tests share one world: a server with every capability over one
// test store, the test adapters standing in for those internal/cli wires
// (which this package cannot import).

// regLocalities tells access which locality a practice is in, from the registry.
type regLocalities struct{ reg *registry.Service }

func (r regLocalities) LocalityOf(ctx context.Context, practice string) (string, error) {
	o, err := r.reg.ParentOn(ctx, practice, registry.RelInLocality, calendar.Today())
	if errors.Is(err, errs.ErrNotFound) {
		return "", nil
	}
	return o.Code, err
}

// testAudit writes a capability's changes to the access audit chain as the
// person the context carries, each action prefixed (governance's with
// "governance.", as the CLI does).
type testAudit struct {
	acc    *access.Service
	prefix string
}

func (a testAudit) Record(ctx context.Context, action, subject, detail string) error {
	return a.acc.Record(ctx, access.ActorFrom(ctx), a.prefix+action, subject, detail)
}

// testEntitlement lets practice members act for their own practices.
type testEntitlement struct{ st *sqlstore.Store }

func (e testEntitlement) MayActFor(ctx context.Context, person governance.PersonID, practice string, _ time.Time) (bool, error) {
	p, err := e.st.Person(ctx, person)
	if err != nil {
		return false, nil
	}
	return slices.Contains(p.Roles, access.RolePracticeMember) && slices.Contains(p.Practices, practice), nil
}

// testRoster is a fixed body of practices.
type testRoster []governance.Entitled

func (r testRoster) Practices(context.Context, governance.Body, calendar.Date) ([]governance.Entitled, error) {
	return r, nil
}

// testDecisions looks engagement's decisions up in governance.
type testDecisions struct{ gov *governance.Service }

func (x testDecisions) DecisionRef(ctx context.Context, id engagement.DecisionID) (engagement.DecisionRef, error) {
	d, err := x.gov.Decision(ctx, id)
	if err != nil {
		return engagement.DecisionRef{}, err
	}
	return engagement.DecisionRef{ID: d.ID, Title: d.Title, Status: string(d.Status)}, nil
}

// accessWorld is a server with every capability and one signed-in person
// per role, all at practice A1 in locality L1 (B1 in L2 is "another
// practice") and all sitting on the governing body (the remuneration
// committee is "another body"). Governance holds the records of
// seedGovernance, named in ids.
type accessWorld struct {
	srv     *Server
	acc     *access.Service
	store   *sqlstore.Store
	gov     *governance.Service
	eng     *engagement.Service
	fin     *finance.Service
	vari    *variation.Service
	ids     map[string]int64
	people  map[access.Role]*access.Person
	session map[access.Role]string // session ID (cookie value)
	csrf    map[access.Role]string
	token   map[access.Role]string
}

const testPassword = "orchard-lantern-basket-7"

func newAccessWorld(t testing.TB, st *sqlstore.Store) *accessWorld {
	t.Helper()
	ctx := context.Background()
	if _, err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	reg := registry.NewService(st)
	for _, o := range []registry.Organisation{
		{Code: "A1", Name: "Own Practice", Kind: registry.KindPractice},
		{Code: "A2", Name: "Peer Practice", Kind: registry.KindPractice},
		{Code: "B1", Name: "Other Practice", Kind: registry.KindPractice},
		{Code: "L1", Name: "North", Kind: registry.KindLocality},
		{Code: "L2", Name: "South", Kind: registry.KindLocality},
	} {
		if _, err := st.UpsertOrganisation(ctx, o); err != nil {
			t.Fatal(err)
		}
	}
	for _, r := range [][2]string{{"A1", "L1"}, {"A2", "L1"}, {"B1", "L2"}} {
		if _, err := st.PutRelationship(ctx, registry.Relationship{Child: r[0], Parent: r[1], Kind: registry.RelInLocality, From: mustDate("2013-04-01")}); err != nil {
			t.Fatal(err)
		}
	}
	acc := access.NewService(st, regLocalities{reg})
	an, err := duckdb.Open(ctx, filepath.Join(t.TempDir(), "analytics.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { an.Close() })
	w := &accessWorld{acc: acc, store: st, ids: map[string]int64{}, people: map[access.Role]*access.Person{},
		session: map[access.Role]string{}, csrf: map[access.Role]string{}, token: map[access.Role]string{}}
	w.vari = variation.NewService(an, variation.NewRegistryPort(reg))
	w.gov = governance.NewService(st, testAudit{acc, "governance."}, testEntitlement{st},
		testRoster{{Practice: "A1", Name: "Own Practice", ListSize: 5000}, {Practice: "A2", Name: "Peer Practice", ListSize: 3000}})
	w.eng = engagement.NewService(st, testAudit{acc, ""}, testDecisions{w.gov})
	w.gov.SetPublishCheck(w.eng)
	w.fin = finance.NewService(st, finance.RegistryPopulation{Reg: reg}, nil, testAudit{acc, ""})
	w.srv, err = New(Deps{Registry: reg, Imports: importing.NewService(st, access.NewStaffImport(acc)), Access: acc,
		Variation: w.vari, Governance: w.gov, Engagement: w.eng, Finance: w.fin, Logger: slog.New(slog.DiscardHandler),
		Mail: mail.NewService(st, "https://ccg.example", "")})
	if err != nil {
		t.Fatal(err)
	}
	for _, role := range access.Roles {
		email := strings.ReplaceAll(string(role), "-", "") + "@test.nhs.uk"
		p, err := acc.AddPerson(ctx, access.System, access.NewPerson{Name: role.Label() + " Person", Email: email,
			Roles: []access.Role{role}, Practices: []string{"A1"}, Bodies: []string{"governing-body"}, Password: testPassword})
		if err != nil {
			t.Fatal(err)
		}
		w.people[role] = p
		id, sess, err := acc.StartSession(ctx, p, access.SessionMeta{Method: "test"})
		if err != nil {
			t.Fatal(err)
		}
		w.session[role], w.csrf[role] = id, sess.CSRF
		if w.token[role], _, err = acc.CreateToken(ctx, access.System, email, "test"); err != nil {
			t.Fatal(err)
		}
	}
	seedGovernance(t, w)
	return w
}

// seedGovernance adopts the default constitution with the world's people
// on the governing body, and records (named in w.ids):
//   - "public": a public governing-body meeting at which "published", a
//     decision with a conflicted member excluded, was taken and published;
//   - "private": a private meeting of the remuneration committee;
//   - "private-gb": a private meeting of the governing body;
//   - "draft": a proposed decision, on no body's agenda yet;
//   - "on-agenda": a decision on the agenda of the governing body's private meeting;
//   - "vote": an open member vote.
func seedGovernance(t testing.TB, w *accessWorld) {
	t.Helper()
	ctx := context.Background()
	gov := w.gov
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	c, err := governance.DefaultConstitution()
	must(err)
	gp, officer := w.people[access.RoleGoverningBody], w.people[access.RoleGovSecretary]
	for i := range c.Bodies {
		if c.Bodies[i].ID == "governing-body" {
			c.Bodies[i].Members = nil
			for _, s := range governingBody {
				p := w.people[s.role]
				c.Bodies[i].Members = append(c.Bodies[i].Members, governance.Member{Seat: governance.Seat{Person: p.ID}, Name: p.Name, Role: s.as})
			}
		}
	}
	_, err = gov.AdoptConstitution(ctx, officer.ID, c)
	must(err)
	_, _, err = gov.DeclareInterest(ctx, gp.ID, governance.Interest{Person: gp.ID, Name: gp.Name, Kind: governance.InterestFinancial,
		Organisation: "Y01FED", Description: "=HYPERLINK(\"http://x\")", From: calendar.MustDate("2020-01-01")})
	must(err)
	d, err := gov.Propose(ctx, officer.ID, governance.Decision{Title: "Federation contract", Type: governance.ApproveContract, Value: 30_000_000, Organisations: []string{"Y01FED"}})
	must(err)
	w.ids["published"] = d.ID
	w.ids["public"] = w.decideInPublic(t, d.ID, "Federation contract", "Y01FED").ID
	_, err = gov.Publish(ctx, officer.ID, d.ID)
	must(err)
	for _, pm := range []struct {
		key   string
		body  governance.BodyID
		title string
	}{{"private", "remuneration-committee", "Remuneration committee"}, {"private-gb", "governing-body", "Governing body in private"}} {
		p, err := gov.CreateMeeting(ctx, officer.ID, governance.Meeting{Body: pm.body, Date: calendar.DateOf(time.Now().UTC()), Title: pm.title,
			Agenda: []governance.AgendaItem{{No: 1, Title: "Private item"}}})
		must(err)
		w.ids[pm.key] = p.ID
	}
	draft, err := gov.Propose(ctx, officer.ID, governance.Decision{Title: "Draft contract", Type: governance.ApproveContract, Value: 30_000_000})
	must(err)
	w.ids["draft"] = draft.ID
	onAgenda, err := gov.Propose(ctx, officer.ID, governance.Decision{Title: "Estates strategy", Type: governance.ApproveContract, Value: 30_000_000})
	must(err)
	_, err = gov.Route(ctx, officer.ID, onAgenda.ID, "governing-body", w.ids["private-gb"], 0)
	must(err)
	w.ids["on-agenda"] = onAgenda.ID
	v, err := gov.OpenVote(ctx, officer.ID, governance.MemberVote{Body: "member-council", Question: "Merge the back offices?", Options: []string{"For", "Against"},
		Opens: time.Now().Add(-time.Hour), Closes: time.Now().Add(48 * time.Hour)})
	must(err)
	w.ids["vote"] = v.ID
}

// governingBody are the seats of the world's governing body: two GPs, two
// lay members, a nurse and an officer (the governance secretary).
var governingBody = []struct {
	role access.Role
	as   governance.Role
}{
	{access.RoleGoverningBody, governance.RoleGP}, {access.RoleAdmin, governance.RoleGP},
	{access.RoleLocalityLead, governance.RoleLay}, {access.RoleAnalyst, governance.RoleLay},
	{access.RoleFinance, governance.RoleNurse}, {access.RoleGovSecretary, governance.RoleOfficer},
}

// decideInPublic takes decision id, about the organisations orgs, at a
// public meeting of the governing body held today with every member there:
// four for, one against (a member with a declared interest in orgs is
// excluded). It returns the meeting.
func (w *accessWorld) decideInPublic(t testing.TB, id int64, title string, orgs ...string) governance.Meeting {
	t.Helper()
	ctx := context.Background()
	officer := w.people[access.RoleGovSecretary].ID
	var att []governance.Attendee
	for _, s := range governingBody {
		p := w.people[s.role]
		att = append(att, governance.Attendee{Seat: governance.Seat{Person: p.ID}, Person: p.ID, Name: p.Name})
	}
	m, err := w.gov.CreateMeeting(ctx, officer, governance.Meeting{Body: "governing-body", Date: calendar.DateOf(time.Now().UTC()), Title: "Governing body",
		Public: true, Attendance: att, Agenda: []governance.AgendaItem{{No: 1, Title: title, Decision: id, Organisations: orgs}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.gov.Route(ctx, officer, id, "governing-body", m.ID, 0); err != nil {
		t.Fatal(err)
	}
	if _, _, err := w.gov.DecideAtMeeting(ctx, officer, id, governance.MeetingVote{Item: 1, Vote: governance.VoteCount{For: 4, Against: 1},
		Rationale: "value", MemberViews: "asked"}); err != nil {
		t.Fatal(err)
	}
	return m
}
