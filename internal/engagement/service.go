package engagement

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"sort"
	"strconv"
	"strings"
	"time"

	"ccg/internal/calendar"
	"ccg/internal/errs"
)

// Service applies the engagement rules over a Store, writing changes (but
// never a survey response) to the Auditor.
type Service struct {
	store     Store
	audit     Auditor
	decisions Decisions
	now       func() time.Time
	random    io.Reader
	opts      Options
	notifier  Notifier // nil: nobody is told
}

// NewService returns a Service. Every dependency is required.
func NewService(store Store, audit Auditor, decisions Decisions) *Service {
	return &Service{store: store, audit: audit, decisions: decisions, now: time.Now, random: rand.Reader, opts: DefaultOptions()}
}

// WithClock returns the service using now as its clock (for tests and the demo).
func (s *Service) WithClock(now func() time.Time) *Service {
	c := *s
	c.now = now
	return &c
}

// WithRandom returns the service reading token secrets and shuffles from r
// (for tests and the deterministic demo; production uses crypto/rand).
func (s *Service) WithRandom(r io.Reader) *Service {
	c := *s
	c.random = r
	return &c
}

// Options returns the analysis options (the group-of-five rule, 95%).
func (s *Service) Options() Options { return s.opts }

func (s *Service) today() calendar.Date { return calendar.DateOf(s.now().UTC()) }

func (s *Service) record(ctx context.Context, action, subject, detail string) error {
	if err := s.audit.Record(ctx, action, subject, detail); err != nil {
		return fmt.Errorf("audit %s: %w", action, err)
	}
	return nil
}

func subject(kind string, id int64) string { return kind + ":" + strconv.FormatInt(id, 10) }

// ---- surveys ----

// CreateSurvey stores a new survey with a validated questionnaire.
func (s *Service) CreateSurvey(ctx context.Context, by PersonID, title string, q Questionnaire) (Survey, error) {
	const op = "engagement: create survey"
	if strings.TrimSpace(title) == "" {
		return Survey{}, fmt.Errorf("%s: please give it a title: %w", op, errs.ErrInvalid)
	}
	if err := q.Validate(); err != nil {
		return Survey{}, fmt.Errorf("%s: %w", op, err)
	}
	sv := Survey{Title: strings.TrimSpace(title), Questionnaire: q, Created: s.today(), CreatedBy: by}
	err := s.store.InTx(ctx, func(ctx context.Context) error {
		id, err := s.store.PutSurvey(ctx, sv)
		if err != nil {
			return err
		}
		sv.ID = id
		return s.record(ctx, AuditSurveyCreate, subject("survey", id), sv.Title)
	})
	if err != nil {
		return Survey{}, fmt.Errorf("%s: %w", op, err)
	}
	return sv, nil
}

// UpdateQuestionnaire replaces a survey's questionnaire; refused (wrapping
// errs.ErrConflict) once any wave has been sent out, so that waves compare
// like with like.
func (s *Service) UpdateQuestionnaire(ctx context.Context, by PersonID, id int64, q Questionnaire) (Survey, error) {
	op := fmt.Sprintf("engagement: update survey %d", id)
	if err := q.Validate(); err != nil {
		return Survey{}, fmt.Errorf("%s: %w", op, err)
	}
	var sv Survey
	err := s.store.InTx(ctx, func(ctx context.Context) error {
		var err error
		if sv, err = s.store.Survey(ctx, id); err != nil {
			return err
		}
		ws, err := s.store.Waves(ctx, id)
		if err != nil {
			return err
		}
		for _, w := range ws {
			if w.Invited > 0 {
				return fmt.Errorf("wave %q has been sent out, so the questions can no longer change (start a new survey instead): %w", w.Name, errs.ErrConflict)
			}
		}
		sv.Questionnaire = q
		if _, err := s.store.PutSurvey(ctx, sv); err != nil {
			return err
		}
		return s.record(ctx, AuditSurveyUpdate, subject("survey", id), "questionnaire replaced")
	})
	if err != nil {
		return Survey{}, fmt.Errorf("%s: %w", op, err)
	}
	return sv, nil
}

// Survey returns one survey.
func (s *Service) Survey(ctx context.Context, id int64) (Survey, error) {
	sv, err := s.store.Survey(ctx, id)
	if err != nil {
		return Survey{}, fmt.Errorf("engagement: survey %d: %w", id, err)
	}
	return sv, nil
}

// Surveys returns every survey, newest first.
func (s *Service) Surveys(ctx context.Context) ([]Survey, error) {
	out, err := s.store.Surveys(ctx)
	if err != nil {
		return nil, fmt.Errorf("engagement: surveys: %w", err)
	}
	return out, nil
}

// AddWave adds a wave to a survey.
func (s *Service) AddWave(ctx context.Context, by PersonID, w Wave) (Wave, error) {
	const op = "engagement: add wave"
	if err := w.Validate(); err != nil {
		return Wave{}, fmt.Errorf("%s: %w", op, err)
	}
	w.ID, w.Invited = 0, 0
	err := s.store.InTx(ctx, func(ctx context.Context) error {
		if _, err := s.store.Survey(ctx, w.Survey); err != nil {
			return err
		}
		id, err := s.store.PutWave(ctx, w)
		if err != nil {
			return err
		}
		w.ID = id
		return s.record(ctx, AuditWaveCreate, subject("wave", id), fmt.Sprintf("survey %d, %q, %s to %s", w.Survey, w.Name, w.Opens, w.Closes))
	})
	if err != nil {
		return Wave{}, fmt.Errorf("%s: %w", op, err)
	}
	return w, nil
}

// CloseWave stops a wave taking answers from today.
func (s *Service) CloseWave(ctx context.Context, by PersonID, id int64) (Wave, error) {
	op := fmt.Sprintf("engagement: close wave %d", id)
	var w Wave
	err := s.store.InTx(ctx, func(ctx context.Context) error {
		var err error
		if w, err = s.store.Wave(ctx, id); err != nil {
			return err
		}
		today := s.today()
		if !today.Before(w.Closes) {
			return fmt.Errorf("it closed on %s: %w", w.Closes, errs.ErrConflict)
		}
		w.Closes = today
		if w.Opens.After(today) {
			w.Opens = today // a wave closed before it opened never opens
		}
		if _, err := s.store.PutWave(ctx, w); err != nil {
			return err
		}
		if s.notifier != nil {
			if err := s.notifier.WaveClosed(ctx, w); err != nil {
				return err
			}
		}
		return s.record(ctx, AuditWaveClose, subject("wave", id), "closed on "+today.String())
	})
	if err != nil {
		return Wave{}, fmt.Errorf("%s: %w", op, err)
	}
	return w, nil
}

// Wave returns one wave.
func (s *Service) Wave(ctx context.Context, id int64) (Wave, error) {
	w, err := s.store.Wave(ctx, id)
	if err != nil {
		return Wave{}, fmt.Errorf("engagement: wave %d: %w", id, err)
	}
	return w, nil
}

// Waves returns a survey's waves, earliest first.
func (s *Service) Waves(ctx context.Context, survey int64) ([]Wave, error) {
	ws, err := s.store.Waves(ctx, survey)
	if err != nil {
		return nil, fmt.Errorf("engagement: waves of survey %d: %w", survey, err)
	}
	return ws, nil
}

// Invite issues one single-use token per invitee for a wave and returns the
// tokens (in the invitees' order) for the caller to send; they are not kept.
// Classes are coarsened (Coarsen) and the stored invitations shuffled, so
// nothing stored links a token to a person. A wave is invited once.
func (s *Service) Invite(ctx context.Context, by PersonID, wave int64, invitees []Invitee) ([]IssuedToken, error) {
	op := fmt.Sprintf("engagement: invite to wave %d", wave)
	if len(invitees) == 0 {
		return nil, fmt.Errorf("%s: nobody to invite: %w", op, errs.ErrInvalid)
	}
	seen := map[PersonID]bool{}
	for _, iv := range invitees {
		c := iv.Class
		switch {
		case iv.Person == 0:
			return nil, fmt.Errorf("%s: an invitee has no person: %w", op, errs.ErrInvalid)
		case seen[iv.Person]:
			return nil, fmt.Errorf("%s: person %d is listed twice: %w", op, iv.Person, errs.ErrInvalid)
		case !practicePattern.MatchString(iv.Practice):
			return nil, fmt.Errorf("%s: person %d: %q is not a practice code: %w", op, iv.Person, iv.Practice, errs.ErrInvalid)
		case !c.Role.Valid() || !c.Leadership.Valid() || !c.Size.Valid():
			return nil, fmt.Errorf("%s: person %d: unknown role group, leadership or size band: %w", op, iv.Person, errs.ErrInvalid)
		}
		seen[iv.Person] = true
	}
	var issued []IssuedToken
	err := s.store.InTx(ctx, func(ctx context.Context) error {
		w, err := s.store.Wave(ctx, wave)
		if err != nil {
			return err
		}
		if w.Invited > 0 {
			return fmt.Errorf("invitations were already sent for %q: %w", w.Name, errs.ErrConflict)
		}
		if !s.today().Before(w.Closes) {
			return fmt.Errorf("%q has closed: %w", w.Name, errs.ErrConflict)
		}
		classes := make([]Class, len(invitees))
		for i, iv := range invitees {
			classes[i] = iv.Class
		}
		stored := Coarsen(s.opts.Disclosure, classes)
		invs := make([]Invitation, len(invitees))
		practices := map[string]*PracticeTally{}
		classCount := map[Class]int{}
		for i, iv := range invitees {
			token, hash, err := NewToken(s.random, wave, iv.Practice)
			if err != nil {
				return err
			}
			issued = append(issued, IssuedToken{Person: iv.Person, Token: token})
			invs[i] = Invitation{Wave: wave, TokenHash: hash, Class: stored[i]}
			p := practices[iv.Practice]
			if p == nil {
				p = &PracticeTally{Practice: iv.Practice, Locality: iv.Class.Locality}
				practices[iv.Practice] = p
			}
			p.Invited++
			classCount[stored[i]]++
		}
		if err := s.shuffle(invs); err != nil {
			return err
		}
		var pts []PracticeTally
		for _, p := range practices {
			pts = append(pts, *p)
		}
		sort.Slice(pts, func(i, j int) bool { return pts[i].Practice < pts[j].Practice })
		var cts []ClassTally
		for c, n := range classCount {
			cts = append(cts, ClassTally{Class: c, Invited: n})
		}
		sort.Slice(cts, func(i, j int) bool { return cts[i].Class.key() < cts[j].Class.key() })
		if err := s.store.AddInvitations(ctx, wave, invs, pts, cts); err != nil {
			return err
		}
		w.Invited = len(invs)
		if _, err := s.store.PutWave(ctx, w); err != nil {
			return err
		}
		return s.record(ctx, AuditInvite, subject("wave", wave),
			fmt.Sprintf("%d invitations issued in %d classes", len(invs), len(cts)))
	})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	return issued, nil
}

// shuffle puts invitations in a random order (seeded from s.random) so that
// their storage order does not follow the invitees'.
func (s *Service) shuffle(invs []Invitation) error {
	var seed [32]byte
	if _, err := io.ReadFull(s.random, seed[:]); err != nil {
		return fmt.Errorf("shuffle: %w", err)
	}
	r := mrand.New(mrand.NewChaCha8(seed))
	r.Shuffle(len(invs), func(i, j int) { invs[i], invs[j] = invs[j], invs[i] })
	return nil
}

// Begin checks a token link and returns the survey and wave to show. It
// looks at the link's form and its wave only, never at whether the link was
// issued or has been used: whoever holds a link must not learn from the
// server whether (or when) it was used, so a used link shows the form as a
// fresh one does. A malformed link, or one for no wave, wraps
// errs.ErrNotFound; a wave not open today, errs.ErrConflict.
func (s *Service) Begin(ctx context.Context, token string) (Survey, Wave, error) {
	const op = "engagement: survey link"
	sv, w, _, err := s.begin(ctx, token)
	if err != nil {
		return Survey{}, Wave{}, fmt.Errorf("%s: %w", op, err)
	}
	return sv, w, nil
}

func (s *Service) begin(ctx context.Context, token string) (Survey, Wave, string, error) {
	waveID, practice, err := ParseToken(token)
	if err != nil {
		return Survey{}, Wave{}, "", err
	}
	w, err := s.store.Wave(ctx, waveID)
	if errors.Is(err, errs.ErrNotFound) {
		return Survey{}, Wave{}, "", fmt.Errorf("this survey link is not valid: %w", errs.ErrNotFound)
	}
	if err != nil {
		return Survey{}, Wave{}, "", err
	}
	today := s.today()
	switch {
	case today.Before(w.Opens):
		return Survey{}, Wave{}, "", fmt.Errorf("%q opens on %s: %w", w.Name, w.Opens, errs.ErrConflict)
	case !w.OpenOn(today):
		return Survey{}, Wave{}, "", fmt.Errorf("%q has closed: %w", w.Name, errs.ErrConflict)
	}
	sv, err := s.store.Survey(ctx, w.Survey)
	if err != nil {
		return Survey{}, Wave{}, "", err
	}
	return sv, w, practice, nil
}

// Respond records answers given through a token link: it burns the token,
// stores the answers with the invitation's class only, and adds one to the
// practice's tally, all or nothing. Answers with nothing answered are
// refused without burning the token. A link that was never issued or has
// been used already gets the same answer as a fresh one and stores
// nothing, so that the answer says nothing about the link's past. Nothing
// is audited (see the package documentation).
func (s *Service) Respond(ctx context.Context, token string, answers Answers) (Disposition, error) {
	const op = "engagement: respond to survey"
	var disp Disposition
	err := s.store.InTx(ctx, func(ctx context.Context) error {
		sv, w, practice, err := s.begin(ctx, token)
		if err != nil {
			return err
		}
		a, err := sv.Questionnaire.CheckAnswers(answers)
		if err != nil {
			return err
		}
		if len(a) == 0 {
			return fmt.Errorf("no question was answered: %w", errs.ErrInvalid)
		}
		disp = Classify(sv.Questionnaire, a)
		hash := HashToken(token)
		inv, err := s.store.Invitation(ctx, hash)
		if errors.Is(err, errs.ErrNotFound) || errors.Is(err, errs.ErrConflict) {
			return nil // not issued, or used: store nothing, say nothing
		}
		if err != nil {
			return err
		}
		if err := s.store.BurnInvitation(ctx, hash); err != nil {
			if errors.Is(err, errs.ErrNotFound) || errors.Is(err, errs.ErrConflict) {
				return nil
			}
			return err
		}
		if err := s.store.AddResponse(ctx, Response{Wave: w.ID, Class: inv.Class, Disposition: disp, Answers: a}); err != nil {
			return err
		}
		return s.store.CountResponse(ctx, w.ID, practice, disp)
	})
	if err != nil {
		return "", fmt.Errorf("%s: %w", op, err)
	}
	return disp, nil
}

// Results returns a wave's results through the group-of-five rule.
func (s *Service) Results(ctx context.Context, wave int64) (WaveResults, error) {
	op := fmt.Sprintf("engagement: results of wave %d", wave)
	w, err := s.store.Wave(ctx, wave)
	if err != nil {
		return WaveResults{}, fmt.Errorf("%s: %w", op, err)
	}
	sv, err := s.store.Survey(ctx, w.Survey)
	if err != nil {
		return WaveResults{}, fmt.Errorf("%s: %w", op, err)
	}
	if !w.ClosedOn(s.today()) {
		return Held(sv.Questionnaire, w, s.opts), nil
	}
	rs, err := s.store.Responses(ctx, wave)
	if err != nil {
		return WaveResults{}, fmt.Errorf("%s: %w", op, err)
	}
	return Analyse(sv.Questionnaire, w, rs, s.opts), nil
}

// Trend returns the results of every wave of a survey, earliest first, for
// the trend chart.
func (s *Service) Trend(ctx context.Context, survey int64) ([]WaveResults, error) {
	ws, err := s.Waves(ctx, survey)
	if err != nil {
		return nil, err
	}
	var out []WaveResults
	for _, w := range ws {
		r, err := s.Results(ctx, w.ID)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

// Compare returns the change from one wave to a later wave of the same
// survey (later − earlier) for every dimension and item.
func (s *Service) Compare(ctx context.Context, earlier, later int64) ([]Difference, error) {
	op := fmt.Sprintf("engagement: compare waves %d and %d", earlier, later)
	ew, err := s.store.Wave(ctx, earlier)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	lw, err := s.store.Wave(ctx, later)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	if ew.Survey != lw.Survey {
		return nil, fmt.Errorf("%s: they belong to different surveys: %w", op, errs.ErrInvalid)
	}
	if today := s.today(); !ew.ClosedOn(today) || !lw.ClosedOn(today) {
		return nil, nil // a change is published when both waves have closed
	}
	sv, err := s.store.Survey(ctx, lw.Survey)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	er, err := s.store.Responses(ctx, earlier)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	lr, err := s.store.Responses(ctx, later)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	return CompareWaves(sv.Questionnaire, er, lr, s.opts), nil
}

// ResponseRates returns a wave's response rates (AAPOR RR1 and RR2).
func (s *Service) ResponseRates(ctx context.Context, wave int64) (RateTable, error) {
	op := fmt.Sprintf("engagement: response rates of wave %d", wave)
	pts, err := s.store.PracticeTallies(ctx, wave)
	if err != nil {
		return RateTable{}, fmt.Errorf("%s: %w", op, err)
	}
	cts, err := s.store.ClassTallies(ctx, wave)
	if err != nil {
		return RateTable{}, fmt.Errorf("%s: %w", op, err)
	}
	rs, err := s.store.Responses(ctx, wave)
	if err != nil {
		return RateTable{}, fmt.Errorf("%s: %w", op, err)
	}
	t := ResponseRates(pts, cts, rs)
	w, err := s.store.Wave(ctx, wave)
	if err != nil {
		return RateTable{}, fmt.Errorf("%s: %w", op, err)
	}
	if !w.ClosedOn(s.today()) {
		t = t.WhileOpen()
	}
	return t, nil
}

// ---- consultations ----

// OpenConsultation opens a consultation on a proposed decision (one in
// governance's proposed or consultation state); only one consultation on a
// decision may be open at a time.
func (s *Service) OpenConsultation(ctx context.Context, by PersonID, c Consultation) (Consultation, error) {
	const op = "engagement: open consultation"
	c.ID, c.OpenedBy = 0, by
	c.YouSaidWeDid, c.YouSaidWeDidBy, c.YouSaidWeDidOn = "", 0, calendar.Date{}
	if err := c.Validate(); err != nil {
		return Consultation{}, fmt.Errorf("%s: %w", op, err)
	}
	today := s.today()
	if !today.Before(c.Closes) {
		return Consultation{}, fmt.Errorf("%s: the closing date has passed: %w", op, errs.ErrInvalid)
	}
	d, err := s.decisions.DecisionRef(ctx, c.Decision)
	if err != nil {
		return Consultation{}, fmt.Errorf("%s: decision %d: %w", op, c.Decision, err)
	}
	if d.Status != DecisionProposed && d.Status != DecisionConsultation {
		return Consultation{}, fmt.Errorf("%s: decision %d is %s; members can be consulted only on a proposed decision: %w",
			op, c.Decision, d.Status, errs.ErrConflict)
	}
	c.Title = d.Title
	err = s.store.InTx(ctx, func(ctx context.Context) error {
		cs, err := s.store.Consultations(ctx, ConsultationFilter{Decision: c.Decision})
		if err != nil {
			return err
		}
		for _, o := range cs {
			if !o.ClosedOn(today) {
				return fmt.Errorf("decision %d already has a consultation open until %s: %w", c.Decision, o.Closes, errs.ErrConflict)
			}
		}
		id, err := s.store.PutConsultation(ctx, c)
		if err != nil {
			return err
		}
		c.ID = id
		return s.record(ctx, AuditConsultationOpen, subject("consultation", id),
			fmt.Sprintf("decision %d, %s to %s", c.Decision, c.Opens, c.Closes))
	})
	if err != nil {
		return Consultation{}, fmt.Errorf("%s: %w", op, err)
	}
	return c, nil
}

// CloseConsultation closes a consultation early, from today.
func (s *Service) CloseConsultation(ctx context.Context, by PersonID, id int64) (Consultation, error) {
	op := fmt.Sprintf("engagement: close consultation %d", id)
	var c Consultation
	err := s.store.InTx(ctx, func(ctx context.Context) error {
		var err error
		if c, err = s.store.Consultation(ctx, id); err != nil {
			return err
		}
		today := s.today()
		if c.ClosedOn(today) {
			return fmt.Errorf("it closed on %s: %w", c.Closes, errs.ErrConflict)
		}
		c.Closes = today
		if c.Opens.After(today) {
			c.Opens = today
		}
		if _, err := s.store.PutConsultation(ctx, c); err != nil {
			return err
		}
		return s.record(ctx, AuditConsultationClose, subject("consultation", id), "closed on "+today.String())
	})
	if err != nil {
		return Consultation{}, fmt.Errorf("%s: %w", op, err)
	}
	return c, nil
}

// RespondToConsultation records a member's position (and preferred option
// and comment), replacing any earlier response of theirs, while the
// consultation is open.
func (s *Service) RespondToConsultation(ctx context.Context, r ConsultationResponse) (ConsultationResponse, error) {
	op := fmt.Sprintf("engagement: respond to consultation %d", r.Consultation)
	r.Comment = strings.TrimSpace(r.Comment)
	err := s.store.InTx(ctx, func(ctx context.Context) error {
		c, err := s.store.Consultation(ctx, r.Consultation)
		if err != nil {
			return err
		}
		if err := c.CheckResponse(r, s.today()); err != nil {
			return err
		}
		now := s.now().UTC()
		r.Created, r.Updated = now, now
		created, err := s.store.UpsertConsultationResponse(ctx, r)
		if err != nil {
			return err
		}
		verb := "changed"
		if created {
			verb = "responded"
		}
		return s.record(ctx, AuditConsultationRespond, subject("consultation", c.ID),
			fmt.Sprintf("person %d %s: %s", r.Person, verb, r.Position))
	})
	if err != nil {
		return ConsultationResponse{}, fmt.Errorf("%s: %w", op, err)
	}
	return r, nil
}

// RecordYouSaidWeDid records what members said and what the CCG did, once
// the consultation has closed.
func (s *Service) RecordYouSaidWeDid(ctx context.Context, by PersonID, id int64, text string) (Consultation, error) {
	op := fmt.Sprintf("engagement: you said, we did for consultation %d", id)
	text = strings.TrimSpace(text)
	if text == "" {
		return Consultation{}, fmt.Errorf("%s: please write the statement: %w", op, errs.ErrInvalid)
	}
	var c Consultation
	err := s.store.InTx(ctx, func(ctx context.Context) error {
		var err error
		if c, err = s.store.Consultation(ctx, id); err != nil {
			return err
		}
		today := s.today()
		if !c.ClosedOn(today) {
			return fmt.Errorf("the consultation is open until %s; write the statement once it has closed: %w", c.Closes.AddDays(-1), errs.ErrConflict)
		}
		c.YouSaidWeDid, c.YouSaidWeDidBy, c.YouSaidWeDidOn = text, by, today
		if _, err := s.store.PutConsultation(ctx, c); err != nil {
			return err
		}
		if s.notifier != nil {
			if err := s.notifier.YouSaidWeDid(ctx, c); err != nil {
				return err
			}
		}
		return s.record(ctx, AuditYouSaidWeDid, subject("consultation", id), fmt.Sprintf("decision %d", c.Decision))
	})
	if err != nil {
		return Consultation{}, fmt.Errorf("%s: %w", op, err)
	}
	return c, nil
}

// Consultation returns one consultation with its summary.
func (s *Service) Consultation(ctx context.Context, id int64) (Consultation, Summary, error) {
	op := fmt.Sprintf("engagement: consultation %d", id)
	c, err := s.store.Consultation(ctx, id)
	if err != nil {
		return Consultation{}, Summary{}, fmt.Errorf("%s: %w", op, err)
	}
	rs, err := s.store.ConsultationResponses(ctx, id)
	if err != nil {
		return Consultation{}, Summary{}, fmt.Errorf("%s: %w", op, err)
	}
	return c, Summarise(c, rs), nil
}

// Consultations returns the consultations matching f (public).
func (s *Service) Consultations(ctx context.Context, f ConsultationFilter) ([]Consultation, error) {
	cs, err := s.store.Consultations(ctx, f)
	if err != nil {
		return nil, fmt.Errorf("engagement: consultations: %w", err)
	}
	return cs, nil
}

// ConsultationResponses returns a consultation's named responses (for the
// CCG; pages decide who may see names).
func (s *Service) ConsultationResponses(ctx context.Context, id int64) ([]ConsultationResponse, error) {
	rs, err := s.store.ConsultationResponses(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("engagement: responses to consultation %d: %w", id, err)
	}
	return rs, nil
}

// CheckPublish is the gate governance's publish step calls: it refuses
// (wrapping errs.ErrInvalid) to publish a decision whose consultation is
// still open or lacks a "you said, we did" statement.
func (s *Service) CheckPublish(ctx context.Context, decision DecisionID) error {
	cs, err := s.store.Consultations(ctx, ConsultationFilter{Decision: decision})
	if err != nil {
		return fmt.Errorf("engagement: check publish of decision %d: %w", decision, err)
	}
	return CheckPublish(decision, cs, s.today())
}

// ---- questions and concerns ----

// Ask records a member's question or concern.
func (s *Service) Ask(ctx context.Context, q Question) (Question, error) {
	const op = "engagement: ask"
	q.ID, q.Status = 0, QSubmitted
	q.AssignedTo, q.Answer, q.AnsweredBy = 0, "", 0
	q.Subject, q.Text = strings.TrimSpace(q.Subject), strings.TrimSpace(q.Text)
	now := s.now().UTC()
	q.Submitted, q.Acknowledged, q.Assigned, q.Answered, q.Published = now, time.Time{}, time.Time{}, time.Time{}, time.Time{}
	if err := q.Validate(); err != nil {
		return Question{}, fmt.Errorf("%s: %w", op, err)
	}
	err := s.store.InTx(ctx, func(ctx context.Context) error {
		id, err := s.store.PutQuestion(ctx, q)
		if err != nil {
			return err
		}
		q.ID = id
		return s.record(ctx, AuditQuestionAsk, subject("question", id), fmt.Sprintf("%s to %s", q.Kind, q.To))
	})
	if err != nil {
		return Question{}, fmt.Errorf("%s: %w", op, err)
	}
	return q, nil
}

// moveQuestion loads a question, applies change, checks the move and stores it.
func (s *Service) moveQuestion(ctx context.Context, op string, id int64, to QuestionStatus, change func(q *Question, now time.Time)) (Question, error) {
	var q Question
	err := s.store.InTx(ctx, func(ctx context.Context) error {
		var err error
		if q, err = s.store.Question(ctx, id); err != nil {
			return err
		}
		now := s.now().UTC()
		change(&q, now)
		if err := q.CheckMove(to); err != nil {
			return err
		}
		from := q.Status
		q.Status = to
		if _, err := s.store.PutQuestion(ctx, q); err != nil {
			return err
		}
		if to == QAnswered && s.notifier != nil {
			if err := s.notifier.QuestionAnswered(ctx, q); err != nil {
				return err
			}
		}
		return s.record(ctx, AuditQuestionMove, subject("question", id), fmt.Sprintf("%s → %s", from, to))
	})
	if err != nil {
		return Question{}, fmt.Errorf("%s %d: %w", op, id, err)
	}
	return q, nil
}

// Acknowledge acknowledges a question.
func (s *Service) Acknowledge(ctx context.Context, by PersonID, id int64) (Question, error) {
	return s.moveQuestion(ctx, "engagement: acknowledge question", id, QAcknowledged, func(q *Question, now time.Time) {
		q.Acknowledged = now
	})
}

// Assign gives a question to someone to answer (again, to reassign it).
func (s *Service) Assign(ctx context.Context, by PersonID, id int64, to PersonID) (Question, error) {
	return s.moveQuestion(ctx, "engagement: assign question", id, QAssigned, func(q *Question, now time.Time) {
		q.AssignedTo, q.Assigned = to, now
	})
}

// AnswerQuestion records the answer.
func (s *Service) AnswerQuestion(ctx context.Context, by PersonID, id int64, answer string) (Question, error) {
	return s.moveQuestion(ctx, "engagement: answer question", id, QAnswered, func(q *Question, now time.Time) {
		q.Answer, q.AnsweredBy, q.Answered = strings.TrimSpace(answer), by, now
	})
}

// PublishQuestion publishes an answered question with its answer (refused
// for a private one).
func (s *Service) PublishQuestion(ctx context.Context, by PersonID, id int64) (Question, error) {
	return s.moveQuestion(ctx, "engagement: publish question", id, QPublished, func(q *Question, now time.Time) {
		q.Published = now
	})
}

// Question returns one question (pages decide who may see a private one).
func (s *Service) Question(ctx context.Context, id int64) (Question, error) {
	q, err := s.store.Question(ctx, id)
	if err != nil {
		return Question{}, fmt.Errorf("engagement: question %d: %w", id, err)
	}
	return q, nil
}

// Questions returns the questions matching f.
func (s *Service) Questions(ctx context.Context, f QuestionFilter) ([]Question, error) {
	qs, err := s.store.Questions(ctx, f)
	if err != nil {
		return nil, fmt.Errorf("engagement: questions: %w", err)
	}
	return qs, nil
}

// PublishedQuestions returns the published questions and answers, newest first.
func (s *Service) PublishedQuestions(ctx context.Context, limit, offset int) ([]Question, error) {
	return s.Questions(ctx, QuestionFilter{Status: QPublished, Limit: limit, Offset: offset})
}

// Dashboard returns open questions and answer times, overall and by body.
func (s *Service) Dashboard(ctx context.Context) (Dashboard, error) {
	qs, err := s.store.Questions(ctx, QuestionFilter{})
	if err != nil {
		return Dashboard{}, fmt.Errorf("engagement: dashboard: %w", err)
	}
	return BuildDashboard(qs, s.now().UTC()), nil
}
