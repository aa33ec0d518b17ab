package e2e

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestScreenshots captures the main pages of the demo for the README into
// the folder CCG_SCREENSHOTS names (`make screenshots` sets it to
// docs/screenshots); without it the test skips.
func TestScreenshots(t *testing.T) {
	dir := os.Getenv("CCG_SCREENSHOTS")
	if dir == "" {
		t.Skip("CCG_SCREENSHOTS is not set (run 'make screenshots'): no screenshots taken")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	d := startDemo(t)
	shots := []struct {
		file, role, path string
		width, height    int64
		at               string // the element to scroll to first ("" for the top)
	}{
		{"home.png", "", "/", 1280, 900, ""},
		{"measure-funnel.png", "", "/prescribing/measures/broad_spectrum_antibiotics", 1280, 1000, "#funnel"},
		{"practice-measures.png", "practice-member", "/prescribing/practices/Y90001", 1280, 1100, ""},
		{"finance-budgets.png", "finance", "/finance/budgets", 1280, 1100, ""},
		{"governance-decision.png", "", "/governance/decisions/1", 1280, 1000, ""},
		{"organisation.png", "", "/organisations/99Z", 1280, 1000, ""},
		{"phone-measure.png", "", "/prescribing/measures/broad_spectrum_antibiotics", 375, 900, "#funnel"},
	}
	ctxs := map[string]context.Context{}
	for _, s := range shots {
		ctx, ok := ctxs[s.role]
		if !ok {
			ctx = browser(t)
			if s.role != "" {
				acct := demoAccounts(t, d)[s.role]
				signIn(t, ctx, d.URL, acct[0], acct[1])
			}
			ctxs[s.role] = ctx
		}
		do(t, ctx, chromedp.EmulateViewport(s.width, s.height), chromedp.Navigate(d.URL+s.path),
			chromedp.WaitVisible(chromedp.CSS("main")))
		if s.at != "" {
			eval[bool](t, ctx, `(document.querySelector("`+s.at+`").scrollIntoView(), true)`)
		}
		png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
		if err != nil {
			t.Fatalf("screenshot of %s: %v", s.path, err)
		}
		if err := os.WriteFile(filepath.Join(dir, s.file), png, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: %s as %s, %d bytes", s.file, s.path, roleName(s.role), len(png))
	}
}

// roleName names a role for messages ("" is the public).
func roleName(role string) string {
	if role == "" {
		return "public"
	}
	return role
}
