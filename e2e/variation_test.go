package e2e

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// TestVariationInBrowser walks the prescribing pages of the demo: the
// measure list, a measure's funnel plot with its table and CSV download,
// the values and deciles API, a practice's small multiples (signed in) and
// the locality peer-review view as it prints.
func TestVariationInBrowser(t *testing.T) {
	d := startDemo(t)
	ctx := browser(t)
	const measure = "broad_spectrum_antibiotics"

	var month string
	t.Run("measure list", func(t *testing.T) {
		body := text(t, ctx, d.URL+"/prescribing", "main")
		mustContain(t, "measure list", body, "Prescribing and referral measures", "broad-spectrum", "Why it matters")
		if n := eval[int](t, ctx, `document.querySelectorAll('#measures tbody tr').length`); n < 15 {
			t.Errorf("the list shows %d measures, want at least 15", n)
		}
		month = eval[string](t, ctx, `new URL(document.querySelector('#measures tbody a').href).searchParams.get('month') || ''`)
		if month == "" {
			t.Fatal("the measure links carry no month: no figures were computed")
		}
	})

	var outlier string
	t.Run("measure page: funnel and table", func(t *testing.T) {
		body := text(t, ctx, d.URL+"/prescribing/measures/"+measure+"?month="+month, "main")
		mustContain(t, "measure page", body, "Why it matters", "Outside the 99.8% limits", "Over time", "Every practice")
		if n := eval[int](t, ctx, `document.querySelectorAll('#funnel svg.ccg-chart').length`); n != 1 {
			t.Errorf("the measure page shows %d funnel plots, want 1", n)
		}
		if n := eval[int](t, ctx, `document.querySelectorAll('#trend svg.ccg-chart').length`); n != 1 {
			t.Errorf("the measure page shows %d trend charts, want 1", n)
		}
		legend := eval[string](t, ctx, `document.querySelector('#funnel').textContent`)
		mustContain(t, "funnel limits", legend, "95% limits", "99.8% limits")
		do(t, ctx, chromedp.Click(chromedp.CSS(`#funnel details summary`)))
		mustContain(t, "funnel table alternative", textOf(t, ctx, "#funnel details table"), "Practice")
		if n := eval[int](t, ctx, `document.querySelectorAll('#values tbody tr').length`); n < 10 {
			t.Errorf("the values table has %d rows, want every practice", n)
		}
		first := textOf(t, ctx, "#values tbody tr")
		if !strings.Contains(first, "99.8%") {
			t.Errorf("the most unusual practice should be outside the 99.8%% limits (the demo makes one so), got %q", first)
		}
		// The public is not shown links to practice pages (they need a
		// sign-in); the first cell ends with the practice's code.
		if n := eval[int](t, ctx, `document.querySelectorAll('#values a[href^="/prescribing/practices/"]').length`); n != 0 {
			t.Errorf("the public is shown %d links to practice pages, which need a sign-in", n)
		}
		outlier = eval[string](t, ctx, `document.querySelector('#values tbody td').textContent.trim().split(/\s+/).pop()`)
	})

	t.Run("CSV download", func(t *testing.T) {
		href := eval[string](t, ctx, `document.querySelector('#values-csv').href`)
		resp, err := http.Get(href)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") {
			t.Fatalf("CSV download: status %d, type %q", resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		rows, err := csv.NewReader(resp.Body).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		header := strings.Join(rows[0], ",")
		mustContain(t, "CSV header", header, "org_code,numerator,denominator,value,percentile,cost_saving_10", "cost_saving_50", "cost_saving_90")
		if len(rows) < 11 {
			t.Errorf("the CSV has %d rows, want a header and every practice", len(rows))
		}
	})

	t.Run("API JSON shape", func(t *testing.T) {
		var list struct {
			Measures []struct {
				ID   string `json:"id"`
				Name string `json:"name"`
			} `json:"measures"`
		}
		getJSON(t, d.URL+"/api/v1/measures", &list)
		if len(list.Measures) < 15 || list.Measures[0].ID == "" || list.Measures[0].Name == "" {
			t.Errorf("GET /api/v1/measures: %d measures, first %+v", len(list.Measures), list.Measures)
		}
		var vals struct {
			Measure string `json:"measure"`
			Level   string `json:"level"`
			Values  []struct {
				OrgCode     string             `json:"org_code"`
				Numerator   *float64           `json:"numerator"`
				Denominator *float64           `json:"denominator"`
				Value       *float64           `json:"value"`
				Percentile  *float64           `json:"percentile"`
				Limits      map[string]any     `json:"limits"`
				Flags       map[string]any     `json:"flags"`
				CostSavings map[string]float64 `json:"cost_savings"`
			} `json:"values"`
		}
		getJSON(t, d.URL+"/api/v1/measures/"+measure+"/values?month="+month+"&level=practice&org="+outlier, &vals)
		if len(vals.Values) != 1 || vals.Values[0].OrgCode != outlier || vals.Values[0].Numerator == nil ||
			vals.Values[0].Value == nil || vals.Values[0].Percentile == nil || vals.Values[0].Flags == nil {
			t.Errorf("values of %s: %+v", outlier, vals)
		}
		getJSON(t, d.URL+"/api/v1/measures/branded_atorvastatin/values?month="+month+"&level=ccg", &vals)
		if len(vals.Values) == 0 || vals.Level != "ccg" || len(vals.Values[0].CostSavings) != 9 {
			t.Errorf("CCG values of a cost-based measure: %+v", vals)
		}
		var dec struct {
			Deciles []struct {
				Month  string             `json:"month"`
				Values map[string]float64 `json:"values"`
			} `json:"deciles"`
		}
		getJSON(t, d.URL+"/api/v1/measures/"+measure+"/deciles?level=practice&month="+month, &dec)
		if len(dec.Deciles) != 1 || dec.Deciles[0].Month != month || len(dec.Deciles[0].Values) != 9 {
			t.Errorf("deciles: %+v", dec)
		}
	})

	accounts := map[string][2]string{}
	for _, m := range signInLine.FindAllStringSubmatch(d.Output.String(), -1) {
		accounts[m[1]] = [2]string{m[2], m[3]}
	}
	analyst, ok := accounts["analyst"]
	if !ok {
		t.Fatalf("the demo printed no analyst sign-in:\n%s", clip(d.Output.String()))
	}

	t.Run("practice page needs a sign-in", func(t *testing.T) {
		do(t, ctx, chromedp.Navigate(d.URL+"/prescribing/practices/"+outlier))
		waitFor(t, ctx, `document.readyState == "complete"`)
		if p := eval[string](t, ctx, `location.pathname`); p != "/login" {
			t.Errorf("the public reached %s, want the sign-in page", p)
		}
	})

	signIn(t, ctx, d.URL, analyst[0], analyst[1])

	t.Run("practice page: small multiples, outliers first", func(t *testing.T) {
		body := text(t, ctx, d.URL+"/prescribing/practices/"+outlier+"?month="+month, "main")
		mustContain(t, "practice page", body, "outside the funnel limits", "broad-spectrum", "The same figures as a table")
		if n := eval[int](t, ctx, `document.querySelectorAll('#multiples .ccg-multiple svg.ccg-chart').length`); n < 10 {
			t.Errorf("the practice page shows %d small multiples, want every measure", n)
		}
		if !eval[bool](t, ctx, `document.querySelector('#multiples .ccg-multiple').classList.contains('ccg-multiple--worse')`) {
			t.Error("the first small multiple is not an outlier: outliers should come first")
		}
		mustContain(t, "practice table", textOf(t, ctx, "#practice-measures"), "Saving at median")
		savings := textOf(t, ctx, "#practice-measures")
		if !strings.Contains(savings, "£") {
			t.Error("the practice table shows no cost savings in pounds")
		}
	})

	t.Run("locality peer review prints side by side", func(t *testing.T) {
		body := text(t, ctx, d.URL+"/prescribing/localities/LOC-NORTH?month="+month, "main")
		mustContain(t, "peer review", body, "Locality peer review", "Notes from the discussion", "Median practice", "England")
		cols := eval[int](t, ctx, `document.querySelectorAll('#peer-review thead th').length`)
		if cols < 6 {
			t.Errorf("the peer-review table has %d columns, want the measure, every practice and the comparisons", cols)
		}
		do(t, ctx, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := cdp.Call(ctx, tg, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"})
			return err
		}))
		if v := eval[string](t, ctx, `getComputedStyle(document.querySelector('main form')).display`); v != "none" {
			t.Errorf("printed, the measure chooser shows (display %q)", v)
		}
		if v := eval[string](t, ctx, `getComputedStyle(document.querySelector('#peer-review')).display`); v == "none" {
			t.Error("printed, the peer-review table is hidden")
		}
		if v := eval[string](t, ctx, `getComputedStyle(document.querySelector('.ccg-print-only')).display`); v == "none" {
			t.Error("printed, the page does not say where it was printed from")
		}
		do(t, ctx, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := cdp.Call(ctx, tg, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{})
			return err
		}))
	})
}

// getJSON fetches a public API address and decodes its JSON.
func getJSON(t *testing.T, url string, v any) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: status %d", url, resp.StatusCode)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
}
