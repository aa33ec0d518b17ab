package web

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"ccg/internal/access"
	"ccg/internal/governance"
	"ccg/internal/importing"
)

// asRole sends a GET as role (public: nobody signed in), through the
// world's real handler.
func (w *accessWorld) asRole(t *testing.T, role access.Role, target string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest("GET", target, nil)
	w.authenticate(req, role)
	rec := httptest.NewRecorder()
	w.srv.Handler().ServeHTTP(rec, req)
	return rec
}

// authenticate makes req come from role: its API token for a JSON address,
// its session cookie otherwise, nothing for the public.
func (w *accessWorld) authenticate(req *http.Request, role access.Role) {
	switch {
	case role == access.RolePublic:
	case isAPIPath(req.URL.Path):
		req.Header.Set("Authorization", "Bearer "+w.token[role])
	default:
		req.AddCookie(&http.Cookie{Name: sessionCookie, Value: w.session[role]})
	}
}

// TestImportsPagesKeepPersonalData replays the attack of issue 13 item 4:
// the public read the rejected rows of a people import, with names and
// e-mail addresses, at /imports/{id}. Import runs are now for the roles
// that import, and the rows of files holding personal data only for people
// administrators.
func TestImportsPagesKeepPersonalData(t *testing.T) {
	for engine, open := range storeEngines(t) {
		t.Run(engine, func(t *testing.T) {
			w := newAccessWorld(t, open(t))
			admin := w.people[access.RoleAdmin]
			ctx := access.WithActor(context.Background(), admin)
			file := "name,email,professional_role,practices,roles\nLeaky Person,leaky.person@example.nhs.uk,,A1,wizard\n"
			sum, err := w.srv.deps.Imports.Import(ctx, access.StaffKind, "staff.csv", strings.NewReader(file), int64(len(file)), importing.Options{Actor: admin.Email})
			if err != nil {
				t.Fatal(err)
			}
			id := sum.ID
			for _, target := range []string{fmt.Sprintf("/imports/%d", id), fmt.Sprintf("/api/v1/imports/%d", id), "/imports", "/api/v1/imports"} {
				for _, role := range []access.Role{access.RolePublic, access.RolePracticeMember, access.RoleGovSecretary, access.RoleFinance} {
					rec := w.asRole(t, role, target)
					if rec.Code == http.StatusOK || strings.Contains(rec.Body.String(), "leaky.person") {
						t.Errorf("%s as %s: status %d, want refused", target, role, rec.Code)
					}
				}
			}
			for _, role := range []access.Role{access.RolePublic, access.RolePracticeMember} {
				if body := w.asRole(t, role, "/api/v1/").Body.String(); strings.Contains(body, "staff.csv") || strings.Contains(body, admin.Email) {
					t.Errorf("the home page tells %s who imported what: %s", role, body)
				}
			}
			for _, tc := range []struct {
				role access.Role
				sees bool
			}{{access.RoleAnalyst, false}, {access.RoleAdmin, true}} {
				for _, target := range []string{fmt.Sprintf("/imports/%d", id), fmt.Sprintf("/api/v1/imports/%d", id)} {
					rec := w.asRole(t, tc.role, target)
					if rec.Code != http.StatusOK {
						t.Fatalf("%s as %s: status %d", target, tc.role, rec.Code)
					}
					body := rec.Body.String()
					if got := strings.Contains(body, "leaky.person") || strings.Contains(body, "Leaky Person"); got != tc.sees {
						t.Errorf("%s as %s: shows the person = %v, want %v", target, tc.role, got, tc.sees)
					}
					if !strings.Contains(body, "staff.csv") {
						t.Errorf("%s as %s: the run itself is missing", target, tc.role)
					}
				}
			}
		})
	}
}

// TestAnonymousVoteSecrecy replays the attack of issue 13 item 2: the
// running totals of an anonymous vote were visible to officers while it was
// open, and the audit log said "practice Y90001 voted" as they moved. Now
// nobody (the administrator included) sees totals before it closes; turnout
// is shown; and neither the store nor the audit log links a practice to a
// choice.
func TestAnonymousVoteSecrecy(t *testing.T) {
	for engine, open := range storeEngines(t) {
		t.Run(engine, func(t *testing.T) {
			w := newAccessWorld(t, open(t))
			ctx := context.Background()
			officer := w.people[access.RoleGovSecretary]
			v, err := w.gov.OpenVote(ctx, officer.ID, governance.MemberVote{Body: "locality-north", Question: "Close the walk-in centre?",
				Options: []string{"Keep it", "Close it"}, Anonymous: true, Opens: time.Now().Add(-time.Hour), Closes: time.Now().Add(48 * time.Hour)})
			if err != nil {
				t.Fatal(err)
			}
			id := strconv.FormatInt(v.ID, 10)
			if rec := govSend(t, w, access.RolePracticeMember, false, "POST", "/governance/votes/"+id+"/cast",
				url.Values{"practice": {"A1"}, "choice": {"1"}}); rec.Code != http.StatusOK {
				t.Fatalf("cast: %d %s", rec.Code, rec.Body)
			}
			for _, role := range []access.Role{access.RoleAdmin, access.RoleGovSecretary, access.RoleGoverningBody} {
				for _, api := range []bool{true, false} {
					path := "/governance/votes/" + id + "/results"
					if api {
						path = "/api/v1/votes/" + id + "/results"
					}
					rec := govSend(t, w, role, api, "GET", path, nil)
					if rec.Code != http.StatusOK {
						t.Fatalf("%s as %s: %d", path, role, rec.Code)
					}
					body := rec.Body.String()
					if api {
						var got struct {
							Result  governance.Result  `json:"result"`
							Turnout governance.Turnout `json:"turnout"`
							Rows    []json.RawMessage  `json:"rows"`
						}
						if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
							t.Fatal(err)
						}
						if got.Result.Visible || len(got.Rows) != 0 || slices.ContainsFunc(got.Result.Totals.Count, func(n int64) bool { return n != 0 }) {
							t.Errorf("%s as %s: totals of an open anonymous vote shown: %s", path, role, body)
						}
						if got.Turnout.Voted != 1 {
							t.Errorf("%s as %s: turnout %+v, want 1 voted", path, role, got.Turnout)
						}
					} else if strings.Contains(body, "Close it</td>") || strings.Contains(body, "Keep it</td>") {
						t.Errorf("%s as %s: the page shows a totals row", path, role)
					}
				}
			}
			entries, err := w.acc.AuditLog(ctx, w.people[access.RoleAdmin], 0, 1000)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range entries {
				if strings.Contains(e.Subject, "vote/"+id) && (strings.Contains(e.Detail, "Close it") || strings.Contains(e.Detail, "choice") || strings.Contains(e.Detail, "option")) {
					t.Errorf("audit entry %+v names the choice", e)
				}
			}
			var ballots int
			if err := w.store.ReadDB().QueryRowContext(ctx, `SELECT COUNT(*) FROM gov_ballots WHERE vote_id = `+id).Scan(&ballots); err != nil {
				t.Fatal(err)
			}
			if ballots != 0 {
				t.Errorf("%d named ballots stored for an anonymous vote", ballots)
			}
		})
	}
}

// loginFrom posts the sign-in form as a browser at remote (host:port),
// with an X-Forwarded-For header when xff is not empty.
func loginFrom(t *testing.T, h http.Handler, remote, xff, email, pw string) int {
	t.Helper()
	b := newBrowser(t, h)
	form := url.Values{"email": {email}, "password": {pw}, "csrf_token": {b.csrf("/login")}, "next": {"/account"}}
	req := httptest.NewRequest("POST", "/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.RemoteAddr = remote
	if xff != "" {
		req.Header.Set("X-Forwarded-For", xff)
	}
	return b.do(req).Code
}

// TestSignInThrottleBehindProxy replays the attacks of issue 13 item 6:
// failures for an address locked its owner out everywhere, and behind a
// proxy every user shared one limit (X-Forwarded-For was ignored). Now the
// guesser stops only themselves, the proxy's forwarded address is believed
// only from a trusted proxy, and a forged header from anybody else changes
// nothing.
func TestSignInThrottleBehindProxy(t *testing.T) {
	for engine, open := range storeEngines(t) {
		t.Run(engine, func(t *testing.T) {
			w := newAccessWorld(t, open(t))
			w.srv.deps.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}
			h := w.srv.Handler()
			admin := w.people[access.RoleAdmin].Email
			const proxy = "10.1.2.3:40000"
			var last int
			for i := 0; i < 12; i++ {
				last = loginFrom(t, h, proxy, "203.0.113.9", admin, "a guess that is wrong")
			}
			if last != http.StatusTooManyRequests {
				t.Fatalf("the guesser behind the proxy: %d after 12 failures, want 429", last)
			}
			if code := loginFrom(t, h, proxy, "198.51.100.7", admin, testPassword); code != http.StatusSeeOther {
				t.Fatalf("the owner behind the same proxy: %d, want signed in (303)", code)
			}
			if code := loginFrom(t, h, "192.0.2.50:5555", "", admin, testPassword); code != http.StatusSeeOther {
				t.Fatalf("the owner elsewhere: %d, want signed in (303)", code)
			}
			// an untrusted caller cannot escape its limit by forging the header
			for i := 0; i < 12; i++ {
				last = loginFrom(t, h, "192.0.2.66:1", fmt.Sprintf("198.51.100.%d", i), admin, "a guess that is wrong")
			}
			if last != http.StatusTooManyRequests {
				t.Fatalf("a forged X-Forwarded-For escaped the limit: %d", last)
			}
		})
	}
}

// TestHSTS: Strict-Transport-Security is sent over TLS, directly or through
// a trusted proxy, and not when an untrusted caller claims https.
func TestHSTS(t *testing.T) {
	w := newAccessWorld(t, openSQLite(t))
	w.srv.deps.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}
	h := w.srv.Handler()
	for _, tc := range []struct {
		name   string
		remote string
		proto  string
		tls    bool
		want   bool
	}{
		{"plain", "192.0.2.1:1", "", false, false},
		{"direct TLS", "192.0.2.1:1", "", true, true},
		{"trusted proxy over https", "10.0.0.5:1", "https", false, true},
		{"untrusted caller claims https", "192.0.2.1:1", "https", false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest("GET", "/", nil)
			req.RemoteAddr = tc.remote
			if tc.proto != "" {
				req.Header.Set("X-Forwarded-Proto", tc.proto)
			}
			if tc.tls {
				req.TLS = &tls.ConnectionState{}
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if got := rec.Header().Get("Strict-Transport-Security") != ""; got != tc.want {
				t.Errorf("HSTS sent = %v, want %v", got, tc.want)
			}
		})
	}
}

// BenchmarkSignInTiming times failed sign-ins through the real sign-in
// form on SQLite, for a known e-mail with a wrong password and for an
// unknown e-mail, and reports the ratio of their medians (issue 13 item 6:
// 52 ms against 39 ms told which addresses have accounts). Each attempt
// comes from its own address so that throttling stays out of the way.
func BenchmarkSignInTiming(b *testing.B) {
	w := newAccessWorld(b, openSQLite(b))
	h := w.srv.Handler()
	admin := w.people[access.RoleAdmin].Email
	tok := newBrowser(b, h)
	csrf := tok.csrf("/login")
	attempt := func(email string, i int) time.Duration {
		form := url.Values{"email": {email}, "password": {"a wrong password"}, "csrf_token": {csrf}}
		req := httptest.NewRequest("POST", "/login", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.RemoteAddr = fmt.Sprintf("198.18.%d.%d:1", (i/250)%250, i%250)
		start := time.Now()
		tok.do(req)
		return time.Since(start)
	}
	var known, unknown []time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		// alternate which goes first, so that neither always pays for the
		// other's garbage
		if i%2 == 0 {
			known = append(known, attempt(admin, 2*i))
			unknown = append(unknown, attempt(fmt.Sprintf("nobody%d@test.nhs.uk", i), 2*i+1))
		} else {
			unknown = append(unknown, attempt(fmt.Sprintf("nobody%d@test.nhs.uk", i), 2*i+1))
			known = append(known, attempt(admin, 2*i))
		}
	}
	b.StopTimer()
	median := func(d []time.Duration) time.Duration {
		slices.Sort(d)
		return d[len(d)/2]
	}
	mk, mu := median(known), median(unknown)
	b.ReportMetric(float64(mk.Microseconds())/1000, "known-ms")
	b.ReportMetric(float64(mu.Microseconds())/1000, "unknown-ms")
	b.ReportMetric(float64(mk)/float64(mu), "known/unknown")
}

// TestPlainErrors replays the messages of issue 13 item 7, which showed
// people Go error chains and driver text: adding a person twice (the
// store's UNIQUE constraint), casting a vote twice, and answers that break
// the questionnaire's rules. Now pages and the API show a sentence and the
// request ID; the details go to the log under that ID.
func TestPlainErrors(t *testing.T) {
	for engine, open := range storeEngines(t) {
		t.Run(engine, func(t *testing.T) {
			w := newAccessWorld(t, open(t))
			var logged strings.Builder
			w.srv.log = slog.New(slog.NewTextHandler(&logged, nil))
			leaks := []string{"sqlstore", "UNIQUE", "constraint", "2067", "duplicate key", "governance:", "engagement:", "access:", ": conflict", ": invalid"}
			check := func(t *testing.T, what string, rec *httptest.ResponseRecorder, status int) {
				t.Helper()
				body := rec.Body.String()
				if rec.Code != status {
					t.Fatalf("%s: status %d, want %d: %s", what, rec.Code, status, body)
				}
				for _, l := range leaks {
					if strings.Contains(body, l) {
						t.Errorf("%s: the answer shows %q:\n%s", what, l, body)
					}
				}
				id := rec.Header().Get(requestIDKey)
				if id == "" || !strings.Contains(body, id) {
					t.Errorf("%s: the answer does not quote its request ID %q", what, id)
				}
				if !strings.Contains(logged.String(), id) {
					t.Errorf("%s: the log has nothing under request ID %q", what, id)
				}
			}
			add := url.Values{"name": {"Twice Added"}, "email": {w.people[access.RoleAnalyst].Email}, "roles": {"analyst"}}
			check(t, "page: person added twice", govSend(t, w, access.RoleAdmin, false, "POST", "/admin/people", add), http.StatusConflict)
			check(t, "API: person added twice", govSend(t, w, access.RoleAdmin, true, "POST", "/api/v1/people", add), http.StatusConflict)

			vote := strconv.FormatInt(w.ids["vote"], 10)
			cast := url.Values{"practice": {"A1"}, "choice": {"0"}}
			if rec := govSend(t, w, access.RolePracticeMember, true, "POST", "/api/v1/votes/"+vote+"/cast", cast); rec.Code != http.StatusOK {
				t.Fatalf("first vote: %d %s", rec.Code, rec.Body)
			}
			rec := govSend(t, w, access.RolePracticeMember, true, "POST", "/api/v1/votes/"+vote+"/cast", cast)
			check(t, "API: vote cast twice", rec, http.StatusConflict)
			if !strings.Contains(rec.Body.String(), "already voted") {
				t.Errorf("the message does not say what happened: %s", rec.Body)
			}
		})
	}
}

// TestEdges replays issue 13 item 8: a 50,000-character search answered 500
// ("LIKE or GLOB pattern too complex"); an org value was echoed into
// Content-Disposition without limit; personal pages and CSV downloads
// could be kept by browsers and proxies.
func TestEdges(t *testing.T) {
	for engine, open := range storeEngines(t) {
		t.Run(engine, func(t *testing.T) {
			w := newAccessWorld(t, open(t))
			long := strings.Repeat("%_a", 50000/3)
			for _, path := range []string{"/search?q=" + url.QueryEscape(long), "/api/v1/organisations?q=" + url.QueryEscape(long),
				"/search?kind=" + strings.Repeat("k", 50000), "/search?member_of=" + strings.Repeat("X", 50000)} {
				rec := w.asRole(t, access.RolePublic, path)
				if rec.Code != http.StatusBadRequest || rec.Body.Len() > 20000 {
					t.Errorf("%s…: status %d, %d bytes; want 400 with a short message", path[:30], rec.Code, rec.Body.Len())
				}
			}
			if rec := w.asRole(t, access.RolePublic, "/search?q="+url.QueryEscape(long[:300])); !strings.Contains(rec.Body.String(), "at most 100 characters") {
				t.Errorf("the long search is not told the limit: %d", rec.Code)
			}
			if rec := w.asRole(t, access.RolePublic, "/search?q=surgery"); rec.Code != http.StatusOK {
				t.Errorf("a normal search: %d", rec.Code)
			}
			csvs := []string{
				"/finance/prescribing.csv?org=" + strings.Repeat("Q", 5000) + "%22%0d%0aX-Evil:1",
				"/finance/budgets.csv", "/finance/allocations.csv",
				"/prescribing/measures/ppi_high_dose/values.csv?month=2021-01&level=ccg",
				"/governance/interests.csv", "/governance/assurance.csv",
				"/organisations/A1/members.csv",
			}
			for _, path := range csvs {
				rec := w.asRole(t, access.RoleAdmin, path)
				if rec.Code != http.StatusOK {
					if rec.Code >= 500 {
						t.Errorf("%s: %d", path, rec.Code)
					}
					continue
				}
				cd := rec.Header().Get("Content-Disposition")
				if len(cd) > 120 || strings.ContainsAny(cd, "\r\n") || strings.Count(cd, `"`) != 2 {
					t.Errorf("%s: Content-Disposition %q", path, cd)
				}
				if cc := rec.Header().Get("Cache-Control"); cc != "no-store" {
					t.Errorf("%s: Cache-Control %q, want no-store", path, cc)
				}
			}
			for _, path := range []string{"/account", "/api/v1/account", "/governance/declarations", "/admin/people"} {
				if cc := w.asRole(t, access.RoleAdmin, path).Header().Get("Cache-Control"); cc != "no-store" {
					t.Errorf("%s signed in: Cache-Control %q, want no-store", path, cc)
				}
			}
		})
	}
}
