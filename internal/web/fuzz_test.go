package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"ccg/internal/access"
)

// postRoute is one POST route of the route table (HTML or JSON address)
// with a caller the policy lets use it, so that fuzzing reaches its parser.
type postRoute struct {
	path                 string
	api                  bool
	role                 access.Role
	session, csrf, token string
}

// postRoutes lists every POST address of the world's server, each with a
// caller: a person holding a role the policy allows, and for one's own
// account and signing out a person of its own (so that signing out or
// revoking a token never ends the sessions the other routes use).
func postRoutes(t testing.TB, w *accessWorld) []postRoute {
	ctx := context.Background()
	p, err := w.acc.AddPerson(ctx, access.System, access.NewPerson{Name: "Fuzz Self", Email: "fuzz.self@test.nhs.uk",
		Roles: []access.Role{access.RoleAnalyst}, Password: testPassword})
	if err != nil {
		t.Fatal(err)
	}
	selfSession, sess, err := w.acc.StartSession(ctx, p, access.SessionMeta{Method: "test"})
	if err != nil {
		t.Fatal(err)
	}
	selfToken, _, err := w.acc.CreateToken(ctx, access.System, p.Email, "fuzz")
	if err != nil {
		t.Fatal(err)
	}
	var out []postRoute
	for _, rt := range w.srv.routes() {
		if rt.Method != http.MethodPost {
			continue
		}
		c := postRoute{role: access.RolePublic}
		switch {
		case rt.Path == "/logout":
			// signing out reads no form; as anybody it would end a session
		case rt.Action == access.ActAccount || rt.Action == access.ActSignIn:
			c = postRoute{role: access.RoleAnalyst, session: selfSession, csrf: sess.CSRF, token: selfToken}
		default:
			for _, r := range access.Roles {
				if access.Allowed(w.people[r], rt.Action) {
					c = postRoute{role: r, session: w.session[r], csrf: w.csrf[r], token: w.token[r]}
					break
				}
			}
		}
		c.path, c.api = rt.Path, isAPIPath(rt.Path)
		out = append(out, c)
		if rt.API != "" {
			c.path, c.api = rt.API, true
			out = append(out, c)
		}
	}
	return out
}

// fuzzBodies are the seed bodies every POST route is tried with.
var fuzzBodies = []struct{ body, ctype string }{
	{"", "application/x-www-form-urlencoded"},
	{"a=1&b=2&choice=0&practice=A1&id=1&name=x&email=x%40y.z", "application/x-www-form-urlencoded"},
	{"choice=-99999999999999999999&amount=1e309&date=2024-13-45&year=0&value=%C2%A3-1", "application/x-www-form-urlencoded"},
	{"q=%zz&x=%ff%fe&=&&&name=" + strings.Repeat("A", 5000), "application/x-www-form-urlencoded"},
	{"--x\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.csv\"\r\n\r\nname,email\r\n--x--", "multipart/form-data; boundary=x"},
	{`{"a":1}`, "application/json"},
}

// FuzzPostRoutes sends arbitrary form bodies and query strings to every
// POST route, as a person the policy lets use it (with the anti-forgery
// token): no panic and no server error. The seed corpus (every route with
// each of fuzzBodies) runs in every `go test`.
func FuzzPostRoutes(f *testing.F) {
	w := newAccessWorld(f, openSQLite(f))
	// people routes act on a person of their own, so that disabling or
	// resetting never touches the people the fuzzing acts as
	const target = "fuzz.target@test.nhs.uk"
	if _, err := w.acc.AddPerson(context.Background(), access.System, access.NewPerson{Name: "Fuzz Target", Email: target,
		Roles: []access.Role{access.RoleAnalyst}, Password: testPassword}); err != nil {
		f.Fatal(err)
	}
	routes := postRoutes(f, w)
	if len(routes) < 30 {
		f.Fatalf("only %d POST routes found", len(routes))
	}
	for i := range routes {
		for _, b := range fuzzBodies {
			f.Add(uint16(i), b.body, b.ctype, "")
		}
	}
	f.Add(uint16(0), "a=b", "application/x-www-form-urlencoded", "year=99999999999999999999&month=2024-99&locality=%00")
	h := w.srv.Handler()
	f.Fuzz(func(t *testing.T, n uint16, body, ctype, query string) {
		rt := routes[int(n)%len(routes)]
		target := fillPath(strings.ReplaceAll(rt.path, "{email}", target), w, rt.role, true)
		if query != "" {
			sep := "?"
			if strings.Contains(target, "?") {
				sep = "&"
			}
			target += sep + url.PathEscape(query)
		}
		req, err := http.NewRequest("POST", "http://ccg.test"+target, strings.NewReader(body))
		if err != nil {
			return // not a request a client could send
		}
		req.RemoteAddr = "192.0.2.1:1234"
		req.Header.Set("Content-Type", ctype)
		if rt.role != access.RolePublic {
			if rt.api {
				req.Header.Set("Authorization", "Bearer "+rt.token)
			} else {
				req.AddCookie(&http.Cookie{Name: sessionCookie, Value: rt.session})
				req.Header.Set(csrfHeader, rt.csrf)
			}
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("POST %s as %s (%q, %q): status %d: %s", target, rt.role, body, ctype, rec.Code, clipBody(rec.Body.String()))
		}
	})
}

// FuzzSearch sends arbitrary queries to the organisation search, as a page
// and as JSON: no panic and no server error.
func FuzzSearch(f *testing.F) {
	w := newAccessWorld(f, openSQLite(f))
	h := w.srv.Handler()
	for _, q := range []string{"q=own", "q=%25%25%25_", "q=" + strings.Repeat("%_", 3000), "kind=practice&q=A1&page=2",
		"member_of=L1&at=2020-02-30", "page=-1", "page=99999999999999999999", "q=%ff%fe%00", "kind=" + strings.Repeat("x", 500),
		"q='%20OR%201=1--", "at=9999-12-31&member_of=A1"} {
		f.Add(q, false)
		f.Add(q, true)
	}
	f.Fuzz(func(t *testing.T, query string, api bool) {
		path := "/search?"
		if api {
			path = "/api/v1/organisations?"
		}
		req, err := http.NewRequest("GET", "http://ccg.test"+path+query, nil)
		if err != nil {
			return
		}
		req.RemoteAddr = "192.0.2.1:1234"
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("GET %s%s: status %d: %s", path, query, rec.Code, clipBody(rec.Body.String()))
		}
	})
}
