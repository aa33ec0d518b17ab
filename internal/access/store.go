package access

import (
	"context"
	"time"

	"ccg/internal/txn"
)

// Store is what access needs from persistence; store/sqlstore implements it
// and store/storetest checks it on every engine. Lookups of a missing thing
// return an error wrapping errs.ErrNotFound; a duplicate email wraps
// errs.ErrConflict.
type Store interface {
	txn.Runner

	// CreatePerson stores a new person with their roles, practices,
	// localities and bodies, and returns the new ID.
	CreatePerson(ctx context.Context, p Person) (int64, error)
	// UpdatePerson replaces a person's name, professional role, roles,
	// practices, localities, bodies, disabled flag and OIDC subject (not the
	// password: see SetPasswordHash).
	UpdatePerson(ctx context.Context, p Person) error
	// SetPasswordHash replaces a person's password hash.
	SetPasswordHash(ctx context.Context, id int64, hash string) error
	// Person returns one person by ID.
	Person(ctx context.Context, id int64) (Person, error)
	// PersonByEmail returns one person by (lower-case) email.
	PersonByEmail(ctx context.Context, email string) (Person, error)
	// PersonBySubject returns the person linked to an OIDC "issuer|subject".
	PersonBySubject(ctx context.Context, subject string) (Person, error)
	// People returns everybody, ordered by name then email.
	People(ctx context.Context) ([]Person, error)

	// CreateSession stores a new session.
	CreateSession(ctx context.Context, s Session) error
	// Session returns a session by the hash of its ID.
	Session(ctx context.Context, hash string) (Session, error)
	// TouchSession records activity on a session.
	TouchSession(ctx context.Context, hash string, at time.Time) error
	// DeleteSession removes one session (sign-out).
	DeleteSession(ctx context.Context, hash string) error
	// DeletePersonSessions removes every session of a person and returns how
	// many there were.
	DeletePersonSessions(ctx context.Context, personID int64) (int, error)
	// DeleteExpiredSessions removes sessions whose absolute end is before
	// at, or whose last activity is before idleBefore.
	DeleteExpiredSessions(ctx context.Context, at, idleBefore time.Time) (int, error)

	// CreateToken stores a new token and returns its ID.
	CreateToken(ctx context.Context, t Token) (int64, error)
	// TokenByHash returns a token (revoked or not) by its hash.
	TokenByHash(ctx context.Context, hash string) (Token, error)
	// Token returns a token by ID.
	Token(ctx context.Context, id int64) (Token, error)
	// Tokens returns a person's tokens, newest first.
	Tokens(ctx context.Context, personID int64) ([]Token, error)
	// RevokeToken marks a token revoked at the given time (a revoked token
	// stays revoked).
	RevokeToken(ctx context.Context, id int64, at time.Time) error
	// TouchToken records that a token was used.
	TouchToken(ctx context.Context, id int64, at time.Time) error

	// LockAudit serialises appends to the audit log until the transaction in
	// ctx ends (a no-op where the engine already has a single writer).
	LockAudit(ctx context.Context) error
	// LastAudit returns the newest audit entry (ErrNotFound when empty).
	LastAudit(ctx context.Context) (AuditEntry, error)
	// AppendAudit stores an entry exactly as given; a duplicate Seq wraps
	// errs.ErrConflict.
	AppendAudit(ctx context.Context, e AuditEntry) error
	// AuditEntries returns up to limit entries with Seq > after, in Seq order.
	AuditEntries(ctx context.Context, after int64, limit int) ([]AuditEntry, error)
}

// Localities tells the Service which locality a practice is in now; the CLI
// wires it to the registry. It may be nil.
type Localities interface {
	// LocalityOf returns the code of the practice's locality today, or "".
	LocalityOf(ctx context.Context, practice string) (string, error)
}
