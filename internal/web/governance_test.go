package web

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"ccg/internal/access"
	"ccg/internal/calendar"
	"ccg/internal/governance"
	"ccg/internal/store/sqlstore"
)

// govTestEntitlement lets practice members act for their own practices.
type govTestEntitlement struct{ st *sqlstore.Store }

func (e govTestEntitlement) MayActFor(ctx context.Context, person governance.PersonID, practice string, _ time.Time) (bool, error) {
	p, err := e.st.Person(ctx, person)
	if err != nil {
		return false, nil
	}
	return slices.Contains(p.Roles, access.RolePracticeMember) && slices.Contains(p.Practices, practice), nil
}

type govTestRoster []governance.Entitled

func (r govTestRoster) Practices(context.Context, governance.Body, calendar.Date) ([]governance.Entitled, error) {
	return r, nil
}

type govTestAudit struct{ acc *access.Service }

func (a govTestAudit) Record(ctx context.Context, action, subject, detail string) error {
	return a.acc.Record(ctx, access.ActorFrom(ctx), "governance."+action, subject, detail)
}

// TestGovernancePages runs the governance pages over the real store on each
// engine: what the public, members and the governance secretary may see and
// do, with the CSRF-protected forms.
func TestGovernancePages(t *testing.T) {
	for name, open := range storeEngines(t) {
		t.Run(name, func(t *testing.T) {
			st := open(t)
			w := newAccessWorld(t, st)
			ctx := context.Background()
			gov := governance.NewService(st, govTestAudit{w.acc}, govTestEntitlement{st},
				govTestRoster{{Practice: "A1", Name: "Own Practice", ListSize: 5000}, {Practice: "A2", Name: "Peer Practice", ListSize: 3000}})
			srv, err := New(Deps{Registry: w.srv.deps.Registry, Imports: w.srv.deps.Imports, Access: w.acc, Governance: gov, Logger: w.srv.deps.Logger})
			if err != nil {
				t.Fatal(err)
			}
			ids := map[string]int64{}
			seedGovernancePages(t, ctx, gov, w, ids)

			for _, tc := range []struct {
				name   string
				role   access.Role // RolePublic: nobody signed in
				method string
				path   string
				form   url.Values
				status int    // 0: denied (401, 403 or a redirect to sign in)
				want   string // in the body
			}{
				{"home, public", access.RolePublic, "GET", "/governance", nil, 200, "Governing body"},
				{"scheme answers who decides", access.RolePublic, "GET", "/governance/scheme?type=vary-budget&value=2000000", nil, 200, "Member council"},
				{"decisions API, public", access.RolePublic, "GET", "/api/v1/decisions", nil, 200, "Federation contract"},
				{"interests API, public", access.RolePublic, "GET", "/api/v1/interests", nil, 200, "Y01FED"},
				{"interests CSV neutralises formulas", access.RolePublic, "GET", "/governance/interests.csv", nil, 200, "'=HYPERLINK"},
				{"public meeting", access.RolePublic, "GET", fmt.Sprintf("/governance/meetings/%d", ids["public"]), nil, 200, "was excluded"},
				{"private meeting, public", access.RolePublic, "GET", fmt.Sprintf("/governance/meetings/%d", ids["private"]), nil, 0, ""},
				{"private meeting, analyst", access.RoleAnalyst, "GET", fmt.Sprintf("/governance/meetings/%d", ids["private"]), nil, 0, ""},
				{"private meeting, secretary", access.RoleGovSecretary, "GET", fmt.Sprintf("/governance/meetings/%d", ids["private"]), nil, 200, "Private item"},
				{"unpublished decision, public", access.RolePublic, "GET", fmt.Sprintf("/api/v1/decisions/%d", ids["draft"]), nil, 0, ""},
				{"open vote, public sees the question", access.RolePublic, "GET", fmt.Sprintf("/governance/votes/%d", ids["vote"]), nil, 200, "Merge the back offices?"},
				{"open vote results, public", access.RolePublic, "GET", fmt.Sprintf("/governance/votes/%d/results", ids["vote"]), nil, 0, ""},
				{"open vote results, secretary (hidden until close)", access.RoleGovSecretary, "GET", fmt.Sprintf("/api/v1/votes/%d/results", ids["vote"]), nil, 200, `"visible": false`},
				{"cast, public", access.RolePublic, "POST", fmt.Sprintf("/governance/votes/%d/cast", ids["vote"]), url.Values{"practice": {"A1"}, "choice": {"0"}}, 0, ""},
				{"cast, analyst not entitled", access.RoleAnalyst, "POST", fmt.Sprintf("/governance/votes/%d/cast", ids["vote"]), url.Values{"practice": {"A1"}, "choice": {"0"}}, 403, ""},
				{"cast, practice member", access.RolePracticeMember, "POST", fmt.Sprintf("/governance/votes/%d/cast", ids["vote"]), url.Values{"practice": {"A1"}, "choice": {"0"}}, 200, "has been recorded"},
				{"cast again", access.RolePracticeMember, "POST", fmt.Sprintf("/governance/votes/%d/cast", ids["vote"]), url.Values{"practice": {"A1"}, "choice": {"1"}}, 409, ""},
				{"turnout shows the vote", access.RolePublic, "GET", fmt.Sprintf("/governance/votes/%d", ids["vote"]), nil, 200, "1 of 2 practices have voted"},
				{"propose, analyst", access.RoleAnalyst, "POST", "/governance/decisions", url.Values{"title": {"X"}, "type": {"approve-contract"}, "value": {"1000"}}, 0, ""},
				{"propose, secretary", access.RoleGovSecretary, "POST", "/governance/decisions", url.Values{"title": {"New contract"}, "type": {"approve-contract"}, "value": {"1,200,000"}}, 200, "has been proposed"},
				{"route to the wrong body is refused", access.RoleGovSecretary, "POST", fmt.Sprintf("/governance/decisions/%d/route", ids["draft"]),
					url.Values{"body": {"quality-committee"}, "meeting": {"0"}}, 400, "Governing body"},
				{"consult, secretary", access.RoleGovSecretary, "POST", fmt.Sprintf("/governance/decisions/%d/consult", ids["draft"]),
					url.Values{"from": {"2026-01-01"}, "to": {"2026-02-01"}}, 200, "out for consultation"},
				{"open a vote, practice member", access.RolePracticeMember, "POST", "/governance/votes",
					url.Values{"body": {"member-council"}, "question": {"Q?"}, "options": {"Yes\nNo"}, "closes": {"2099-01-01"}}, 0, ""},
				{"open a vote, secretary", access.RoleGovSecretary, "POST", "/governance/votes",
					url.Values{"body": {"member-council"}, "question": {"Extend the hours?"}, "options": {"Yes\r\nNo"}, "closes": {"2099-01-01"}, "anonymous": {"1"}}, 200, "2 practices may vote"},
				{"outcome before the close", access.RoleGovSecretary, "POST", fmt.Sprintf("/governance/votes/%d/outcome", ids["vote"]),
					url.Values{"statement": {"s"}, "reasons": {"r"}, "review": {"2099-01-01"}}, 409, ""},
				{"declare an interest, secretary, late", access.RoleGovSecretary, "POST", "/governance/interests",
					url.Values{"email": {"governingbodymember@test.nhs.uk"}, "kind": {"indirect"}, "organisation": {"RXX"}, "from": {"2020-01-01"}, "description": {"spouse works there"}}, 200, "declared late"},
				{"declare an interest, unknown person", access.RoleGovSecretary, "POST", "/governance/interests",
					url.Values{"email": {"nobody@test.nhs.uk"}, "kind": {"indirect"}, "organisation": {"RXX"}, "from": {"2020-01-01"}}, 400, ""},
				{"declare an interest, member", access.RolePracticeMember, "POST", "/governance/interests",
					url.Values{"email": {"practicemember@test.nhs.uk"}, "kind": {"indirect"}, "organisation": {"RXX"}, "from": {"2020-01-01"}}, 0, ""},
				{"record hospitality needing approval", access.RoleGovSecretary, "POST", "/governance/gifts",
					url.Values{"email": {"governingbodymember@test.nhs.uk"}, "kind": {"hospitality"}, "from": {"Pharma"}, "supplier": {"1"}, "value": {"80"}, "offered": {"2024-01-01"}}, 200, "approval"},
				{"assurance, public", access.RolePublic, "GET", "/governance/assurance.csv", nil, 0, ""},
				{"assurance CSV, secretary", access.RoleGovSecretary, "GET", fmt.Sprintf("/governance/assurance.csv?year=%d", fyNow()), nil, 200, "governing-body"},
				{"Atom feed", access.RolePublic, "GET", "/governance/decisions.atom", nil, 200, "<feed"},
			} {
				t.Run(tc.name, func(t *testing.T) {
					var body *strings.Reader
					if tc.form != nil {
						body = strings.NewReader(tc.form.Encode())
					} else {
						body = strings.NewReader("")
					}
					req := httptest.NewRequest(tc.method, tc.path, body)
					if tc.form != nil {
						req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
					}
					if tc.role != access.RolePublic {
						req.AddCookie(&http.Cookie{Name: sessionCookie, Value: w.session[tc.role]})
						req.Header.Set(csrfHeader, w.csrf[tc.role])
					} else if tc.method == "POST" {
						req.AddCookie(&http.Cookie{Name: csrfCookie, Value: strings.Repeat("c", 43)})
						req.Header.Set(csrfHeader, strings.Repeat("c", 43))
					}
					rec := httptest.NewRecorder()
					srv.Handler().ServeHTTP(rec, req)
					denied := rec.Code == http.StatusUnauthorized || rec.Code == http.StatusForbidden ||
						(rec.Code == http.StatusSeeOther && strings.HasPrefix(rec.Header().Get("Location"), "/login"))
					switch {
					case tc.status == 0 && !denied:
						t.Fatalf("status %d, want denied:\n%s", rec.Code, govClip(rec.Body.String()))
					case tc.status != 0 && rec.Code != tc.status:
						t.Fatalf("status %d, want %d:\n%s", rec.Code, tc.status, govClip(rec.Body.String()))
					}
					if tc.want != "" && !strings.Contains(rec.Body.String(), tc.want) {
						t.Fatalf("%q not in:\n%s", tc.want, govClip(rec.Body.String()))
					}
				})
			}
			entries, err := st.AuditEntries(ctx, 0, 10000)
			if err == nil {
				var all strings.Builder
				for _, e := range entries {
					all.WriteString(e.Event + " " + e.Detail + "\n")
				}
				if !strings.Contains(all.String(), "governance.vote.cast") || strings.Contains(all.String(), "choice") {
					t.Errorf("audit of the cast vote:\n%s", all.String())
				}
			}
		})
	}
}

// fyNow is the year the current financial year starts in.
func fyNow() int {
	now := time.Now().UTC()
	if now.Month() < time.April {
		return now.Year() - 1
	}
	return now.Year()
}

func govClip(s string) string {
	if len(s) > 2000 {
		return s[:2000] + "…"
	}
	return s
}

// seedGovernancePages adopts the default constitution with the test world's
// people on the governing body, and records a published decision taken at a
// public meeting with a conflicted member excluded, a private meeting, a
// draft decision and an open member vote.
func seedGovernancePages(t *testing.T, ctx context.Context, gov *governance.Service, w *accessWorld, ids map[string]int64) {
	t.Helper()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	c, err := governance.DefaultConstitution()
	must(err)
	gp, lay, lay2 := w.people[access.RoleGoverningBody], w.people[access.RoleLocalityLead], w.people[access.RoleAnalyst]
	nurse, officer, gp2 := w.people[access.RoleFinance], w.people[access.RoleGovSecretary], w.people[access.RoleAdmin]
	member := func(p *access.Person, r governance.Role) governance.Member {
		return governance.Member{Seat: governance.Seat{Person: p.ID}, Name: p.Name, Role: r}
	}
	for i := range c.Bodies {
		if c.Bodies[i].ID == "governing-body" {
			c.Bodies[i].Members = []governance.Member{member(gp, governance.RoleGP), member(gp2, governance.RoleGP), member(lay, governance.RoleLay),
				member(lay2, governance.RoleLay), member(nurse, governance.RoleNurse), member(officer, governance.RoleOfficer)}
		}
	}
	_, err = gov.AdoptConstitution(ctx, officer.ID, c)
	must(err)
	_, _, err = gov.DeclareInterest(ctx, gp.ID, governance.Interest{Person: gp.ID, Name: gp.Name, Kind: governance.InterestFinancial,
		Organisation: "Y01FED", Description: "=HYPERLINK(\"http://x\")", From: calendar.MustDate("2020-01-01")})
	must(err)
	d, err := gov.Propose(ctx, officer.ID, governance.Decision{Title: "Federation contract", Type: governance.ApproveContract, Value: 30_000_000, Organisations: []string{"Y01FED"}})
	must(err)
	var att []governance.Attendee
	for _, p := range []*access.Person{gp, gp2, lay, lay2, nurse, officer} {
		att = append(att, governance.Attendee{Seat: governance.Seat{Person: p.ID}, Person: p.ID, Name: p.Name})
	}
	today := calendar.DateOf(time.Now().UTC())
	m, err := gov.CreateMeeting(ctx, officer.ID, governance.Meeting{Body: "governing-body", Date: today, Title: "Governing body", Public: true, Attendance: att,
		Agenda: []governance.AgendaItem{{No: 1, Title: "Federation contract", Decision: d.ID, Organisations: []string{"Y01FED"}}}})
	must(err)
	ids["public"] = m.ID
	_, err = gov.Route(ctx, officer.ID, d.ID, "governing-body", m.ID, 0)
	must(err)
	_, _, err = gov.DecideAtMeeting(ctx, officer.ID, d.ID, governance.MeetingVote{Item: 1, Vote: governance.VoteCount{For: 4, Against: 1}, Rationale: "value", MemberViews: "asked"})
	must(err)
	_, err = gov.Publish(ctx, officer.ID, d.ID)
	must(err)
	p, err := gov.CreateMeeting(ctx, officer.ID, governance.Meeting{Body: "remuneration-committee", Date: today, Title: "Remuneration committee",
		Agenda: []governance.AgendaItem{{No: 1, Title: "Private item"}}})
	must(err)
	ids["private"] = p.ID
	draft, err := gov.Propose(ctx, officer.ID, governance.Decision{Title: "Draft contract", Type: governance.ApproveContract, Value: 30_000_000})
	must(err)
	ids["draft"] = draft.ID
	v, err := gov.OpenVote(ctx, officer.ID, governance.MemberVote{Body: "member-council", Question: "Merge the back offices?", Options: []string{"For", "Against"},
		Opens: time.Now().Add(-time.Hour), Closes: time.Now().Add(48 * time.Hour)})
	must(err)
	ids["vote"] = v.ID
}
