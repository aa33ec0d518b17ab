package sqlstore

import (
	"context"
	"fmt"
	"time"

	"ccg/internal/access"
	"ccg/internal/errs"
)

var _ access.Store = (*Store)(nil)

const personColumns = `id, name, email, professional_role, disabled, created, password_hash, oidc_subject`

func (s *Store) scanPerson(ctx context.Context, row interface{ Scan(...any) error }) (access.Person, error) {
	var p access.Person
	var pro string
	var disabled int
	if err := row.Scan(&p.ID, &p.Name, &p.Email, &pro, &disabled, scanTime(&p.Created), &p.PasswordHash, &p.OIDCSubject); err != nil {
		return p, err
	}
	p.Professional = access.ProfessionalRole(pro)
	p.Disabled = disabled != 0
	return p, s.personLinks(ctx, &p)
}

func (s *Store) personLinks(ctx context.Context, p *access.Person) error {
	rows, err := s.query(ctx, `SELECT kind, code FROM person_links WHERE person_id = ? ORDER BY kind, code`, p.ID)
	if err != nil {
		return err
	}
	defer rows.Close()
	p.Roles, p.Practices, p.Localities, p.Bodies = nil, nil, nil, nil
	for rows.Next() {
		var kind, code string
		if err := rows.Scan(&kind, &code); err != nil {
			return err
		}
		switch kind {
		case "role":
			p.Roles = append(p.Roles, access.Role(code))
		case "practice":
			p.Practices = append(p.Practices, code)
		case "locality":
			p.Localities = append(p.Localities, code)
		case "body":
			p.Bodies = append(p.Bodies, code)
		}
	}
	return rows.Err()
}

func (s *Store) putLinks(ctx context.Context, p access.Person) error {
	if _, err := s.exec(ctx, `DELETE FROM person_links WHERE person_id = ?`, p.ID); err != nil {
		return err
	}
	add := func(kind string, codes []string) error {
		seen := map[string]bool{}
		for _, c := range codes {
			if c == "" || seen[c] {
				continue
			}
			seen[c] = true
			if _, err := s.exec(ctx, `INSERT INTO person_links (person_id, kind, code) VALUES (?, ?, ?)`, p.ID, kind, c); err != nil {
				return err
			}
		}
		return nil
	}
	roles := make([]string, len(p.Roles))
	for i, r := range p.Roles {
		roles[i] = string(r)
	}
	for _, l := range []struct {
		kind  string
		codes []string
	}{{"role", roles}, {"practice", p.Practices}, {"locality", p.Localities}, {"body", p.Bodies}} {
		if err := add(l.kind, l.codes); err != nil {
			return err
		}
	}
	return nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// CreatePerson implements access.Store.
func (s *Store) CreatePerson(ctx context.Context, p access.Person) (int64, error) {
	if p.Email == "" {
		return 0, fmt.Errorf("sqlstore: create person: an email is required: %w", errs.ErrInvalid)
	}
	err := s.InTx(ctx, func(ctx context.Context) error {
		if err := s.queryRowWrite(ctx, `INSERT INTO people (name, email, professional_role, disabled, created, password_hash, oidc_subject)
			VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			p.Name, p.Email, string(p.Professional), boolInt(p.Disabled), timeArg(p.Created), p.PasswordHash, p.OIDCSubject).Scan(&p.ID); err != nil {
			return err
		}
		return s.putLinks(ctx, p)
	})
	if err != nil {
		return 0, wrapErr("create person "+p.Email, err)
	}
	return p.ID, nil
}

// UpdatePerson implements access.Store.
func (s *Store) UpdatePerson(ctx context.Context, p access.Person) error {
	err := s.InTx(ctx, func(ctx context.Context) error {
		res, err := s.exec(ctx, `UPDATE people SET name = ?, professional_role = ?, disabled = ?, oidc_subject = ? WHERE id = ?`,
			p.Name, string(p.Professional), boolInt(p.Disabled), p.OIDCSubject, p.ID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errs.ErrNotFound
		}
		return s.putLinks(ctx, p)
	})
	return wrapErr(fmt.Sprintf("update person %d", p.ID), err)
}

// SetPasswordHash implements access.Store.
func (s *Store) SetPasswordHash(ctx context.Context, id int64, hash string) error {
	res, err := s.exec(ctx, `UPDATE people SET password_hash = ? WHERE id = ?`, hash, id)
	if err == nil {
		if n, _ := res.RowsAffected(); n == 0 {
			err = errs.ErrNotFound
		}
	}
	return wrapErr(fmt.Sprintf("set password of person %d", id), err)
}

// Person implements access.Store.
func (s *Store) Person(ctx context.Context, id int64) (access.Person, error) {
	p, err := s.scanPerson(ctx, s.queryRow(ctx, `SELECT `+personColumns+` FROM people WHERE id = ?`, id))
	return p, wrapErr(fmt.Sprintf("person %d", id), err)
}

// PersonByEmail implements access.Store.
func (s *Store) PersonByEmail(ctx context.Context, email string) (access.Person, error) {
	p, err := s.scanPerson(ctx, s.queryRow(ctx, `SELECT `+personColumns+` FROM people WHERE email = ?`, email))
	return p, wrapErr("person "+email, err)
}

// PersonBySubject implements access.Store.
func (s *Store) PersonBySubject(ctx context.Context, subject string) (access.Person, error) {
	if subject == "" {
		return access.Person{}, fmt.Errorf("sqlstore: person by subject: %w", errs.ErrNotFound)
	}
	p, err := s.scanPerson(ctx, s.queryRow(ctx, `SELECT `+personColumns+` FROM people WHERE oidc_subject = ?`, subject))
	return p, wrapErr("person by subject", err)
}

// People implements access.Store.
func (s *Store) People(ctx context.Context) ([]access.Person, error) {
	rows, err := s.query(ctx, `SELECT `+personColumns+` FROM people ORDER BY name, email`)
	if err != nil {
		return nil, wrapErr("people", err)
	}
	var out []access.Person
	for rows.Next() {
		var p access.Person
		var pro string
		var disabled int
		if err := rows.Scan(&p.ID, &p.Name, &p.Email, &pro, &disabled, scanTime(&p.Created), &p.PasswordHash, &p.OIDCSubject); err != nil {
			rows.Close()
			return nil, wrapErr("people", err)
		}
		p.Professional, p.Disabled = access.ProfessionalRole(pro), disabled != 0
		out = append(out, p)
	}
	err = rows.Err()
	rows.Close()
	if err != nil {
		return nil, wrapErr("people", err)
	}
	// Links are read after the rows are closed (SQLite transactions hold
	// one connection).
	for i := range out {
		if err := s.personLinks(ctx, &out[i]); err != nil {
			return nil, wrapErr("people", err)
		}
	}
	return out, nil
}

const sessionColumns = `hash, person_id, created, last_seen, expires, csrf, ip, user_agent, method`

// CreateSession implements access.Store.
func (s *Store) CreateSession(ctx context.Context, x access.Session) error {
	_, err := s.exec(ctx, `INSERT INTO sessions (`+sessionColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		x.Hash, x.PersonID, timeArg(x.Created), timeArg(x.LastSeen), timeArg(x.Expires), x.CSRF, x.IP, x.UserAgent, x.Method)
	return wrapErr("create session", err)
}

// Session implements access.Store.
func (s *Store) Session(ctx context.Context, hash string) (access.Session, error) {
	var x access.Session
	err := s.queryRow(ctx, `SELECT `+sessionColumns+` FROM sessions WHERE hash = ?`, hash).Scan(
		&x.Hash, &x.PersonID, scanTime(&x.Created), scanTime(&x.LastSeen), scanTime(&x.Expires), &x.CSRF, &x.IP, &x.UserAgent, &x.Method)
	return x, wrapErr("session", err)
}

// TouchSession implements access.Store.
func (s *Store) TouchSession(ctx context.Context, hash string, at time.Time) error {
	_, err := s.exec(ctx, `UPDATE sessions SET last_seen = ? WHERE hash = ?`, timeArg(at), hash)
	return wrapErr("touch session", err)
}

// DeleteSession implements access.Store.
func (s *Store) DeleteSession(ctx context.Context, hash string) error {
	_, err := s.exec(ctx, `DELETE FROM sessions WHERE hash = ?`, hash)
	return wrapErr("delete session", err)
}

// DeletePersonSessions implements access.Store.
func (s *Store) DeletePersonSessions(ctx context.Context, personID int64) (int, error) {
	res, err := s.exec(ctx, `DELETE FROM sessions WHERE person_id = ?`, personID)
	if err != nil {
		return 0, wrapErr("delete sessions", err)
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}

// DeleteExpiredSessions implements access.Store.
func (s *Store) DeleteExpiredSessions(ctx context.Context, at, idleBefore time.Time) (int, error) {
	res, err := s.exec(ctx, `DELETE FROM sessions WHERE expires <= ? OR last_seen < ?`, timeArg(at), timeArg(idleBefore))
	if err != nil {
		return 0, wrapErr("delete expired sessions", err)
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}

const tokenColumns = `id, person_id, name, hint, hash, created, last_used, revoked`

func scanToken(row interface{ Scan(...any) error }) (access.Token, error) {
	var t access.Token
	err := row.Scan(&t.ID, &t.PersonID, &t.Name, &t.Hint, &t.Hash, scanTime(&t.Created), scanTime(&t.LastUsed), scanTime(&t.Revoked))
	return t, err
}

// CreateToken implements access.Store.
func (s *Store) CreateToken(ctx context.Context, t access.Token) (int64, error) {
	err := s.queryRowWrite(ctx, `INSERT INTO api_tokens (person_id, name, hint, hash, created, last_used, revoked)
		VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		t.PersonID, t.Name, t.Hint, t.Hash, timeArg(t.Created), timeArg(t.LastUsed), timeArg(t.Revoked)).Scan(&t.ID)
	return t.ID, wrapErr("create token", err)
}

// TokenByHash implements access.Store.
func (s *Store) TokenByHash(ctx context.Context, hash string) (access.Token, error) {
	t, err := scanToken(s.queryRow(ctx, `SELECT `+tokenColumns+` FROM api_tokens WHERE hash = ?`, hash))
	return t, wrapErr("token", err)
}

// Token implements access.Store.
func (s *Store) Token(ctx context.Context, id int64) (access.Token, error) {
	t, err := scanToken(s.queryRow(ctx, `SELECT `+tokenColumns+` FROM api_tokens WHERE id = ?`, id))
	return t, wrapErr(fmt.Sprintf("token %d", id), err)
}

// Tokens implements access.Store.
func (s *Store) Tokens(ctx context.Context, personID int64) ([]access.Token, error) {
	rows, err := s.query(ctx, `SELECT `+tokenColumns+` FROM api_tokens WHERE person_id = ? ORDER BY id DESC`, personID)
	if err != nil {
		return nil, wrapErr("tokens", err)
	}
	defer rows.Close()
	var out []access.Token
	for rows.Next() {
		t, err := scanToken(rows)
		if err != nil {
			return nil, wrapErr("tokens", err)
		}
		out = append(out, t)
	}
	return out, wrapErr("tokens", rows.Err())
}

// RevokeToken implements access.Store.
func (s *Store) RevokeToken(ctx context.Context, id int64, at time.Time) error {
	res, err := s.exec(ctx, `UPDATE api_tokens SET revoked = CASE WHEN revoked = '' THEN ? ELSE revoked END WHERE id = ?`, timeArg(at), id)
	if err == nil {
		if n, _ := res.RowsAffected(); n == 0 {
			err = errs.ErrNotFound
		}
	}
	return wrapErr(fmt.Sprintf("revoke token %d", id), err)
}

// TouchToken implements access.Store.
func (s *Store) TouchToken(ctx context.Context, id int64, at time.Time) error {
	_, err := s.exec(ctx, `UPDATE api_tokens SET last_used = ? WHERE id = ?`, timeArg(at), id)
	return wrapErr("touch token", err)
}

// auditLockKey is the PostgreSQL advisory lock that serialises audit appends.
const auditLockKey = 5100100

// LockAudit implements access.Store: on PostgreSQL it takes a transaction
// advisory lock; SQLite already has a single writer.
func (s *Store) LockAudit(ctx context.Context) error {
	if s.dialect != Postgres {
		return nil
	}
	if s.txFrom(ctx) == nil {
		return fmt.Errorf("sqlstore: lock audit: needs a transaction: %w", errs.ErrInvalid)
	}
	var v string
	err := s.queryRowWrite(ctx, `SELECT pg_advisory_xact_lock(?)::text`, int64(auditLockKey)).Scan(&v)
	return wrapErr("lock audit", err)
}

const auditColumns = `seq, at, actor, event, subject, detail, ip, prev, hash`

func scanAudit(row interface{ Scan(...any) error }) (access.AuditEntry, error) {
	var e access.AuditEntry
	err := row.Scan(&e.Seq, scanTime(&e.At), &e.Actor, &e.Event, &e.Subject, &e.Detail, &e.IP, &e.Prev, &e.Hash)
	return e, err
}

// LastAudit implements access.Store.
func (s *Store) LastAudit(ctx context.Context) (access.AuditEntry, error) {
	e, err := scanAudit(s.queryRowWrite(ctx, `SELECT `+auditColumns+` FROM audit_log ORDER BY seq DESC LIMIT 1`))
	return e, wrapErr("last audit entry", err)
}

// AppendAudit implements access.Store.
func (s *Store) AppendAudit(ctx context.Context, e access.AuditEntry) error {
	_, err := s.exec(ctx, `INSERT INTO audit_log (`+auditColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		e.Seq, timeArg(e.At), e.Actor, e.Event, e.Subject, e.Detail, e.IP, e.Prev, e.Hash)
	return wrapErr(fmt.Sprintf("append audit entry %d", e.Seq), err)
}

// AuditEntries implements access.Store.
func (s *Store) AuditEntries(ctx context.Context, after int64, limit int) ([]access.AuditEntry, error) {
	rows, err := s.query(ctx, `SELECT `+auditColumns+` FROM audit_log WHERE seq > ? ORDER BY seq LIMIT ?`, after, limit)
	if err != nil {
		return nil, wrapErr("audit entries", err)
	}
	defer rows.Close()
	var out []access.AuditEntry
	for rows.Next() {
		e, err := scanAudit(rows)
		if err != nil {
			return nil, wrapErr("audit entries", err)
		}
		out = append(out, e)
	}
	return out, wrapErr("audit entries", rows.Err())
}
