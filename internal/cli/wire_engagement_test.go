package cli

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"ccg/internal/access"
	"ccg/internal/calendar"
	"ccg/internal/engagement"
	"ccg/internal/errs"
	"ccg/internal/governance"
)

// TestYouSaidWeDidGate checks the wiring of engagement's "you said, we did"
// rule into governance over a real SQLite data folder: a decision that
// members were consulted on cannot be published while the consultation is
// open, nor once it has closed until the record says what was done.
func TestYouSaidWeDidGate(t *testing.T) {
	ctx := access.WithActor(context.Background(), access.System)
	a, err := openApp(ctx, Config{DataDir: t.TempDir()}, applyMigrations)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	gov := a.governance
	c, err := governance.DefaultConstitution()
	must(err)
	var att []governance.Attendee
	for i := range c.Bodies {
		if c.Bodies[i].ID != "governing-body" {
			continue
		}
		c.Bodies[i].Members = nil
		for p, r := range []governance.Role{governance.RoleGP, governance.RoleGP, governance.RoleLay, governance.RoleLay, governance.RoleNurse, governance.RoleOfficer} {
			id := governance.PersonID(p + 1)
			c.Bodies[i].Members = append(c.Bodies[i].Members, governance.Member{Seat: governance.Seat{Person: id}, Name: "Member", Role: r})
			att = append(att, governance.Attendee{Seat: governance.Seat{Person: id}, Person: id, Name: "Member"})
		}
	}
	_, err = gov.AdoptConstitution(ctx, 6, c)
	must(err)
	d, err := gov.Propose(ctx, 6, governance.Decision{Title: "Community eye service", Type: governance.ApproveContract, Value: 30_000_000})
	must(err)
	today := calendar.DateOf(time.Now().UTC())
	cons, err := a.engagement.OpenConsultation(ctx, 6, engagement.Consultation{Decision: d.ID, Question: "Should we commission it?",
		Proposal: "A community eye service", Opens: today, Closes: today.AddDays(14)})
	must(err)
	m, err := gov.CreateMeeting(ctx, 6, governance.Meeting{Body: "governing-body", Date: today, Title: "Governing body", Public: true,
		Attendance: att, Agenda: []governance.AgendaItem{{No: 1, Title: "Community eye service", Decision: d.ID}}})
	must(err)
	_, err = gov.Route(ctx, 6, d.ID, "governing-body", m.ID, 0)
	must(err)
	_, _, err = gov.DecideAtMeeting(ctx, 6, d.ID, governance.MeetingVote{Item: 1, Vote: governance.VoteCount{For: 6}, Rationale: "value", MemberViews: "asked"})
	must(err)

	refused := func(step, want string) {
		t.Helper()
		_, err := gov.Publish(ctx, 6, d.ID)
		if !errors.Is(err, errs.ErrInvalid) || !strings.Contains(err.Error(), want) {
			t.Fatalf("%s: publish = %v, want ErrInvalid saying %q", step, err, want)
		}
		if got, err := gov.Decision(ctx, d.ID); err != nil || got.Status != governance.StatusDecided {
			t.Fatalf("%s: the refused decision is %s (%v)", step, got.Status, err)
		}
	}
	refused("consultation open", "cannot be published before the consultation closes")
	_, err = a.engagement.CloseConsultation(ctx, 6, cons.ID)
	must(err)
	refused("no statement", `must say "you said, we did"`)
	_, err = a.engagement.RecordYouSaidWeDid(ctx, 6, cons.ID, "You asked for evening clinics; the contract requires them.")
	must(err)
	if got, err := gov.Publish(ctx, 6, d.ID); err != nil || got.Status != governance.StatusPublished {
		t.Fatalf("publish after you said, we did: %v %+v", err, got)
	}
}
