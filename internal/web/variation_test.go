package web

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"ccg/internal/access"
	"ccg/internal/analytics/duckdb"
	"ccg/internal/importing"
	"ccg/internal/registry"
	"ccg/internal/variation"
)

// variationServer builds, over the access world's store, a server with the
// variation capability on a real (in-memory) DuckDB analytics store.
func variationServer(t *testing.T, w *accessWorld) *Server {
	t.Helper()
	an, err := duckdb.Open(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { an.Close() })
	reg := registry.NewService(w.store)
	svc := variation.NewService(an, variation.NewRegistryPort(reg))
	srv, err := New(Deps{Registry: reg, Imports: importing.NewService(w.store), Access: w.acc, Variation: svc,
		Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	return srv
}

// variationExpect says which roles may use each variation route on their
// own practice (or locality) and on another: the measures are published
// open data (everybody); a practice's page follows ActPracticeDetail and
// the locality view ActPracticePeers (the matrix rows of access_test.go).
var variationExpect = map[access.Action]struct{ own, other string }{
	access.ActAnalyticsView:  {"public administrator analyst finance governance-secretary governing-body-member locality-lead practice-member", "same"},
	ActionStatic:             {"public administrator analyst finance governance-secretary governing-body-member locality-lead practice-member", "same"},
	access.ActPracticeDetail: matrixExpect[access.ActPracticeDetail],
	access.ActPracticePeers:  matrixExpect[access.ActPracticePeers],
}

// TestVariationAuthorisation walks every variation route × every role ×
// own vs other practice (locality L1 vs L2 for the locality view) through
// the real wrapper, with the handlers replaced by one that answers 200.
func TestVariationAuthorisation(t *testing.T) {
	for engine, open := range storeEngines(t) {
		t.Run(engine, func(t *testing.T) {
			w := newAccessWorld(t, open(t))
			srv := variationServer(t, w)
			ok := func(http.ResponseWriter, *http.Request) error { return nil }
			mux := http.NewServeMux()
			type entry struct {
				route
				path string
				api  bool
			}
			var entries []entry
			for _, rt := range srv.variationRoutes() {
				if _, has := variationExpect[rt.Action]; !has {
					t.Fatalf("route %s: action %q has no expectation", rt.Path, rt.Action)
				}
				entries = append(entries, entry{rt, rt.Path, isAPIPath(rt.Path)})
				mux.Handle(rt.Method+" "+rt.Path, srv.wrap(rt, isAPIPath(rt.Path), ok))
				if rt.API != "" {
					entries = append(entries, entry{rt, rt.API, true})
					mux.Handle(rt.Method+" "+rt.API, srv.wrap(rt, true, ok))
				}
			}
			if len(entries) < 10 {
				t.Fatalf("only %d variation routes", len(entries))
			}
			roles := append([]access.Role{access.RolePublic}, access.Roles...)
			for _, e := range entries {
				want := variationExpect[e.Action]
				for _, own := range []bool{true, false} {
					allowed := want.own
					if !own && want.other != "same" {
						allowed = want.other
					}
					code, id := "B1", "ppi_high_dose"
					if own {
						code = "A1"
					}
					if strings.Contains(e.path, "/localities/") {
						code = map[bool]string{true: "L1", false: "L2"}[own]
					}
					target := strings.NewReplacer("{code}", code, "{id}", id).Replace(e.path)
					for _, role := range roles {
						req := httptest.NewRequest(e.Method, target, nil)
						if role != access.RolePublic {
							if e.api {
								req.Header.Set("Authorization", "Bearer "+w.token[role])
							} else {
								req.AddCookie(&http.Cookie{Name: sessionCookie, Value: w.session[role]})
							}
						}
						rec := httptest.NewRecorder()
						mux.ServeHTTP(rec, req)
						denied := rec.Code == http.StatusUnauthorized || rec.Code == http.StatusForbidden ||
							(rec.Code == http.StatusSeeOther && strings.HasPrefix(rec.Header().Get("Location"), "/login"))
						wantAllowed := strings.Contains(" "+allowed+" ", " "+string(role)+" ")
						if denied == wantAllowed {
							t.Errorf("GET %s as %s (own=%v): status %d, want allowed=%v", target, role, own, rec.Code, wantAllowed)
						}
					}
				}
			}
		})
	}
}

// TestVariationPagesWithoutData checks that the pages answer sensibly
// before any prescribing is imported, and that bad parameters are 400s.
func TestVariationPagesWithoutData(t *testing.T) {
	w := newAccessWorld(t, openSQLite(t))
	srv := variationServer(t, w)
	h := srv.Handler()
	tests := []struct {
		name, path string
		status     int
		want       string
	}{
		{"measure list", "/prescribing", 200, "No prescribing or referral figures have been imported yet"},
		{"measures API", "/api/v1/measures", 200, `"id": "ppi_high_dose"`},
		{"measure page", "/prescribing/measures/ppi_high_dose", 200, "No figures have been computed"},
		{"unknown measure", "/prescribing/measures/nope", 404, "There is no measure called nope"},
		{"values without a month", "/api/v1/measures/ppi_high_dose/values?level=practice", 400, "Give a month"},
		{"values at an unknown level", "/api/v1/measures/ppi_high_dose/values?month=2020-01&level=galaxy", 400, "not a level"},
		{"values of an empty month", "/api/v1/measures/ppi_high_dose/values?month=2020-01&level=ccg", 200, `"values": []`},
		{"deciles for England", "/api/v1/measures/ppi_high_dose/deciles?level=england", 400, "has no deciles"},
		{"values CSV header", "/prescribing/measures/ppi_high_dose/values.csv?month=2020-01", 200,
			"org_code,numerator,denominator,value,percentile,cost_saving_10"},
		{"print style sheet", "/prescribing/print.css", 200, "@media print"},
		{"funnel CSV of an empty month", "/prescribing/measures/ppi_high_dose/funnel.csv?month=2020-01", 200, ""},
		{"trend CSV of an empty month", "/prescribing/measures/ppi_high_dose/trend.csv?month=2020-01", 200, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest("GET", tc.path, nil))
			if rec.Code != tc.status || !strings.Contains(rec.Body.String(), tc.want) {
				t.Errorf("GET %s: %d, want %d with %q; body:\n%.600s", tc.path, rec.Code, tc.status, tc.want, rec.Body.String())
			}
		})
	}
}
