package e2e

import (
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// signInLine matches a row of the demo's printed sign-ins.
var signInLine = regexp.MustCompile(`(?m)^\s+([a-z-]+)\s+(\S+@demo\.ccg\.example)\s+(\S+)`)

// TestSignInAsEachRole signs in through /login as several demo accounts
// (emails and passwords read from what the demo printed) and checks what
// each may and may not see.
func TestSignInAsEachRole(t *testing.T) {
	d := startDemo(t)
	accounts := map[string][2]string{}
	for _, m := range signInLine.FindAllStringSubmatch(d.Output.String(), -1) {
		accounts[m[1]] = [2]string{m[2], m[3]}
	}
	for _, role := range []string{"administrator", "analyst", "practice-member", "locality-lead", "governance-secretary"} {
		if _, ok := accounts[role]; !ok {
			t.Fatalf("the demo did not print a sign-in for %s:\n%s", role, clip(d.Output.String()))
		}
	}
	cases := []struct {
		role        string
		peopleOK    bool // may see /admin/people
		auditOK     bool // may see /admin/audit
		accountRole string
	}{
		{"administrator", true, true, "Administrator"},
		{"analyst", false, false, "Analyst"},
		{"practice-member", false, false, "Practice member"},
		{"governance-secretary", true, false, "Governance secretary"},
	}
	for _, tc := range cases {
		t.Run(tc.role, func(t *testing.T) {
			ctx := browser(t)
			acct := accounts[tc.role]
			err := chromedp.Do(ctx,
				chromedp.Navigate(d.URL+"/account"), // redirected to sign in first
				chromedp.WaitVisible(chromedp.CSS("#email")),
				chromedp.SendKeys(chromedp.CSS("#email"), acct[0]),
				chromedp.SendKeys(chromedp.CSS("#password"), acct[1]),
				chromedp.Click(chromedp.CSS("#sign-in")),
				chromedp.WaitVisible(chromedp.CSS("#account-email")),
			)
			if err != nil {
				t.Fatalf("sign in as %s: %v", tc.role, err)
			}
			url, err := chromedp.Run(ctx, chromedp.Location())
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasSuffix(url, "/account") {
				t.Errorf("after sign-in at %s, want /account", url)
			}
			mustContain(t, "account", text(t, ctx, d.URL+"/account", "main"), acct[0], tc.accountRole)
			people := text(t, ctx, d.URL+"/admin/people", "main")
			if tc.peopleOK {
				mustContain(t, "people", people, "admin@demo.ccg.example", "member@demo.ccg.example")
			} else {
				mustContain(t, "people", people, "You do not have permission")
			}
			audit := text(t, ctx, d.URL+"/admin/audit", "main")
			if tc.auditOK {
				mustContain(t, "audit", audit, "The chain is intact", "auth.signin")
			} else {
				mustContain(t, "audit", audit, "You do not have permission")
			}
			// Sign out, and the account page asks for sign-in again.
			if err := chromedp.Do(ctx, chromedp.Navigate(d.URL+"/account"), chromedp.Click(chromedp.CSS("#sign-out")),
				chromedp.WaitVisible(chromedp.CSS("#nav-sign-in"))); err != nil {
				t.Fatalf("sign out: %v", err)
			}
			mustContain(t, "after sign-out", text(t, ctx, d.URL+"/account", "main"), "Sign in")
		})
	}
	t.Run("public sees no admin pages", func(t *testing.T) {
		ctx := browser(t)
		mustContain(t, "public", text(t, ctx, d.URL+"/admin/people", "main"), "Sign in")
		mustContain(t, "policy", text(t, ctx, d.URL+"/policy", "main"), "people.admin", "vote.cast")
	})
}
