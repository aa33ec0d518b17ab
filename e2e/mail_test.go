package e2e

import (
	"context"
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
	t.Run("the e-mailed link works once", func(t *testing.T) {
		do(t, mem, chromedp.Navigate(link), chromedp.WaitVisible(chromedp.CSS("main")))
		body := textOf(t, mem, "main")
		if strings.Contains(body, "Send my answers") {
			t.Fatalf("a used link still shows the survey:\n%s", clip(body))
		}
		mustContain(t, "used link", body, "already been used")
	})
}
