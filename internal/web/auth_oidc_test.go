package web

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"ccg/internal/access"
	"ccg/internal/oidc"
	"ccg/internal/oidc/oidctest"
)

// TestOIDCSignIn walks the whole identity-provider sign-in through real HTTP:
// ccg's /auth/oidc/login redirects to the in-test provider, the provider
// approves and redirects back to /auth/oidc/callback, and ccg starts a
// session for the person whose verified email the ID token carries.
func TestOIDCSignIn(t *testing.T) {
	ctx := context.Background()
	w := newAccessWorld(t, openSQLite(t))
	if _, err := w.acc.AddPerson(ctx, access.System, access.NewPerson{Name: "Dr Grace Pember", Email: "gp@example.nhs.uk",
		Roles: []access.Role{access.RolePracticeMember}, Practices: []string{"A1"}}); err != nil {
		t.Fatal(err)
	}
	provider := oidctest.NewProvider(t)

	// The site's address is only known once it listens, and the client
	// needs it for the redirect URL: serve through a switchable handler.
	var site http.Handler = http.NotFoundHandler()
	ts := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) { site.ServeHTTP(rw, r) }))
	defer ts.Close()
	client, err := oidc.Discover(ctx, oidc.Config{Issuer: provider.URL, ClientID: "ccg", RedirectURL: ts.URL + "/auth/oidc/callback"})
	if err != nil {
		t.Fatal(err)
	}
	d := w.srv.deps
	d.OIDC = client
	srv, err := New(d)
	if err != nil {
		t.Fatal(err)
	}
	site = srv.Handler()

	newBrowser := func() *http.Client {
		jar, _ := cookiejar.New(nil)
		return &http.Client{Jar: jar}
	}
	get := func(c *http.Client, u string) (int, string) {
		t.Helper()
		resp, err := c.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}

	t.Run("known verified email signs in", func(t *testing.T) {
		b := newBrowser()
		code, body := get(b, ts.URL+"/auth/oidc/login?next=/account")
		if code != http.StatusOK || !strings.Contains(body, "Dr Grace Pember") {
			t.Fatalf("after the round trip: status %d, want the account page naming the person; body: %s", code, clip(body))
		}
		site, _ := url.Parse(ts.URL)
		var session bool
		for _, c := range b.Jar.Cookies(site) {
			session = session || (c.Name == sessionCookie && c.Value != "")
		}
		if !session {
			t.Fatal("no session cookie after signing in through the provider")
		}
	})

	t.Run("unknown person is refused", func(t *testing.T) {
		orig := provider.Claims
		provider.Claims = func(n string) map[string]any {
			m := orig(n)
			m["email"], m["sub"] = "stranger@example.nhs.uk", "user-2"
			return m
		}
		defer func() { provider.Claims = orig }()
		code, body := get(newBrowser(), ts.URL+"/auth/oidc/login")
		if code != http.StatusForbidden || !strings.Contains(body, "not allowed to sign in here") {
			t.Fatalf("status %d, want 403 saying why; body: %s", code, clip(body))
		}
	})

	t.Run("callback without the flow cookie is refused", func(t *testing.T) {
		code, _ := get(newBrowser(), ts.URL+"/auth/oidc/callback?code=x&state=y")
		if code != http.StatusBadRequest {
			t.Fatalf("status %d, want 400", code)
		}
	})

	t.Run("forged state is refused", func(t *testing.T) {
		b := newBrowser()
		noFollow := *b
		noFollow.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
		resp, err := noFollow.Get(ts.URL + "/auth/oidc/login")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		q := oidctest.Authorize(t, resp.Header.Get("Location"))
		resp, err = noFollow.Get(ts.URL + "/auth/oidc/callback?code=" + url.QueryEscape(q.Get("code")) + "&state=forged")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		toLogin := resp.StatusCode/100 == 3 && strings.HasPrefix(resp.Header.Get("Location"), "/login")
		if resp.StatusCode != http.StatusUnauthorized && !toLogin {
			t.Fatalf("status %d to %q, want a refusal", resp.StatusCode, resp.Header.Get("Location"))
		}
		for _, c := range resp.Cookies() {
			if c.Name == sessionCookie && c.Value != "" {
				t.Fatal("a forged state started a session")
			}
		}
	})
}

func clip(s string) string {
	if len(s) > 600 {
		return s[:600] + "…"
	}
	return s
}
