package e2e

import (
	"encoding/csv"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	demoworld "ccg/internal/demo"
)

// demoSeed is `ccg demo`'s default seed: the world the harness serves.
const demoSeed = 2013

// TestStandardisedReferralsInBrowser checks, on the demo, the practice with
// an old list: its crude ophthalmology rate looks high (well above the
// CCG's and among the highest of its practices), but standardised for its
// patients' ages and sexes against England's rates its ratio is within the
// limits. The measure page shows the standardised view by default and lets
// people switch to the crude one; the API, the CSV, the practice page and
// the locality pack all carry the standardised ratio.
func TestStandardisedReferralsInBrowser(t *testing.T) {
	w, err := demoworld.Generate(t.TempDir(), demoSeed)
	if err != nil {
		t.Fatal(err)
	}
	old := w.Variation.OldList
	if old == "" {
		t.Fatal("the demo world names no old-list practice")
	}
	d := startDemo(t)
	ctx := browser(t)
	const measure = "referrals_ophthalmology"
	page := d.URL + "/prescribing/measures/" + measure

	// Practice-level referral figures are the CCG's own data: signed in
	// (issue 13); the public sees CCG and England figures.
	accounts := map[string][2]string{}
	for _, m := range signInLine.FindAllStringSubmatch(d.Output.String(), -1) {
		accounts[m[1]] = [2]string{m[2], m[3]}
	}
	analyst, ok := accounts["analyst"]
	if !ok {
		t.Fatalf("the demo printed no analyst sign-in:\n%s", clip(d.Output.String()))
	}
	signIn(t, ctx, d.URL, analyst[0], analyst[1])

	var month string
	t.Run("standardised by default, with the ISR funnel", func(t *testing.T) {
		body := text(t, ctx, page, "main")
		mustContain(t, "measure page", body, "Crude rate or standardised ratio", "Showing the standardised ratio", "England's referral rates by age band and sex")
		if n := eval[int](t, ctx, `document.querySelectorAll('#std-funnel svg.ccg-chart').length`); n != 1 {
			t.Errorf("%d standardised funnel plots, want 1", n)
		}
		if n := eval[int](t, ctx, `document.querySelectorAll('#funnel svg.ccg-chart').length`); n != 0 {
			t.Errorf("the crude funnel shows by default (%d)", n)
		}
		month = eval[string](t, ctx, `document.querySelector('#month').value`)
		row := textOf(t, ctx, `#std-values tr[data-practice="`+old+`"]`)
		if !strings.Contains(row, "Within limits") {
			t.Errorf("the old list's standardised ratio should be within the limits: %q", row)
		}
	})

	t.Run("the old list's crude rate looks high", func(t *testing.T) {
		row := textOf(t, ctx, `#std-values tr[data-practice="`+old+`"]`)
		crude := eval[float64](t, ctx, `parseFloat(document.querySelector('#std-values tr[data-practice="`+old+`"] td:nth-child(2)').textContent)`)
		lo := eval[float64](t, ctx, `parseFloat(document.querySelector('#std-values tr[data-practice="`+old+`"] td:nth-child(5)').textContent.split('(')[1])`)
		hi := eval[float64](t, ctx, `parseFloat(document.querySelector('#std-values tr[data-practice="`+old+`"] td:nth-child(5)').textContent.split(' to ')[1])`)
		if !(lo <= 1 && hi >= 1) {
			t.Errorf("the old list's 95%% interval %v to %v should include 1: %q", lo, hi, row)
		}
		var ccg struct {
			Values []struct {
				Value *float64 `json:"value"`
				Std   *struct {
					Expected, Ratio, Lower, Upper float64
					Method, Reference             string
				} `json:"standardised"`
			} `json:"values"`
		}
		getJSON(t, d.URL+"/api/v1/measures/"+measure+"/values?month="+month+"&level=ccg", &ccg)
		if len(ccg.Values) != 1 || ccg.Values[0].Value == nil {
			t.Fatalf("CCG values: %+v", ccg)
		}
		if crude < 1.3**ccg.Values[0].Value {
			t.Errorf("crude: the old list %v, the CCG %v: want at least 1.3 times the CCG's", crude, *ccg.Values[0].Value)
		}
		if s := ccg.Values[0].Std; s == nil || s.Expected <= 0 || s.Method == "" || s.Reference != "england" {
			t.Errorf("the CCG's standardised ratio in the API: %+v", s)
		}
	})

	t.Run("switch to the crude rate", func(t *testing.T) {
		do(t, ctx, chromedp.Navigate(page+"?month="+month+"&practice="+old))
		waitFor(t, ctx, `document.readyState == "complete"`)
		explain := textOf(t, ctx, "#std-explain")
		mustContain(t, "what expected means", explain, "“Expected” is how many referrals", "includes 1", "crude rate")
		do(t, ctx, chromedp.Click(chromedp.CSS(`#view-crude`)))
		waitFor(t, ctx, `document.querySelector('#funnel svg.ccg-chart') !== null`)
		if n := eval[int](t, ctx, `document.querySelectorAll('#std-funnel').length`); n != 0 {
			t.Error("the crude view still shows the standardised funnel")
		}
		mustContain(t, "crude view", textOf(t, ctx, "main"), "Showing the crude rate", "Every practice")
		if got := eval[string](t, ctx, `new URL(location.href).searchParams.get('view')`); got != "crude" {
			t.Errorf("view %q", got)
		}
	})

	t.Run("CSV has the standardised columns", func(t *testing.T) {
		resp, err := http.Get(d.URL + "/prescribing/measures/" + measure + "/values.csv?month=" + month + "&level=ccg")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		rows, err := csv.NewReader(resp.Body).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		col := map[string]int{}
		for i, c := range rows[0] {
			col[c] = i
		}
		for _, name := range []string{"expected", "ratio", "ratio_lower_95", "ratio_upper_95", "ratio_method"} {
			if _, ok := col[name]; !ok {
				t.Fatalf("the CSV has no %s column: %v", name, rows[0])
			}
		}
		if len(rows) < 2 {
			t.Fatalf("the CSV has no CCG row: %v", rows)
		}
		if e, err := strconv.ParseFloat(rows[1][col["expected"]], 64); err != nil || e <= 0 {
			t.Errorf("expected %q", rows[1][col["expected"]])
		}
	})

	var locality string
	t.Run("practice page", func(t *testing.T) {
		do(t, ctx, chromedp.Navigate(d.URL+"/prescribing/practices/"+old+"?month="+month))
		waitFor(t, ctx, `document.readyState == "complete"`)
		row := textOf(t, ctx, `#practice-standardised tr[data-measure="`+measure+`"]`)
		mustContain(t, "practice page row", row, "Within limits")
		mustContain(t, "practice page", textOf(t, ctx, "main"), "Standardised for age and sex", "What “expected” means for this practice")
		locality = eval[string](t, ctx, `(document.querySelector('a[href^="/prescribing/localities/"]') || {pathname: ''}).pathname.split('/').pop()`)
	})

	t.Run("locality pack", func(t *testing.T) {
		if locality == "" {
			t.Skip("the practice is in no locality")
		}
		do(t, ctx, chromedp.Navigate(d.URL+"/prescribing/localities/"+locality+"?month="+month+"&measure="+measure))
		waitFor(t, ctx, `document.readyState == "complete"`)
		if n := eval[int](t, ctx, `document.querySelectorAll('#peer-review .ccg-std-ratio').length`); n < 2 {
			t.Errorf("the peer-review table shows %d standardised ratios", n)
		}
		mustContain(t, "peer review", textOf(t, ctx, "main"), "standardised ratio", "ratio ")
	})
}
