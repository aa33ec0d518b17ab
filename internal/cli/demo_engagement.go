package cli

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"strconv"
	"time"

	"ccg/internal/access"
	"ccg/internal/calendar"
	"ccg/internal/demo"
	"ccg/internal/engagement"
	"ccg/internal/governance"
)

// seedDemoEngagement adds the demo's member voice: the imported
// questionnaire run in two past waves answered by the demo practices'
// staff (leaders more positive than other members, the gap narrowing), a
// current wave with four answers so far (the demo accounts' one-time links
// are printed), consultations (linked to governance decisions when
// governance can supply proposed ones) and a few questions and answers.
// It does nothing when the data already holds a survey.
func seedDemoEngagement(ctx context.Context, e *env, a *app, w *demo.World) error {
	if a.engagement == nil {
		return nil
	}
	ctx = access.WithActor(ctx, access.System)
	svs, err := a.engagement.Surveys(ctx)
	if err != nil {
		return fmt.Errorf("demo engagement: %w", err)
	}
	for _, sv := range svs {
		if ws, err := a.engagement.Waves(ctx, sv.ID); err != nil || len(ws) > 0 {
			return err // already seeded
		}
	}
	people, err := a.access.People(ctx, access.System)
	if err != nil {
		return fmt.Errorf("demo engagement: %w", err)
	}
	invitees, leaders := demoInvitees(ctx, a, people)
	if len(invitees) < 10 {
		return nil
	}
	today := calendar.Today()
	r := rand.New(rand.NewPCG(7, 300))
	var survey *engagement.Survey
	if len(svs) > 0 {
		survey = &svs[len(svs)-1] // the questionnaire the demo imported
	}
	links, err := seedDemoSurvey(ctx, a, r, survey, invitees, leaders, today)
	if err != nil {
		return fmt.Errorf("demo engagement: %w", err)
	}
	if err := seedDemoConsultations(ctx, a, r, invitees, today); err != nil {
		return fmt.Errorf("demo engagement: %w", err)
	}
	if err := seedDemoQuestions(ctx, a, invitees, today); err != nil {
		return fmt.Errorf("demo engagement: %w", err)
	}
	if len(links) > 0 {
		fmt.Fprintln(e.stdout, "\nDemo survey links, printed for the demo's own accounts only (everybody else was sent theirs by e-mail and")
		fmt.Fprintln(e.stdout, "nobody else can see them; one use each; the current wave has 4 answers; its results are published when it closes):")
		for _, acct := range w.Accounts {
			if l, ok := links[acct.Email]; ok {
				fmt.Fprintf(e.stdout, "  survey-link %s /survey?token=%s\n", acct.Email, l)
			}
		}
	}
	return nil
}

// demoInvitees classes every person working at a practice as at the
// survey. The demo's staff file gives practice staff no CCG positions, so
// besides the demo's governing body member and locality lead the demo
// takes the first GP listed at every third practice as a leader (a
// locality lead or governing body seat), so that the leader-member gap can
// be shown.
func demoInvitees(ctx context.Context, a *app, people []access.Person) ([]engagement.Invitee, map[int64]bool) {
	loc := registryLocalities{a.registry}
	locOf := map[string]string{}
	var practices []string
	for _, p := range people {
		if len(p.Practices) > 0 && !slices.Contains(practices, p.Practices[0]) {
			practices = append(practices, p.Practices[0])
		}
	}
	sort.Strings(practices)
	leaderAt := map[string]bool{}
	for i, code := range practices {
		if i%3 == 0 {
			leaderAt[code] = true
		}
		l, _ := loc.LocalityOf(ctx, code)
		locOf[code] = l
	}
	sort.Slice(people, func(i, j int) bool { return people[i].ID < people[j].ID })
	var out []engagement.Invitee
	leaders := map[int64]bool{}
	for _, p := range people {
		if len(p.Practices) == 0 || p.Disabled {
			continue
		}
		code := p.Practices[0]
		c := engagement.Class{Locality: locOf[code], Role: demoRoleGroup(p.Professional), Leadership: engagement.OtherMember}
		lead := slices.Contains(p.Roles, access.RoleGoverningBody) || slices.Contains(p.Roles, access.RoleLocalityLead)
		if !lead && leaderAt[code] && c.Role == engagement.RoleGP {
			lead, leaderAt[code] = true, false
		}
		if lead {
			c.Leadership = engagement.Leader
			leaders[p.ID] = true
		}
		out = append(out, engagement.Invitee{Person: p.ID, Practice: code, Class: c})
	}
	return out, leaders
}

func demoRoleGroup(p access.ProfessionalRole) engagement.RoleGroup {
	switch p {
	case access.ProGPPartner, access.ProSalariedGP:
		return engagement.RoleGP
	case access.ProPracticeNurse:
		return engagement.RoleNurse
	case access.ProPracticeManager:
		return engagement.RoleManager
	case access.ProPharmacist:
		return engagement.RoleOtherClinical
	}
	return engagement.RoleOtherStaff
}

// demoAnswers makes one respondent's answers: a latent view around mean
// (1-5, as scored), noise per item, negative items worded the other way
// and a few items left out.
func demoAnswers(r *rand.Rand, q engagement.Questionnaire, mean float64) engagement.Answers {
	latent := mean + r.NormFloat64()*0.5
	a := engagement.Answers{}
	for _, it := range q.Items() {
		if r.Float64() < 0.04 {
			continue
		}
		switch it.Kind {
		case engagement.ItemLikert:
			v := int(math.Round(latent + r.NormFloat64()*0.7))
			v = min(5, max(1, v))
			a[it.ID] = strconv.Itoa(engagement.ReverseCode(v, it.Reverse))
		case engagement.ItemYesNo:
			if r.Float64() < (latent-1)/4 {
				a[it.ID] = engagement.AnswerYes
			} else {
				a[it.ID] = engagement.AnswerNo
			}
		case engagement.ItemChoice:
			if len(it.Options) > 0 {
				a[it.ID] = it.Options[r.IntN(len(it.Options))].ID
			}
		}
	}
	return a
}

func clockAt(d calendar.Date) func() time.Time {
	t := d.Time().UTC().Add(10 * time.Hour)
	return func() time.Time { return t }
}

// seedDemoSurvey runs the survey and returns the demo accounts' links to
// the current wave, by email.
func seedDemoSurvey(ctx context.Context, a *app, r *rand.Rand, survey *engagement.Survey, invitees []engagement.Invitee, leaders map[int64]bool, today calendar.Date) (map[string]string, error) {
	if survey == nil {
		sv, err := a.engagement.CreateSurvey(ctx, access.System.ID, "Member voice survey", engagement.DefaultQuestionnaire())
		if err != nil {
			return nil, err
		}
		survey = &sv
	}
	sv, q := *survey, survey.Questionnaire
	waves := []struct {
		opens, closes    int     // days from today
		rate             float64 // share answering
		leaders, members float64 // mean view (1-5)
	}{
		{-150, -120, 0.68, 4.1, 2.7},
		{-60, -30, 0.72, 4.0, 3.1},
	}
	for _, wv := range waves {
		opens := today.AddDays(wv.opens)
		svc := a.engagement.WithClock(clockAt(opens))
		w, err := svc.AddWave(ctx, access.System.ID, engagement.Wave{Survey: sv.ID, Name: opens.Format("January 2006"), Opens: opens, Closes: today.AddDays(wv.closes)})
		if err != nil {
			return nil, err
		}
		toks, err := svc.Invite(ctx, access.System.ID, w.ID, invitees)
		if err != nil {
			return nil, err
		}
		for _, tk := range toks {
			if r.Float64() > wv.rate {
				continue
			}
			mean := wv.members
			if leaders[tk.Person] {
				mean = wv.leaders
			}
			if _, err := svc.Respond(ctx, tk.Token, demoAnswers(r, q, mean)); err != nil {
				return nil, err
			}
		}
	}
	// the current wave: four answers so far
	opens := today.AddDays(-7)
	w, err := a.engagement.AddWave(ctx, access.System.ID, engagement.Wave{Survey: sv.ID, Name: opens.Format("January 2006") + " (open now)", Opens: opens, Closes: today.AddDays(30)})
	if err != nil {
		return nil, err
	}
	// Everybody is e-mailed their link, in the transaction that issues the
	// links (the demo keeps the tokens only to answer for its simulated
	// staff and to print its own accounts' links).
	var toks []engagement.IssuedToken
	err = a.sql.InTx(ctx, func(ctx context.Context) error {
		var err error
		if toks, err = a.engagement.Invite(ctx, access.System.ID, w.ID, invitees); err != nil {
			return err
		}
		if w, err = a.engagement.Wave(ctx, w.ID); err != nil {
			return err
		}
		return surveyMailer{a}.MailInvitations(ctx, sv, w, toks)
	})
	if err != nil {
		return nil, err
	}
	emails := map[int64]string{}
	if ps, err := a.access.People(ctx, access.System); err == nil {
		for _, p := range ps {
			emails[p.ID] = p.Email
		}
	}
	links := map[string]string{}
	answered := 0
	for _, tk := range toks {
		email := emails[tk.Person]
		if len(email) > len("@demo.ccg.example") && email[len(email)-len("@demo.ccg.example"):] == "@demo.ccg.example" && !isStaffEmail(email) {
			links[email] = tk.Token
			continue
		}
		if answered < 4 {
			if _, err := a.engagement.Respond(ctx, tk.Token, demoAnswers(r, q, 3.3)); err != nil {
				return nil, err
			}
			answered++
		}
	}
	return links, nil
}

// isStaffEmail reports whether an email is a demo practice staff member's
// (name.surname.n@practice.demo.ccg.example) rather than a demo account's.
func isStaffEmail(email string) bool {
	at := len(email) - len("@demo.ccg.example")
	for i := at - 1; i >= 0; i-- {
		if email[i] == '@' {
			return true
		}
	}
	return false
}

// demoDecisions returns up to two governance decisions members may still
// be consulted on, proposing them when governance has none; nil when
// governance is not available.
func demoDecisions(ctx context.Context, a *app) []int64 {
	if a.governance == nil {
		return nil
	}
	var ids []int64
	if lister, ok := any(a.sql).(interface {
		Decisions(context.Context, governance.DecisionFilter) ([]governance.Decision, error)
	}); ok {
		for _, st := range []governance.Status{governance.StatusProposed, governance.StatusConsultation} {
			ds, err := lister.Decisions(ctx, governance.DecisionFilter{Status: st})
			if err != nil {
				continue
			}
			for _, d := range ds {
				ids = append(ids, d.ID)
			}
		}
	}
	for _, p := range []governance.Decision{
		{Title: "Community ophthalmology service", Summary: "Commission a community eye service so that routine glaucoma follow-up moves out of hospital.", Type: governance.ApproveBusinessCase},
		{Title: "Shared antimicrobial prescribing policy", Summary: "Adopt one antimicrobial prescribing policy across every member practice.", Type: governance.AdoptClinicalPolicy},
	} {
		if len(ids) >= 2 {
			break
		}
		if d, err := a.governance.Propose(ctx, access.System.ID, p); err == nil {
			ids = append(ids, d.ID)
		}
	}
	if len(ids) > 2 {
		ids = ids[:2]
	}
	return ids
}

// seedDemoConsultations adds a closed consultation with its "you said, we
// did" and an open one; linked to decisions when governance supplies them.
func seedDemoConsultations(ctx context.Context, a *app, r *rand.Rand, invitees []engagement.Invitee, today calendar.Date) error {
	decisions := demoDecisions(ctx, a)
	plans := []struct {
		c       engagement.Consultation
		opens   int
		support float64
		ysw     string
	}{
		{engagement.Consultation{Title: "Shared antimicrobial prescribing policy", Question: "Should every member practice follow one antimicrobial prescribing policy?",
			Proposal: "One policy, agreed with the local microbiologists, replacing the practices' own guidance.", Closes: today.AddDays(-10)}, -40, 0.55,
			"You said the policy should leave room for clinical judgement and be short enough to use in a consultation. We did: the policy now has a one-page summary, and departures from it only need a note in the record."},
		{engagement.Consultation{Title: "Community ophthalmology service", Question: "Should the CCG commission a community eye service?",
			Proposal: "Routine glaucoma follow-up would move from the hospital to optometrists in the community.",
			Options:  []engagement.Option{{ID: "two-sites", Label: "Two sites, one in each town"}, {ID: "four-sites", Label: "Four smaller sites"}},
			Closes:   today.AddDays(25)}, -3, 0.7, ""},
	}
	for i, pl := range plans {
		opens := today.AddDays(pl.opens)
		c := pl.c
		c.Opens = opens
		var err error
		if i < len(decisions) {
			c.Decision = decisions[len(decisions)-1-i]
			c, err = a.engagement.WithClock(clockAt(opens)).OpenConsultation(ctx, access.System.ID, c)
		} else {
			// without governance the consultation is not linked to a decision record
			c.ID, err = a.sql.PutConsultation(ctx, c)
		}
		if err != nil {
			return err
		}
		svc := a.engagement.WithClock(clockAt(opens.AddDays(1)))
		for j, iv := range invitees {
			if j%4 != 1 || r.Float64() > 0.6 {
				continue
			}
			pos := engagement.Oppose
			switch x := r.Float64(); {
			case x < pl.support:
				pos = engagement.Support
			case x < pl.support+0.15:
				pos = engagement.Neutral
			}
			resp := engagement.ConsultationResponse{Consultation: c.ID, Person: iv.Person, Practice: iv.Practice, Position: pos}
			if len(c.Options) > 0 {
				resp.Option = c.Options[r.IntN(len(c.Options))].ID
			}
			if r.Float64() < 0.3 {
				resp.Comment = []string{"Good for patients, if the follow-up is safe.", "Please keep it simple.", "We need more detail on the cost.", "Our practice would welcome this."}[r.IntN(4)]
			}
			if _, err := svc.RespondToConsultation(ctx, resp); err != nil {
				return err
			}
		}
		if pl.ysw != "" {
			if _, err := a.engagement.RecordYouSaidWeDid(ctx, access.System.ID, c.ID, pl.ysw); err != nil {
				return err
			}
		}
	}
	return nil
}

// seedDemoQuestions adds a few members' questions: two answered and
// published, one waiting.
func seedDemoQuestions(ctx context.Context, a *app, invitees []engagement.Invitee, today calendar.Date) error {
	qs := []struct {
		q      engagement.Question
		answer string
	}{
		{engagement.Question{Kind: engagement.KindQuestion, To: "governing-body", Subject: "How are locality budgets set?",
			Text: "How does the governing body decide how much each locality gets for prescribing?"},
			"Each locality's budget follows the weighted list sizes of its practices (STAR-PU for prescribing); the method is published with the budgets every April."},
		{engagement.Question{Kind: engagement.KindConcern, To: "governing-body", Subject: "Decisions made before we are asked",
			Text: "Several recent decisions seemed settled before members were asked."},
			"You are right that two consultations opened late. From now on every proposed decision that affects practices goes out to members before it is placed on an agenda."},
		{engagement.Question{Kind: engagement.KindQuestion, To: "governing-body", Subject: "Minor surgery enhanced service",
			Text: "Will the minor surgery enhanced service be renewed next year?"}, ""},
	}
	for i, item := range qs {
		asker := invitees[(i*7)%len(invitees)]
		q := item.q
		q.Asker, q.Practice = asker.Person, asker.Practice
		at := today.AddDays(-20 + i*6)
		svc := a.engagement.WithClock(clockAt(at))
		q, err := svc.Ask(ctx, q)
		if err != nil {
			return err
		}
		if item.answer == "" {
			continue
		}
		steps := []func(*engagement.Service) error{
			func(s *engagement.Service) error { _, err := s.Acknowledge(ctx, access.System.ID, q.ID); return err },
			func(s *engagement.Service) error {
				_, err := s.Assign(ctx, access.System.ID, q.ID, access.System.ID)
				return err
			},
			func(s *engagement.Service) error {
				_, err := s.AnswerQuestion(ctx, access.System.ID, q.ID, item.answer)
				return err
			},
			func(s *engagement.Service) error {
				_, err := s.PublishQuestion(ctx, access.System.ID, q.ID)
				return err
			},
		}
		for k, step := range steps {
			if err := step(a.engagement.WithClock(clockAt(at.AddDays(1 + k)))); err != nil {
				return err
			}
		}
	}
	return nil
}
