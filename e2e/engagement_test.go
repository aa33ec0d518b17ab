package e2e

import (
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// surveyLinkLine matches a demo account's one-time survey link as the demo printed it.
var surveyLinkLine = regexp.MustCompile(`(?m)^\s+survey-link\s+(\S+@demo\.ccg\.example)\s+(?:http://[^/\s]+)?(/survey\?token=\S+)`)

// TestEngagement answers the current survey wave through member@demo's
// one-time link, signed in with the form's CSRF token; checks the governor
// sees no results of the open wave, before or after the fifth answer (they
// are published when it closes), and a closed wave's charts and tables;
// that a used link looks like a fresh one (nothing tells its holder it was
// used); and that the public sees consultations with "you said, we did".
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
	t.Run("four answers: results held", func(t *testing.T) {
		mustContain(t, "results", text(t, gov, results, "main"), "Results not shown yet", "when the wave closes")
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
	t.Run("a used link says nothing of its use", func(t *testing.T) {
		do(t, mem, chromedp.Navigate(d.URL+link), chromedp.WaitVisible(chromedp.CSS("#survey-form")))
		body := textOf(t, mem, "main")
		if strings.Contains(body, "already been used") {
			t.Fatalf("a used link's page tells its holder it was used:\n%s", clip(body))
		}
	})
	t.Run("member may not see results", func(t *testing.T) {
		do(t, mem, chromedp.Navigate(results), chromedp.WaitVisible(chromedp.CSS("main")))
		if strings.Contains(textOf(t, mem, "main"), "How people answered") {
			t.Fatal("a practice member sees survey results")
		}
	})

	t.Run("five answers of the open wave: still held", func(t *testing.T) {
		body := text(t, gov, results, "main")
		mustContain(t, "results", body, "Results not shown yet", "when the wave closes")
		if n := eval[int](t, gov, `document.querySelectorAll("#results-tables table").length`); n != 0 {
			t.Fatalf("%d results tables shown for an open wave", n)
		}
	})
	t.Run("a closed wave: chart, table, the group rule stated", func(t *testing.T) {
		body := text(t, gov, results+"?wave=2", "main")
		mustContain(t, "results", body, "people answered", "How people answered", "Leaders and other members", "A group of fewer than 5 people is never shown")
		if n := eval[int](t, gov, `document.querySelectorAll("main figure svg").length`); n < 3 {
			t.Fatalf("%d charts drawn, want at least 3", n)
		}
		if n := eval[int](t, gov, `document.querySelectorAll("#results-tables table").length`); n < 4 {
			t.Fatalf("%d results tables, want at least 4", n)
		}
		if strings.Contains(body+textOf(t, gov, "#results-tables"), "LOC-") {
			t.Error("the results show localities by their codes, not their names")
		}
		csv := eval[string](t, gov, syncGet("/surveys/1/results/items.csv?wave=2"))
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
