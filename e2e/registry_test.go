package e2e

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestRegistryInBrowser walks the foundation as a member of the public
// would: search from the home page, open the merged CCG and see its members
// before and after the merger, open a practice and its list-size chart with
// the table alternative, and get a useful page for an unknown code.
func TestRegistryInBrowser(t *testing.T) {
	d := startDemo(t)
	ctx := browser(t)

	t.Run("search from the home page", func(t *testing.T) {
		do(t, ctx,
			chromedp.Navigate(d.URL+"/"),
			chromedp.WaitVisible(chromedp.CSS(`#q`)),
			chromedp.SendKeys(chromedp.CSS(`#q`), "riverside"),
			chromedp.Submit(chromedp.CSS(`#q`)),
		)
		waitFor(t, ctx, `location.pathname == "/search" && document.readyState == "complete"`)
		mustContain(t, "search results", textOf(t, ctx, "main"), "NHS RIVERSIDE CCG", "99Z")
	})

	t.Run("merged CCG members before and after the merger", func(t *testing.T) {
		before := text(t, ctx, d.URL+"/organisations/99Z?at=2019-06-01", "main")
		mustContain(t, "99Z on 2019-06-01", before, "Member practices on 1 June 2019", "Via 99X", "Via 99Y")
		after := text(t, ctx, d.URL+"/organisations/99Z?at=2020-06-01", "main")
		mustContain(t, "99Z on 2020-06-01", after, "Member practices on 1 June 2020")
		if strings.Contains(after, "Via 99X") {
			t.Errorf("after the merger practices should belong to 99Z itself, got:\n%s", clip(after))
		}
		pred := text(t, ctx, d.URL+"/organisations/99X", "main")
		mustContain(t, "predecessor 99X", pred, "99Z")
	})

	t.Run("practice page with a chart and its table", func(t *testing.T) {
		do(t, ctx, chromedp.Navigate(d.URL+"/organisations/Y90001"), chromedp.WaitVisible(chromedp.CSS(`main`)))
		if n := eval[int](t, ctx, `document.querySelectorAll('main svg.ccg-chart').length`); n < 2 {
			t.Errorf("practice page shows %d charts, want the pyramid and the trend", n)
		}
		do(t, ctx, chromedp.Click(chromedp.CSS(`main details summary`)))
		mustContain(t, "pyramid table", textOf(t, ctx, "main details table"), "0-4", "Female", "Male")
	})

	t.Run("unknown code gives a page a person can use", func(t *testing.T) {
		body := text(t, ctx, d.URL+"/organisations/NOPE", "main")
		mustContain(t, "404 page", body, "Page not found", "NOPE", "search")
	})

	t.Run("fits a phone screen", func(t *testing.T) {
		do(t, ctx,
			chromedp.EmulateViewport(375, 800),
			chromedp.Navigate(d.URL+"/organisations/Y90001"),
			chromedp.WaitVisible(chromedp.CSS(`main`)),
		)
		if eval[bool](t, ctx, `document.documentElement.scrollWidth > window.innerWidth + 1`) {
			t.Error("the practice page scrolls sideways on a 375 px wide screen")
		}
	})
}
