package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"ccg/internal/access"
	"ccg/internal/calendar"
	"ccg/internal/store/postgres"
	"ccg/internal/store/sqlite"
	"ccg/internal/store/sqlstore"
)

// storeEngines opens a fresh migrated store per engine: SQLite always,
// PostgreSQL when CCG_TEST_POSTGRES names a database.
func storeEngines(t *testing.T) map[string]func(t *testing.T) *sqlstore.Store {
	engines := map[string]func(t *testing.T) *sqlstore.Store{
		"sqlite": func(t *testing.T) *sqlstore.Store { return openSQLite(t) },
	}
	if u := os.Getenv("CCG_TEST_POSTGRES"); u != "" {
		engines["postgres"] = func(t *testing.T) *sqlstore.Store {
			return openPostgresSchema(t, u)
		}
	}
	return engines
}

// openPostgresSchema opens PostgreSQL in a fresh schema dropped after the test.
func openPostgresSchema(t *testing.T, base string) *sqlstore.Store {
	t.Helper()
	ctx := context.Background()
	admin, err := postgres.Open(ctx, base)
	if err != nil {
		t.Fatal(err)
	}
	schema := "webtest_" + strings.ToLower(strings.NewReplacer("/", "_", " ", "_", "-", "_").Replace(t.Name()))
	if len(schema) > 60 {
		schema = schema[:60]
	}
	_, _ = admin.WriteDB().ExecContext(ctx, "DROP SCHEMA IF EXISTS "+schema+" CASCADE")
	if _, err := admin.WriteDB().ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(base)
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	st, err := postgres.Open(ctx, u.String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		st.Close()
		_, _ = admin.WriteDB().ExecContext(ctx, "DROP SCHEMA "+schema+" CASCADE")
		admin.Close()
	})
	return st
}

// openSQLite opens a fresh SQLite store in a temporary folder.
func openSQLite(t testing.TB) *sqlstore.Store {
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "ccg.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// The role lists of the expectations tables.
const (
	everyone = "public " + signedIn
	signedIn = "administrator analyst finance governance-secretary governing-body-member locality-lead practice-member"
	// overseers may see everything the CCG holds on practices and money.
	overseers = "administrator analyst finance governing-body-member"
	// boardView is who may see the unpublished records of the governing
	// body: those the policy lets see all governance records, and everyone
	// sitting on it (every person of the test world does).
	boardView = "administrator governance-secretary governing-body-member locality-lead practice-member"
	// boardOnly is who may see the unpublished records of a body nobody in
	// the test world sits on (or of no body yet).
	boardOnly = "administrator governance-secretary governing-body-member"
)

// matrixExpect is the expectations table of the authorisation matrix: for
// each action, the roles allowed on their OWN practice, locality, body or
// account and on ANOTHER's ("same": no difference). It holds what the
// action's routes mostly ask about; a route whose resource makes it differ
// (a published page, a record of one body) has its row in
// matrixRouteExpect. Add a row for every new action; the test fails on a
// route whose action has none.
var matrixExpect = map[access.Action]struct{ own, other string }{
	access.ActHome:           {everyone, "same"},
	access.ActRegistrySearch: {everyone, "same"},
	access.ActRegistryView:   {everyone, "same"},
	access.ActGlossaryView:   {everyone, "same"},
	access.ActSiteHealth:     {everyone, "same"},
	access.ActSiteStatic:     {everyone, "same"},
	access.ActPublicView:     {everyone, "same"},
	access.ActSignIn:         {everyone, "same"},
	access.ActImportsView:    {"administrator analyst", "same"},
	access.ActAccount:        {signedIn, "same"},
	access.ActPeopleView:     {"administrator governance-secretary", "same"},
	access.ActPeopleAdmin:    {"administrator", "same"},
	access.ActAuditView:      {"administrator", "same"},
	access.ActPracticeDetail: {overseers + " locality-lead practice-member", overseers},
	access.ActPracticePeers:  {overseers + " locality-lead practice-member", overseers},
	// Variation: every analytics route names a published measure.
	access.ActAnalyticsView: {everyone, "same"},
	// Governance: most pages show published records; the editing forms are
	// the governance secretary's; anybody signed in casts a vote as
	// themselves (whether they may act for the practice is governance's
	// Entitlement); the results of an open vote are not published.
	access.ActGovernanceView: {everyone, "same"},
	access.ActGovernanceEdit: {"governance-secretary", "same"},
	access.ActVoteCast:       {signedIn, "same"},
	access.ActVoteResults:    {boardOnly, "same"},
	// Declaring, seeing and confirming one's own register entries is as
	// oneself (the resource's owner is the person signed in).
	access.ActDeclareOwn: {signedIn, "same"},
	// Engagement: survey results are aggregated CCG-wide (no practice or
	// locality for a locality lead's scope); answering, responding and
	// asking are as oneself.
	access.ActSurveyResults: {"administrator analyst governance-secretary governing-body-member", "same"},
	access.ActSurveyAnswer:  {signedIn, "same"},
	access.ActSurveyManage:  {"analyst governance-secretary", "same"},
	// Finance: CCG-wide budgets, allocations and reports.
	access.ActFinanceView: {overseers, "same"},
	access.ActFinanceEdit: {"finance", "same"},
	// Mail: the outbox is the administrators'; the pages behind links in
	// e-mails are authorised by the link's secret (anybody holding it);
	// anybody may ask for an alert (confirmed by e-mail).
	access.ActMailOutbox:    {"administrator", "same"},
	access.ActMailLink:      {everyone, "same"},
	access.ActMailSubscribe: {everyone, "same"},
}

// matrixRouteExpect overrides matrixExpect for the routes (by method and
// HTML path; the JSON twin shares it) whose resource makes the answer
// differ from their action's row.
var matrixRouteExpect = map[string]struct{ own, other string }{
	// A private meeting of the governing body vs of the remuneration committee.
	"GET /governance/meetings/{id}": {boardView, boardOnly},
	// An unpublished decision on the governing body's agenda vs a draft on no agenda.
	"GET /governance/decisions/{id}": {boardView, boardOnly},
	// The assurance export is the governing body's.
	"GET /governance/assurance":     {boardView, "same"},
	"GET /governance/assurance.csv": {boardView, "same"},
	// The money summary is published.
	"GET /finance": {everyone, "same"},
	// Budgets of locality L1 vs L2 (?locality=, see fillPath).
	"GET /finance/budgets":     {overseers + " locality-lead", overseers},
	"GET /finance/budgets.csv": {overseers + " locality-lead", overseers},
	// One practice's prescribing budget: A1 vs B1.
	"GET /finance/prescribing/{code}": {overseers + " locality-lead practice-member", overseers},
}

// matrixQueryExpect are requests whose query parameters (level, org) or
// measure (its data source) change who may see them: referral figures come
// from the CCG's own extracts and are public only at CCG and England level;
// prescribing figures are open data at every level. {own} and {other} are
// replaced by the person's practice A1 (locality L1) or another's, B1
// (L2). Every way to the same figures must give the same answer.
var matrixQueryExpect = []struct{ target, own, other string }{
	{"/api/v1/measures/referrals_dermatology/values?month=2021-01&level=practice&org={practice}", overseers + " locality-lead practice-member", overseers},
	{"/api/v1/measures/referrals_dermatology/values?month=2021-01&org={practice}", overseers + " locality-lead practice-member", overseers},
	{"/api/v1/measures/referrals_dermatology/values?month=2021-01&level=PRACTICE&org={practice}", overseers + " locality-lead practice-member", overseers},
	{"/api/v1/measures/referrals_dermatology/values?month=2021-01&level=practice", overseers, "same"},
	{"/api/v1/measures/referrals_dermatology/values?month=2021-01&level=locality&org={locality}", overseers + " locality-lead practice-member", overseers},
	{"/api/v1/measures/referrals_dermatology/values?month=2021-01&level=locality", overseers, "same"},
	{"/api/v1/measures/referrals_dermatology/values?month=2021-01&level=ccg", everyone, "same"},
	{"/api/v1/measures/referrals_dermatology/values?month=2021-01&level=england", everyone, "same"},
	{"/prescribing/measures/referrals_dermatology/values.csv?month=2021-01&level=practice&org={practice}", overseers + " locality-lead practice-member", overseers},
	{"/prescribing/measures/referrals_dermatology/values.csv?month=2021-01&level=ccg", everyone, "same"},
	{"/api/v1/measures/referrals_dermatology/deciles?level=practice", overseers, "same"},
	{"/api/v1/measures/referrals_dermatology/deciles?level=ccg", everyone, "same"},
	{"/prescribing/measures/referrals_dermatology", overseers, "same"},
	{"/api/v1/measures/referrals_dermatology?practice={practice}", overseers, "same"},
	{"/prescribing/measures/referrals_dermatology/funnel.csv", overseers, "same"},
	{"/prescribing/measures/referrals_dermatology/trend.csv?practice={practice}", overseers, "same"},
	{"/api/v1/measures/ppi_high_dose/values?month=2021-01&level=practice&org={practice}", everyone, "same"},
	{"/api/v1/measures/ppi_high_dose/values?month=2021-01&level=practice", everyone, "same"},
	{"/prescribing/measures/ppi_high_dose/values.csv?month=2021-01&level=locality&org={locality}", everyone, "same"},
	{"/prescribing/measures/ppi_high_dose?practice={practice}", everyone, "same"},
}

// fillPath puts own or other values into a route pattern's wildcards: the
// person's practice A1 or B1, locality L1 or L2, their own email or
// another's, a record of the governing body or of another body (see
// seedGovernance), and the locality of a budget query.
func fillPath(pattern string, w *accessWorld, role access.Role, own bool) string {
	pick := func(o, x string) string {
		if own {
			return o
		}
		return x
	}
	id := func(o, x string) string {
		return pick(strconv.FormatInt(w.ids[o], 10), strconv.FormatInt(w.ids[x], 10))
	}
	p := strings.TrimSuffix(pattern, "{$}")
	vals := map[string]string{"code": pick("A1", "B1"), "email": "someone@test.nhs.uk", "id": "1", "path...": "ccg.css", "token": "t0ken"}
	if per := w.people[role]; per != nil && own {
		vals["email"] = per.Email
	}
	switch {
	case strings.Contains(p, "/localities/{code}"):
		vals["code"] = pick("L1", "L2")
	case strings.Contains(p, "/measures/{id}"):
		vals["id"] = "ppi_high_dose"
	case strings.Contains(p, "/bodies/{id}"):
		vals["id"] = pick("governing-body", "remuneration-committee")
	case strings.Contains(p, "/meetings/{id}"):
		vals["id"] = id("private-gb", "private")
	case strings.Contains(p, "/decisions/{id}"):
		vals["id"] = id("on-agenda", "draft")
	case strings.Contains(p, "/votes/{id}"):
		vals["id"] = id("vote", "vote")
	case p == "/finance/budgets" || p == "/finance/budgets.csv" || p == apiPrefix+"/budgets":
		p += "?locality=" + pick("L1", "L2")
	}
	for k, v := range vals {
		p = strings.ReplaceAll(p, "{"+k+"}", url.PathEscape(v))
	}
	return p
}

// TestAuthorisationMatrix walks every route × every role × own vs other
// practice through the real wrapper (with each handler replaced by one that
// only answers 200, so that nothing changes) and compares allow/deny with
// the expectations tables. The world's server has every capability, so
// every route of the route table is walked.
func TestAuthorisationMatrix(t *testing.T) {
	for engine, open := range storeEngines(t) {
		t.Run(engine, func(t *testing.T) {
			w := newAccessWorld(t, open(t))
			routes := w.srv.routes()
			ok := func(http.ResponseWriter, *http.Request) error { return nil }
			mux := http.NewServeMux()
			type entry struct {
				route
				api  bool
				path string
			}
			var entries []entry
			overridden := map[string]bool{}
			for _, rt := range routes {
				if _, has := matrixExpect[rt.Action]; !has {
					t.Errorf("route %s %s: action %q has no row in matrixExpect (and perhaps none in access/policy.go)", rt.Method, rt.Path, rt.Action)
					continue
				}
				entries = append(entries, entry{rt, isAPIPath(rt.Path), rt.Path})
				mux.Handle(rt.Method+" "+rt.Path, w.srv.wrap(rt, isAPIPath(rt.Path), ok))
				if rt.API != "" {
					entries = append(entries, entry{rt, true, rt.API})
					mux.Handle(rt.Method+" "+rt.API, w.srv.wrap(rt, true, ok))
				}
			}
			// Every capability's routes are in the walk.
			for _, path := range []string{"/prescribing/practices/{code}", "/governance/decisions/{id}", "/consultations/{id}", "/finance/budgets", "/admin/outbox"} {
				if !slices.ContainsFunc(routes, func(rt route) bool { return rt.Path == path }) {
					t.Errorf("no route %s: the world's server lacks a capability", path)
				}
			}
			roles := append([]access.Role{access.RolePublic}, access.Roles...)
			for _, e := range entries {
				want := matrixExpect[e.Action]
				if o, has := matrixRouteExpect[e.Method+" "+e.route.Path]; has {
					want, overridden[e.Method+" "+e.route.Path] = o, true
				}
				for _, own := range []bool{true, false} {
					allowed := want.own
					if !own && want.other != "same" {
						allowed = want.other
					}
					for _, role := range roles {
						target := fillPath(e.path, w, role, own)
						req := httptest.NewRequest(e.Method, target, strings.NewReader(""))
						if role != access.RolePublic {
							if e.api {
								req.Header.Set("Authorization", "Bearer "+w.token[role])
							} else {
								req.AddCookie(&http.Cookie{Name: sessionCookie, Value: w.session[role]})
								req.Header.Set(csrfHeader, w.csrf[role])
							}
						} else if !safeMethod(e.Method) {
							req.AddCookie(&http.Cookie{Name: csrfCookie, Value: strings.Repeat("c", 43)})
							req.Header.Set(csrfHeader, strings.Repeat("c", 43))
						}
						rec := httptest.NewRecorder()
						mux.ServeHTTP(rec, req)
						denied := rec.Code == http.StatusUnauthorized || rec.Code == http.StatusForbidden ||
							(rec.Code == http.StatusSeeOther && strings.HasPrefix(rec.Header().Get("Location"), "/login"))
						wantAllowed := strings.Contains(" "+allowed+" ", " "+string(role)+" ")
						if denied == wantAllowed {
							ctxName := "own"
							if !own {
								ctxName = "other"
							}
							t.Errorf("%s %s as %s (%s): status %d, want allowed=%v", e.Method, target, role, ctxName, rec.Code, wantAllowed)
						}
					}
				}
			}
			// The same routes again with query parameters that change the answer.
			for _, q := range matrixQueryExpect {
				for _, own := range []bool{true, false} {
					allowed := q.own
					if !own && q.other != "same" {
						allowed = q.other
					}
					target := strings.NewReplacer("{practice}", map[bool]string{true: "A1", false: "B1"}[own],
						"{locality}", map[bool]string{true: "L1", false: "L2"}[own]).Replace(q.target)
					for _, role := range roles {
						req := httptest.NewRequest("GET", target, nil)
						w.authenticate(req, role)
						rec := httptest.NewRecorder()
						mux.ServeHTTP(rec, req)
						if wantAllowed := strings.Contains(" "+allowed+" ", " "+string(role)+" "); govDenied(rec) == wantAllowed {
							t.Errorf("GET %s as %s: status %d, want allowed=%v", target, role, rec.Code, wantAllowed)
						}
					}
				}
			}
			for key := range matrixRouteExpect {
				if !overridden[key] {
					t.Errorf("matrixRouteExpect[%q] names no route", key)
				}
			}
		})
	}
}

// TestPolicyRowsForEveryRouteAction checks that the policy table knows
// every action the routes use (unknown actions are denied to everybody).
func TestPolicyRowsForEveryRouteAction(t *testing.T) {
	s := &Server{}
	for _, rt := range s.routes() {
		if !access.Known(rt.Action) {
			t.Errorf("route %s %s: action %q is not in the access policy table", rt.Method, rt.Path, rt.Action)
		}
	}
}

func mustDate(s string) calendar.Date {
	d, err := calendar.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}
