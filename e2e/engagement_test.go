package e2e

import (
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// surveyLinkLine matches a demo account's one-time survey link as the demo printed it.
var surveyLinkLine = regexp.MustCompile(`(?m)^\s+survey-link\s+(\S+@demo\.ccg\.example)\s+(/survey\?token=\S+)`)

// TestEngagement answers the current survey wave through member@demo's
// one-time link, signed in with the form's CSRF token; checks the governor
// sees no results while four have answered and, at the fifth, a chart with
// its table, with small groups suppressed; that the link cannot be used
// twice; and that the public sees consultations with "you said, we did".
func TestEngagement(t *testing.T) {
	d := startDemo(t)
	out := d.Output.String()
	accounts := map[string][2]string{}
	for _, m := range signInLine.FindAllStringSubmatch(out, -1) {
		accounts[m[1]] = [2]string{m[2], m[3]}
	}
	links := map[string]string{}
	for _, m := range surveyLinkLine.FindAllStringSubmatch(out, -1) {
		links[m[1]] = m[2]
	}
	member, governor := accounts["practice-member"], accounts["governing-body-member"]
	link := links[member[0]]
	if member[0] == "" || governor[0] == "" || link == "" {
		t.Fatalf("the demo did not print the member's and governor's sign-ins and the member's survey link:\n%s", clip(out))
	}

	gov := browser(t)
	signIn(t, gov, d.URL, governor[0], governor[1])
	results := d.URL + "/surveys/1/results"
	t.Run("four answers: results hidden", func(t *testing.T) {
		mustContain(t, "results", text(t, gov, results, "main"), "Results not shown yet", "fewer than 5")
		if n := eval[int](t, gov, `document.querySelectorAll("#results-tables table").length`); n != 0 {
			t.Fatalf("%d results tables shown with four answers", n)
		}
	})

	mem := browser(t)
	signIn(t, mem, d.URL, member[0], member[1])
	t.Run("member answers through the link", func(t *testing.T) {
		do(t, mem, chromedp.Navigate(d.URL+link), chromedp.WaitVisible(chromedp.CSS("#survey-form")))
		mustContain(t, "survey form", textOf(t, mem, "main"), "anonymous", "This link works once")
		if csrf := eval[string](t, mem, `document.querySelector('#survey-form input[name="csrf_token"]').value`); len(csrf) < 16 {
			t.Fatalf("the survey form carries no CSRF token: %q", csrf)
		}
		// agree with every statement, yes to every yes-no question, first option of each choice
		n := eval[int](t, mem, `(() => { let n = 0;
			for (const r of document.querySelectorAll('#survey-form input[type=radio][value="4"], #survey-form input[type=radio][value="yes"]')) { r.checked = true; n++; }
			const seen = new Set();
			for (const r of document.querySelectorAll('#survey-form input[type=radio]')) {
				if (!document.querySelector('#survey-form input[name="' + r.name + '"]:checked') && !seen.has(r.name)) { r.checked = true; seen.add(r.name); n++; }
			}
			return n; })()`)
		if n < 10 {
			t.Fatalf("only %d questions answered", n)
		}
		do(t, mem, chromedp.Click(chromedp.CSS("#send-answers")))
		waitFor(t, mem, `document.querySelector("#done-message") != null || document.querySelector(".nhsuk-error-summary, h1") != null && location.pathname == "/survey" && document.querySelector("#survey-form") == null`)
		mustContain(t, "after answering", textOf(t, mem, "main"), "Thank you", "cannot be used again")
	})
	t.Run("the link works once", func(t *testing.T) {
		do(t, mem, chromedp.Navigate(d.URL+link), chromedp.WaitVisible(chromedp.CSS("main")))
		body := textOf(t, mem, "main")
		if strings.Contains(body, "Send my answers") {
			t.Fatalf("a used link still shows the survey:\n%s", clip(body))
		}
		mustContain(t, "used link", body, "already been used")
	})
	t.Run("member may not see results", func(t *testing.T) {
		do(t, mem, chromedp.Navigate(results), chromedp.WaitVisible(chromedp.CSS("main")))
		if strings.Contains(textOf(t, mem, "main"), "How people answered") {
			t.Fatal("a practice member sees survey results")
		}
	})

	t.Run("five answers: chart, table, small groups suppressed", func(t *testing.T) {
		body := text(t, gov, results, "main")
		mustContain(t, "results", body, "5 people answered", "How people answered", "Leaders and other members")
		if n := eval[int](t, gov, `document.querySelectorAll("main figure svg").length`); n < 3 {
			t.Fatalf("%d charts drawn, want at least 3", n)
		}
		if n := eval[int](t, gov, `document.querySelectorAll("#results-tables table").length`); n < 4 {
			t.Fatalf("%d results tables, want at least 4", n)
		}
		tables := textOf(t, gov, "#results-tables")
		mustContain(t, "results tables", tables, "Not shown: fewer than 5 people answered")
		csv := eval[string](t, gov, syncGet("/surveys/1/results/items.csv"))
		mustContain(t, "items CSV", csv, "Statement", "Strongly agree")
	})
	t.Run("earlier wave shows the leader-member gap", func(t *testing.T) {
		body := text(t, gov, results+"?wave=2", "main")
		mustContain(t, "wave 2", body, "Leaders (governing body, locality leads)", "Other members", "Leaders minus other members")
	})

	pub := browser(t)
	t.Run("public sees consultations and what came of them", func(t *testing.T) {
		body := text(t, pub, d.URL+"/consultations", "main")
		mustContain(t, "consultations", body, "Community ophthalmology service", "Shared antimicrobial prescribing policy", "You said")
		body = text(t, pub, d.URL+"/have-your-say", "main")
		mustContain(t, "have your say", body, "Open consultations", "You said, we did", "Latest answers")
		api := eval[string](t, pub, syncGet("/api/v1/consultations"))
		mustContain(t, "consultations API", api, `"consultations"`, `"you_said_we_did"`)
	})
}

// syncGet is a JavaScript expression that fetches path from the page's site
// (with its cookies) and gives the response body.
func syncGet(path string) string {
	return `(() => { const x = new XMLHttpRequest(); x.open("GET", "` + path + `", false); x.send(); return x.responseText; })()`
}
