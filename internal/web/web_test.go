package web

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"testing/fstest"

	"ccg/internal/calendar"
	"ccg/internal/errs"
	"ccg/internal/formats/listsize"
	"ccg/internal/formats/localities"
	"ccg/internal/formats/ods"
	"ccg/internal/glossary"
	"ccg/internal/importing"
	"ccg/internal/registry"
	"ccg/internal/store/sqlite"
)

// testToday is the date "as at" pages default to in tests.
var testToday = calendar.MustDate("2021-06-01")

var (
	worldOnce sync.Once
	worldSrv  *Server
	worldErr  error
	worldDir  string
)

// world returns a server over a real SQLite store filled through the real
// import path with the files in testdata/ (and list-size files written
// here), with an access policy that allows everything: CCGs 01X and 02Y merged into 03Z on 1 April 2020; practices
// B99001-B99004 (B99004 closed in 2017); localities in 01X and 02Y; list
// sizes for B99001 in September and October 2017. It is built once.
func world(t *testing.T) *Server {
	t.Helper()
	worldOnce.Do(func() {
		worldDir, worldErr = os.MkdirTemp("", "ccg-web-test-")
		if worldErr != nil {
			return
		}
		worldSrv, worldErr = buildWorld(worldDir)
	})
	if worldErr != nil {
		t.Fatalf("building the test world: %v", worldErr)
	}
	return worldSrv
}

func TestMain(m *testing.M) {
	code := m.Run()
	if worldDir != "" {
		os.RemoveAll(worldDir)
	}
	os.Exit(code)
}

// listSizeFile writes an NHS Digital list-size file for one practice and month.
func listSizeFile(practice, extract string, shift int) string {
	var b strings.Builder
	b.WriteString("PUBLICATION,EXTRACT_DATE,ORG_TYPE,ORG_CODE,ONS_CODE,POSTCODE,SEX,AGE_GROUP_5,NUMBER_OF_PATIENTS\n")
	bands := []string{"0_4", "5_9", "10_14", "15_19", "20_24", "25_29", "30_34", "35_39", "40_44", "45_49",
		"50_54", "55_59", "60_64", "65_69", "70_74", "75_79", "80_84", "85_89", "90_94", "95+"}
	total := 0
	rows := []string{}
	for _, sex := range []string{"FEMALE", "MALE"} {
		sum := 0
		for i, band := range bands {
			n := 300 - i*14 + shift
			if sex == "MALE" {
				n -= 10
			}
			if n < 2 {
				n = 2
			}
			sum += n
			rows = append(rows, fmt.Sprintf("GP_PRAC_PAT_LIST,%s,GP,%s,,EX1 1AA,%s,%s,%d\n", extract, practice, sex, band, n))
		}
		rows = append(rows, fmt.Sprintf("GP_PRAC_PAT_LIST,%s,GP,%s,,EX1 1AA,%s,ALL,%d\n", extract, practice, sex, sum))
		total += sum
	}
	b.WriteString(fmt.Sprintf("GP_PRAC_PAT_LIST,%s,GP,%s,,EX1 1AA,ALL,ALL,%d\n", extract, practice, total))
	for _, r := range rows {
		b.WriteString(r)
	}
	return b.String()
}

func buildWorld(dir string) (*Server, error) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(dir, "ccg.db"))
	if err != nil {
		return nil, err
	}
	if _, err := st.Migrate(ctx); err != nil {
		return nil, err
	}
	reg := registry.NewService(st)
	imp := importing.NewService(st, ods.NewPractices(reg), ods.NewCommissioners(reg), ods.NewSuccessions(reg),
		listsize.NewHandler(reg), localities.NewHandler(reg))
	for name, body := range map[string]string{
		"gp-reg-pat-prac-quin-age_2017_09.csv": listSizeFile("B99001", "01SEP2017", 0),
		"gp-reg-pat-prac-quin-age_2017_10.csv": listSizeFile("B99001", "01OCT2017", 3),
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			return nil, err
		}
	}
	steps := []struct{ kind, path string }{
		{"ods-commissioners", "testdata/eccg.csv"},
		{"ods-practices", "testdata/epraccur_2018.csv"},
		{"ods-practices", "testdata/epraccur_2021.csv"},
		{"ods-successions", "testdata/succ.csv"},
		{"list-sizes", filepath.Join(dir, "gp-reg-pat-prac-quin-age_2017_09.csv")},
		{"list-sizes", filepath.Join(dir, "gp-reg-pat-prac-quin-age_2017_10.csv")},
		{"localities", "testdata/localities.csv"},
	}
	for _, s := range steps {
		if _, err := imp.ImportFile(ctx, s.kind, s.path, importing.Options{Actor: "test"}); err != nil {
			return nil, fmt.Errorf("import %s %s: %w", s.kind, s.path, err)
		}
	}
	srv, err := New(Deps{Registry: reg, Imports: imp, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Version: "test"})
	if err != nil {
		return nil, err
	}
	srv.today = func() calendar.Date { return testToday }
	// These tests are about pages, not access: everyone may see everything
	// (the access policy has its own tests).
	srv.policy = func(*http.Request, Action, Resource) error { return nil }
	return srv, nil
}

// do sends a request to h and returns the response.
func do(t *testing.T, h http.Handler, method, target string, header ...string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(method, target, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// checkHeaders checks the security headers every response must carry.
func checkHeaders(t *testing.T, rec *httptest.ResponseRecorder) {
	t.Helper()
	csp := rec.Header().Get("Content-Security-Policy")
	for _, want := range []string{"default-src 'self'", "frame-ancestors 'none'", "img-src 'self' data:", "style-src 'self'", "script-src 'self'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("Content-Security-Policy %q lacks %q", csp, want)
		}
	}
	if strings.Contains(csp, "unsafe-inline") {
		t.Errorf("Content-Security-Policy allows inline code: %q", csp)
	}
	for h, want := range map[string]string{"X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin", "X-Frame-Options": "DENY"} {
		if got := rec.Header().Get(h); got != want {
			t.Errorf("%s = %q, want %q", h, got, want)
		}
	}
	if rec.Header().Get(requestIDKey) == "" {
		t.Errorf("no %s header", requestIDKey)
	}
}

var (
	styleAttr    = regexp.MustCompile(`(?i)\sstyle=`)
	inlineScript = regexp.MustCompile(`(?i)<script(\s[^>]*)?>`)
	termLink     = regexp.MustCompile(`<a class="ccg-term" href="(/glossary#[a-z0-9-]+)"`)
)

// checkHTML checks what every page must be: no inline style or script
// (the CSP would block them), each glossary term linked at most once.
func checkHTML(t *testing.T, body string) {
	t.Helper()
	if styleAttr.MatchString(body) {
		t.Errorf("page has a style attribute")
	}
	if strings.Contains(body, "<style") {
		t.Errorf("page has a style element")
	}
	for _, m := range inlineScript.FindAllStringSubmatch(body, -1) {
		if !strings.Contains(m[1], "src=") {
			t.Errorf("page has an inline script: %s", m[0])
		}
	}
	seen := map[string]bool{}
	for _, m := range termLink.FindAllStringSubmatch(body, -1) {
		if seen[m[1]] {
			t.Errorf("glossary term %s linked more than once", m[1])
		}
		seen[m[1]] = true
	}
	for _, want := range []string{`<header class="nhsuk-header"`, `<footer class="nhsuk-footer"`, `id="maincontent"`, "/static/nhsuk/nhsuk-frontend.min.css?v="} {
		if !strings.Contains(body, want) {
			t.Errorf("page lacks %q", want)
		}
	}
}

func TestPages(t *testing.T) {
	h := world(t).Handler()
	tests := []struct {
		name   string
		path   string
		want   []string
		reject []string
	}{
		{"home", "/", []string{"Clinical commissioning group information", "Search", "GP practice", `href="/glossary#ccg"`, `href="/imports/`}, nil},
		{"search by name", "/search?q=canal", []string{"1 organisation found", `href="/organisations/B99001"`, "CANAL SIDE SURGERY"}, []string{"HILLTOP"}},
		{"search by kind", "/search?kind=ccg", []string{"3 organisations found", "NHS EXAMPLE MERGED CCG", `<option value="ccg" selected>`}, []string{"CANAL SIDE"}},
		{"search form only", "/search", []string{"Search organisations"}, []string{"organisations found"}},
		{"search escapes the query", "/search?q=%3Cscript%3Ealert(1)%3C/script%3E", []string{"&lt;script&gt;alert(1)&lt;/script&gt;", "0 organisations found"}, []string{"<script>alert"}},
		{"members via search", "/search?member_of=03Z&at=2019-06-01", []string{"Members on 1 June 2019", "3 organisations found", `href="/organisations/01X"`}, nil},
		{"practice", "/organisations/B99001", []string{
			"CANAL SIDE SURGERY", "GP practice", "Membership history", "NHS EXAMPLE NORTH CCG", "NHS EXAMPLE MERGED CCG",
			"1 April 2013", "1 April 2020", "North &amp; West", "Registered patients by age and sex, October 2017",
			`role="img"`, "Show as a table", "list-size-pyramid.csv?month=2017-10", "Registered patients by month",
			`<option value="2017-09">September 2017</option>`, `href="/api/v1/organisations/B99001"`,
			// breadcrumbs lead to its current CCG
			`<a class="nhsuk-breadcrumb__link" href="/organisations/03Z">NHS EXAMPLE MERGED CCG</a>`,
		}, nil},
		{"practice in a chosen month", "/organisations/B99001?month=2017-09", []string{"Registered patients by age and sex, September 2017", `<option value="2017-09" selected>`}, nil},
		{"practice in a month without data", "/organisations/B99001?month=2016-01", []string{"There are no list sizes for January 2016"}, []string{"by age and sex, January"}},
		{"practice codes are not case sensitive", "/organisations/b99001", []string{"CANAL SIDE SURGERY"}, nil},
		{"practice without list sizes", "/organisations/B99002", []string{"No list sizes have been imported for this practice"}, nil},
		{"merged CCG today", "/organisations/03Z", []string{"Member practices on 1 June 2021", "3 practices were members", "Directly", "Merger history",
			"NHS EXAMPLE NORTH CCG", "NHS EXAMPLE SOUTH CCG", `value="2021-06-01"`, "members.csv?at=2021-06-01"}, []string{"Via <a"}},
		{"merged CCG before the merger", "/organisations/03Z?at=2019-06-01", []string{"Member practices on 1 June 2019", "3 practices were members",
			"All of them belonged to a", `Via <a href="/organisations/01X">01X</a>`, `Via <a href="/organisations/02Y">02Y</a>`}, nil},
		{"predecessor CCG", "/organisations/01X", []string{"no longer exists on its own", `<a href="/organisations/03Z">NHS EXAMPLE MERGED CCG (03Z)</a>`,
			"was succeeded as follows", "Localities on 1 June 2021"}, nil},
		{"predecessor CCG with localities", "/organisations/01X?at=2019-01-01", []string{"North &amp; West", "01X-NORTH-WEST", "2 practices were members"}, nil},
		{"PCT chain", "/organisations/5X9", []string{"Primary care trust", "NHS EXAMPLE NORTH CCG", "NHS EXAMPLE MERGED CCG"}, nil},
		{"locality", "/organisations/01X-NORTH-WEST?at=2019-01-01", []string{"Practices on 1 January 2019", "CANAL SIDE SURGERY", "RIVERSIDE HEALTH CENTRE", "NHS EXAMPLE NORTH CCG"}, nil},
		{"imports", "/imports", []string{"Where the data comes from", "epraccur_2018.csv", "localities.csv", "list-sizes"}, nil},
		{"glossary", "/glossary", []string{`id="ccg"`, "Clinical commissioning group", `id="funnel-plot"`, `href="#letter-Q"`}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := do(t, h, "GET", tt.path)
			body := rec.Body.String()
			if rec.Code != http.StatusOK {
				t.Fatalf("status %d, want 200\n%s", rec.Code, body)
			}
			if ct := rec.Header().Get("Content-Type"); ct != "text/html; charset=utf-8" {
				t.Errorf("Content-Type %q", ct)
			}
			checkHeaders(t, rec)
			checkHTML(t, body)
			for _, w := range tt.want {
				if !strings.Contains(body, w) {
					t.Errorf("page lacks %q", w)
				}
			}
			for _, r := range tt.reject {
				if strings.Contains(body, r) {
					t.Errorf("page should not contain %q", r)
				}
			}
		})
	}
}

func TestImportRunPage(t *testing.T) {
	srv := world(t)
	runs, err := srv.deps.Imports.History(context.Background(), 100)
	if err != nil {
		t.Fatal(err)
	}
	var loc importing.Run
	for _, r := range runs {
		if r.Kind == "localities" {
			loc = r
		}
	}
	if loc.ID == 0 || loc.Rejected == 0 {
		t.Fatalf("want a localities run with a rejected row, got %+v", loc)
	}
	rec := do(t, srv.Handler(), "GET", fmt.Sprintf("/imports/%d", loc.ID))
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d", rec.Code)
	}
	body := rec.Body.String()
	checkHTML(t, body)
	for _, w := range []string{"localities.csv", "Rejected rows", "B99009", `<td class="nhsuk-table__cell nhsuk-table__cell--numeric">5</td>`, "Rows rejected"} {
		if !strings.Contains(body, w) {
			t.Errorf("page lacks %q", w)
		}
	}

	var got struct {
		Run        importing.Run         `json:"run"`
		Rejections []importing.Rejection `json:"rejections"`
		Shown      int                   `json:"shown"`
	}
	getJSON(t, srv.Handler(), fmt.Sprintf("/api/v1/imports/%d", loc.ID), http.StatusOK, &got)
	if got.Run.File != "localities.csv" || len(got.Rejections) != loc.Rejected || got.Shown != loc.Rejected {
		t.Errorf("JSON run = %+v", got)
	}
	if r := got.Rejections[0]; r.Line != 5 || r.Column == 0 || r.Reason == "" {
		t.Errorf("rejection %+v: want line 5 with a column and a reason", r)
	}
}

// getJSON fetches path, checks the status and decodes the body into v.
func getJSON(t *testing.T, h http.Handler, path string, status int, v any) {
	t.Helper()
	rec := do(t, h, "GET", path)
	if rec.Code != status {
		t.Fatalf("GET %s: status %d, want %d\n%s", path, rec.Code, status, rec.Body)
	}
	if ct := rec.Header().Get("Content-Type"); ct != "application/json; charset=utf-8" {
		t.Errorf("GET %s: Content-Type %q", path, ct)
	}
	checkHeaders(t, rec)
	dec := json.NewDecoder(rec.Body)
	if err := dec.Decode(v); err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
}

func TestAPIShapes(t *testing.T) {
	h := world(t).Handler()
	tests := []struct {
		name string
		path string
		keys []string // top-level keys the object must have
	}{
		{"root", "/api/v1/", []string{"version", "organisations", "total", "links", "latest_import", "latest_list_sizes"}},
		{"search", "/api/v1/organisations?q=surgery", []string{"query", "total", "page", "per_page", "organisations"}},
		{"practice", "/api/v1/organisations/B99001", []string{"organisation", "kind_label", "relationships", "practice", "parent", "successor_chain", "predecessors"}},
		{"ccg", "/api/v1/organisations/03Z?at=2019-06-01", []string{"organisation", "commissioner", "predecessors"}},
		{"old ccg", "/api/v1/organisations/01X", []string{"current_successor", "successor_chain"}},
		{"locality", "/api/v1/organisations/01X-NORTH-WEST", []string{"locality", "parent"}},
		{"imports", "/api/v1/imports", []string{"runs"}},
		{"glossary", "/api/v1/glossary", []string{"terms"}},
		{"health", "/api/v1/healthz", []string{"status"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var m map[string]json.RawMessage
			getJSON(t, h, tt.path, http.StatusOK, &m)
			for _, k := range tt.keys {
				if _, ok := m[k]; !ok {
					t.Errorf("JSON lacks %q: has %v", k, keys(m))
				}
			}
		})
	}

	var practice struct {
		Organisation registry.Organisation `json:"organisation"`
		Practice     struct {
			Months  []string `json:"months"`
			Month   string   `json:"month"`
			Total   int      `json:"total"`
			Pyramid []struct {
				Band         string
				Male, Female int
			} `json:"pyramid"`
			Trend []struct {
				Month    string
				Patients int
			} `json:"trend"`
		} `json:"practice"`
		Relationships []RelationRow `json:"relationships"`
	}
	getJSON(t, h, "/api/v1/organisations/B99001?month=2017-09", http.StatusOK, &practice)
	p := practice.Practice
	if practice.Organisation.Code != "B99001" || p.Month != "2017-09" || len(p.Months) != 2 || len(p.Pyramid) != 20 || len(p.Trend) != 2 {
		t.Errorf("practice JSON: %+v", practice)
	}
	if len(p.Pyramid) == 20 && (p.Pyramid[0].Band != "0-4" || p.Pyramid[19].Band != "95+" || p.Pyramid[0].Female != 300 || p.Pyramid[0].Male != 290) {
		t.Errorf("pyramid ends: %+v %+v", p.Pyramid[0], p.Pyramid[19])
	}
	sum := 0
	for _, b := range p.Pyramid {
		sum += b.Male + b.Female
	}
	if sum != p.Total || p.Trend[0].Patients != p.Total {
		t.Errorf("pyramid adds to %d, total %d, trend %d", sum, p.Total, p.Trend[0].Patients)
	}
	var members, localityOf int
	for _, r := range practice.Relationships {
		switch r.Kind {
		case registry.RelMemberOf:
			members++
		case registry.RelInLocality:
			localityOf++
		}
	}
	if members != 2 || localityOf != 1 {
		t.Errorf("relationships: %d memberships, %d localities; want 2 and 1: %+v", members, localityOf, practice.Relationships)
	}
}

func keys(m map[string]json.RawMessage) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func TestMembersAt(t *testing.T) {
	h := world(t).Handler()
	tests := []struct {
		name string
		path string
		want []string // "CODE via VIA", sorted
	}{
		{"merged CCG before the merger takes its predecessors' practices", "/api/v1/organisations?member_of=03Z&at=2019-06-01",
			[]string{"B99001 via 01X", "B99002 via 02Y", "B99003 via 01X"}},
		{"merged CCG after the merger", "/api/v1/organisations?member_of=03Z&at=2021-01-01",
			[]string{"B99001 via 03Z", "B99002 via 03Z", "B99003 via 03Z"}},
		{"merger day belongs to the new CCG", "/api/v1/organisations?member_of=03Z&at=2020-04-01",
			[]string{"B99001 via 03Z", "B99002 via 03Z", "B99003 via 03Z"}},
		{"day before the merger", "/api/v1/organisations?member_of=03Z&at=2020-03-31",
			[]string{"B99001 via 01X", "B99002 via 02Y", "B99003 via 01X"}},
		{"closed practice counted while open", "/api/v1/organisations?member_of=03Z&at=2016-06-01",
			[]string{"B99001 via 01X", "B99002 via 02Y", "B99003 via 01X", "B99004 via 02Y"}},
		{"predecessor alone", "/api/v1/organisations?member_of=02Y&at=2016-06-01", []string{"B99002 via 02Y", "B99004 via 02Y"}},
		{"predecessor after the merger has none", "/api/v1/organisations?member_of=01X", nil},
		{"at defaults to today", "/api/v1/organisations?member_of=03Z", []string{"B99001 via 03Z", "B99002 via 03Z", "B99003 via 03Z"}},
		{"query within members", "/api/v1/organisations?member_of=03Z&at=2019-06-01&q=canal&kind=practice", []string{"B99001 via 01X"}},
		{"kind within members", "/api/v1/organisations?member_of=03Z&at=2019-06-01&kind=ccg", nil},
		{"lower-case code", "/api/v1/organisations?member_of=03z&at=2019-06-01", []string{"B99001 via 01X", "B99002 via 02Y", "B99003 via 01X"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var v struct {
				MemberOf string `json:"member_of"`
				At       string `json:"at"`
				Total    int    `json:"total"`
				Orgs     []struct {
					Code     string `json:"code"`
					Via      string `json:"via"`
					Since    string `json:"since"`
					Locality string `json:"locality"`
				} `json:"organisations"`
			}
			getJSON(t, h, tt.path, http.StatusOK, &v)
			var got []string
			for _, o := range v.Orgs {
				got = append(got, o.Code+" via "+o.Via)
				if o.Since == "" {
					t.Errorf("%s has no since date", o.Code)
				}
			}
			sort.Strings(got)
			if strings.Join(got, ", ") != strings.Join(tt.want, ", ") || v.Total != len(tt.want) {
				t.Errorf("members = %v (total %d), want %v", got, v.Total, tt.want)
			}
			if v.At == "" {
				t.Errorf("at missing from the answer")
			}
		})
	}
}

func TestErrors(t *testing.T) {
	h := world(t).Handler()
	tests := []struct {
		name    string
		method  string
		path    string
		status  int
		json    bool
		want    []string
		allowed string
	}{
		{"unknown organisation", "GET", "/organisations/ZZZ999", 404, false,
			[]string{"Page not found", "There is no organisation with the code ZZZ999.", `action="/search"`, `href="/"`}, ""},
		{"unknown organisation JSON", "GET", "/api/v1/organisations/ZZZ999", 404, true, []string{"There is no organisation with the code ZZZ999."}, ""},
		{"unknown page", "GET", "/no/such/page", 404, false, []string{"Page not found", "There is no page at /no/such/page."}, ""},
		{"unknown API address", "GET", "/api/v1/nothing", 404, true, []string{"There is no page at /api/v1/nothing."}, ""},
		{"bad date", "GET", "/organisations/03Z?at=yesterday", 400, false, []string{"There is a problem with your request", "Enter a date like 2019-04-01."}, ""},
		{"bad date JSON", "GET", "/api/v1/organisations?member_of=03Z&at=2019-13-01", 400, true, []string{"is not a date"}, ""},
		{"bad month", "GET", "/organisations/B99001?month=Sept", 400, false, []string{"Enter a month like 2019-04."}, ""},
		{"bad kind", "GET", "/api/v1/organisations?kind=hospital", 400, true, []string{`\"hospital\" is not a kind of organisation`}, ""},
		{"bad page", "GET", "/search?q=a&page=0", 400, false, []string{"is not a page number"}, ""},
		{"unknown commissioner", "GET", "/api/v1/organisations?member_of=NOPE", 404, true, []string{"There is no organisation with the code NOPE."}, ""},
		{"unknown import", "GET", "/imports/999", 404, false, []string{"There is no import with the number 999."}, ""},
		{"import id not a number", "GET", "/api/v1/imports/abc", 404, true, []string{"There is no import"}, ""},
		{"wrong method", "POST", "/organisations/B99001", 405, false, []string{"This address cannot be used in that way"}, "GET, HEAD"},
		{"wrong method JSON", "DELETE", "/api/v1/organisations/B99001", 405, true, []string{"does not accept DELETE"}, "GET, HEAD"},
		{"CSV for a CCG's list sizes", "GET", "/organisations/03Z/list-size-pyramid.csv", 404, false, []string{"is not a practice"}, ""},
		{"missing static file", "GET", "/static/nope.css", 404, false, []string{"There is no file at /static/nope.css."}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := do(t, h, tt.method, tt.path)
			if rec.Code != tt.status {
				t.Fatalf("status %d, want %d\n%s", rec.Code, tt.status, rec.Body)
			}
			checkHeaders(t, rec)
			body := rec.Body.String()
			if tt.json {
				var e struct {
					Error struct {
						Status  int    `json:"status"`
						Message string `json:"message"`
					} `json:"error"`
				}
				if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil {
					t.Fatalf("not JSON: %v\n%s", err, body)
				}
				if e.Error.Status != tt.status || e.Error.Message == "" {
					t.Errorf("error = %+v", e.Error)
				}
			} else {
				checkHTML(t, body)
			}
			for _, w := range tt.want {
				if !strings.Contains(body, w) {
					t.Errorf("body lacks %q:\n%s", w, body)
				}
			}
			if tt.allowed != "" && rec.Header().Get("Allow") != tt.allowed {
				t.Errorf("Allow = %q, want %q", rec.Header().Get("Allow"), tt.allowed)
			}
		})
	}
}

func TestServerErrorsHideInternals(t *testing.T) {
	srv := world(t)
	tests := []struct {
		name string
		api  bool
		h    handlerFunc
	}{
		{"error HTML", false, func(w http.ResponseWriter, r *http.Request) error {
			return fmt.Errorf("sql: connection refused at /var/secret/db")
		}},
		{"panic HTML", false, func(w http.ResponseWriter, r *http.Request) error { panic("nil map in /var/secret/db") }},
		{"error JSON", true, func(w http.ResponseWriter, r *http.Request) error {
			return fmt.Errorf("sql: connection refused at /var/secret/db")
		}},
		{"panic JSON", true, func(w http.ResponseWriter, r *http.Request) error { panic("nil map in /var/secret/db") }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var logs bytes.Buffer
			s := *srv
			s.log = slog.New(slog.NewTextHandler(&logs, nil))
			h := s.wrap(route{Method: "GET", Path: "/boom", Action: ActionHome}, tt.api, tt.h)
			rec := do(t, h, "GET", "/boom")
			if rec.Code != 500 {
				t.Fatalf("status %d", rec.Code)
			}
			checkHeaders(t, rec)
			body := rec.Body.String()
			if strings.Contains(body, "secret") {
				t.Errorf("internals leaked: %s", body)
			}
			id := rec.Header().Get(requestIDKey)
			if !strings.Contains(body, id) {
				t.Errorf("body does not quote reference %s", id)
			}
			if !strings.Contains(logs.String(), "secret") || !strings.Contains(logs.String(), id) {
				t.Errorf("log lacks the error and reference: %s", logs.String())
			}
		})
	}
}

func TestAuthorize(t *testing.T) {
	srv := world(t)
	tests := []struct {
		name     string
		policy   error
		path     string
		status   int
		location string
	}{
		{"sign-in needed redirects HTML", errs.ErrUnauthenticated, "/organisations/B99001?month=2017-09", 303, "/login?next=%2Forganisations%2FB99001%3Fmonth%3D2017-09"},
		{"sign-in needed is 401 for the API", errs.ErrUnauthenticated, "/api/v1/organisations/B99001", 401, ""},
		{"forbidden HTML", fmt.Errorf("policy: %w", errs.ErrForbidden), "/imports", 403, ""},
		{"forbidden JSON", errs.ErrForbidden, "/api/v1/imports", 403, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := *srv
			s.policy = func(*http.Request, Action, Resource) error { return tt.policy }
			s.mux = http.NewServeMux()
			if err := s.register(s.routes()); err != nil {
				t.Fatal(err)
			}
			rec := do(t, s.Handler(), "GET", tt.path)
			if rec.Code != tt.status {
				t.Fatalf("status %d, want %d", rec.Code, tt.status)
			}
			checkHeaders(t, rec)
			if got := rec.Header().Get("Location"); got != tt.location {
				t.Errorf("Location = %q, want %q", got, tt.location)
			}
		})
	}

	// Every route asks the policy once, with its action and resource.
	type call struct {
		action Action
		res    Resource
	}
	var calls []call
	s := *srv
	s.policy = func(_ *http.Request, a Action, r Resource) error {
		calls = append(calls, call{a, r})
		return nil
	}
	s.mux = http.NewServeMux()
	if err := s.register(s.routes()); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		path string
		want call
		also []call // further questions the page asks (what to show)
	}{
		{"/", call{ActionHome, Resource{}}, []call{{ActionImportsView, Resource{Kind: "import"}}}},
		{"/api/v1/organisations/B99001", call{ActionRegistryView, Resource{Kind: "organisation", ID: "B99001"}}, nil},
		{"/organisations/B99001/list-size-trend.csv", call{ActionRegistryView, Resource{Kind: "organisation", ID: "B99001"}}, nil},
		{"/imports/1", call{ActionImportsView, Resource{Kind: "import", ID: "1"}}, nil},
		{"/static/ccg.css", call{ActionStatic, Resource{}}, nil},
		{"/healthz", call{ActionHealth, Resource{}}, nil},
		{"/nowhere", call{ActionMissing, Resource{}}, nil},
	} {
		t.Run("policy sees "+c.path, func(t *testing.T) {
			calls = nil
			do(t, s.Handler(), "GET", c.path)
			if want := append([]call{c.want}, c.also...); !slices.Equal(calls, want) {
				t.Errorf("calls = %+v, want %+v", calls, want)
			}
		})
	}
}

func TestCSV(t *testing.T) {
	h := world(t).Handler()
	tests := []struct {
		name     string
		path     string
		header   string
		rows     int
		filename string
	}{
		{"pyramid", "/organisations/B99001/list-size-pyramid.csv?month=2017-09", "Age band,Male,Female,Total", 20, "B99001-list-size-2017-09.csv"},
		{"trend", "/organisations/B99001/list-size-trend.csv", "Month,Registered patients", 2, "B99001-list-size-trend.csv"},
		{"members", "/organisations/03Z/members.csv?at=2019-06-01", "Code,Name,Kind,Postcode,Locality,Member through,Member since,Status", 3, "03Z-members-2019-06-01.csv"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := do(t, h, "GET", tt.path)
			if rec.Code != 200 {
				t.Fatalf("status %d\n%s", rec.Code, rec.Body)
			}
			checkHeaders(t, rec)
			if ct := rec.Header().Get("Content-Type"); ct != "text/csv; charset=utf-8" {
				t.Errorf("Content-Type %q", ct)
			}
			if cd := rec.Header().Get("Content-Disposition"); !strings.Contains(cd, tt.filename) {
				t.Errorf("Content-Disposition %q, want %s", cd, tt.filename)
			}
			lines := strings.Split(strings.TrimSpace(rec.Body.String()), "\n")
			if lines[0] != tt.header || len(lines)-1 != tt.rows {
				t.Errorf("CSV header %q and %d rows; want %q and %d\n%s", lines[0], len(lines)-1, tt.header, tt.rows, rec.Body)
			}
			if strings.Contains(rec.Body.String(), "1,0") && tt.name == "trend" {
				t.Errorf("numbers in CSV must not have thousands separators: %s", rec.Body)
			}
		})
	}
}

func TestStatic(t *testing.T) {
	srv := world(t)
	h := srv.Handler()
	cssURL, err := srv.staticURL("ccg.css")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		path   string
		header []string
		status int
		cache  string
		ctype  string
	}{
		{"versioned", cssURL, nil, 200, "public, max-age=31536000, immutable", "text/css; charset=utf-8"},
		{"unversioned", "/static/ccg.css", nil, 200, "public, max-age=3600", "text/css; charset=utf-8"},
		{"frontend script", "/static/nhsuk/nhsuk-frontend.min.js", nil, 200, "public, max-age=3600", "text/javascript; charset=utf-8"},
		{"our script", "/static/ccg.js", nil, 200, "public, max-age=3600", "text/javascript; charset=utf-8"},
		{"licence", "/static/nhsuk/LICENCE", nil, 200, "public, max-age=3600", "text/plain; charset=utf-8"},
		{"favicon", "/favicon.ico", nil, 200, "public, max-age=3600", ""},
		{"not modified", cssURL, []string{"If-None-Match", `"` + srv.static.hashes["ccg.css"] + `"`}, 304, "public, max-age=31536000, immutable", ""},
		{"no directory listing", "/static/nhsuk/", nil, 404, "no-store", ""},
		{"no climbing out", "/static/../web.go", nil, 404, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := do(t, h, "GET", tt.path, tt.header...)
			if rec.Code != tt.status {
				t.Fatalf("status %d, want %d", rec.Code, tt.status)
			}
			if tt.status != 301 && tt.status != 307 {
				checkHeaders(t, rec)
			}
			if tt.cache != "" && rec.Header().Get("Cache-Control") != tt.cache {
				t.Errorf("Cache-Control %q, want %q", rec.Header().Get("Cache-Control"), tt.cache)
			}
			if tt.ctype != "" && rec.Header().Get("Content-Type") != tt.ctype {
				t.Errorf("Content-Type %q, want %q", rec.Header().Get("Content-Type"), tt.ctype)
			}
		})
	}
	css := do(t, h, "GET", "/static/nhsuk/nhsuk-frontend.min.css").Body.String()
	if strings.Contains(css, "https://") || strings.Contains(css, "http://") {
		t.Error("the frontend CSS loads something from another host; rebuild it with make assets")
	}
	if !strings.Contains(css, "nhsuk-header") {
		t.Error("the frontend CSS looks wrong")
	}
}

func TestHealth(t *testing.T) {
	h := world(t).Handler()
	tests := []struct {
		name   string
		path   string
		accept string
		body   string
	}{
		{"plain", "/healthz", "", "ok\n"},
		{"asks for JSON", "/healthz", "application/json", "{\n  \"status\": \"ok\"\n}\n"},
		{"API", "/api/v1/healthz", "", "{\n  \"status\": \"ok\"\n}\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := do(t, h, "GET", tt.path, "Accept", tt.accept)
			if rec.Code != 200 || rec.Body.String() != tt.body {
				t.Errorf("got %d %q, want 200 %q", rec.Code, rec.Body, tt.body)
			}
			checkHeaders(t, rec)
		})
	}
}

func TestHead(t *testing.T) {
	rec := do(t, world(t).Handler(), "HEAD", "/organisations/B99001")
	if rec.Code != 200 {
		t.Errorf("HEAD status %d", rec.Code)
	}
}

// templateCopy returns the embedded files as a MapFS that a test can break.
func templateCopy(t *testing.T) fstest.MapFS {
	t.Helper()
	m := fstest.MapFS{}
	err := fs.WalkDir(templateFS, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(templateFS, p)
		m[p] = &fstest.MapFile{Data: b}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestNewFailsFast(t *testing.T) {
	srv := world(t)
	deps := srv.deps
	tests := []struct {
		name   string
		break_ func(m fstest.MapFS)
		want   string
	}{
		{"page removed", func(m fstest.MapFS) { delete(m, "templates/registry/organisation.html") }, `"registry/organisation", which is missing`},
		{"error page removed", func(m fstest.MapFS) { delete(m, "templates/error.html") }, "templates/error.html is missing"},
		{"layout removed", func(m fstest.MapFS) { delete(m, "templates/layout.html") }, "layout.html"},
		{"partial removed", func(m fstest.MapFS) { delete(m, "templates/partials/forms.html") }, "search-form"},
		{"syntax error", func(m fstest.MapFS) {
			m["templates/home/home.html"] = &fstest.MapFile{Data: []byte(`{{define "title"}}x{{end}}{{define "content"}}{{if}}{{end}}`)}
		}, "home.html"},
		{"no content", func(m fstest.MapFS) {
			m["templates/glossary/glossary.html"] = &fstest.MapFile{Data: []byte(`{{define "title"}}x{{end}}`)}
		}, `must define "content"`},
		{"unsafe context", func(m fstest.MapFS) {
			m["templates/glossary/glossary.html"] = &fstest.MapFile{Data: []byte(`{{define "title"}}x{{end}}{{define "content"}}<a href="{{.Path}}{{end}}`)}
		}, "glossary.html"},
		{"calls a missing partial", func(m fstest.MapFS) {
			m["templates/glossary/glossary.html"] = &fstest.MapFile{Data: []byte(`{{define "title"}}x{{end}}{{define "content"}}{{template "nope" .}}{{end}}`)}
		}, `"nope"`},
		{"unknown function", func(m fstest.MapFS) {
			m["templates/glossary/glossary.html"] = &fstest.MapFile{Data: []byte(`{{define "title"}}x{{end}}{{define "content"}}{{frobnicate 1}}{{end}}`)}
		}, "frobnicate"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := templateCopy(t)
			tt.break_(m)
			_, err := newServer(deps, m, staticFS)
			if err == nil {
				t.Fatal("New accepted broken templates")
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not mention %q", err, tt.want)
			}
		})
	}
	t.Run("intact", func(t *testing.T) {
		if _, err := newServer(deps, templateCopy(t), staticFS); err != nil {
			t.Errorf("intact copy: %v", err)
		}
	})
	t.Run("missing static", func(t *testing.T) {
		_, err := newServer(deps, templateFS, fstest.MapFS{"static/ccg.css": {Data: []byte("x")}})
		if err == nil || !strings.Contains(err.Error(), "make assets") {
			t.Errorf("error %v", err)
		}
	})
	t.Run("missing registry", func(t *testing.T) {
		if _, err := New(Deps{Imports: deps.Imports}); err == nil {
			t.Error("New accepted Deps without a registry")
		}
	})
}

// TestTemplateTermsExist makes sure every {{term "..."}} in the templates
// names a glossary term (an unknown one would fail the page at run time).
func TestTemplateTermsExist(t *testing.T) {
	re := regexp.MustCompile(`\{\{-?\s*term\s+"([^"]+)"`)
	err := fs.WalkDir(templateFS, "templates", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(templateFS, p)
		if err != nil {
			return err
		}
		for _, m := range re.FindAllStringSubmatch(string(b), -1) {
			t.Run(p+" "+m[1], func(t *testing.T) {
				if _, err := glossary.Link(m[1]); err != nil {
					t.Error(err)
				}
			})
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestNavigation(t *testing.T) {
	srv := world(t)
	tests := []struct {
		path string
		want string
	}{
		{"/", "Home"},
		{"/search", "Organisations"},
		{"/organisations/B99001", "Organisations"},
		{"/imports/3", "Imports"},
		{"/glossary", "Glossary"},
		{"/elsewhere", ""},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			got := ""
			for _, n := range srv.navFor(tt.path) {
				if n.Current {
					got += n.Label
				}
			}
			if got != tt.want {
				t.Errorf("current = %q, want %q", got, tt.want)
			}
		})
	}
}
