package web

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"ccg/internal/access"
	"ccg/internal/calendar"
	"ccg/internal/errs"
	"ccg/internal/importing"
	"ccg/internal/registry"
	"ccg/internal/store/postgres"
	"ccg/internal/store/sqlite"
	"ccg/internal/store/sqlstore"
)

// regLocalities tells access which locality a practice is in, from the registry.
type regLocalities struct{ reg *registry.Service }

func (r regLocalities) LocalityOf(ctx context.Context, practice string) (string, error) {
	o, err := r.reg.ParentOn(ctx, practice, registry.RelInLocality, calendar.Today())
	if errors.Is(err, errs.ErrNotFound) {
		return "", nil
	}
	return o.Code, err
}

// accessWorld is a server with one signed-in person per role, all at
// practice A1 in locality L1 (B1 in L2 is "another practice").
type accessWorld struct {
	srv     *Server
	acc     *access.Service
	store   *sqlstore.Store
	people  map[access.Role]*access.Person
	session map[access.Role]string // session ID (cookie value)
	csrf    map[access.Role]string
	token   map[access.Role]string
}

const testPassword = "orchard-lantern-basket-7"

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
	imp := importing.NewService(st, access.NewStaffImport(acc))
	srv, err := New(Deps{Registry: reg, Imports: imp, Access: acc, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	w := &accessWorld{srv: srv, acc: acc, store: st, people: map[access.Role]*access.Person{},
		session: map[access.Role]string{}, csrf: map[access.Role]string{}, token: map[access.Role]string{}}
	for _, role := range access.Roles {
		email := strings.ReplaceAll(string(role), "-", "") + "@test.nhs.uk"
		p, err := acc.AddPerson(ctx, access.System, access.NewPerson{Name: role.Label() + " Person", Email: email,
			Roles: []access.Role{role}, Practices: []string{"A1"}, Bodies: []string{"GB"}, Password: testPassword})
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
	return w
}

// matrixExpect is the expectations table of the authorisation matrix: for
// each action, the roles allowed on their OWN practice (or own account) and
// on ANOTHER practice (or another person's account). Add a row for every
// new action; the test fails on a route whose action has none.
var matrixExpect = map[access.Action]struct{ own, other string }{
	access.ActHome:           {"public administrator analyst finance governance-secretary governing-body-member locality-lead practice-member", "same"},
	access.ActRegistrySearch: {"public administrator analyst finance governance-secretary governing-body-member locality-lead practice-member", "same"},
	access.ActRegistryView:   {"public administrator analyst finance governance-secretary governing-body-member locality-lead practice-member", "same"},
	access.ActGlossaryView:   {"public administrator analyst finance governance-secretary governing-body-member locality-lead practice-member", "same"},
	access.ActSiteHealth:     {"public administrator analyst finance governance-secretary governing-body-member locality-lead practice-member", "same"},
	access.ActSiteStatic:     {"public administrator analyst finance governance-secretary governing-body-member locality-lead practice-member", "same"},
	access.ActPublicView:     {"public administrator analyst finance governance-secretary governing-body-member locality-lead practice-member", "same"},
	access.ActSignIn:         {"public administrator analyst finance governance-secretary governing-body-member locality-lead practice-member", "same"},
	access.ActImportsView:    {"public administrator analyst finance governance-secretary governing-body-member locality-lead practice-member", "same"},
	access.ActAccount:        {"administrator analyst finance governance-secretary governing-body-member locality-lead practice-member", "same"},
	access.ActPeopleView:     {"administrator governance-secretary", "same"},
	access.ActPeopleAdmin:    {"administrator", "same"},
	access.ActAuditView:      {"administrator", "same"},
	access.ActPracticeDetail: {"administrator analyst finance governing-body-member locality-lead practice-member", "administrator analyst finance governing-body-member"},
	access.ActPracticePeers:  {"administrator analyst finance governing-body-member locality-lead practice-member", "administrator analyst finance governing-body-member"},
}

// fillPath puts own or other values into a route pattern's wildcards.
func fillPath(pattern string, w *accessWorld, role access.Role, own bool) string {
	p := strings.TrimSuffix(pattern, "{$}")
	vals := map[string]string{"code": "B1", "email": "someone@test.nhs.uk", "id": "1", "path...": "ccg.css"}
	if own {
		vals["code"] = "A1"
		if per := w.people[role]; per != nil {
			vals["email"] = per.Email
		}
	}
	for k, v := range vals {
		p = strings.ReplaceAll(p, "{"+k+"}", url.PathEscape(v))
	}
	return p
}

// TestAuthorisationMatrix walks every route × every role × own vs other
// practice through the real wrapper (with each handler replaced by one that
// only answers 200, so that nothing changes) and compares allow/deny with
// the expectations table.
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
			roles := append([]access.Role{access.RolePublic}, access.Roles...)
			for _, e := range entries {
				want := matrixExpect[e.Action]
				for _, own := range []bool{true, false} {
					allowed := want.own
					if !own && want.other != "same" {
						allowed = want.other
					}
					if !own && want.other == "same" {
						allowed = want.own
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
							t.Errorf("%s %s as %s (%s practice): status %d, want allowed=%v", e.Method, target, role, ctxName, rec.Code, wantAllowed)
						}
					}
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
