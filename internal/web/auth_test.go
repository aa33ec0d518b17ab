package web

import (
	"bytes"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"ccg/internal/access"
)

var csrfInput = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

// browser is a tiny cookie-keeping client for the handler.
type browser struct {
	t       testing.TB
	h       http.Handler
	cookies map[string]*http.Cookie
}

func newBrowser(t testing.TB, h http.Handler) *browser {
	return &browser{t: t, h: h, cookies: map[string]*http.Cookie{}}
}

func (b *browser) do(req *http.Request) *httptest.ResponseRecorder {
	for _, c := range b.cookies {
		req.AddCookie(c)
	}
	rec := httptest.NewRecorder()
	b.h.ServeHTTP(rec, req)
	for _, c := range rec.Result().Cookies() {
		if c.MaxAge < 0 {
			delete(b.cookies, c.Name)
		} else {
			b.cookies[c.Name] = c
		}
	}
	return rec
}

func (b *browser) get(path string) *httptest.ResponseRecorder {
	return b.do(httptest.NewRequest("GET", path, nil))
}

func (b *browser) post(path string, form url.Values) *httptest.ResponseRecorder {
	req := httptest.NewRequest("POST", path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(req)
}

// csrf reads the anti-forgery token from a page.
func (b *browser) csrf(path string) string {
	m := csrfInput.FindStringSubmatch(b.get(path).Body.String())
	if m == nil {
		b.t.Fatalf("no csrf_token on %s", path)
	}
	return m[1]
}

func (b *browser) login(email, pw string) *httptest.ResponseRecorder {
	tok := b.csrf("/login")
	return b.post("/login", url.Values{"email": {email}, "password": {pw}, "csrf_token": {tok}, "next": {"/account"}})
}

func TestSignInFlow(t *testing.T) {
	w := newAccessWorld(t, storeEngines(t)["sqlite"](t))
	h := w.srv.Handler()
	admin := w.people[access.RoleAdmin]
	b := newBrowser(t, h)

	t.Run("protected page redirects to sign in", func(t *testing.T) {
		rec := b.get("/admin/people")
		if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/login?next=%2Fadmin%2Fpeople" {
			t.Fatalf("got %d %q", rec.Code, rec.Header().Get("Location"))
		}
	})
	t.Run("security headers", func(t *testing.T) {
		rec := b.get("/login")
		if csp := rec.Header().Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'self'") || strings.Contains(csp, "unsafe-inline") {
			t.Errorf("CSP %q", csp)
		}
		if rec.Header().Get("X-Frame-Options") != "DENY" || rec.Header().Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("headers %v", rec.Header())
		}
	})
	t.Run("login without csrf token is refused", func(t *testing.T) {
		rec := newBrowser(t, h).post("/login", url.Values{"email": {admin.Email}, "password": {testPassword}})
		if rec.Code != http.StatusForbidden {
			t.Fatalf("got %d", rec.Code)
		}
	})
	t.Run("cross-site post is refused", func(t *testing.T) {
		nb := newBrowser(t, h)
		tok := nb.csrf("/login")
		req := httptest.NewRequest("POST", "/login", strings.NewReader(url.Values{"email": {admin.Email}, "password": {testPassword}, "csrf_token": {tok}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", "https://evil.example")
		if rec := nb.do(req); rec.Code != http.StatusForbidden {
			t.Fatalf("got %d", rec.Code)
		}
	})
	t.Run("wrong password and unknown account look the same", func(t *testing.T) {
		r1 := newBrowser(t, h).login(admin.Email, "not the right password")
		r2 := newBrowser(t, h).login("nobody@test.nhs.uk", "not the right password")
		if r1.Code != http.StatusUnauthorized || r2.Code != http.StatusUnauthorized {
			t.Fatalf("codes %d %d", r1.Code, r2.Code)
		}
		msg := "The email address or password is not right."
		if !strings.Contains(r1.Body.String(), msg) || !strings.Contains(r2.Body.String(), msg) {
			t.Error("messages differ")
		}
	})
	var sessionID string
	t.Run("sign in sets a safe cookie and renews it", func(t *testing.T) {
		b.cookies[sessionCookie] = &http.Cookie{Name: sessionCookie, Value: "fixated-session-id"}
		rec := b.login(admin.Email, testPassword)
		if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/account" {
			t.Fatalf("got %d %q %s", rec.Code, rec.Header().Get("Location"), rec.Body.String())
		}
		c := b.cookies[sessionCookie]
		if c == nil || c.Value == "fixated-session-id" || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Secure {
			t.Fatalf("cookie %+v", c)
		}
		sessionID = c.Value
		if rec := b.get("/account"); rec.Code != 200 || !strings.Contains(rec.Body.String(), admin.Email) {
			t.Fatalf("account: %d", rec.Code)
		}
	})
	t.Run("secure cookie under TLS", func(t *testing.T) {
		nb := newBrowser(t, h)
		tok := nb.csrf("/login")
		req := httptest.NewRequest("POST", "https://ccg.test/login", strings.NewReader(url.Values{"email": {admin.Email}, "password": {testPassword}, "csrf_token": {tok}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		nb.do(req)
		if c := nb.cookies[sessionCookie]; c == nil || !c.Secure {
			t.Fatalf("cookie %+v", c)
		}
	})
	t.Run("open redirect refused", func(t *testing.T) {
		for _, n := range []string{"//evil.example", "https://evil.example", "/\\evil.example"} {
			if got := safeNext(n); got != "/" {
				t.Errorf("safeNext(%q) = %q", n, got)
			}
		}
	})
	t.Run("post without token while signed in is refused", func(t *testing.T) {
		if rec := b.post("/account/tokens", url.Values{"name": {"x"}}); rec.Code != http.StatusForbidden {
			t.Fatalf("got %d", rec.Code)
		}
	})
	t.Run("token create and bearer use", func(t *testing.T) {
		tok := b.csrf("/account")
		rec := b.post("/account/tokens", url.Values{"name": {"script"}, "csrf_token": {tok}})
		m := regexp.MustCompile(`<code id="secret">(ccg_[A-Za-z0-9_-]+)</code>`).FindStringSubmatch(rec.Body.String())
		if rec.Code != 200 || m == nil {
			t.Fatalf("got %d", rec.Code)
		}
		req := httptest.NewRequest("GET", "/api/v1/people", nil)
		req.Header.Set("Authorization", "Bearer "+m[1])
		if rec := httptest.NewRecorder(); func() int { h.ServeHTTP(rec, req); return rec.Code }() != 200 {
			t.Fatalf("bearer: %d", rec.Code)
		}
		req = httptest.NewRequest("GET", "/api/v1/people", nil)
		req.Header.Set("Authorization", "Bearer ccg_wrong")
		rec = httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusUnauthorized || !strings.Contains(rec.Header().Get("WWW-Authenticate"), "Bearer") {
			t.Fatalf("bad bearer: %d", rec.Code)
		}
	})
	t.Run("member token cannot reach admin API", func(t *testing.T) {
		req := httptest.NewRequest("GET", "/api/v1/people", nil)
		req.Header.Set("Authorization", "Bearer "+w.token[access.RolePracticeMember])
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusForbidden {
			t.Fatalf("got %d", rec.Code)
		}
	})
	t.Run("sign out revokes the session", func(t *testing.T) {
		tok := b.csrf("/account")
		if rec := b.post("/logout", url.Values{"csrf_token": {tok}}); rec.Code != http.StatusSeeOther {
			t.Fatalf("logout %d", rec.Code)
		}
		old := newBrowser(t, h)
		old.cookies[sessionCookie] = &http.Cookie{Name: sessionCookie, Value: sessionID}
		if rec := old.get("/account"); rec.Code != http.StatusSeeOther {
			t.Fatalf("old session still works: %d", rec.Code)
		}
	})
	t.Run("throttled after repeated failures", func(t *testing.T) {
		nb := newBrowser(t, h)
		var rec *httptest.ResponseRecorder
		for i := 0; i < 11; i++ {
			rec = nb.login(w.people[access.RoleFinance].Email, "definitely wrong password")
		}
		if rec.Code != http.StatusTooManyRequests {
			t.Fatalf("got %d", rec.Code)
		}
	})
	t.Run("disabling ends sessions", func(t *testing.T) {
		nb := newBrowser(t, h)
		nb.cookies[sessionCookie] = &http.Cookie{Name: sessionCookie, Value: w.session[access.RoleAnalyst]}
		if rec := nb.get("/account"); rec.Code != 200 {
			t.Fatalf("before: %d", rec.Code)
		}
		ab := newBrowser(t, h)
		ab.login(admin.Email, testPassword)
		tok := ab.csrf("/admin/people")
		if rec := ab.post("/admin/people/"+w.people[access.RoleAnalyst].Email+"/disable", url.Values{"csrf_token": {tok}}); rec.Code != 200 {
			t.Fatalf("disable: %d", rec.Code)
		}
		if rec := nb.get("/account"); rec.Code != http.StatusSeeOther {
			t.Fatalf("after: %d", rec.Code)
		}
	})
	t.Run("staff upload", func(t *testing.T) {
		ab := newBrowser(t, h)
		ab.login(admin.Email, testPassword)
		tok := ab.csrf("/admin/people")
		rec := ab.do(uploadRequest(t, tok, "staff.csv", "name,email,professional_role,practices,roles\nNew Nurse,nn@test.nhs.uk,practice nurse,A1,\n"))
		if rec.Code != 200 || !strings.Contains(rec.Body.String(), "1 accepted") {
			t.Fatalf("upload %d %s", rec.Code, rec.Body.String())
		}
		big := uploadRequest(t, tok, "big.csv", "name,email\n"+strings.Repeat("x", maxStaffUpload+10))
		if rec := ab.do(big); rec.Code != http.StatusRequestEntityTooLarge {
			t.Fatalf("big upload %d", rec.Code)
		}
	})
	t.Run("audit log intact", func(t *testing.T) {
		res, err := w.acc.VerifyAudit(t.Context(), access.System, nil)
		if err != nil || !res.OK() || res.Entries < 10 {
			t.Fatalf("%+v %v", res, err)
		}
	})
}

func uploadRequest(t testing.TB, csrf, name, body string) *http.Request {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("csrf_token", csrf)
	fw, _ := mw.CreateFormFile("file", name)
	io.WriteString(fw, body)
	mw.Close()
	req := httptest.NewRequest("POST", "/admin/people/import", &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return req
}

// FuzzLogin posts arbitrary form bodies to /login: no panic, no server
// error, and never a session without the right password.
func FuzzLogin(f *testing.F) {
	w := newAccessWorld(f, openSQLite(f))
	h := w.srv.Handler()
	b := newBrowser(&testing.T{}, h)
	tok := csrfInput.FindStringSubmatch(b.get("/login").Body.String())[1]
	f.Add("email=admin%40test.nhs.uk&password=x&csrf_token="+tok, "application/x-www-form-urlencoded")
	f.Add("email=%00&password=%ff%fe&csrf_token="+tok+"&next=//evil", "application/x-www-form-urlencoded")
	f.Add("--x\r\nContent-Disposition: form-data; name=\"email\"\r\n\r\na\r\n--x--", "multipart/form-data; boundary=x")
	f.Fuzz(func(t *testing.T, body, ctype string) {
		req := httptest.NewRequest("POST", "/login", strings.NewReader(body))
		req.Header.Set("Content-Type", ctype)
		for _, c := range b.cookies {
			req.AddCookie(c)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("status %d for %q", rec.Code, body)
		}
		for _, c := range rec.Result().Cookies() {
			if c.Name == sessionCookie && c.MaxAge >= 0 && c.Value != "" {
				t.Fatalf("a session was started for %q", body)
			}
		}
	})
}

// FuzzStaffUpload uploads arbitrary files as the bulk staff CSV: no panic
// and no server error.
func FuzzStaffUpload(f *testing.F) {
	w := newAccessWorld(f, openSQLite(f))
	h := w.srv.Handler()
	b := newBrowser(&testing.T{}, h)
	b.cookies[sessionCookie] = &http.Cookie{Name: sessionCookie, Value: w.session[access.RoleAdmin]}
	tok := w.csrf[access.RoleAdmin]
	f.Add("name,email,professional_role,practices,roles\nA B,ab@x.nhs.uk,gp,A1,\n")
	f.Add("name,email\n\"unterminated,x\n")
	f.Add("\xef\xbb\xbfname,email,roles\n=cmd,=x@y.z,wizard\n")
	f.Add("")
	f.Fuzz(func(t *testing.T, body string) {
		rec := b.do(uploadRequest(t, tok, "f.csv", body))
		if rec.Code >= 500 {
			t.Fatalf("status %d for %q: %s", rec.Code, body, rec.Body.String())
		}
	})
}
