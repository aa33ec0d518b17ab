package engagement

import (
	"context"
	"fmt"
	"sort"
	"sync"

	"ccg/internal/errs"
)

// memStore is an in-memory Store for the service tests. It records every
// value it is given, so that tests can inspect what reaches storage.
type memStore struct {
	mu            sync.Mutex
	surveys       map[int64]Survey
	waves         map[int64]Wave
	invitations   map[string]Invitation
	used          map[string]bool
	responses     []Response
	practice      map[int64]map[string]*PracticeTally
	classes       map[int64][]ClassTally
	consultations map[int64]Consultation
	cresponses    map[int64][]ConsultationResponse
	questions     map[int64]Question
	next          int64
	// given is every value passed to a write method, in order.
	given []any
}

func newMemStore() *memStore {
	return &memStore{
		surveys: map[int64]Survey{}, waves: map[int64]Wave{}, invitations: map[string]Invitation{},
		used: map[string]bool{}, practice: map[int64]map[string]*PracticeTally{}, classes: map[int64][]ClassTally{},
		consultations: map[int64]Consultation{}, cresponses: map[int64][]ConsultationResponse{}, questions: map[int64]Question{},
	}
}

// InTx runs fn; the fake has no rollback, which the tests do not rely on.
func (m *memStore) InTx(ctx context.Context, fn func(ctx context.Context) error) error {
	return fn(ctx)
}

func (m *memStore) id() int64 { m.next++; return m.next }

func notFound(what string, id any) error { return fmt.Errorf("%s %v: %w", what, id, errs.ErrNotFound) }

func (m *memStore) PutSurvey(_ context.Context, s Survey) (int64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if s.ID == 0 {
		s.ID = m.id()
	}
	m.surveys[s.ID] = s
	m.given = append(m.given, s)
	return s.ID, nil
}

func (m *memStore) Survey(_ context.Context, id int64) (Survey, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	s, ok := m.surveys[id]
	if !ok {
		return Survey{}, notFound("survey", id)
	}
	return s, nil
}

func (m *memStore) Surveys(context.Context) ([]Survey, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []Survey
	for _, s := range m.surveys {
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID > out[j].ID })
	return out, nil
}

func (m *memStore) PutWave(_ context.Context, w Wave) (int64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if w.ID == 0 {
		w.ID = m.id()
	}
	m.waves[w.ID] = w
	m.given = append(m.given, w)
	return w.ID, nil
}

func (m *memStore) Wave(_ context.Context, id int64) (Wave, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	w, ok := m.waves[id]
	if !ok {
		return Wave{}, notFound("wave", id)
	}
	return w, nil
}

func (m *memStore) Waves(_ context.Context, survey int64) ([]Wave, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []Wave
	for _, w := range m.waves {
		if w.Survey == survey {
			out = append(out, w)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Opens.Before(out[j].Opens) })
	return out, nil
}

func (m *memStore) AddInvitations(_ context.Context, wave int64, invs []Invitation, practices []PracticeTally, classes []ClassTally) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, iv := range invs {
		if _, dup := m.invitations[iv.TokenHash]; dup {
			return fmt.Errorf("invitation: %w", errs.ErrConflict)
		}
		m.invitations[iv.TokenHash] = iv
		m.given = append(m.given, iv)
	}
	if m.practice[wave] == nil {
		m.practice[wave] = map[string]*PracticeTally{}
	}
	for _, p := range practices {
		p := p
		m.practice[wave][p.Practice] = &p
		m.given = append(m.given, p)
	}
	m.classes[wave] = append(m.classes[wave], classes...)
	for _, c := range classes {
		m.given = append(m.given, c)
	}
	return nil
}

func (m *memStore) Invitation(_ context.Context, hash string) (Invitation, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.used[hash] {
		return Invitation{}, fmt.Errorf("invitation: used: %w", errs.ErrConflict)
	}
	iv, ok := m.invitations[hash]
	if !ok {
		return Invitation{}, notFound("invitation", "?")
	}
	return iv, nil
}

func (m *memStore) BurnInvitation(_ context.Context, hash string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.used[hash] {
		return fmt.Errorf("invitation: used: %w", errs.ErrConflict)
	}
	if _, ok := m.invitations[hash]; !ok {
		return notFound("invitation", "?")
	}
	delete(m.invitations, hash)
	m.used[hash] = true
	m.given = append(m.given, "burn:"+hash)
	return nil
}

func (m *memStore) AddResponse(_ context.Context, r Response) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.responses = append(m.responses, r)
	m.given = append(m.given, r)
	return nil
}

func (m *memStore) CountResponse(_ context.Context, wave int64, practice string, d Disposition) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	p := m.practice[wave][practice]
	if p == nil {
		return notFound("practice tally", practice)
	}
	switch d {
	case Complete:
		p.Complete++
	case Partial:
		p.Partial++
	case BreakOff:
		p.BreakOff++
	}
	m.given = append(m.given, fmt.Sprintf("count:%d:%s:%s", wave, practice, d))
	return nil
}

func (m *memStore) Responses(_ context.Context, wave int64) ([]Response, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []Response
	for _, r := range m.responses {
		if r.Wave == wave {
			out = append(out, r)
		}
	}
	return out, nil
}

func (m *memStore) PracticeTallies(_ context.Context, wave int64) ([]PracticeTally, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []PracticeTally
	for _, p := range m.practice[wave] {
		out = append(out, *p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Practice < out[j].Practice })
	return out, nil
}

func (m *memStore) ClassTallies(_ context.Context, wave int64) ([]ClassTally, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]ClassTally(nil), m.classes[wave]...), nil
}

func (m *memStore) PutConsultation(_ context.Context, c Consultation) (int64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if c.ID == 0 {
		c.ID = m.id()
	}
	m.consultations[c.ID] = c
	return c.ID, nil
}

func (m *memStore) Consultation(_ context.Context, id int64) (Consultation, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	c, ok := m.consultations[id]
	if !ok {
		return Consultation{}, notFound("consultation", id)
	}
	return c, nil
}

func (m *memStore) Consultations(_ context.Context, f ConsultationFilter) ([]Consultation, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []Consultation
	for _, c := range m.consultations {
		if f.Decision == 0 || c.Decision == f.Decision {
			out = append(out, c)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID > out[j].ID })
	return out, nil
}

func (m *memStore) UpsertConsultationResponse(_ context.Context, r ConsultationResponse) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	rs := m.cresponses[r.Consultation]
	for i := range rs {
		if rs[i].Person == r.Person {
			r.Created = rs[i].Created
			rs[i] = r
			return false, nil
		}
	}
	m.cresponses[r.Consultation] = append(rs, r)
	return true, nil
}

func (m *memStore) ConsultationResponses(_ context.Context, id int64) ([]ConsultationResponse, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]ConsultationResponse(nil), m.cresponses[id]...), nil
}

func (m *memStore) PutQuestion(_ context.Context, q Question) (int64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if q.ID == 0 {
		q.ID = m.id()
	}
	m.questions[q.ID] = q
	return q.ID, nil
}

func (m *memStore) Question(_ context.Context, id int64) (Question, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	q, ok := m.questions[id]
	if !ok {
		return Question{}, notFound("question", id)
	}
	return q, nil
}

func (m *memStore) Questions(_ context.Context, f QuestionFilter) ([]Question, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []Question
	for _, q := range m.questions {
		if (f.Status == "" || q.Status == f.Status) && (f.To == "" || q.To == f.To) && (f.Asker == 0 || q.Asker == f.Asker) {
			out = append(out, q)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID > out[j].ID })
	return out, nil
}

// auditLog records audit calls.
type auditLog struct{ entries []string }

func (a *auditLog) Record(_ context.Context, action, subject, detail string) error {
	a.entries = append(a.entries, action+" "+subject+" "+detail)
	return nil
}

// decisionsFake answers DecisionRef from a map.
type decisionsFake map[DecisionID]DecisionRef

func (d decisionsFake) DecisionRef(_ context.Context, id DecisionID) (DecisionRef, error) {
	r, ok := d[id]
	if !ok {
		return DecisionRef{}, notFound("decision", id)
	}
	return r, nil
}

var _ Store = (*memStore)(nil)
