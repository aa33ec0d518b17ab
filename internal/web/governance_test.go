package web

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"ccg/internal/access"
	"ccg/internal/calendar"
	"ccg/internal/engagement"
	"ccg/internal/governance"
)

// TestGovernancePages runs the governance pages over the real store on each
// engine: what the public, members and the governance secretary may see and
// do, with the CSRF-protected forms.
func TestGovernancePages(t *testing.T) {
	for name, open := range storeEngines(t) {
		t.Run(name, func(t *testing.T) {
			st := open(t)
			w := newAccessWorld(t, st)
			ctx := context.Background()
			srv, ids := w.srv, w.ids

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
				{"turnout shows the vote", access.RolePublic, "GET", fmt.Sprintf("/governance/votes/%d", ids["vote"]), nil, 200, "1 of 2 entitled practices have voted (50%)"},
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

// TestPublishNeedsYouSaidWeDid checks engagement's gate on governance's
// publish step through the secretary's pages, over the real store: a
// decision members were consulted on cannot be published while the
// consultation is open, nor after it closes until the record says "you
// said, we did"; the decision page says why next to the publish form, and
// a refused publication is a 400 with the reason. SQLite always,
// PostgreSQL when CCG_TEST_POSTGRES names a database.
func TestPublishNeedsYouSaidWeDid(t *testing.T) {
	for engine, open := range storeEngines(t) {
		t.Run(engine, func(t *testing.T) { publishNeedsYouSaidWeDid(t, newAccessWorld(t, open(t))) })
	}
}

func publishNeedsYouSaidWeDid(t *testing.T, w *accessWorld) {
	ctx := access.WithActor(context.Background(), access.System)
	officer := w.people[access.RoleGovSecretary]
	d, err := w.gov.Propose(ctx, officer.ID, governance.Decision{Title: "Community eye service", Type: governance.ApproveContract, Value: 30_000_000})
	if err != nil {
		t.Fatal(err)
	}
	today := calendar.Today()
	cons, err := w.eng.OpenConsultation(ctx, officer.ID, engagement.Consultation{Decision: d.ID, Question: "Should we commission it?",
		Proposal: "A community eye service", Opens: today, Closes: today.AddDays(14)})
	if err != nil {
		t.Fatal(err)
	}
	w.decideInPublic(t, d.ID, d.Title)
	h := w.srv.Handler()
	send := func(method, path string, form url.Values) *httptest.ResponseRecorder {
		t.Helper()
		req := httptest.NewRequest(method, path, strings.NewReader(form.Encode()))
		if form != nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		req.AddCookie(&http.Cookie{Name: sessionCookie, Value: w.session[access.RoleGovSecretary]})
		req.Header.Set(csrfHeader, w.csrf[access.RoleGovSecretary])
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	page := fmt.Sprintf("/governance/decisions/%d", d.ID)
	refused := func(step, want string) {
		t.Helper()
		want = "This decision cannot be published yet: " + want
		body := send("GET", page, nil).Body.String()
		link := fmt.Sprintf(`<a href="/consultations/%d">`, cons.ID)
		if !strings.Contains(body, `id="publish-blocked"`) || !strings.Contains(body, want) || !strings.Contains(body, link) || !strings.Contains(body, `id="publish-form"`) {
			t.Fatalf("%s: the decision page does not say why it cannot be published (%q):\n%s", step, want, govClip(body))
		}
		rec := send("POST", page+"/publish", url.Values{})
		if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), want) {
			t.Fatalf("%s: publish: status %d, want 400 saying %q:\n%s", step, rec.Code, want, govClip(rec.Body.String()))
		}
		for _, internal := range []string{"engagement:", "governance:", ": invalid"} {
			if strings.Contains(body, internal) || strings.Contains(rec.Body.String(), internal) {
				t.Errorf("%s: the message is not plain: it says %q", step, internal)
			}
		}
	}
	refused("consultation open", "members are being consulted on it")
	if _, err := w.eng.CloseConsultation(ctx, officer.ID, cons.ID); err != nil {
		t.Fatal(err)
	}
	refused("no statement", "members were consulted on it")
	if rec := send("POST", fmt.Sprintf("/consultations/%d/you-said-we-did", cons.ID), url.Values{"statement": {"You asked for evening clinics; the contract requires them."}}); rec.Code != http.StatusOK {
		t.Fatalf("you said, we did: %d\n%s", rec.Code, govClip(rec.Body.String()))
	}
	if body := send("GET", page, nil).Body.String(); strings.Contains(body, `id="publish-blocked"`) {
		t.Fatalf("the page still says the decision cannot be published:\n%s", govClip(body))
	}
	if rec := send("POST", page+"/publish", url.Values{}); rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "has been published") {
		t.Fatalf("publish after you said, we did: %d\n%s", rec.Code, govClip(rec.Body.String()))
	}
}

// govSend sends a request as role (RolePublic: nobody signed in) with the
// session's CSRF token in the form field, as the pages' forms do; api sends
// the role's API token instead.
func govSend(t *testing.T, w *accessWorld, role access.Role, api bool, method, path string, form url.Values) *httptest.ResponseRecorder {
	t.Helper()
	if form != nil && role != access.RolePublic && !api {
		form.Set("csrf_token", w.csrf[role])
	}
	req := httptest.NewRequest(method, path, strings.NewReader(form.Encode()))
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	switch {
	case role == access.RolePublic:
	case api:
		req.Header.Set("Authorization", "Bearer "+w.token[role])
	default:
		req.AddCookie(&http.Cookie{Name: sessionCookie, Value: w.session[role]})
	}
	rec := httptest.NewRecorder()
	w.srv.Handler().ServeHTTP(rec, req)
	return rec
}

func govDenied(rec *httptest.ResponseRecorder) bool {
	return rec.Code == http.StatusUnauthorized || rec.Code == http.StatusForbidden ||
		(rec.Code == http.StatusSeeOther && strings.HasPrefix(rec.Header().Get("Location"), "/login"))
}

// TestGovernanceSelfService checks that anybody signed in declares their
// own interests, gifts and hospitality (the thresholds say whether each
// must be declared or approved), sees only their own entries, and is
// prompted to confirm them yearly, on each engine.
func TestGovernanceSelfService(t *testing.T) {
	for name, open := range storeEngines(t) {
		t.Run(name, func(t *testing.T) {
			w := newAccessWorld(t, open(t))
			member, analyst := access.RolePracticeMember, access.RoleAnalyst
			today := calendar.Today()
			type step struct {
				name         string
				role         access.Role
				api          bool
				method, path string
				form         url.Values
				status       int // 0: denied
				want, absent []string
			}
			for _, s := range []step{
				{name: "public may not see declarations", role: access.RolePublic, method: "GET", path: "/governance/declarations"},
				{name: "public may not declare", role: access.RolePublic, method: "POST", path: "/governance/declarations/interests",
					form: url.Values{"kind": {"financial"}, "organisation": {"RXX"}, "from": {today.String()}}},
				{name: "hub prompts for confirmation", role: member, method: "GET", path: "/governance", status: 200,
					want: []string{`id="confirm-prompt"`, "Your declarations are due for confirmation", `href="/governance/declarations"`}},
				{name: "empty list with forms", role: member, method: "GET", path: "/governance/declarations", status: 200,
					want: []string{"You have declared no interests", `id="my-interest-form"`, `name="csrf_token" value="` + w.csrf[member] + `"`, "hospitality above £75"}},
				{name: "declare an interest", role: member, method: "POST", path: "/governance/declarations/interests",
					form: url.Values{"kind": {"non-financial-professional"}, "organisation": {"Y02FED"}, "organisation_name": {"South Federation"},
						"description": {"clinical adviser"}, "from": {today.AddDays(-3).String()}}, status: 200,
					want: []string{"Your interest in Y02FED has been added"}, absent: []string{"late"}},
				{name: "declare an interest late", role: member, method: "POST", path: "/governance/declarations/interests",
					form: url.Values{"kind": {"indirect"}, "organisation": {"RYY"}, "from": {"2020-01-01"}}, status: 200, want: []string{"declared late"}},
				{name: "an unknown kind is refused", role: member, method: "POST", path: "/governance/declarations/interests",
					form: url.Values{"kind": {"hobby"}, "organisation": {"RYY"}, "from": {"2020-01-01"}}, status: 400, want: []string{"kind of interest"}},
				{name: "hospitality needing approval", role: member, method: "POST", path: "/governance/declarations/gifts",
					form: url.Values{"kind": {"hospitality"}, "from": {"Pharma Ltd"}, "supplier": {"1"}, "value": {"80"}, "offered": {today.String()}}, status: 200,
					want: []string{"It must be declared", "approval before you accept it"}},
				{name: "small supplier gift need not be declared (JSON twin)", role: member, api: true, method: "POST", path: "/api/v1/governance/declarations/gifts",
					form: url.Values{"kind": {"gift"}, "from": {"Pens Ltd"}, "supplier": {"1"}, "value": {"5"}, "offered": {today.String()}}, status: 200,
					want: []string{`"must_declare": false`, `"needs_approval": false`}},
				{name: "own list shows the entries", role: member, method: "GET", path: "/governance/declarations", status: 200,
					want: []string{`id="my-interests"`, "South Federation (Y02FED)", "clinical adviser", "Pharma Ltd", "Must be declared", "Needs a senior manager", "Pens Ltd", "Need not be declared"}},
				{name: "another person sees only their own", role: analyst, method: "GET", path: "/api/v1/governance/declarations", api: true, status: 200,
					want: []string{`"interests": []`, `"gifts": []`}, absent: []string{"Y02FED", "Pharma"}},
				{name: "confirmation page lists the entries", role: member, method: "GET", path: "/governance/declarations/confirm", status: 200,
					want: []string{`id="confirm-due"`, "South Federation (Y02FED)", "Pens Ltd", `id="confirm-form"`}},
				{name: "confirm without the CSRF token is refused", role: member, method: "POST", path: "/governance/declarations/confirm", status: 403},
				{name: "confirm", role: member, method: "POST", path: "/governance/declarations/confirm", form: url.Values{}, status: 200,
					want: []string{"you have confirmed", today.AddDays(365).String()[:4]}},
				{name: "no prompt once confirmed", role: member, method: "GET", path: "/governance", status: 200, absent: []string{`id="confirm-prompt"`}},
				{name: "JSON twin says when next due", role: member, api: true, method: "GET", path: "/api/v1/governance/declarations", status: 200,
					want: []string{`"confirmation_due": false`, `"last_confirmed": "` + today.String() + `"`}},
				{name: "the public register shows the interest", role: access.RolePublic, method: "GET", path: "/api/v1/interests", status: 200, want: []string{"Y02FED"}},
			} {
				t.Run(s.name, func(t *testing.T) {
					var rec *httptest.ResponseRecorder
					if s.name == "confirm without the CSRF token is refused" {
						req := httptest.NewRequest("POST", s.path, strings.NewReader(""))
						req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
						req.AddCookie(&http.Cookie{Name: sessionCookie, Value: w.session[member]})
						rec = httptest.NewRecorder()
						w.srv.Handler().ServeHTTP(rec, req)
					} else {
						rec = govSend(t, w, s.role, s.api, s.method, s.path, s.form)
					}
					body := rec.Body.String()
					switch {
					case s.status == 0 && !govDenied(rec):
						t.Fatalf("status %d, want denied:\n%s", rec.Code, govClip(body))
					case s.status != 0 && rec.Code != s.status:
						t.Fatalf("status %d, want %d:\n%s", rec.Code, s.status, govClip(body))
					}
					for _, x := range s.want {
						if !strings.Contains(body, x) {
							t.Errorf("%q not in:\n%s", x, govClip(body))
						}
					}
					for _, x := range s.absent {
						if strings.Contains(body, x) {
							t.Errorf("%q in:\n%s", x, govClip(body))
						}
					}
				})
			}
			entries, err := w.store.AuditEntries(context.Background(), 0, 10000)
			if err != nil {
				t.Fatal(err)
			}
			var all strings.Builder
			for _, e := range entries {
				all.WriteString(e.Event + " " + e.Detail + "\n")
			}
			for _, x := range []string{"governance.interest.declare", "governance.gift.declare", "governance.interest.confirm"} {
				if !strings.Contains(all.String(), x) {
					t.Errorf("no %s in the audit log:\n%s", x, all.String())
				}
			}
		})
	}
}

// TestGovernanceMeetingForms checks the governance secretary's forms for a
// meeting: attendance, declarations made at it, minutes and actions with an
// owner and a due date, on each engine.
func TestGovernanceMeetingForms(t *testing.T) {
	for name, open := range storeEngines(t) {
		t.Run(name, func(t *testing.T) {
			w := newAccessWorld(t, open(t))
			sec := access.RoleGovSecretary
			gp, lay := w.people[access.RoleGoverningBody], w.people[access.RoleLocalityLead]
			page := fmt.Sprintf("/governance/meetings/%d", w.ids["private-gb"])
			seat := func(p *access.Person) string { return fmt.Sprintf("person:%d", p.ID) }
			for _, s := range []struct {
				name   string
				role   access.Role
				path   string
				form   url.Values
				status int // 0: denied
				want   string
			}{
				{"the page has the forms", sec, page, nil, 200, `id="attendance-form"`},
				{"a member may not record attendance", access.RolePracticeMember, page + "/attendance", url.Values{"present": {seat(gp)}}, 0, ""},
				{"a non-member cannot be present", sec, page + "/attendance", url.Values{"present": {"person:999999"}}, 400, "not a member"},
				{"attendance", sec, page + "/attendance", url.Values{"present": {seat(gp), seat(lay)}, "in_attendance": {"Ann Auditor\r\n"}}, 200, "attendance"},
				{"a declaration by someone absent", sec, page + "/declarations",
					url.Values{"person": {fmt.Sprint(w.people[access.RoleFinance].ID)}, "item": {"1"}, "text": {"x"}}, 400, "present"},
				{"a declaration", sec, page + "/declarations", url.Values{"person": {fmt.Sprint(gp.ID)}, "item": {"1"}, "text": {"Partner in Y03FED"}}, 200, "declarations"},
				{"a minute for an item not on the agenda", sec, page + "/minutes", url.Values{"item": {"9"}, "text": {"x"}}, 400, "no item 9"},
				{"a minute", sec, page + "/minutes", url.Values{"item": {"1"}, "text": {"The committee noted the estates plan."}}, 200, "minutes"},
				{"an action without a due date", sec, page + "/actions", url.Values{"text": {"Write it"}, "owner": {gp.Email}}, 400, "due date"},
				{"an action for nobody", sec, page + "/actions", url.Values{"text": {"Write it"}, "owner": {"nobody@test.nhs.uk"}, "due": {"2099-01-31"}}, 400, "nobody"},
				{"an action", sec, page + "/actions", url.Values{"item": {"1"}, "text": {"Circulate the estates plan"}, "owner": {gp.Email}, "due": {"2099-01-31"}}, 200, "actions"},
			} {
				t.Run(s.name, func(t *testing.T) {
					method := "POST"
					if s.form == nil {
						method = "GET"
					}
					rec := govSend(t, w, s.role, false, method, s.path, s.form)
					switch {
					case s.status == 0 && !govDenied(rec):
						t.Fatalf("status %d, want denied:\n%s", rec.Code, govClip(rec.Body.String()))
					case s.status != 0 && rec.Code != s.status:
						t.Fatalf("status %d, want %d:\n%s", rec.Code, s.status, govClip(rec.Body.String()))
					}
					if !strings.Contains(rec.Body.String(), s.want) {
						t.Fatalf("%q not in:\n%s", s.want, govClip(rec.Body.String()))
					}
				})
			}
			body := govSend(t, w, sec, false, "GET", page, nil).Body.String()
			for _, x := range []string{gp.Name + ", " + lay.Name, "In attendance: Ann Auditor", "(item 1): Partner in Y03FED",
				"Item 1: The committee noted the estates plan.", "Circulate the estates plan", "31 January 2099"} {
				if !strings.Contains(body, x) {
					t.Errorf("the meeting page lacks %q:\n%s", x, body)
				}
			}
			api := govSend(t, w, sec, true, "GET", "/api/v1"+page, nil).Body.String()
			if !strings.Contains(api, `"owner_name": "`+gp.Name+`"`) {
				t.Errorf("the JSON twin lacks the action's owner:\n%s", govClip(api))
			}
			entries, err := w.store.AuditEntries(context.Background(), 0, 10000)
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			for _, e := range entries {
				if e.Event == "governance.meeting.update" {
					n++
				}
			}
			if n < 4 {
				t.Errorf("%d meeting updates in the audit log, want at least 4", n)
			}
		})
	}
}
