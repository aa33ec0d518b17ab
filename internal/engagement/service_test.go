package engagement

import (
	"context"
	"errors"
	"fmt"
	mrand "math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"

	"ccg/internal/errs"
)

type fixture struct {
	svc   *Service
	store *memStore
	audit *auditLog
	clock *time.Time
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	st, au := newMemStore(), &auditLog{}
	now := time.Date(2024, 12, 2, 10, 0, 0, 0, time.UTC)
	f := &fixture{store: st, audit: au, clock: &now}
	dec := decisionsFake{
		1: {ID: 1, Title: "Community ophthalmology service", Status: DecisionProposed},
		2: {ID: 2, Title: "Already decided", Status: "decided"},
	}
	f.svc = NewService(st, au, dec).WithClock(func() time.Time { return *f.clock })
	return f
}

// invitees returns n people (IDs 900001...) of the given class at practices
// P0001, P0002 alternately.
func invitees(first, n int, c Class) []Invitee {
	var out []Invitee
	for i := 0; i < n; i++ {
		out = append(out, Invitee{Person: PersonID(900000 + first + i), Practice: fmt.Sprintf("P%04d", 1+i%2), Class: c})
	}
	return out
}

func (f *fixture) wave(t *testing.T) (Survey, Wave) {
	t.Helper()
	ctx := context.Background()
	sv, err := f.svc.CreateSurvey(ctx, 1, "Member voice", small())
	if err != nil {
		t.Fatal(err)
	}
	w, err := f.svc.AddWave(ctx, 1, Wave{Survey: sv.ID, Name: "December 2024", Opens: day("2024-12-01"), Closes: day("2025-01-01")})
	if err != nil {
		t.Fatal(err)
	}
	return sv, w
}

func good() Answers {
	return Answers{"a": "4", "b": "4", "c": "5", "r": "2", "yn": "yes", "ch": "x", "t": "more meetings"}
}

func TestServiceSurveyTokens(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	sv, w := f.wave(t)
	people := append(invitees(1, 6, leaderN), invitees(100, 6, memberN)...)
	toks, err := f.svc.Invite(ctx, 1, w.ID, people)
	if err != nil {
		t.Fatal(err)
	}
	if len(toks) != 12 || toks[0].Person != people[0].Person {
		t.Fatalf("tokens %v", toks)
	}
	t.Run("invite twice refused", func(t *testing.T) {
		if _, err := f.svc.Invite(ctx, 1, w.ID, people); !errors.Is(err, errs.ErrConflict) {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("questionnaire frozen once sent", func(t *testing.T) {
		if _, err := f.svc.UpdateQuestionnaire(ctx, 1, sv.ID, small()); !errors.Is(err, errs.ErrConflict) {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("begin", func(t *testing.T) {
		_, bw, err := f.svc.Begin(ctx, toks[0].Token)
		if err != nil || bw.ID != w.ID {
			t.Fatalf("Begin = %v, %v", bw, err)
		}
	})
	cases := []struct {
		name    string
		token   string
		answers Answers
		want    error
	}{
		// A link never issued, or used before, is answered as a fresh one
		// is (and stores nothing): the answer must not say whether it was used.
		{"unknown token answered alike", toks[0].Token[:len(toks[0].Token)-2] + "AA", good(), nil},
		{"malformed token", "nonsense", good(), errs.ErrNotFound},
		{"nothing answered keeps the token", toks[0].Token, Answers{"t": ""}, errs.ErrInvalid},
		{"bad answer keeps the token", toks[0].Token, Answers{"a": "9"}, errs.ErrInvalid},
		{"first use", toks[0].Token, good(), nil},
		{"second use answered alike", toks[0].Token, good(), nil},
		{"another token", toks[1].Token, Answers{"a": "1", "b": "1", "c": "1"}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := f.svc.Respond(ctx, c.token, c.answers)
			if c.want == nil && err != nil || c.want != nil && !errors.Is(err, c.want) {
				t.Fatalf("Respond = %v, want %v", err, c.want)
			}
		})
	}
	t.Run("used link begins like a fresh one", func(t *testing.T) {
		_, used, err := f.svc.Begin(ctx, toks[0].Token)
		_, fresh, ferr := f.svc.Begin(ctx, toks[5].Token)
		if err != nil || ferr != nil || used != fresh {
			t.Fatalf("used link: %v, %v; fresh link: %v, %v", used, err, fresh, ferr)
		}
	})
	t.Run("tallies", func(t *testing.T) {
		rates, err := f.svc.ResponseRates(ctx, w.ID)
		if err != nil {
			t.Fatal(err)
		}
		// toks[0] (P0001) complete once (its second use stored nothing);
		// toks[1] (P0002) three of six answered: partial. While the wave is
		// open only the overall figures are given.
		if rates.Overall.Invited != 12 || rates.Overall.Complete != 1 || rates.Overall.Partial != 1 ||
			len(rates.ByPractice)+len(rates.ByLocality)+len(rates.ByRole)+len(rates.ByLeadership)+len(rates.BySize) != 0 {
			t.Fatalf("rates %+v", rates)
		}
		*f.clock = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
		defer func() { *f.clock = time.Date(2024, 12, 2, 10, 0, 0, 0, time.UTC) }()
		if rates, err = f.svc.ResponseRates(ctx, w.ID); err != nil {
			t.Fatal(err)
		}
		if rates.ByPractice[0].Complete != 1 || rates.ByPractice[1].Partial != 1 {
			t.Fatalf("rates once closed %+v", rates)
		}
	})
	t.Run("closed wave refuses", func(t *testing.T) {
		*f.clock = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
		defer func() { *f.clock = time.Date(2024, 12, 2, 10, 0, 0, 0, time.UTC) }()
		if _, err := f.svc.Respond(ctx, toks[2].Token, good()); !errors.Is(err, errs.ErrConflict) || !strings.Contains(err.Error(), "closed") {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("responding is never audited", func(t *testing.T) {
		for _, e := range f.audit.entries {
			if strings.Contains(e, "respond") || strings.Contains(e, toks[0].Token) {
				t.Fatalf("audit entry %q", e)
			}
		}
	})
}

func TestServiceInviteValidation(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name string
		in   []Invitee
	}{
		{"nobody", nil},
		{"no person", []Invitee{{Practice: "P0001"}}},
		{"twice", []Invitee{{Person: 1, Practice: "P0001"}, {Person: 1, Practice: "P0001"}}},
		{"bad practice", []Invitee{{Person: 1, Practice: "p.1"}}},
		{"bad role", []Invitee{{Person: 1, Practice: "P0001", Class: Class{Role: "surgeon"}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			_, w := f.wave(t)
			if _, err := f.svc.Invite(ctx, 1, w.ID, tt.in); !errors.Is(err, errs.ErrInvalid) {
				t.Fatalf("err = %v", err)
			}
		})
	}
}

// TestAnonymity inspects everything the service gave the store while a
// wave was invited and answered: nothing may carry a person, a token or a
// time, and a response must not carry a practice.
func TestAnonymity(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	// a fixed random source keeps the value scan below deterministic (a
	// person's number can never turn up by chance in a hex hash)
	f.svc = f.svc.WithRandom(&counting{})
	_, w := f.wave(t)
	people := append(invitees(1, 5, leaderN), invitees(100, 7, memberN)...)
	toks, err := f.svc.Invite(ctx, 1, w.ID, people)
	if err != nil {
		t.Fatal(err)
	}
	for _, tk := range toks[:8] {
		if _, err := f.svc.Respond(ctx, tk.Token, good()); err != nil {
			t.Fatal(err)
		}
	}
	t.Run("types", func(t *testing.T) {
		for _, v := range []any{Invitation{}, Response{}, PracticeTally{}, ClassTally{}, Class{}} {
			typ := reflect.TypeOf(v)
			for i := 0; i < typ.NumField(); i++ {
				fl := typ.Field(i)
				name := strings.ToLower(fl.Name)
				if strings.Contains(name, "person") || strings.Contains(name, "email") || strings.Contains(name, "token") && name != "tokenhash" ||
					fl.Type == reflect.TypeOf(time.Time{}) {
					t.Errorf("%s.%s could identify a respondent", typ.Name(), fl.Name)
				}
				if typ == reflect.TypeOf(Response{}) && (name == "practice" || name == "tokenhash") {
					t.Errorf("Response.%s links a response to a practice or a token", fl.Name)
				}
			}
		}
	})
	t.Run("values", func(t *testing.T) {
		var responses int
		for _, g := range f.store.given {
			s := fmt.Sprintf("%+v", g)
			for _, p := range people {
				if strings.Contains(s, fmt.Sprint(p.Person)) {
					t.Fatalf("stored value %s carries person %d", s, p.Person)
				}
			}
			for _, tk := range toks {
				if strings.Contains(s, tk.Token) {
					t.Fatalf("stored value %s carries a token", s)
				}
			}
			if _, ok := g.(Response); ok {
				responses++
				if strings.Contains(s, "P0001") || strings.Contains(s, "P0002") {
					t.Fatalf("response %s carries a practice", s)
				}
			}
		}
		if responses != 8 {
			t.Fatalf("%d responses stored, want 8", responses)
		}
	})
	t.Run("stored classes are coarsened to groups of five invitees", func(t *testing.T) {
		for _, c := range f.store.classes[w.ID] {
			if c.Invited < 5 {
				t.Fatalf("class %+v has %d invitees", c.Class, c.Invited)
			}
		}
	})
	t.Run("used tokens leave no invitation row", func(t *testing.T) {
		if len(f.store.invitations) != 4 {
			t.Fatalf("%d unused invitations, want 4", len(f.store.invitations))
		}
	})
}

// TestServiceResultsHeldWhileOpen replays the differencing attack of issue
// 13: reading an open wave's results after the 5th and the 6th answer gave
// the 6th person's answers, and the rates by practice said where they came
// from. Now nothing of an open wave's answers is published, and once it
// closes the group-of-five rule decides.
func TestServiceResultsHeldWhileOpen(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	_, w := f.wave(t)
	toks, err := f.svc.Invite(ctx, 1, w.ID, invitees(1, 8, memberN))
	if err != nil {
		t.Fatal(err)
	}
	var releases []WaveResults
	var rates []RateTable
	for i := 0; i < 7; i++ {
		res, err := f.svc.Results(ctx, w.ID)
		if err != nil {
			t.Fatal(err)
		}
		rt, err := f.svc.ResponseRates(ctx, w.ID)
		if err != nil {
			t.Fatal(err)
		}
		releases, rates = append(releases, res), append(rates, rt)
		if i < 6 {
			answers := good()
			if i == 5 {
				answers = Answers{"a": "1", "b": "1", "c": "1", "yn": "no"}
			}
			if _, err := f.svc.Respond(ctx, toks[i].Token, answers); err != nil {
				t.Fatal(err)
			}
		}
	}
	for i, res := range releases {
		if res.Hidden == nil || res.Hidden.Code != HeldCode || res.Respondents != 0 || len(res.Breakdowns) != 0 || len(res.Gap) != 0 {
			t.Fatalf("open wave after %d answers: results %+v, want every figure held", i, res)
		}
		for _, it := range res.Items {
			if it.Shown() || it.N != 0 || it.Distribution != nil {
				t.Fatalf("open wave after %d answers: item %s shows %+v", i, it.ID, it.Measure)
			}
		}
		if len(rates[i].ByPractice)+len(rates[i].ByLocality)+len(rates[i].ByRole) != 0 {
			t.Fatalf("open wave after %d answers: rates by group %+v", i, rates[i])
		}
	}
	if diffs, err := f.svc.Compare(ctx, w.ID, w.ID); err != nil || diffs != nil {
		t.Fatalf("compare while open = %v, %v", diffs, err)
	}
	*f.clock = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	res, err := f.svc.Results(ctx, w.ID)
	if err != nil || res.Hidden != nil || res.Respondents != 6 {
		t.Fatalf("closed wave: %+v, %v", res, err)
	}
}

func TestServiceConsultation(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	c0 := Consultation{Decision: 1, Question: "Should we commission it?", Proposal: "A community service.",
		Opens: day("2024-12-01"), Closes: day("2024-12-20")}
	t.Run("refused on a decided decision", func(t *testing.T) {
		x := c0
		x.Decision = 2
		if _, err := f.svc.OpenConsultation(ctx, 7, x); !errors.Is(err, errs.ErrConflict) {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("unknown decision", func(t *testing.T) {
		x := c0
		x.Decision = 99
		if _, err := f.svc.OpenConsultation(ctx, 7, x); !errors.Is(err, errs.ErrNotFound) {
			t.Fatalf("err = %v", err)
		}
	})
	c, err := f.svc.OpenConsultation(ctx, 7, c0)
	if err != nil || c.Title != "Community ophthalmology service" || c.OpenedBy != 7 {
		t.Fatalf("open = %+v, %v", c, err)
	}
	t.Run("second open refused while open", func(t *testing.T) {
		if _, err := f.svc.OpenConsultation(ctx, 7, c0); !errors.Is(err, errs.ErrConflict) {
			t.Fatalf("err = %v", err)
		}
	})
	steps := []struct {
		name   string
		person PersonID
		pos    Position
		want   error
	}{
		{"first response", 11, Support, nil},
		{"another member", 12, Oppose, nil},
		{"change of mind replaces", 11, Oppose, nil},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			_, err := f.svc.RespondToConsultation(ctx, ConsultationResponse{Consultation: c.ID, Person: s.person, Position: s.pos})
			if !errors.Is(err, s.want) {
				t.Fatalf("err = %v", err)
			}
		})
	}
	_, sum, err := f.svc.Consultation(ctx, c.ID)
	if err != nil || sum.Responses != 2 || sum.Positions[1].Count != 2 || sum.Positions[0].Count != 0 {
		t.Fatalf("summary %+v, %v", sum, err)
	}
	t.Run("gate refuses while open", func(t *testing.T) {
		if err := f.svc.CheckPublish(ctx, 1); !errors.Is(err, errs.ErrInvalid) {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("statement refused while open", func(t *testing.T) {
		if _, err := f.svc.RecordYouSaidWeDid(ctx, 7, c.ID, "text"); !errors.Is(err, errs.ErrConflict) {
			t.Fatalf("err = %v", err)
		}
	})
	*f.clock = time.Date(2024, 12, 20, 9, 0, 0, 0, time.UTC) // closing day: closed
	t.Run("no change after closing", func(t *testing.T) {
		_, err := f.svc.RespondToConsultation(ctx, ConsultationResponse{Consultation: c.ID, Person: 11, Position: Support})
		if !errors.Is(err, errs.ErrConflict) {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("gate refuses without statement", func(t *testing.T) {
		if err := f.svc.CheckPublish(ctx, 1); !errors.Is(err, errs.ErrInvalid) || !strings.Contains(err.Error(), "you said, we did") {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("empty statement refused", func(t *testing.T) {
		if _, err := f.svc.RecordYouSaidWeDid(ctx, 7, c.ID, "  "); !errors.Is(err, errs.ErrInvalid) {
			t.Fatalf("err = %v", err)
		}
	})
	if _, err := f.svc.RecordYouSaidWeDid(ctx, 7, c.ID, "You said the service should be nearer; we added two sites."); err != nil {
		t.Fatal(err)
	}
	t.Run("gate passes with statement", func(t *testing.T) {
		if err := f.svc.CheckPublish(ctx, 1); err != nil {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("decision without consultation passes", func(t *testing.T) {
		if err := f.svc.CheckPublish(ctx, 42); err != nil {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("audited", func(t *testing.T) {
		joined := strings.Join(f.audit.entries, "\n")
		for _, a := range []string{AuditConsultationOpen, AuditConsultationRespond, AuditYouSaidWeDid} {
			if !strings.Contains(joined, a) {
				t.Errorf("no %s in audit", a)
			}
		}
	})
}

func TestServiceQuestions(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	start := *f.clock
	at := func(h int) { *f.clock = start.Add(time.Duration(h) * time.Hour) }
	q, err := f.svc.Ask(ctx, Question{Kind: KindConcern, Asker: 11, To: "governing-body", Subject: "Referrals", Text: "Why the delay?"})
	if err != nil || q.Status != QSubmitted {
		t.Fatalf("ask %+v %v", q, err)
	}
	priv, err := f.svc.Ask(ctx, Question{Kind: KindQuestion, Asker: 12, To: "governing-body", Subject: "S", Text: "T", Private: true})
	if err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		name string
		at   int
		do   func() (Question, error)
		want error
	}{
		{"answer before acknowledging refused", 1, func() (Question, error) { return f.svc.AnswerQuestion(ctx, 3, q.ID, "x") }, errs.ErrInvalid},
		{"acknowledge", 2, func() (Question, error) { return f.svc.Acknowledge(ctx, 3, q.ID) }, nil},
		{"assign", 3, func() (Question, error) { return f.svc.Assign(ctx, 3, q.ID, 4) }, nil},
		{"reassign", 4, func() (Question, error) { return f.svc.Assign(ctx, 3, q.ID, 5) }, nil},
		{"answer", 26, func() (Question, error) { return f.svc.AnswerQuestion(ctx, 5, q.ID, "Because of staffing.") }, nil},
		{"publish", 27, func() (Question, error) { return f.svc.PublishQuestion(ctx, 3, q.ID) }, nil},
		{"publish twice refused", 28, func() (Question, error) { return f.svc.PublishQuestion(ctx, 3, q.ID) }, errs.ErrInvalid},
		{"private: acknowledge", 28, func() (Question, error) { return f.svc.Acknowledge(ctx, 3, priv.ID) }, nil},
		{"private: assign", 28, func() (Question, error) { return f.svc.Assign(ctx, 3, priv.ID, 4) }, nil},
		{"private: answer", 30, func() (Question, error) { return f.svc.AnswerQuestion(ctx, 4, priv.ID, "Answered privately.") }, nil},
		{"private: publish refused", 31, func() (Question, error) { return f.svc.PublishQuestion(ctx, 3, priv.ID) }, errs.ErrInvalid},
		{"unknown", 31, func() (Question, error) { return f.svc.Acknowledge(ctx, 3, 999) }, errs.ErrNotFound},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			at(s.at)
			_, err := s.do()
			if !errors.Is(err, s.want) {
				t.Fatalf("err = %v, want %v", err, s.want)
			}
		})
	}
	got, _ := f.svc.Question(ctx, q.ID)
	if d, ok := got.TimeToAnswer(); !ok || d != 26*time.Hour || got.AssignedTo != 5 || got.AnsweredBy != 5 {
		t.Fatalf("question %+v", got)
	}
	if d, ok := got.TimeToAcknowledge(); !ok || d != 2*time.Hour {
		t.Fatalf("acknowledged after %v", d)
	}
	pub, _ := f.svc.PublishedQuestions(ctx, 0, 0)
	if len(pub) != 1 || pub[0].ID != q.ID {
		t.Fatalf("published %v", pub)
	}
	dash, err := f.svc.Dashboard(ctx)
	if err != nil || dash.Overall.Open != 0 || !dash.Overall.HasMedianAnswer || dash.Overall.MedianAnswerHrs != 28 {
		t.Fatalf("dashboard %+v %v", dash, err)
	}
}

// counting is a deterministic byte source for tests (ChaCha8, fixed seed).
type counting struct{ r *mrand.ChaCha8 }

func (c *counting) Read(p []byte) (int, error) {
	if c.r == nil {
		c.r = mrand.NewChaCha8([32]byte{1, 2, 3})
	}
	return c.r.Read(p)
}
