package web

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"ccg/internal/access"
	"ccg/internal/mail"
)

// TestOutboxHidesSecrets: the administrator's outbox, its message page and
// their JSON twins list a survey invitation without its link, while a
// failed message can be sent again; unsubscribing by the one-click POST
// works without a session or form token.
func TestOutboxHidesSecrets(t *testing.T) {
	for engine, open := range storeEngines(t) {
		t.Run(engine, func(t *testing.T) {
			st := open(t)
			w := newAccessWorld(t, st)
			ctx := context.Background()
			svc := w.srv.deps.Mail
			c := mail.Content{Subject: "Your survey link", Lead: "Answer the survey.", Action: &mail.Link{Text: "Answer", URL: svc.URL("/survey?token=SEKRIT")}}
			if _, err := svc.Queue(ctx, "member@test.nhs.uk", mail.KindSurveyInvitation, "w1", c, mail.Options{Secret: true}); err != nil {
				t.Fatal(err)
			}
			if _, err := svc.Queue(ctx, "member@test.nhs.uk", mail.KindVoteOpened, "v1", mail.Content{Subject: "Vote", Lead: "A vote is open."}, mail.Options{}); err != nil {
				t.Fatal(err)
			}
			// the vote message fails for good
			claimed, err := st.ClaimMail(ctx, "w", mailNow(), mailNow().Add(time.Minute), 10)
			if err != nil || len(claimed) != 2 {
				t.Fatalf("claim: %d %v", len(claimed), err)
			}
			var voteID int64
			for _, m := range claimed {
				if m.Kind == mail.KindVoteOpened {
					voteID = m.ID
					if err := st.MailFailed(ctx, m.ID, "w", "550 mailbox unavailable", mailNow(), true); err != nil {
						t.Fatal(err)
					}
				}
			}
			get := func(path string, api bool) (int, string) {
				req := httptest.NewRequest("GET", path, nil)
				if api {
					req.Header.Set("Authorization", "Bearer "+w.token[access.RoleAdmin])
				} else {
					req.AddCookie(&http.Cookie{Name: sessionCookie, Value: w.session[access.RoleAdmin]})
				}
				rec := httptest.NewRecorder()
				w.srv.Handler().ServeHTTP(rec, req)
				body, _ := io.ReadAll(rec.Body)
				return rec.Code, string(body)
			}
			for _, path := range []string{"/admin/outbox", "/api/v1/outbox", "/admin/outbox?status=sending", "/admin/outbox/" + strconv.FormatInt(claimed[0].ID, 10),
				"/api/v1/outbox/" + strconv.FormatInt(claimed[0].ID, 10), "/admin/outbox/" + strconv.FormatInt(claimed[1].ID, 10)} {
				code, body := get(path, strings.HasPrefix(path, "/api/"))
				if code != http.StatusOK || strings.Contains(body, "SEKRIT") {
					t.Errorf("GET %s: %d, shows the secret: %v", path, code, strings.Contains(body, "SEKRIT"))
				}
			}
			code, body := get("/admin/outbox?status=failed", false)
			if code != http.StatusOK || !strings.Contains(body, "550 mailbox unavailable") || !strings.Contains(body, "/admin/outbox/"+strconv.FormatInt(voteID, 10)+"/retry") {
				t.Errorf("failed messages: %d\n%s", code, body)
			}
			if code, _ := get("/admin/outbox?status=lost", false); code != http.StatusBadRequest {
				t.Errorf("unknown status: %d, want 400", code)
			}
			// one-click unsubscribe, as a mail program posts it
			vote, _ := st.MailMessage(ctx, voteID)
			u := strings.TrimPrefix(vote.Unsubscribe, "https://ccg.example")
			req := httptest.NewRequest("POST", u, strings.NewReader("List-Unsubscribe=One-Click"))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			rec := httptest.NewRecorder()
			w.srv.Handler().ServeHTTP(rec, req)
			if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "no longer get these messages") {
				t.Fatalf("one-click unsubscribe: %d\n%s", rec.Code, rec.Body.String())
			}
			if out, _ := st.OptedOut(ctx, "member@test.nhs.uk", mail.KindVoteOpened); !out {
				t.Fatal("the one-click unsubscribe did not opt out")
			}
		})
	}
}

func mailNow() time.Time { return time.Now().UTC() }
