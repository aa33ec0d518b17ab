package e2e

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestFinance walks the money pages: the finance lead sees budgets with a
// burn-up chart and its table, downloads the CSV, moves budget between
// programmes, and has an unbalanced change refused with a clear message;
// the public see only the published summary.
func TestFinance(t *testing.T) {
	d := startDemo(t)
	accounts := map[string][2]string{}
	for _, m := range signInLine.FindAllStringSubmatch(d.Output.String(), -1) {
		accounts[m[1]] = [2]string{m[2], m[3]}
	}
	fin, ok := accounts["finance"]
	if !ok || fin[0] != "finance@demo.ccg.example" {
		t.Fatalf("the demo did not print the finance sign-in:\n%s", clip(d.Output.String()))
	}

	t.Run("public see only the published summary", func(t *testing.T) {
		ctx := browser(t)
		summary := text(t, ctx, d.URL+"/finance", "main")
		mustContain(t, "summary", summary, "Money: NHS", "2020/21", "Acute", "Prescribing", "Forecast outturn", "Total")
		if strings.Contains(summary, "More detail") {
			t.Errorf("the public summary links to the detail pages:\n%s", clip(summary))
		}
		for _, path := range []string{"/finance/budgets", "/finance/allocations", "/finance/transfers", "/finance/budgets/edit"} {
			got := text(t, ctx, d.URL+path, "main")
			if strings.Contains(got, "Forecast outturn") || strings.Contains(got, "Allocation ") || !strings.Contains(got, "Sign in") {
				t.Errorf("%s as the public: want the sign-in page, got:\n%s", path, clip(got))
			}
		}
		nav := text(t, ctx, d.URL+"/", "header")
		mustContain(t, "navigation", nav, "Money")
	})

	t.Run("finance lead sees, downloads and edits budgets", func(t *testing.T) {
		ctx := browser(t)
		signIn(t, ctx, d.URL, fin[0], fin[1])
		budgets := text(t, ctx, d.URL+"/finance/budgets", "main")
		mustContain(t, "budgets", budgets, "Budget, actual and forecast", "2020/21", "Acute", "Continuing healthcare", "Forecast outturn",
			"Red: off track", "Show as a table", "What these figures were built from", "ledger ledger-99Z-2020.csv")
		if n := eval[int](t, ctx, `document.querySelectorAll("main figure svg").length`); n < 1 {
			t.Errorf("budgets page has %d charts, want the burn-up", n)
		}
		if n := eval[int](t, ctx, `document.querySelectorAll("main figure details table tbody tr").length`); n < 12 {
			t.Errorf("the burn-up's table alternative has %d rows, want a row a month", n)
		}
		csv := eval[string](t, ctx, `(function(){var x=new XMLHttpRequest();x.open("GET",document.querySelector("#budgets-csv").getAttribute("href"),false);x.send();`+
			`return x.status+"\n"+x.getResponseHeader("Content-Type")+"\n"+x.getResponseHeader("Content-Disposition")+"\n"+x.responseText.split("\n")[0]})()`)
		mustContain(t, "budgets CSV", csv, "200", "text/csv", `attachment; filename="budgets-99Z-2020.csv"`,
			"org,locality,year,programme,month,budget_pounds,actual_pounds,forecast_pounds,forecast_outturn_pounds,rag")

		// An unbalanced change: £1,000.00 more for acute and nothing less
		// elsewhere is refused, and nothing changes.
		do(t, ctx, chromedp.Navigate(d.URL+"/finance/budgets/edit?org=99Z&year=2020"), chromedp.WaitVisible(chromedp.CSS("#amount-acute")))
		acute := eval[string](t, ctx, `document.querySelector("#amount-acute").value`)
		rx := eval[string](t, ctx, `document.querySelector("#amount-prescribing").value`)
		more := addPounds(t, acute, 1000)
		do(t, ctx,
			chromedp.SetValue(chromedp.CSS("#amount-acute"), more),
			chromedp.SetValue(chromedp.CSS("#reason"), "winter pressures"),
			chromedp.Click(chromedp.CSS("#save-budget")),
		)
		waitFor(t, ctx, `document.querySelector("#budget-error") != null`)
		mustContain(t, "refused edit", textOf(t, ctx, "#budget-error"), "There is a problem", "The changes do not balance",
			"they add £1,000.00 to the year's budget", "Take £1,000.00 from other lines")
		mustContain(t, "refused edit check", textOf(t, ctx, "#edit-check"), "Net change", "£1,000.00")
		if got := eval[string](t, ctx, `document.querySelector("#amount-acute").value`); got != more {
			t.Errorf("the refused form lost what was entered: %q, want %q", got, more)
		}

		// The balanced version: £1,000.00 from prescribing to acute.
		do(t, ctx,
			chromedp.SetValue(chromedp.CSS("#amount-prescribing"), addPounds(t, rx, -1000)),
			chromedp.Click(chromedp.CSS("#save-budget")),
		)
		waitFor(t, ctx, `document.querySelector("#finance-saved") != null`)
		after := textOf(t, ctx, "main")
		mustContain(t, "after the virement", after, "The budget change was saved", "virement by finance@demo.ccg.example: winter pressures")

		alloc := text(t, ctx, d.URL+"/finance/allocations?org=99Z&year=2020", "main")
		mustContain(t, "allocations", alloc, "Allocation", "Prescribing", "astro-pu-cost", "demo deprivation index", "Pace of change", "Distance from fair-share target")
		rxp := text(t, ctx, d.URL+"/finance/prescribing?org=99Z&year=2020", "main")
		mustContain(t, "prescribing budgets", rxp, "Practice prescribing budgets", "Actual to date", "All practices")
		tr := text(t, ctx, d.URL+"/finance/transfers?org=99Y", "main")
		mustContain(t, "transfers", tr, "5XB", "£300,000.00", "Referred to NHS England")
	})

	t.Run("finance lead records a receipt against the withheld handover", func(t *testing.T) {
		ctx := browser(t)
		signIn(t, ctx, d.URL, fin[0], fin[1])
		do(t, ctx, chromedp.Navigate(d.URL+"/finance/transfers?org=99Y"), chromedp.WaitVisible(chromedp.CSS("#receipt-agreement")))
		choose := `(function(){var s=document.querySelector("#receipt-agreement");` +
			`for(var i=0;i<s.options.length;i++){if(s.options[i].text.indexOf("5XB owes")>=0){s.value=s.options[i].value;return s.options[i].text}}return ""})()`
		label := eval[string](t, ctx, choose)
		mustContain(t, "the withheld agreement is offered", label, "5XB owes", "£300,000.00 outstanding")

		// More than is outstanding is refused, and the form keeps what was typed.
		do(t, ctx,
			chromedp.SetValue(chromedp.CSS("#receipt-amount"), "400000.00"),
			chromedp.SetValue(chromedp.CSS("#receipt-received"), "2021-03-31"),
			chromedp.SetValue(chromedp.CSS("#receipt-reference"), "BACS 5XB-1"),
			chromedp.Click(chromedp.CSS("#save-receipt")),
		)
		waitFor(t, ctx, `document.querySelector("#receipt-error") != null`)
		mustContain(t, "overpayment refused", textOf(t, ctx, "#receipt-error"), "There is a problem",
			"£400,000.00 is more than the £300,000.00 outstanding", "new agreement the other way")
		if got := eval[string](t, ctx, `document.querySelector("#receipt-amount").value`); got != "400000.00" {
			t.Errorf("the refused form lost the amount: %q", got)
		}

		do(t, ctx, chromedp.SetValue(chromedp.CSS("#receipt-amount"), "100000.00"))
		if got := eval[string](t, ctx, choose); got == "" {
			t.Fatalf("the agreement is no longer offered")
		}
		do(t, ctx, chromedp.Click(chromedp.CSS("#save-receipt")))
		waitFor(t, ctx, `document.querySelector("#transfer-saved") != null`)
		mustContain(t, "after the receipt", textOf(t, ctx, "main"), "The receipt against agreement", "£200,000.00")
	})
}

// addPounds adds whole pounds to an amount written as the form writes it
// ("123456.78").
func addPounds(t *testing.T, amount string, pounds int64) string {
	t.Helper()
	whole, frac, _ := strings.Cut(amount, ".")
	var n int64
	for _, c := range whole {
		if c < '0' || c > '9' {
			t.Fatalf("amount %q is not plain pounds", amount)
		}
		n = n*10 + int64(c-'0')
	}
	n += pounds
	return strings.TrimSpace(strings.Join([]string{itoa(n), frac}, "."))
}

func itoa(n int64) string {
	if n == 0 {
		return "0"
	}
	neg := n < 0
	if neg {
		n = -n
	}
	var b []byte
	for n > 0 {
		b = append([]byte{byte('0' + n%10)}, b...)
		n /= 10
	}
	if neg {
		return "-" + string(b)
	}
	return string(b)
}
