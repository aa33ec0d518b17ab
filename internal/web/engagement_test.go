package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"ccg/internal/access"
	"ccg/internal/calendar"
	"ccg/internal/engagement"
	"ccg/internal/store/sqlstore"
)

type engWorld struct {
	*accessWorld
	survey engagement.Survey
	wave   engagement.Wave
	tokens []engagement.IssuedToken
}

// newEngWorld is the access world with, in engagement: a survey with a wave
// open today, eight invited, four answered, and a consultation.
func newEngWorld(t *testing.T, st *sqlstore.Store) *engWorld {
	t.Helper()
	ctx := access.WithActor(context.Background(), access.System)
	aw := newAccessWorld(t, st)
	svc := aw.eng
	w := &engWorld{accessWorld: aw}
	var err error
	if w.survey, err = svc.CreateSurvey(ctx, 1, "Member voice", engagement.DefaultQuestionnaire()); err != nil {
		t.Fatal(err)
	}
	today := calendar.Today()
	wave, err := svc.AddWave(ctx, 1, engagement.Wave{Survey: w.survey.ID, Name: "Now", Opens: today.AddDays(-1), Closes: today.AddDays(10)})
	if err != nil {
		t.Fatal(err)
	}
	var inv []engagement.Invitee
	for i := 0; i < 8; i++ {
		inv = append(inv, engagement.Invitee{Person: int64(1000 + i), Practice: "A10001", Class: engagement.Class{Leadership: engagement.OtherMember}})
	}
	w.wave = wave
	if w.tokens, err = svc.Invite(ctx, 1, wave.ID, inv); err != nil {
		t.Fatal(err)
	}
	for _, tk := range w.tokens[:4] {
		if _, err := svc.Respond(ctx, tk.Token, engAllAgree()); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := aw.store.PutConsultation(ctx, engagement.Consultation{Title: "Eye service", Question: "Should we?", Proposal: "A community eye service",
		Opens: today.AddDays(-1), Closes: today.AddDays(10)}); err != nil {
		t.Fatal(err)
	}
	return w
}

func engAllAgree() engagement.Answers {
	a := engagement.Answers{}
	for _, it := range engagement.DefaultQuestionnaire().Items() {
		switch it.Kind {
		case engagement.ItemLikert:
			a[it.ID] = "4"
		case engagement.ItemYesNo:
			a[it.ID] = "yes"
		}
	}
	return a
}

// TestEngagementPages answers through a token link with the form's CSRF
// token, and checks that an open wave's results are held (issue 13: no
// differencing between two readings) and the group-of-five rule once it
// closes, on both SQL engines.
func TestEngagementPages(t *testing.T) {
	for engine, open := range storeEngines(t) {
		t.Run(engine, func(t *testing.T) { engagementPages(t, newEngWorld(t, open(t))) })
	}
}

func engagementPages(t *testing.T, w *engWorld) {
	h := w.srv.Handler()
	results := func(t *testing.T) engagement.WaveResults {
		t.Helper()
		req := httptest.NewRequest("GET", "/api/v1/surveys/"+strconv.FormatInt(w.survey.ID, 10)+"/results", nil)
		req.Header.Set("Authorization", "Bearer "+w.token[access.RoleAnalyst])
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			t.Fatalf("results: %d %s", rec.Code, rec.Body)
		}
		var vm struct {
			Results engagement.WaveResults `json:"results"`
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &vm); err != nil {
			t.Fatal(err)
		}
		return vm.Results
	}
	t.Run("four answers are not shown", func(t *testing.T) {
		if r := results(t); r.Hidden == nil || r.Respondents != 0 || len(r.Breakdowns) > 0 && r.Breakdowns[0].Groups[0].Respondents != 0 {
			t.Fatalf("results with four answers: hidden %v, respondents %d", r.Hidden, r.Respondents)
		}
	})
	b := newBrowser(t, h)
	link := "/survey?token=" + url.QueryEscape(w.tokens[4].Token)
	form := url.Values{"token": {w.tokens[4].Token}}
	for id, v := range engAllAgree() {
		form.Set("q-"+id, v)
	}
	t.Run("the form carries CSRF and the questions", func(t *testing.T) {
		rec := b.get(link)
		if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `name="q-own-belongs"`) {
			t.Fatalf("form: %d", rec.Code)
		}
		checkHTML(t, rec.Body.String())
	})
	t.Run("without the CSRF token the answers are refused", func(t *testing.T) {
		if rec := b.post("/survey", form); rec.Code != http.StatusForbidden {
			t.Fatalf("got %d", rec.Code)
		}
	})
	t.Run("answers that break the rules get a plain message", func(t *testing.T) {
		bad := url.Values{"token": {w.tokens[4].Token}, "q-own-belongs": {"9"}, "csrf_token": {b.csrf(link)}}
		rec := b.post("/survey", bad)
		body := rec.Body.String()
		if rec.Code != http.StatusBadRequest || strings.Contains(body, "engagement:") || strings.Contains(body, ": invalid") ||
			!strings.Contains(body, "choose a point from 1 to 5") || !strings.Contains(body, rec.Header().Get(requestIDKey)) {
			t.Fatalf("bad answers: %d %s", rec.Code, clipBody(body))
		}
	})
	t.Run("answering burns the link, and says nothing of it to the next holder", func(t *testing.T) {
		fresh := b.get(link).Body.String()
		form.Set("csrf_token", b.csrf(link))
		rec := b.post("/survey", form)
		if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "Thank you") {
			t.Fatalf("answer: %d %s", rec.Code, rec.Body)
		}
		first := doneMessage(rec.Body.String())
		// whoever holds the link afterwards sees what a fresh link shows,
		// and gets the same answer: nothing says it was used (or when)
		again := b.get(link)
		if again.Code != http.StatusOK || stripCSRF(again.Body.String()) != stripCSRF(fresh) {
			t.Fatalf("a used link's page differs from a fresh one's: %d", again.Code)
		}
		rec = b.post("/survey", form)
		if rec.Code != http.StatusOK || doneMessage(rec.Body.String()) != first {
			t.Fatalf("second answer: %d %q, want the first answer's %q", rec.Code, doneMessage(rec.Body.String()), first)
		}
	})
	t.Run("five answers of an open wave are held, rates by practice too", func(t *testing.T) {
		r := results(t)
		if r.Hidden == nil || r.Hidden.Code != engagement.HeldCode || r.Respondents != 0 {
			t.Fatalf("results of an open wave with five answers: hidden %v, respondents %d", r.Hidden, r.Respondents)
		}
		if body := w.asRole(t, access.RoleAnalyst, fmt.Sprintf("/api/v1/surveys/%d/results", w.survey.ID)).Body.String(); strings.Contains(body, `"key": "A10001"`) {
			t.Fatalf("rates by practice shown while the wave is open")
		}
	})
	t.Run("once closed, five answers are shown, with charts and CSV", func(t *testing.T) {
		if _, err := w.eng.CloseWave(access.WithActor(context.Background(), access.System), 1, w.wave.ID); err != nil {
			t.Fatal(err)
		}
		if r := results(t); r.Hidden != nil || r.Respondents != 5 {
			t.Fatalf("results with five answers: hidden %v, respondents %d", r.Hidden, r.Respondents)
		}
		for _, csv := range []string{"items", "gap", "trend", "rates"} {
			req := httptest.NewRequest("GET", fmt.Sprintf("/surveys/%d/results/%s.csv", w.survey.ID, csv), nil)
			req.AddCookie(&http.Cookie{Name: sessionCookie, Value: w.session[access.RoleAnalyst]})
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != http.StatusOK || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/csv") {
				t.Fatalf("%s.csv: %d %s", csv, rec.Code, rec.Header().Get("Content-Type"))
			}
		}
	})
	t.Run("public consultations", func(t *testing.T) {
		rec := newBrowser(t, h).get("/api/v1/consultations")
		if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "Eye service") {
			t.Fatalf("consultations: %d %s", rec.Code, rec.Body)
		}
	})
	t.Run("the secretary cannot write you said, we did while it is open", func(t *testing.T) {
		sb := newBrowser(t, h)
		if rec := sb.login(w.people[access.RoleGovSecretary].Email, testPassword); rec.Code != http.StatusSeeOther {
			t.Fatalf("login: %d", rec.Code)
		}
		page := sb.get("/consultations/1").Body.String()
		rec := sb.post("/consultations/1/you-said-we-did", url.Values{"csrf_token": {sb.csrf("/consultations/1")}, "statement": {"We did it."}})
		if rec.Code != http.StatusConflict || strings.Contains(page, `action="/consultations/1/you-said-we-did"`) {
			t.Fatalf("statement on an open consultation: %d", rec.Code)
		}
		rec = sb.post("/consultations", url.Values{"csrf_token": {sb.csrf("/consultations")}, "decision": {"99"}, "question": {"Q?"},
			"proposal": {"P"}, "last_day": {calendar.Today().AddDays(5).String()}})
		if rec.Code != http.StatusNotFound {
			t.Fatalf("consultation on an unknown decision: %d", rec.Code)
		}
	})
	t.Run("a member responds to a consultation and asks a question", func(t *testing.T) {
		mb := newBrowser(t, h)
		if rec := mb.login(w.people[access.RolePracticeMember].Email, testPassword); rec.Code != http.StatusSeeOther {
			t.Fatalf("login: %d", rec.Code)
		}
		tok := mb.csrf("/consultations/1")
		rec := mb.post("/consultations/1/respond", url.Values{"csrf_token": {tok}, "position": {"support"}, "comment": {"Yes please"}})
		if rec.Code != http.StatusOK {
			t.Fatalf("respond: %d %s", rec.Code, rec.Body)
		}
		if body := mb.get("/consultations/1").Body.String(); !strings.Contains(body, "You said: Support") {
			t.Fatalf("own response not shown")
		}
		rec = mb.post("/questions", url.Values{"csrf_token": {mb.csrf("/questions")}, "kind": {"question"}, "subject": {"Budgets"}, "text": {"How are they set?"}})
		if rec.Code != http.StatusOK {
			t.Fatalf("ask: %d %s", rec.Code, rec.Body)
		}
	})
}

var (
	doneMessageRE = regexp.MustCompile(`(?s)<p id="done-message">(.*?)</p>`)
	csrfValueRE   = regexp.MustCompile(`name="csrf_token" value="[^"]*"`)
)

// doneMessage is the message of the "thank you" page.
func doneMessage(body string) string {
	if m := doneMessageRE.FindStringSubmatch(body); m != nil {
		return m[1]
	}
	return ""
}

// stripCSRF leaves the anti-forgery token out of a page, for comparing.
func stripCSRF(body string) string { return csrfValueRE.ReplaceAllString(body, "") }
