package web

import (
	"context"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"ccg/internal/access"
	"ccg/internal/calendar"
	"ccg/internal/chart"
	"ccg/internal/registry"
	"ccg/internal/variation"
)

// TestOutlierDirection checks that a measure where neither higher nor lower
// is better counts its outliers as unusual, never as worse (or better), and
// that the others count by their direction.
func TestOutlierDirection(t *testing.T) {
	lower, higher := true, false
	high := variation.Flags{High998: true, High95: true}
	low := variation.Flags{Low95: true}
	tests := []struct {
		name                     string
		lowIsGood                *bool
		flags                    variation.Flags
		worse, better, isUnusual bool
	}{
		{"no direction, high", nil, high, false, false, true},
		{"no direction, low", nil, low, false, false, true},
		{"no direction, within", nil, variation.Flags{}, false, false, false},
		{"lower is better, high", &lower, high, true, false, false},
		{"lower is better, low", &lower, low, false, true, false},
		{"higher is better, low", &higher, low, true, false, false},
		{"higher is better, high", &higher, high, false, true, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			pm := variation.PracticeMeasure{Measure: variation.Measure{LowIsGood: tc.lowIsGood}, Value: variation.MeasureValue{Flags: tc.flags}}
			if got := worse(pm); got != tc.worse {
				t.Errorf("worse = %v, want %v", got, tc.worse)
			}
			if got := better(pm); got != tc.better {
				t.Errorf("better = %v, want %v", got, tc.better)
			}
			if got := unusual(pm); got != tc.isUnusual {
				t.Errorf("unusual = %v, want %v", got, tc.isUnusual)
			}
		})
	}
}

// TestMembersOfACommissionerNamedOnlyByPractices checks that a commissioner
// known only because practice rows name it (its own file not imported)
// answers its members list instead of "not found".
func TestMembersOfACommissionerNamedOnlyByPractices(t *testing.T) {
	st := openSQLite(t)
	w := newAccessWorld(t, st)
	ctx := context.Background()
	if _, err := st.PutRelationship(ctx, registry.Relationship{Child: "A1", Parent: "01H", Kind: registry.RelMemberOf,
		From: calendar.MustDate("2013-04-01")}); err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	w.srv.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/api/v1/organisations?kind=practice&member_of=01H&at=2016-06-01", nil))
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), `"code": "A1"`) {
		t.Errorf("members of 01H: %d, want 200 listing A1:\n%.600s", rec.Code, rec.Body.String())
	}
	rec = httptest.NewRecorder()
	w.srv.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/api/v1/organisations?member_of=NOPE", nil))
	if rec.Code != 404 {
		t.Errorf("members of NOPE (named by no one): %d, want 404", rec.Code)
	}
}

// TestMayFollow checks that a page asks the one policy, through the route
// table, whether to show a link: the public is not shown links that bounce
// to sign-in, a practice member not another locality's practice.
func TestMayFollow(t *testing.T) {
	st := openSQLite(t)
	w := newAccessWorld(t, st)
	as := func(role access.Role) *http.Request {
		r := httptest.NewRequest("GET", "/", nil)
		if role != access.RolePublic {
			r.AddCookie(&http.Cookie{Name: sessionCookie, Value: w.session[role]})
		}
		return w.srv.identify(httptest.NewRecorder(), r)
	}
	tests := []struct {
		role access.Role
		href string
		want bool
	}{
		{access.RolePublic, "/governance/assurance", false},
		{access.RoleGovSecretary, "/governance/assurance", true},
		{access.RolePublic, "/prescribing/practices/A1?month=2021-03", false},
		{access.RolePracticeMember, "/prescribing/practices/A1?month=2021-03", true},
		{access.RolePracticeMember, "/prescribing/practices/B1", false},
		{access.RolePublic, "/glossary", true},
		{access.RolePublic, "/no/such/page", false},
		{access.RolePublic, "https://www.nhs.uk/", true},
	}
	for _, tc := range tests {
		t.Run(string(tc.role)+" "+tc.href, func(t *testing.T) {
			if got := w.srv.mayFollow(as(tc.role), tc.href); got != tc.want {
				t.Errorf("mayFollow = %v, want %v", got, tc.want)
			}
		})
	}
}

// TestTablesScrollInTheirOwnBox checks that every table a template or a
// chart writes sits in a table container (which scrolls sideways inside its
// own box, and is focusable so that a keyboard can scroll it), so that no
// table widens the page on a phone.
func TestTablesScrollInTheirOwnBox(t *testing.T) {
	files, err := fs.Glob(templateFS, "templates/*/*.html")
	if err != nil {
		t.Fatal(err)
	}
	container := regexp.MustCompile(`<div class="nhsuk-table-container" tabindex="0">\s*$`)
	for _, f := range files {
		b, err := fs.ReadFile(templateFS, f)
		if err != nil {
			t.Fatal(err)
		}
		s := string(b)
		for i := strings.Index(s, "<table"); i >= 0; {
			if !container.MatchString(s[:i]) {
				t.Errorf("%s: a table at byte %d is not in a focusable nhsuk-table-container", f, i)
			}
			j := strings.Index(s[i+1:], "<table")
			if j < 0 {
				break
			}
			i += 1 + j
		}
	}
	fig := chart.Bar{Title: "T", Categories: []string{"a"}, Series: []chart.BarSeries{{Name: "s", Values: []float64{1}}}}.Render()
	if html := string(fig.HTML()); !strings.Contains(html, `<div class="nhsuk-table-container" tabindex="0">`+"\n<table") {
		t.Errorf("a chart's table alternative is not in a focusable table container:\n%s", html)
	}
}
