package access

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"sync"
	"time"

	"ccg/internal/errs"
)

// memStore is an in-memory Store for the package's tests (the SQL store is
// checked by store/storetest).
type memStore struct {
	mu       sync.Mutex
	people   []Person
	sessions map[string]Session
	tokens   []Token
	audit    []AuditEntry
}

func newMemStore() *memStore { return &memStore{sessions: map[string]Session{}} }

func (m *memStore) InTx(ctx context.Context, fn func(context.Context) error) error { return fn(ctx) }

func clone(p Person) Person {
	p.Roles = slices.Clone(p.Roles)
	p.Practices = slices.Clone(p.Practices)
	p.Localities = slices.Clone(p.Localities)
	p.Bodies = slices.Clone(p.Bodies)
	return p
}

func (m *memStore) CreatePerson(_ context.Context, p Person) (int64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, q := range m.people {
		if q.Email == p.Email {
			return 0, fmt.Errorf("dup: %w", errs.ErrConflict)
		}
	}
	p.ID = int64(len(m.people) + 1)
	m.people = append(m.people, clone(p))
	return p.ID, nil
}

func (m *memStore) find(id int64) (*Person, error) {
	for i := range m.people {
		if m.people[i].ID == id {
			return &m.people[i], nil
		}
	}
	return nil, errs.ErrNotFound
}

func (m *memStore) UpdatePerson(_ context.Context, p Person) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	q, err := m.find(p.ID)
	if err != nil {
		return err
	}
	h := q.PasswordHash
	*q = clone(p)
	q.PasswordHash = h
	return nil
}

func (m *memStore) SetPasswordHash(_ context.Context, id int64, hash string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	q, err := m.find(id)
	if err != nil {
		return err
	}
	q.PasswordHash = hash
	return nil
}

func (m *memStore) Person(_ context.Context, id int64) (Person, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	q, err := m.find(id)
	if err != nil {
		return Person{}, err
	}
	return clone(*q), nil
}

func (m *memStore) PersonByEmail(_ context.Context, e string) (Person, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, q := range m.people {
		if q.Email == e {
			return clone(q), nil
		}
	}
	return Person{}, errs.ErrNotFound
}

func (m *memStore) PersonBySubject(_ context.Context, s string) (Person, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, q := range m.people {
		if q.OIDCSubject == s {
			return clone(q), nil
		}
	}
	return Person{}, errs.ErrNotFound
}

func (m *memStore) People(context.Context) ([]Person, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]Person, 0, len(m.people))
	for _, q := range m.people {
		out = append(out, clone(q))
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

func (m *memStore) CreateSession(_ context.Context, s Session) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.sessions[s.Hash] = s
	return nil
}

func (m *memStore) Session(_ context.Context, h string) (Session, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	s, ok := m.sessions[h]
	if !ok {
		return Session{}, errs.ErrNotFound
	}
	return s, nil
}

func (m *memStore) TouchSession(_ context.Context, h string, at time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	s := m.sessions[h]
	s.LastSeen = at
	m.sessions[h] = s
	return nil
}

func (m *memStore) DeleteSession(_ context.Context, h string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.sessions, h)
	return nil
}

func (m *memStore) DeletePersonSessions(_ context.Context, id int64) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := 0
	for k, s := range m.sessions {
		if s.PersonID == id {
			delete(m.sessions, k)
			n++
		}
	}
	return n, nil
}

func (m *memStore) DeleteExpiredSessions(_ context.Context, at, idle time.Time) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := 0
	for k, s := range m.sessions {
		if s.Expires.Before(at) || s.LastSeen.Before(idle) {
			delete(m.sessions, k)
			n++
		}
	}
	return n, nil
}

func (m *memStore) CreateToken(_ context.Context, t Token) (int64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	t.ID = int64(len(m.tokens) + 1)
	m.tokens = append(m.tokens, t)
	return t.ID, nil
}

func (m *memStore) TokenByHash(_ context.Context, h string) (Token, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, t := range m.tokens {
		if t.Hash == h {
			return t, nil
		}
	}
	return Token{}, errs.ErrNotFound
}

func (m *memStore) Token(_ context.Context, id int64) (Token, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if id < 1 || int(id) > len(m.tokens) {
		return Token{}, errs.ErrNotFound
	}
	return m.tokens[id-1], nil
}

func (m *memStore) Tokens(_ context.Context, pid int64) ([]Token, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []Token
	for _, t := range m.tokens {
		if t.PersonID == pid {
			out = append([]Token{t}, out...)
		}
	}
	return out, nil
}

func (m *memStore) RevokeToken(_ context.Context, id int64, at time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.tokens[id-1].Revoked.IsZero() {
		m.tokens[id-1].Revoked = at
	}
	return nil
}

func (m *memStore) TouchToken(_ context.Context, id int64, at time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.tokens[id-1].LastUsed = at
	return nil
}

func (m *memStore) LockAudit(context.Context) error { return nil }

func (m *memStore) LastAudit(context.Context) (AuditEntry, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.audit) == 0 {
		return AuditEntry{}, errs.ErrNotFound
	}
	return m.audit[len(m.audit)-1], nil
}

func (m *memStore) AppendAudit(_ context.Context, e AuditEntry) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.audit = append(m.audit, e)
	return nil
}

func (m *memStore) AuditEntries(_ context.Context, after int64, limit int) ([]AuditEntry, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []AuditEntry
	for _, e := range m.audit {
		if e.Seq > after && len(out) < limit {
			out = append(out, e)
		}
	}
	return out, nil
}

var _ Store = (*memStore)(nil)
