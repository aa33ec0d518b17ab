package e2e

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestGovernance browses the constitution as the public (scheme of
// delegation, a meeting, the registers), walks a proposal from creation to
// a published decision as the governance secretary (including a refused
// routing to the wrong body), casts a locality vote as the demo member,
// checks the running result as the governor, and checks what the public
// may not see.
func TestGovernance(t *testing.T) {
	d := startDemo(t)
	accounts := map[string][2]string{}
	for _, m := range signInLine.FindAllStringSubmatch(d.Output.String(), -1) {
		accounts[m[1]] = [2]string{m[2], m[3]}
	}
	for _, role := range []string{"practice-member", "governing-body-member", "governance-secretary"} {
		if _, ok := accounts[role]; !ok {
			t.Fatalf("the demo did not print a sign-in for %s", role)
		}
	}
	ctx := browser(t)
	var voteURL, turnoutBefore string

	t.Run("public browses the constitution", func(t *testing.T) {
		home := text(t, ctx, d.URL+"/governance", "main")
		mustContain(t, "governance home", home, "Member council", "Governing body", "locality group", "Quality committee")
		mustContain(t, "navigation", textOf(t, ctx, "header"), "Governance")
		do(t, ctx, chromedp.Navigate(d.URL+"/governance/scheme"), chromedp.WaitVisible(chromedp.CSS("#who-decides-form")),
			chromedp.SetValue(chromedp.CSS("#type"), "approve-contract"),
			chromedp.SetValue(chromedp.CSS("#value"), "1200000"),
			chromedp.Submit(chromedp.CSS("#value")))
		waitFor(t, ctx, `document.querySelector("#who-decides") != null`)
		mustContain(t, "who decides", mainText(t, ctx), "£1,200,000", "Governing body")
		mustContain(t, "scheme", textOf(t, ctx, "main"), "Vary a budget", "Member council", "Quality committee")

		meetingHref := eval[string](t, ctx, `(() => { for (const a of document.querySelectorAll("a")) { if (a.getAttribute("href") && a.getAttribute("href").startsWith("/governance/bodies/governing-body")) return a.getAttribute("href"); } return ""; })()`)
		if meetingHref == "" {
			t.Fatal("no link to the governing body on the scheme page")
		}
		body := text(t, ctx, d.URL+meetingHref, "main")
		mustContain(t, "governing body", body, "Quorum", "at least 5 voting members present", "Lesley Lay")
		href := eval[string](t, ctx, `[...document.querySelectorAll("#body-meetings a")].pop().getAttribute("href")`)
		meeting := text(t, ctx, d.URL+href, "main")
		mustContain(t, "meeting", meeting, "Agenda", "Minutes", "Extended access contract", "was excluded", "Declarations of interest", "Quorate")

		reg := text(t, ctx, d.URL+"/governance/interests", "main")
		mustContain(t, "register of interests", reg, "Demo GP Federation", "a financial interest", "Gifts and hospitality", "Procurement decisions", "beyond the 28 days")
		dec := text(t, ctx, d.URL+"/governance/decisions", "main")
		mustContain(t, "decisions register", dec, "Extended access contract", "Move £2m", "wound care formulary")
		if strings.Contains(dec, "Propose a decision") || strings.Contains(dec, "Premises improvement grant") {
			t.Error("the public sees the proposal form or an unpublished decision")
		}
		home = text(t, ctx, d.URL+"/governance", "main")
		voteURL = eval[string](t, ctx, `(() => { for (const a of document.querySelectorAll("#votes a")) { if (a.textContent.includes("phlebotomy")) return a.getAttribute("href"); } return ""; })()`)
		if voteURL == "" {
			t.Fatalf("no open locality vote on the governance page:\n%s", clip(home))
		}
		vote := text(t, ctx, d.URL+voteURL, "main")
		mustContain(t, "vote (public)", vote, "phlebotomy", "Turnout", "anonymous")
		turnoutBefore = textOf(t, ctx, "#turnout")
		if eval[bool](t, ctx, `document.querySelector(".cast-form") != null || document.querySelector("#roster") != null`) {
			t.Error("the public sees the ballot form or the roster")
		}
	})

	t.Run("public cannot see what it should not", func(t *testing.T) {
		mustContain(t, "open vote results", text(t, ctx, d.URL+voteURL+"/results", "main"), "Sign in")
		mustContain(t, "assurance", text(t, ctx, d.URL+"/governance/assurance", "main"), "Sign in")
		// The meeting held in private is not listed, nor its decision.
		dec := text(t, ctx, d.URL+"/api/v1/decisions", "body")
		if strings.Contains(dec, "in_progress") || strings.Contains(dec, "Premises improvement grant") {
			t.Errorf("the public API shows decisions in progress:\n%s", clip(dec))
		}
		mustContain(t, "decisions API", dec, `"exclusions"`, `"outcome": "carried"`)
		mustContain(t, "interests API", text(t, ctx, d.URL+"/api/v1/interests", "body"), `"organisation": "Y0FED1"`)
	})

	t.Run("member casts the practice's vote", func(t *testing.T) {
		acct := accounts["practice-member"]
		signIn(t, ctx, d.URL, acct[0], acct[1])
		defer signOut(t, ctx)
		mustContain(t, "vote (member)", text(t, ctx, d.URL+voteURL, "main"), "Your practice's vote", "Cast the practice's vote")
		do(t, ctx, chromedp.Click(chromedp.CSS(".cast-form input[value='0']")), chromedp.Click(chromedp.CSS(".cast-form .cast-button")))
		waitFor(t, ctx, `document.querySelector("#done-message") != null || document.querySelector("h1").textContent.includes("problem")`)
		mustContain(t, "cast", mainText(t, ctx), "has been recorded")
		after := text(t, ctx, d.URL+voteURL, "main")
		mustContain(t, "after casting", after, "has voted")
		if eval[bool](t, ctx, `document.querySelector(".cast-form") != null`) {
			t.Error("the ballot form is still offered after voting")
		}
		if got := textOf(t, ctx, "#turnout"); got == turnoutBefore {
			t.Errorf("turnout did not change: %q", got)
		}
		// In the member council's vote the member's practice holds another
		// practice's proxy, so the member is offered both ballots.
		text(t, ctx, d.URL+"/governance", "main")
		council := eval[string](t, ctx, `(() => { for (const a of document.querySelectorAll("#votes a")) { if (a.textContent.includes("revised constitution")) return a.getAttribute("href"); } return ""; })()`)
		if council == "" {
			t.Fatal("no open member council vote")
		}
		mustContain(t, "proxy ballot", text(t, ctx, d.URL+council, "main"), "as its proxy through")
		if n := eval[int](t, ctx, `document.querySelectorAll(".cast-form").length`); n != 2 {
			t.Errorf("%d ballot forms, want the practice's own and the proxy's", n)
		}
	})

	t.Run("member declares an interest and sees it", func(t *testing.T) {
		acct := accounts["practice-member"]
		signIn(t, ctx, d.URL, acct[0], acct[1])
		defer signOut(t, ctx)
		text(t, ctx, d.URL+"/governance", "main")
		do(t, ctx, chromedp.Click(chromedp.CSS("#my-declarations-link")), chromedp.WaitVisible(chromedp.CSS("#my-interest-form")))
		do(t, ctx,
			chromedp.SetValue(chromedp.CSS("#ikind"), "non-financial-professional"),
			chromedp.SetValue(chromedp.CSS("#iorg"), "Y09ZZZ"),
			chromedp.SetValue(chromedp.CSS("#iorgname"), "Riverside Training Hub"),
			chromedp.SetValue(chromedp.CSS("#idesc"), "GP trainer"),
			chromedp.SetValue(chromedp.CSS("#ifrom"), time.Now().UTC().AddDate(0, 0, -2).Format("2006-01-02")),
			chromedp.Submit(chromedp.CSS("#idesc")))
		waitFor(t, ctx, `document.querySelector("#done-message") != null || document.querySelector("h1").textContent.includes("problem")`)
		mustContain(t, "declared", mainText(t, ctx), "Your interest in Y09ZZZ has been added")
		do(t, ctx, chromedp.Click(chromedp.CSS("#done-back")), chromedp.WaitVisible(chromedp.CSS("#my-interests")))
		mustContain(t, "own declarations", textOf(t, ctx, "#my-interests"), "Riverside Training Hub (Y09ZZZ)", "GP trainer", "a non-financial professional interest")
	})

	t.Run("governor sees the turnout of the anonymous vote, never its running totals", func(t *testing.T) {
		acct := accounts["governing-body-member"]
		signIn(t, ctx, d.URL, acct[0], acct[1])
		defer signOut(t, ctx)
		res := text(t, ctx, d.URL+voteURL+"/results", "main")
		mustContain(t, "results", res, "until the vote closes")
		if strings.Contains(res, "Running totals") {
			t.Errorf("the running totals of an open anonymous vote are shown:\n%s", clip(res))
		}
		n := regexp.MustCompile(`(\d+) of (\d+) entitled practices have voted`).FindStringSubmatch(res)
		m := regexp.MustCompile(`(\d+) of (\d+) entitled practices have voted`).FindStringSubmatch(turnoutBefore)
		if n == nil || m == nil || n[1] == m[1] {
			t.Errorf("turnout after the member's vote %v, before %v", n, m)
		}
		mustContain(t, "assurance", text(t, ctx, d.URL+"/governance/assurance", "main"), "Decisions by body and type", "Conflicts declared and managed")
	})

	t.Run("secretary walks a proposal to a published decision", func(t *testing.T) {
		acct := accounts["governance-secretary"]
		signIn(t, ctx, d.URL, acct[0], acct[1])
		defer signOut(t, ctx)
		title := "Community ophthalmology contract"
		do(t, ctx, chromedp.Navigate(d.URL+"/governance/decisions"), chromedp.WaitVisible(chromedp.CSS("#propose-form")),
			chromedp.SetValue(chromedp.CSS("#title"), title),
			chromedp.SetValue(chromedp.CSS("#summary"), "Cataract follow-up in the community."),
			chromedp.SetValue(chromedp.CSS("#ptype"), "approve-contract"),
			chromedp.SetValue(chromedp.CSS("#pvalue"), "1,200,000"),
			chromedp.Submit(chromedp.CSS("#pvalue")))
		waitFor(t, ctx, `document.querySelector("#done-message") != null`)
		mustContain(t, "proposed", mainText(t, ctx), "has been proposed")
		decisionURL := eval[string](t, ctx, `document.querySelector("#done-back").getAttribute("href")`)

		route := func(body string) {
			t.Helper()
			do(t, ctx, chromedp.Navigate(d.URL+decisionURL), chromedp.WaitVisible(chromedp.CSS("#route-form")),
				chromedp.SetValue(chromedp.CSS("#body"), body))
			mid := eval[string](t, ctx, fmt.Sprintf(`(() => { let v = ""; for (const o of document.querySelectorAll("#meeting option")) { if (o.text.includes("(%s)")) v = o.value; } return v; })()`, body))
			if mid == "" {
				t.Fatalf("no meeting of %s to route to", body)
			}
			do(t, ctx, chromedp.SetValue(chromedp.CSS("#meeting"), mid), chromedp.Submit(chromedp.CSS("#vote")))
			waitFor(t, ctx, `document.querySelector("#done-message") != null || document.querySelector("h1").textContent.includes("problem")`)
		}
		route("quality-committee")
		mustContain(t, "routed to the wrong body", mainText(t, ctx), "There is a problem", "Governing body")
		mustContain(t, "refusal kept", text(t, ctx, d.URL+decisionURL, "#history"), "refused")
		route("governing-body")
		mustContain(t, "routed", mainText(t, ctx), "on the agenda")

		do(t, ctx, chromedp.Navigate(d.URL+decisionURL), chromedp.WaitVisible(chromedp.CSS("#decide-form")),
			chromedp.SetValue(chromedp.CSS("#for"), "4"),
			chromedp.SetValue(chromedp.CSS("#against"), "1"),
			chromedp.SetValue(chromedp.CSS("#rationale"), "Shorter waits at lower cost."),
			chromedp.SetValue(chromedp.CSS("#member_views"), "Locality groups asked for care closer to home."),
			chromedp.Submit(chromedp.CSS("#rationale")))
		waitFor(t, ctx, `document.querySelector("#done-message") != null || document.querySelector("h1").textContent.includes("problem")`)
		mustContain(t, "decided", mainText(t, ctx), "decided", "Quorate")

		do(t, ctx, chromedp.Navigate(d.URL+decisionURL), chromedp.WaitVisible(chromedp.CSS("#publish-form")),
			chromedp.Submit(chromedp.CSS("#publish-form button")))
		waitFor(t, ctx, `document.querySelector("#done-message") != null`)
		mustContain(t, "published", mainText(t, ctx), "published")
		signOut(t, ctx)
		mustContain(t, "public register", text(t, ctx, d.URL+"/governance/decisions", "#decisions"), title)
		mustContain(t, "published record", text(t, ctx, d.URL+decisionURL, "main"), "Published", "Shorter waits at lower cost.", "Governing body")
		resp, err := http.Get(d.URL + "/governance/decisions.atom")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		feed, _ := io.ReadAll(resp.Body)
		if !strings.Contains(resp.Header.Get("Content-Type"), "atom+xml") {
			t.Errorf("feed content type %q", resp.Header.Get("Content-Type"))
		}
		mustContain(t, "feed", string(feed), "<feed", title)
	})
}

// mainText reads the current page's main text in one evaluation (safe
// while a page is being replaced after a form submission).
func mainText(t *testing.T, ctx context.Context) string {
	t.Helper()
	return eval[string](t, ctx, `document.querySelector("main") ? document.querySelector("main").innerText : ""`)
}
