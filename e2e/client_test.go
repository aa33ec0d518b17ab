package e2e

import (
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

// demoAccounts reads the sign-ins the demo printed: role → email, password.
func demoAccounts(t *testing.T, d *demoServer) map[string][2]string {
	t.Helper()
	accounts := map[string][2]string{}
	for _, m := range signInLine.FindAllStringSubmatch(d.Output.String(), -1) {
		accounts[m[1]] = [2]string{m[2], m[3]}
	}
	if len(accounts) == 0 {
		t.Fatalf("the demo printed no sign-ins:\n%s", clip(d.Output.String()))
	}
	return accounts
}

// webClient is a plain HTTP client with its own cookies, signed in as one
// demo person (or no one, for the public). It does not follow redirects, so
// that a bounce to sign-in is seen as what it is.
type webClient struct {
	base string
	hc   *http.Client
}

var csrfField = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

// newClient returns a client for the public, or signed in as role when role
// is not "" (failing the test when sign-in does not succeed).
func newClient(t *testing.T, d *demoServer, role string) *webClient {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &webClient{base: d.URL, hc: &http.Client{Jar: jar, Timeout: time.Minute,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	if role == "" {
		return c
	}
	acct, ok := demoAccounts(t, d)[role]
	if !ok {
		t.Fatalf("the demo printed no sign-in for %s", role)
	}
	_, body := c.get(t, "/login")
	m := csrfField.FindStringSubmatch(body)
	if m == nil {
		t.Fatal("the sign-in page has no CSRF token")
	}
	resp, err := c.hc.PostForm(c.base+"/login", url.Values{"email": {acct[0]}, "password": {acct[1]}, "csrf_token": {m[1]}, "next": {"/"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther && resp.StatusCode != http.StatusFound {
		t.Fatalf("sign-in as %s: status %d", role, resp.StatusCode)
	}
	return c
}

// get fetches a path and returns the status and body.
func (c *webClient) get(t *testing.T, path string) (int, string) {
	t.Helper()
	resp, err := c.hc.Get(c.base + path)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	return resp.StatusCode, string(b)
}

// page fetches a path, fails the test unless it answers 200, and returns
// the text of its main element with tags removed and spaces squeezed.
func (c *webClient) page(t *testing.T, path string) string {
	t.Helper()
	code, body := c.get(t, path)
	if code != http.StatusOK {
		t.Fatalf("GET %s: status %d, want 200:\n%s", path, code, clip(body))
	}
	return htmlText(body)
}

var (
	tagRE   = regexp.MustCompile(`(?s)<[^>]*>`)
	spaceRE = regexp.MustCompile(`\s+`)
)

// htmlText is the text of the main element of an HTML page.
func htmlText(page string) string {
	if i := strings.Index(page, "<main"); i >= 0 {
		page = page[i:]
		if j := strings.Index(page, "</main>"); j >= 0 {
			page = page[:j]
		}
	}
	s := html.UnescapeString(tagRE.ReplaceAllString(page, " "))
	return strings.TrimSpace(spaceRE.ReplaceAllString(s, " "))
}
