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
