package cli

import (
	"context"
	"strings"
	"testing"
	"time"

	"ccg/internal/access"
	"ccg/internal/calendar"
	"ccg/internal/engagement"
	"ccg/internal/governance"
	"ccg/internal/mail"
)

// mailTestApp opens an app over a fresh SQLite data folder whose e-mail
// links start https://ccg.example, acting as the system.
func mailTestApp(t *testing.T) (context.Context, *app, func(error)) {
	ctx := access.WithActor(context.Background(), access.System)
	a, err := openApp(ctx, Config{DataDir: t.TempDir(), PublicURL: "https://ccg.example"}, applyMigrations)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	return ctx, a, func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
}

// TestMailNotifications checks, over a real SQLite data folder, that
// governance and engagement changes queue the right e-mail in the outbox in
// their own transactions: a vote opening tells the entitled practice's
// members only, the closing reminder goes once to those who have not voted,
// the yearly declaration prompt once a year, an answer to its asker; and
// that unsubscribing from a kind stops it.
func TestMailNotifications(t *testing.T) {
	ctx, a, must := mailTestApp(t)
	add := func(email string, roles []access.Role, practices ...string) *access.Person {
		p, err := a.access.AddPerson(ctx, access.System, access.NewPerson{Name: email, Email: email, Roles: roles, Practices: practices})
		must(err)
		return p
	}
	voter := add("voter@a81001.example", []access.Role{access.RolePracticeMember}, "A81001")
	other := add("other@a81002.example", []access.Role{access.RolePracticeMember}, "A81002")
	add("outside@b82001.example", []access.Role{access.RolePracticeMember}, "B82001")
	governor := add("governor@ccg.example", []access.Role{access.RoleGoverningBody})
	c, err := governance.DefaultConstitution()
	must(err)
	_, err = a.governance.AdoptConstitution(ctx, 1, c)
	must(err)

	outbox := func(kind mail.Kind) []mail.Message {
		t.Helper()
		ms, err := a.sql.MailMessages(ctx, mail.Filter{Kind: kind})
		must(err)
		return ms
	}
	now := time.Now().UTC()
	v, err := a.governance.OpenVote(ctx, 1, governance.MemberVote{Body: "member-council", Question: "Adopt the eye service?", Options: []string{"Yes", "No"},
		Opens: now.Add(-time.Hour), Closes: now.Add(30 * time.Hour),
		Roster: []governance.Entitled{{Practice: "A81001", Name: "Riverside Surgery", ListSize: 5000}, {Practice: "A81002", Name: "Hill Surgery", ListSize: 4000}}})
	must(err)
	t.Run("vote opened: the entitled practices' members only", func(t *testing.T) {
		ms := outbox(mail.KindVoteOpened)
		if len(ms) != 2 || ms[1].To != voter.Email || ms[0].To != other.Email || !strings.Contains(ms[1].Text, "Riverside Surgery is entitled to vote on: Adopt the eye service?") {
			t.Fatalf("vote-opened messages: %+v", ms)
		}
		ms = ms[1:]
		if !strings.Contains(ms[0].Text, "https://ccg.example/governance/votes/") || ms[0].Unsubscribe == "" || ms[0].HTML == "" {
			t.Fatalf("the message lacks its full link, unsubscribe address or HTML part:\n%s", ms[0].Text)
		}
	})
	t.Run("reminders: once, to those who have not voted", func(t *testing.T) {
		must(a.governance.CastVote(ctx, governance.CastRequest{Vote: v.ID, Practice: "A81002", Person: other.ID, Choice: 0}))
		n, err := mailNotifier{a}.Remind(ctx, now)
		must(err)
		if n != 2 { // the vote closes within two days; the governor's declaration is due
			t.Fatalf("first run queued %d reminders, want 2", n)
		}
		if ms := outbox(mail.KindVoteClosing); len(ms) != 1 || ms[0].To != voter.Email {
			t.Fatalf("vote-closing messages: %+v", ms)
		}
		if ms := outbox(mail.KindDeclarationDue); len(ms) != 1 || ms[0].To != governor.Email {
			t.Fatalf("declaration messages: %+v", ms)
		}
		n, err = mailNotifier{a}.Remind(ctx, now.Add(time.Hour))
		must(err)
		if n != 0 {
			t.Fatalf("second run queued %d reminders, want none", n)
		}
	})
	t.Run("question answered: its asker is told", func(t *testing.T) {
		q, err := a.engagement.Ask(ctx, engagement.Question{Kind: engagement.KindQuestion, Asker: voter.ID, To: "governing-body", Subject: "Evening clinics", Text: "Will there be evening clinics?"})
		must(err)
		_, err = a.engagement.Acknowledge(ctx, 1, q.ID)
		must(err)
		_, err = a.engagement.Assign(ctx, 1, q.ID, governor.ID)
		must(err)
		if len(outbox(mail.KindQuestionAnswered)) != 0 {
			t.Fatal("a message before the answer")
		}
		_, err = a.engagement.AnswerQuestion(ctx, governor.ID, q.ID, "Yes, on Tuesdays.")
		must(err)
		ms := outbox(mail.KindQuestionAnswered)
		if len(ms) != 1 || ms[0].To != voter.Email || !strings.Contains(ms[0].Subject, "Evening clinics") {
			t.Fatalf("question-answered messages: %+v", ms)
		}
	})
	t.Run("unsubscribing stops that kind", func(t *testing.T) {
		ms, err := a.sql.MailMessages(ctx, mail.Filter{Kind: mail.KindVoteOpened, To: voter.Email})
		must(err)
		token := ms[0].Unsubscribe[strings.LastIndex(ms[0].Unsubscribe, "/")+1:]
		what, err := a.mail.Unsubscribe(ctx, token)
		must(err)
		if !strings.Contains(what, "member votes opening") {
			t.Fatalf("unsubscribe said %q", what)
		}
		_, err = a.governance.OpenVote(ctx, 1, governance.MemberVote{Body: "member-council", Question: "Second question?", Options: []string{"Yes", "No"},
			Opens: now.Add(-time.Hour), Closes: now.Add(90 * time.Hour), Roster: []governance.Entitled{{Practice: "A81001", ListSize: 5000}}})
		must(err)
		if ms, _ := a.sql.MailMessages(ctx, mail.Filter{Kind: mail.KindVoteOpened, To: voter.Email}); len(ms) != 1 {
			t.Fatalf("after unsubscribing, %d vote-opened messages, want still 1", len(ms))
		}
		p, err := a.mail.Preferences(ctx, token)
		must(err)
		for _, k := range p.Kinds {
			if k.Receives == (k.Kind == mail.KindVoteOpened) {
				t.Errorf("preferences: %s receives=%v", k.Kind, k.Receives)
			}
		}
	})
}

// TestMailAgendaAndConsultation: a governing-body member with a declared
// interest is told when an agenda item concerns that organisation, and a
// consultation's respondents get its "you said, we did" (its own
// transaction: a statement refused queues nothing).
func TestMailAgendaAndConsultation(t *testing.T) {
	ctx, a, must := mailTestApp(t)
	var ids []int64
	for _, e := range []string{"gp1@ccg.example", "gp2@ccg.example", "lay1@ccg.example", "lay2@ccg.example", "nurse@ccg.example", "officer@ccg.example"} {
		p, err := a.access.AddPerson(ctx, access.System, access.NewPerson{Name: e, Email: e, Roles: []access.Role{access.RoleGoverningBody}})
		must(err)
		ids = append(ids, p.ID)
	}
	respondent, err := a.access.AddPerson(ctx, access.System, access.NewPerson{Name: "R", Email: "respondent@a81001.example", Roles: []access.Role{access.RolePracticeMember}, Practices: []string{"A81001"}})
	must(err)
	c, err := governance.DefaultConstitution()
	must(err)
	var att []governance.Attendee
	for i := range c.Bodies {
		if c.Bodies[i].ID != "governing-body" {
			continue
		}
		c.Bodies[i].Members = nil
		for n, r := range []governance.Role{governance.RoleGP, governance.RoleGP, governance.RoleLay, governance.RoleLay, governance.RoleNurse, governance.RoleOfficer} {
			id := governance.PersonID(ids[n])
			c.Bodies[i].Members = append(c.Bodies[i].Members, governance.Member{Seat: governance.Seat{Person: id}, Name: "Member", Role: r})
			att = append(att, governance.Attendee{Seat: governance.Seat{Person: id}, Person: id, Name: "Member"})
		}
	}
	_, err = a.governance.AdoptConstitution(ctx, 1, c)
	must(err)
	today := calendar.DateOf(time.Now().UTC())
	_, _, err = a.governance.DeclareInterest(ctx, 1, governance.Interest{Person: ids[0], Kind: governance.InterestFinancial, Organisation: "Y01FED",
		OrganisationName: "GP Federation", Description: "Shareholder", From: today.AddDays(-400), Declared: today.AddDays(-399)})
	must(err)
	m, err := a.governance.CreateMeeting(ctx, 1, governance.Meeting{Body: "governing-body", Date: today.AddDays(7), Title: "Governing body", Public: true,
		Attendance: att, Agenda: []governance.AgendaItem{{No: 1, Title: "Federation contract", Organisations: []string{"Y01FED"}}, {No: 2, Title: "Finance report"}}})
	must(err)
	ms, err := a.sql.MailMessages(ctx, mail.Filter{Kind: mail.KindAgendaConflict})
	must(err)
	if len(ms) != 1 || ms[0].To != "gp1@ccg.example" || !strings.Contains(ms[0].Text, `Item 1, "Federation contract", concerns Y01FED`) {
		t.Fatalf("agenda conflict messages: %+v", ms)
	}
	_, err = a.governance.UpdateMeeting(ctx, 1, m)
	must(err)
	if ms, _ := a.sql.MailMessages(ctx, mail.Filter{Kind: mail.KindAgendaConflict}); len(ms) != 1 {
		t.Fatalf("saving the same agenda again queued %d messages, want still 1", len(ms))
	}

	d, err := a.governance.Propose(ctx, 1, governance.Decision{Title: "Community eye service", Type: governance.ApproveContract, Value: 30_000_000})
	must(err)
	clock := func(day calendar.Date) func() time.Time {
		return func() time.Time { return day.Time().Add(10 * time.Hour) }
	}
	eng := a.engagement.WithClock(clock(today.AddDays(-20)))
	cons, err := eng.OpenConsultation(ctx, 1, engagement.Consultation{Decision: d.ID, Question: "Should we commission it?",
		Proposal: "A community eye service", Opens: today.AddDays(-20), Closes: today.AddDays(-5)})
	must(err)
	_, err = eng.RespondToConsultation(ctx, engagement.ConsultationResponse{Consultation: cons.ID, Person: respondent.ID, Practice: "A81001", Position: engagement.Support})
	must(err)
	if _, err := a.engagement.RecordYouSaidWeDid(ctx, 1, cons.ID, "  "); err == nil {
		t.Fatal("an empty statement was accepted")
	}
	if ms, _ := a.sql.MailMessages(ctx, mail.Filter{Kind: mail.KindYouSaidWeDid}); len(ms) != 0 {
		t.Fatalf("a refused statement queued %d messages", len(ms))
	}
	_, err = a.engagement.RecordYouSaidWeDid(ctx, 1, cons.ID, "You asked for evening clinics; the contract requires them.")
	must(err)
	ms, err = a.sql.MailMessages(ctx, mail.Filter{Kind: mail.KindYouSaidWeDid})
	must(err)
	if len(ms) != 1 || ms[0].To != respondent.Email || !strings.Contains(ms[0].Text, "evening clinics") {
		t.Fatalf("you said, we did messages: %+v", ms)
	}
}

// TestSurveyInvitationsByMail: opening a wave queues one secret invitation
// per member holding their link; the officer's call returns no link; closing
// the wave early gives up the unsent ones and wipes their links.
func TestSurveyInvitationsByMail(t *testing.T) {
	ctx, a, must := mailTestApp(t)
	for _, e := range []string{"gp@a81001.example", "nurse@a81002.example"} {
		_, err := a.access.AddPerson(ctx, access.System, access.NewPerson{Name: e, Email: e, Roles: []access.Role{access.RolePracticeMember},
			Practices: []string{strings.ToUpper(e[strings.Index(e, "@")+1 : strings.Index(e, ".")])}, Professional: access.ProGPPartner})
		must(err)
	}
	sv, err := a.engagement.CreateSurvey(ctx, 1, "Member voice survey", engagement.DefaultQuestionnaire())
	must(err)
	today := calendar.DateOf(time.Now().UTC())
	w, err := a.engagement.OpenWave(ctx, 1, engagement.Wave{Survey: sv.ID, Name: "Spring", Opens: today, Closes: today.AddDays(14)}, memberInvitees{a}, surveyMailer{a})
	must(err)
	if w.Invited != 2 {
		t.Fatalf("invited %d, want 2", w.Invited)
	}
	ms, err := a.sql.MailMessages(ctx, mail.Filter{Kind: mail.KindSurveyInvitation})
	must(err)
	if len(ms) != 2 {
		t.Fatalf("%d invitations queued, want 2", len(ms))
	}
	for _, m := range ms {
		if !m.Secret || !strings.Contains(m.Text, "https://ccg.example/survey?token=") || !m.Expires.Equal(w.Closes.Time()) {
			t.Fatalf("invitation %+v: want secret, with the link, expiring when the wave closes", m)
		}
		tok := m.Text[strings.Index(m.Text, "token=")+len("token="):]
		tok = tok[:strings.IndexAny(tok, " \n")]
		if _, _, err := a.engagement.Begin(ctx, tok); err != nil {
			t.Fatalf("the e-mailed link does not open the survey: %v", err)
		}
	}
	_, err = a.engagement.CloseWave(ctx, 1, w.ID)
	must(err)
	ms, err = a.sql.MailMessages(ctx, mail.Filter{Kind: mail.KindSurveyInvitation})
	must(err)
	for _, m := range ms {
		if m.Status != mail.StatusFailed || strings.Contains(m.Text+m.HTML, "token=") {
			t.Fatalf("after closing the wave: %s, link still stored: %v", m.Status, strings.Contains(m.Text+m.HTML, "token="))
		}
	}
}
