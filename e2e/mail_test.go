package e2e

import (
	"context"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"ccg/internal/smtp/mailpittest"
)

var surveyLinkInMail = regexp.MustCompile(`https?://\S+/survey\?token=[A-Za-z0-9._-]+`)

// TestSurveyLinkByEmail: the governance secretary opens a survey wave and
// is told only how many were invited; the practice member receives their
// one-time link by e-mail (read from the test Mailpit), answers through it,
// and the link cannot be used again; the administrator's outbox never shows
// the link.
func TestSurveyLinkByEmail(t *testing.T) {
	mp := mailpittest.FromEnv(t)
	d := startDemo(t)
	accounts := map[string][2]string{}
	for _, m := range signInLine.FindAllStringSubmatch(d.Output.String(), -1) {
		accounts[m[1]] = [2]string{m[2], m[3]}
	}
	secretary, member, admin := accounts["governance-secretary"], accounts["practice-member"], accounts["administrator"]
	if secretary[0] == "" || member[0] == "" || admin[0] == "" {
		t.Fatalf("the demo did not print the sign-ins:\n%s", clip(d.Output.String()))
	}
	wave := "Mail test " + time.Now().Format("150405.000")

	sec := browser(t)
	signIn(t, sec, d.URL, secretary[0], secretary[1])
	do(t, sec, chromedp.Navigate(d.URL+"/surveys/1/open-wave"), chromedp.WaitVisible(chromedp.CSS("#open-wave-form")),
		chromedp.SetValue(chromedp.CSS("#name"), wave), chromedp.Click(chromedp.CSS("#open-wave")))
	waitFor(t, sec, `document.querySelector("#done-message") != null || document.querySelector(".nhsuk-error-summary, .ccg-error") != null`)
	done := textOf(t, sec, "main")
	mustContain(t, "after opening the wave", done, "is open", "sent their own link by e-mail")
	if strings.Contains(done, "token=") {
		t.Fatalf("the officer was shown a link:\n%s", done)
	}

	// the member's invitation arrives (the demo's worker sends everybody's)
	var link string
	deadline := time.Now().Add(3 * time.Minute)
	for link == "" {
		list, err := mp.Search(context.Background(), member[0])
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range list {
			if strings.Contains(s.Subject, wave) {
				msg, err := mp.Read(context.Background(), s.ID)
				if err != nil {
					t.Fatal(err)
				}
				link = surveyLinkInMail.FindString(msg.Text)
				if link == "" || !strings.Contains(msg.HTML, "/survey?token=") {
					t.Fatalf("the invitation has no survey link in both parts:\n%s", msg.Text)
				}
				mustContain(t, "invitation", msg.Text, "anonymous", "works once")
				if u := msg.Headers["List-Unsubscribe"]; len(u) != 1 {
					t.Errorf("the invitation has no List-Unsubscribe header: %v", msg.Headers)
				}
			}
		}
		if link == "" {
			if time.Now().After(deadline) {
				t.Fatalf("%s received no invitation to %q within 3 minutes", member[0], wave)
			}
			time.Sleep(500 * time.Millisecond)
		}
	}
	if !strings.HasPrefix(link, d.URL+"/survey?token=") {
		t.Fatalf("the link %q does not point at the site %s", link, d.URL)
	}
	token := link[strings.Index(link, "token=")+len("token="):]

	ad := browser(t)
	signIn(t, ad, d.URL, admin[0], admin[1])
	t.Run("the outbox never shows a link", func(t *testing.T) {
		body := text(t, ad, d.URL+"/admin/outbox?to="+member[0], "main")
		mustContain(t, "outbox", body, "E-mail outbox", wave)
		if strings.Contains(body, token) || strings.Contains(body, "token=") {
			t.Fatal("the outbox shows a survey link")
		}
		html := eval[string](t, ad, `document.documentElement.outerHTML`)
		if strings.Contains(html, token) {
			t.Fatal("the outbox page's HTML holds the survey link")
		}
	})

	mem := browser(t)
	signIn(t, mem, d.URL, member[0], member[1])
	t.Run("member answers through the e-mailed link", func(t *testing.T) {
		do(t, mem, chromedp.Navigate(link), chromedp.WaitVisible(chromedp.CSS("#survey-form")))
		mustContain(t, "survey form", textOf(t, mem, "main"), "This link works once")
		n := eval[int](t, mem, `(() => { let n = 0; const seen = new Set();
			for (const r of document.querySelectorAll('#survey-form input[type=radio]')) {
				if (!seen.has(r.name)) { r.checked = true; seen.add(r.name); n++; }
			}
			return n; })()`)
		if n < 10 {
			t.Fatalf("only %d questions answered", n)
		}
		do(t, mem, chromedp.Click(chromedp.CSS("#send-answers")))
		waitFor(t, mem, `document.querySelector("#done-message") != null || document.querySelector("#survey-form") == null`)
		mustContain(t, "after answering", textOf(t, mem, "main"), "Thank you")
	})
	t.Run("the e-mailed link says nothing of its use to whoever holds it", func(t *testing.T) {
		// issue 13: the link check must not tell anyone holding a link whether
		// (or when) it was used; a second use is thanked alike and stores nothing
		do(t, mem, chromedp.Navigate(link), chromedp.WaitVisible(chromedp.CSS("#survey-form")))
		body := textOf(t, mem, "main")
		if strings.Contains(body, "already been used") {
			t.Fatalf("a used link tells its holder it was used:\n%s", clip(body))
		}
	})
}

var (
	confirmLinkInMail = regexp.MustCompile(`https?://\S+/mail/confirm/[A-Za-z0-9_-]+`)
	unsubscribeHeader = regexp.MustCompile(`^<(https?://\S+/mail/unsubscribe/([A-Za-z0-9_-]+))>$`)
)

// waitMail waits for a message to address whose subject contains subject.
func waitMail(t *testing.T, mp *mailpittest.Mailpit, address, subject string) mailpittest.Message {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for {
		list, err := mp.Search(context.Background(), address)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range list {
			if strings.Contains(s.Subject, subject) {
				msg, err := mp.Read(context.Background(), s.ID)
				if err != nil {
					t.Fatal(err)
				}
				return msg
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s received no message about %q within 2 minutes", address, subject)
		}
		time.Sleep(300 * time.Millisecond)
	}
}

// TestMonthlyAlertSubscription: a member of the public asks for the CCG's
// monthly prescribing alert, confirms it from the e-mail (double opt-in),
// receives the newest month's alert with one-click unsubscribe headers,
// and unsubscribes with the RFC 8058 POST a mail program would send (no
// session, no form token).
func TestMonthlyAlertSubscription(t *testing.T) {
	mp := mailpittest.FromEnv(t)
	d := startDemo(t)
	pub := browser(t)
	do(t, pub, chromedp.Navigate(d.URL+"/prescribing"), chromedp.WaitVisible(chromedp.CSS("#measures")))
	month := eval[string](t, pub, `new URL(document.querySelector('#measures tbody a').href).searchParams.get('month') || ''`)
	var vals struct {
		Values []struct {
			OrgCode string `json:"org_code"`
		} `json:"values"`
	}
	getJSON(t, d.URL+"/api/v1/measures/branded_atorvastatin/values?month="+month+"&level=ccg", &vals)
	if len(vals.Values) == 0 {
		t.Fatalf("no CCG values for %s", month)
	}
	ccg := vals.Values[0].OrgCode
	addr := mailpittest.Address("alerts", "public.example")

	do(t, pub, chromedp.Navigate(d.URL+"/alerts?org="+ccg), chromedp.WaitVisible(chromedp.CSS("#subscribe-form")),
		chromedp.SetValue(chromedp.CSS("#email"), addr), chromedp.Click(chromedp.CSS("#subscribe")))
	waitFor(t, pub, `document.querySelector("#done-message") != null || document.querySelector(".nhsuk-error-summary") != null`)
	mustContain(t, "after subscribing", textOf(t, pub, "main"), "Check your e-mail", "Nothing is sent until you confirm")

	confirm := waitMail(t, mp, addr, "Confirm your monthly prescribing alert")
	link := confirmLinkInMail.FindString(confirm.Text)
	if link == "" {
		t.Fatalf("no confirmation link in:\n%s", confirm.Text)
	}
	if n := mp.Count(t, addr); n != 1 {
		t.Fatalf("%d messages before confirming, want only the confirmation", n)
	}
	do(t, pub, chromedp.Navigate(link), chromedp.WaitVisible(chromedp.CSS("#confirm-form")), chromedp.Click(chromedp.CSS("#confirm")))
	waitFor(t, pub, `document.querySelector("#done-message") != null`)
	mustContain(t, "after confirming", textOf(t, pub, "main"), "monthly alert for ccg "+ccg)

	alert := waitMail(t, mp, addr, "prescribing in")
	mustContain(t, "alert text", strings.ReplaceAll(alert.Text, "\r\n", "\n"), "Prescribing figures for", "See all the figures for", d.URL+"/organisations/"+ccg, "Stop getting messages like this:")
	if !strings.Contains(alert.HTML, "<h2") && !strings.Contains(alert.HTML, "outside the expected range") {
		t.Errorf("the HTML part lacks the alert:\n%s", clip(alert.HTML))
	}
	unsub := alert.Headers["List-Unsubscribe"]
	if len(unsub) != 1 || !unsubscribeHeader.MatchString(unsub[0]) {
		t.Fatalf("List-Unsubscribe = %q", unsub)
	}
	if post := alert.Headers["List-Unsubscribe-Post"]; len(post) != 1 || post[0] != "List-Unsubscribe=One-Click" {
		t.Fatalf("List-Unsubscribe-Post = %q", post)
	}
	m := unsubscribeHeader.FindStringSubmatch(unsub[0])
	res, err := http.Post(m[1], "application/x-www-form-urlencoded", strings.NewReader("List-Unsubscribe=One-Click"))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || !strings.Contains(string(body), "no longer get the monthly alert") {
		t.Fatalf("one-click unsubscribe: %s\n%s", res.Status, clip(string(body)))
	}
	prefs := text(t, pub, d.URL+"/mail/preferences/"+m[2], "main")
	mustContain(t, "preferences", prefs, addr, "Monthly prescribing alerts")
	if strings.Contains(prefs, "Cancel monthly alerts") {
		t.Fatalf("the subscription is still listed after unsubscribing:\n%s", prefs)
	}
}
