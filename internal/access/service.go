package access

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"ccg/internal/errs"
)

// Service applies the access rules over a Store. Every method that acts for
// somebody takes the acting person and asks Can first.
type Service struct {
	store Store
	loc   Localities
	// Throttle limits failed sign-ins; NewService sets the default.
	Throttle *Throttle
	// Timeouts bound sessions; NewService sets the defaults.
	Timeouts SessionTimeouts
	now      func() time.Time
	auditKey []byte
}

// NewService returns a Service over store; loc may be nil. Its audit key is
// random until SetAuditKey gives the installation's own (see the CLI's
// wiring): a random key suits tests, whose logs live no longer than the
// service.
func NewService(store Store, loc Localities) *Service {
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		panic(fmt.Sprintf("access: random audit key: %v", err))
	}
	s := &Service{store: store, loc: loc, Throttle: NewThrottle(),
		Timeouts: SessionTimeouts{Idle: DefaultIdleTimeout, Absolute: DefaultAbsoluteTimeout}, now: time.Now, auditKey: key}
	s.Throttle.Now = s.clock
	return s
}

// SetAuditKey sets the secret that keys the audit log's hash chain. Keep it
// outside the database: whoever holds both can rewrite the log undetected
// (checkpoints still catch that).
func (s *Service) SetAuditKey(key []byte) { s.auditKey = append([]byte(nil), key...) }

// SetClock replaces the clock (for tests); the throttle follows it.
func (s *Service) SetClock(now func() time.Time) { s.now = now }

func (s *Service) clock() time.Time { return s.now() }

// ctxKey is the type of this package's context keys.
type ctxKey int

const (
	actorKey ctxKey = iota
	clientKey
)

// WithActor returns ctx carrying the person acting (for code reached through
// interfaces that do not pass the person, such as import handlers).
func WithActor(ctx context.Context, p *Person) context.Context {
	return context.WithValue(ctx, actorKey, p)
}

// ActorFrom returns the person ctx carries, or nil (the public).
func ActorFrom(ctx context.Context) *Person {
	p, _ := ctx.Value(actorKey).(*Person)
	return p
}

// WithClientIP returns ctx carrying the network address of the request, for
// the audit log and throttling.
func WithClientIP(ctx context.Context, ip string) context.Context {
	return context.WithValue(ctx, clientKey, ip)
}

// ClientIP returns the address ctx carries, or "".
func ClientIP(ctx context.Context) string {
	ip, _ := ctx.Value(clientKey).(string)
	return ip
}

// load fills in the person's localities from their practices.
func (s *Service) load(ctx context.Context, p Person) (*Person, error) {
	if s.loc != nil {
		for _, pr := range p.Practices {
			l, err := s.loc.LocalityOf(ctx, pr)
			if err != nil && !errors.Is(err, errs.ErrNotFound) {
				return nil, fmt.Errorf("access: locality of %s: %w", pr, err)
			}
			if l != "" {
				p.Localities = append(p.Localities, l)
			}
		}
		p.Localities = uniq(p.Localities)
	}
	return &p, nil
}

// Record appends an entry to the audit log, in the transaction ctx carries
// if any (so that a change and its audit entry are kept or lost together).
// Other capabilities call it for every change to their records.
func (s *Service) Record(ctx context.Context, actor *Person, event, subject, detail string) error {
	e := AuditEntry{At: s.now(), Actor: actorName(actor), Event: event, Subject: subject, Detail: detail, IP: ClientIP(ctx)}
	err := s.store.InTx(ctx, func(ctx context.Context) error {
		if err := s.store.LockAudit(ctx); err != nil {
			return err
		}
		last, err := s.store.LastAudit(ctx)
		if err != nil && !errors.Is(err, errs.ErrNotFound) {
			return err
		}
		return s.store.AppendAudit(ctx, e.Chain(last, s.auditKey))
	})
	if err != nil {
		return fmt.Errorf("access: audit %s: %w", event, err)
	}
	return nil
}

func actorName(p *Person) string {
	if p == nil || p.Email == "" {
		return "anonymous"
	}
	return p.Email
}

// AddPerson adds a person; the actor needs ActPeopleAdmin.
func (s *Service) AddPerson(ctx context.Context, actor *Person, np NewPerson) (*Person, error) {
	const op = "access: add person"
	if err := Authorize(actor, ActPeopleAdmin, Resource{Kind: "person"}); err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	if err := np.validate(); err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	p := Person{Name: np.Name, Email: np.Email, Professional: np.Professional, Roles: np.Roles,
		Practices: np.Practices, Localities: np.Localities, Bodies: np.Bodies, Created: s.now().UTC()}
	if np.Password != "" {
		if err := CheckPassword(np.Password, np.Email, np.Name); err != nil {
			return nil, fmt.Errorf("%s: %w", op, err)
		}
		h, err := HashPassword(np.Password)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", op, err)
		}
		p.PasswordHash = h
	}
	err := s.store.InTx(ctx, func(ctx context.Context) error {
		id, err := s.store.CreatePerson(ctx, p)
		if err != nil {
			if errors.Is(err, errs.ErrConflict) {
				return fmt.Errorf("somebody with email %s already exists: %w", p.Email, err)
			}
			return err
		}
		p.ID = id
		return s.Record(ctx, actor, AuditPersonAdd, "person:"+p.Email, "roles "+joinRoles(p.Roles)+"; practices "+strings.Join(p.Practices, " "))
	})
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", op, np.Email, err)
	}
	return s.load(ctx, p)
}

func joinRoles(rs []Role) string {
	var out []string
	for _, r := range rs {
		out = append(out, string(r))
	}
	if len(out) == 0 {
		return "(none)"
	}
	return strings.Join(out, " ")
}

// People lists everybody; the actor needs ActPeopleView.
func (s *Service) People(ctx context.Context, actor *Person) ([]Person, error) {
	if err := Authorize(actor, ActPeopleView, Resource{Kind: "person"}); err != nil {
		return nil, fmt.Errorf("access: people: %w", err)
	}
	ps, err := s.store.People(ctx)
	if err != nil {
		return nil, fmt.Errorf("access: people: %w", err)
	}
	return ps, nil
}

// Lookup returns the person with this email; the actor needs ActPeopleView,
// or to be that person.
func (s *Service) Lookup(ctx context.Context, actor *Person, email string) (*Person, error) {
	e, err := NormaliseEmail(email)
	if err != nil {
		return nil, err
	}
	p, err := s.store.PersonByEmail(ctx, e)
	if err != nil {
		return nil, fmt.Errorf("access: person %s: %w", e, err)
	}
	if !Can(actor, ActPeopleView, Resource{Kind: "person", Owner: p.ID}) && !(actor.SignedIn() && actor.ID == p.ID) {
		return nil, fmt.Errorf("access: person %s: %w", e, Authorize(actor, ActPeopleView, Resource{Kind: "person", Owner: p.ID}))
	}
	return s.load(ctx, p)
}

// SetDisabled disables (or re-enables) a person; disabling ends all their
// sessions at once. The actor needs ActPeopleAdmin and may not disable
// themselves.
func (s *Service) SetDisabled(ctx context.Context, actor *Person, email string, disabled bool) (*Person, error) {
	const op = "access: disable"
	p, err := s.adminTarget(ctx, actor, email)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	if disabled && actor.ID == p.ID {
		return nil, fmt.Errorf("%s: you cannot disable yourself: %w", op, errs.ErrConflict)
	}
	p.Disabled = disabled
	event := AuditPersonEnable
	if disabled {
		event = AuditPersonDisable
	}
	err = s.store.InTx(ctx, func(ctx context.Context) error {
		if err := s.store.UpdatePerson(ctx, p); err != nil {
			return err
		}
		detail := ""
		if disabled {
			n, err := s.store.DeletePersonSessions(ctx, p.ID)
			if err != nil {
				return err
			}
			detail = strconv.Itoa(n) + " sessions ended"
		}
		return s.Record(ctx, actor, event, "person:"+p.Email, detail)
	})
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", op, p.Email, err)
	}
	return s.load(ctx, p)
}

func (s *Service) adminTarget(ctx context.Context, actor *Person, email string) (Person, error) {
	if err := Authorize(actor, ActPeopleAdmin, Resource{Kind: "person"}); err != nil {
		return Person{}, err
	}
	e, err := NormaliseEmail(email)
	if err != nil {
		return Person{}, err
	}
	p, err := s.store.PersonByEmail(ctx, e)
	if err != nil {
		return Person{}, fmt.Errorf("person %s: %w", e, err)
	}
	return p, nil
}

// ResetPassword gives a person a new password (a random passphrase when pw
// is empty), ends their sessions, and returns the password so that it can be
// passed on. The actor needs ActPeopleAdmin.
func (s *Service) ResetPassword(ctx context.Context, actor *Person, email, pw string) (string, error) {
	const op = "access: reset password"
	p, err := s.adminTarget(ctx, actor, email)
	if err != nil {
		return "", fmt.Errorf("%s: %w", op, err)
	}
	if pw == "" {
		if pw, err = NewPassphrase(); err != nil {
			return "", fmt.Errorf("%s: %w", op, err)
		}
	}
	if err := s.setPassword(ctx, actor, p, pw, AuditPasswordReset); err != nil {
		return "", fmt.Errorf("%s %s: %w", op, p.Email, err)
	}
	return pw, nil
}

// ChangePassword lets a signed-in person change their own password.
func (s *Service) ChangePassword(ctx context.Context, actor *Person, old, pw string) error {
	const op = "access: change password"
	if err := Authorize(actor, ActAccount, Resource{Kind: "person", Owner: actor.idOrZero()}); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	p, err := s.store.Person(ctx, actor.ID)
	if err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	if !VerifyPassword(p.PasswordHash, old) {
		return fmt.Errorf("%s: the current password is not right: %w", op, errs.ErrInvalid)
	}
	if err := s.setPassword(ctx, actor, p, pw, AuditPasswordSet); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	return nil
}

func (p *Person) idOrZero() int64 {
	if p == nil {
		return 0
	}
	return p.ID
}

func (s *Service) setPassword(ctx context.Context, actor *Person, p Person, pw, event string) error {
	if err := CheckPassword(pw, p.Email, p.Name); err != nil {
		return err
	}
	h, err := HashPassword(pw)
	if err != nil {
		return err
	}
	return s.store.InTx(ctx, func(ctx context.Context) error {
		if err := s.store.SetPasswordHash(ctx, p.ID, h); err != nil {
			return err
		}
		n, err := s.store.DeletePersonSessions(ctx, p.ID)
		if err != nil {
			return err
		}
		return s.Record(ctx, actor, event, "person:"+p.Email, strconv.Itoa(n)+" sessions ended")
	})
}

// SignIn checks an email and password. Every failure, whatever its cause
// (unknown email, wrong password, disabled account, no password set), is
// ErrBadCredentials and does the same work: one store lookup and one
// password hash (the account's, or a stand-in of the same cost), so that
// timing does not tell which addresses have accounts. Guessing is slowed by
// the Throttle (no lock-out: see Throttle), which answers ErrThrottled
// before any check; a throttled attempt is counted, and only the first of
// each episode is written to the audit log.
func (s *Service) SignIn(ctx context.Context, email, pw, ip string) (*Person, error) {
	const op = "access: sign in"
	e := strings.ToLower(strings.TrimSpace(email))
	if len(e) > 254 {
		e = e[:254]
	}
	ctx = WithClientIP(ctx, ip)
	if !s.Throttle.Allow(e, ip) {
		if first, before := s.Throttle.Refused(e); first {
			detail := "throttled: further attempts in this episode are counted, not logged"
			if before > 0 {
				detail += fmt.Sprintf(" (the previous episode refused %d)", before)
			}
			_ = s.Record(ctx, nil, AuditSignInFailed, "person:"+e, detail)
		}
		return nil, fmt.Errorf("%s: %w", op, ErrThrottled)
	}
	p, err := s.store.PersonByEmail(ctx, e)
	if err != nil && !errors.Is(err, errs.ErrNotFound) {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	found := err == nil
	hash := standInHash()
	if found && p.PasswordHash != "" {
		hash = p.PasswordHash
	}
	ok := VerifyPassword(hash, pw) && found && p.PasswordHash != ""
	if !ok || p.Disabled {
		s.Throttle.Fail(e, ip)
		reason := "wrong password"
		switch {
		case !found:
			reason = "no such account"
		case p.Disabled:
			reason = "account disabled"
		case p.PasswordHash == "":
			reason = "no password set"
		}
		if aerr := s.Record(ctx, nil, AuditSignInFailed, "person:"+e, reason); aerr != nil {
			return nil, fmt.Errorf("%s: %w", op, aerr)
		}
		return nil, fmt.Errorf("%s: %w", op, ErrBadCredentials)
	}
	s.Throttle.Succeed(e, ip)
	if NeedsRehash(p.PasswordHash) {
		if h, err := HashPassword(pw); err == nil {
			_ = s.store.SetPasswordHash(ctx, p.ID, h)
		}
	}
	if err := s.Record(ctx, &p, AuditSignIn, "person:"+p.Email, "password"); err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	return s.load(ctx, p)
}

// ExternalIdentity is a person as an identity provider vouches for them.
type ExternalIdentity struct {
	Issuer        string
	Subject       string
	Email         string
	EmailVerified bool
	Name          string
}

// SignInExternal signs in a person vouched for by an identity provider. The
// person must already exist (an administrator adds them): they are found by
// their linked subject, or the first time by their verified email, which
// links the subject. Unknown or disabled people get errs.ErrForbidden.
func (s *Service) SignInExternal(ctx context.Context, id ExternalIdentity, ip string) (*Person, error) {
	const op = "access: sign in with identity provider"
	ctx = WithClientIP(ctx, ip)
	subject := id.Issuer + "|" + id.Subject
	p, err := s.store.PersonBySubject(ctx, subject)
	if errors.Is(err, errs.ErrNotFound) && id.EmailVerified && id.Email != "" {
		e, nerr := NormaliseEmail(id.Email)
		if nerr != nil {
			return nil, fmt.Errorf("%s: %w", op, nerr)
		}
		p, err = s.store.PersonByEmail(ctx, e)
		if err == nil {
			if p.OIDCSubject != "" && p.OIDCSubject != subject {
				err = fmt.Errorf("%s is linked to another identity: %w", e, errs.ErrForbidden)
			} else {
				p.OIDCSubject = subject
				err = s.store.UpdatePerson(ctx, p)
			}
		}
	}
	if err != nil || p.Disabled {
		_ = s.Record(ctx, nil, AuditSignInFailed, "oidc:"+subject, "not a known, enabled person: "+id.Email)
		return nil, fmt.Errorf("%s: %s is not allowed to sign in here (ask an administrator to add you): %w", op, id.Email, errs.ErrForbidden)
	}
	if err := s.Record(ctx, &p, AuditSignIn, "person:"+p.Email, "oidc "+id.Issuer); err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	return s.load(ctx, p)
}

// SessionMeta describes the browser a session is started for.
type SessionMeta struct {
	IP        string
	UserAgent string
	Method    string // "password" or "oidc"
}

// StartSession starts a new session for a signed-in person and returns its
// secret ID (for the cookie). Any session the browser had is ended by the
// caller (EndSession), so the ID is always renewed on sign-in.
func (s *Service) StartSession(ctx context.Context, p *Person, m SessionMeta) (string, Session, error) {
	const op = "access: start session"
	if !p.SignedIn() {
		return "", Session{}, fmt.Errorf("%s: %w", op, errs.ErrUnauthenticated)
	}
	id, err := newSecret("")
	if err != nil {
		return "", Session{}, fmt.Errorf("%s: %w", op, err)
	}
	csrf, err := newSecret("")
	if err != nil {
		return "", Session{}, fmt.Errorf("%s: %w", op, err)
	}
	now := s.now().UTC()
	ua := m.UserAgent
	if len(ua) > 200 {
		ua = ua[:200]
	}
	sess := Session{Hash: HashSecret(id), PersonID: p.ID, Created: now, LastSeen: now,
		Expires: now.Add(s.Timeouts.Absolute), CSRF: csrf, IP: m.IP, UserAgent: ua, Method: m.Method}
	if err := s.store.CreateSession(ctx, sess); err != nil {
		return "", Session{}, fmt.Errorf("%s: %w", op, err)
	}
	return id, sess, nil
}

// SessionPerson returns the person and session for a session ID, recording
// activity. A missing, expired or disabled person's session wraps
// errs.ErrUnauthenticated (expired ones ErrSessionExpired, and are removed).
func (s *Service) SessionPerson(ctx context.Context, id string) (*Person, Session, error) {
	const op = "access: session"
	if id == "" || len(id) > 100 {
		return nil, Session{}, fmt.Errorf("%s: %w", op, errs.ErrUnauthenticated)
	}
	h := HashSecret(id)
	sess, err := s.store.Session(ctx, h)
	if errors.Is(err, errs.ErrNotFound) {
		return nil, Session{}, fmt.Errorf("%s: %w", op, errs.ErrUnauthenticated)
	}
	if err != nil {
		return nil, Session{}, fmt.Errorf("%s: %w", op, err)
	}
	now := s.now().UTC()
	if !s.Timeouts.live(sess, now) {
		_ = s.store.DeleteSession(ctx, h)
		return nil, Session{}, fmt.Errorf("%s: %w", op, ErrSessionExpired)
	}
	p, err := s.store.Person(ctx, sess.PersonID)
	if err != nil || p.Disabled {
		_ = s.store.DeleteSession(ctx, h)
		return nil, Session{}, fmt.Errorf("%s: %w", op, errs.ErrUnauthenticated)
	}
	if now.Sub(sess.LastSeen) > time.Minute {
		if err := s.store.TouchSession(ctx, h, now); err != nil {
			return nil, Session{}, fmt.Errorf("%s: %w", op, err)
		}
		sess.LastSeen = now
	}
	pp, err := s.load(ctx, p)
	if err != nil {
		return nil, Session{}, fmt.Errorf("%s: %w", op, err)
	}
	return pp, sess, nil
}

// EndSession ends a session (sign-out). Ending an unknown session is not an
// error.
func (s *Service) EndSession(ctx context.Context, id string) error {
	if id == "" {
		return nil
	}
	h := HashSecret(id)
	sess, err := s.store.Session(ctx, h)
	if errors.Is(err, errs.ErrNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("access: end session: %w", err)
	}
	return s.store.InTx(ctx, func(ctx context.Context) error {
		if err := s.store.DeleteSession(ctx, h); err != nil {
			return fmt.Errorf("access: end session: %w", err)
		}
		p, err := s.store.Person(ctx, sess.PersonID)
		if err != nil {
			return nil
		}
		return s.Record(ctx, &p, AuditSignOut, "person:"+p.Email, "")
	})
}

// PruneSessions removes expired sessions and returns how many.
func (s *Service) PruneSessions(ctx context.Context) (int, error) {
	now := s.now().UTC()
	n, err := s.store.DeleteExpiredSessions(ctx, now, now.Add(-s.Timeouts.Idle))
	if err != nil {
		return 0, fmt.Errorf("access: prune sessions: %w", err)
	}
	return n, nil
}

// CreateToken creates a personal API token for the person with this email
// and returns the secret, which is shown once. The actor needs ActAccount on
// their own account, or ActPeopleAdmin for somebody else's.
func (s *Service) CreateToken(ctx context.Context, actor *Person, email, name string) (string, Token, error) {
	const op = "access: create token"
	owner, err := s.tokenOwner(ctx, actor, email)
	if err != nil {
		return "", Token{}, fmt.Errorf("%s: %w", op, err)
	}
	if owner.Disabled {
		return "", Token{}, fmt.Errorf("%s: %s is disabled: %w", op, owner.Email, errs.ErrConflict)
	}
	secret, err := newSecret(TokenPrefix)
	if err != nil {
		return "", Token{}, fmt.Errorf("%s: %w", op, err)
	}
	name = strings.TrimSpace(name)
	if name == "" {
		name = "API token"
	}
	if len(name) > 100 {
		name = name[:100]
	}
	t := Token{PersonID: owner.ID, Name: name, Hint: secret[:len(TokenPrefix)+4], Hash: HashSecret(secret), Created: s.now().UTC()}
	err = s.store.InTx(ctx, func(ctx context.Context) error {
		id, err := s.store.CreateToken(ctx, t)
		if err != nil {
			return err
		}
		t.ID = id
		return s.Record(ctx, actor, AuditTokenCreate, "person:"+owner.Email, fmt.Sprintf("token %d %q", id, name))
	})
	if err != nil {
		return "", Token{}, fmt.Errorf("%s: %w", op, err)
	}
	return secret, t, nil
}

func (s *Service) tokenOwner(ctx context.Context, actor *Person, email string) (Person, error) {
	e, err := NormaliseEmail(email)
	if err != nil {
		return Person{}, err
	}
	if !actor.SignedIn() && actor != System {
		return Person{}, errs.ErrUnauthenticated
	}
	owner, err := s.store.PersonByEmail(ctx, e)
	if err != nil {
		if !Can(actor, ActPeopleAdmin, Resource{Kind: "person"}) {
			return Person{}, errs.ErrForbidden
		}
		return Person{}, fmt.Errorf("person %s: %w", e, err)
	}
	if !Can(actor, ActAccount, Resource{Kind: "token", Owner: owner.ID}) || actor.ID != owner.ID {
		if !Can(actor, ActPeopleAdmin, Resource{Kind: "token", Owner: owner.ID}) {
			return Person{}, errs.ErrForbidden
		}
	}
	return owner, nil
}

// Tokens lists a person's tokens (own, or anyone's for an administrator).
func (s *Service) Tokens(ctx context.Context, actor *Person, email string) ([]Token, error) {
	owner, err := s.tokenOwner(ctx, actor, email)
	if err != nil {
		return nil, fmt.Errorf("access: tokens: %w", err)
	}
	ts, err := s.store.Tokens(ctx, owner.ID)
	if err != nil {
		return nil, fmt.Errorf("access: tokens: %w", err)
	}
	return ts, nil
}

// RevokeToken revokes a token; the actor must own it or hold ActPeopleAdmin.
func (s *Service) RevokeToken(ctx context.Context, actor *Person, id int64) error {
	const op = "access: revoke token"
	t, err := s.store.Token(ctx, id)
	if err != nil {
		return fmt.Errorf("%s %d: %w", op, id, err)
	}
	own := actor.SignedIn() && actor.ID == t.PersonID && Can(actor, ActAccount, Resource{Kind: "token", Owner: t.PersonID})
	if !own {
		if err := Authorize(actor, ActPeopleAdmin, Resource{Kind: "token", Owner: t.PersonID}); err != nil {
			return fmt.Errorf("%s %d: %w", op, id, err)
		}
	}
	if !t.Active() {
		return nil
	}
	return s.store.InTx(ctx, func(ctx context.Context) error {
		if err := s.store.RevokeToken(ctx, id, s.now().UTC()); err != nil {
			return fmt.Errorf("%s %d: %w", op, id, err)
		}
		return s.Record(ctx, actor, AuditTokenRevoke, "token:"+strconv.FormatInt(id, 10), t.Name)
	})
}

// TokenPerson returns the owner of an API token, who acts with exactly their
// own rights. Unknown, revoked and disabled owners' tokens wrap
// errs.ErrUnauthenticated.
func (s *Service) TokenPerson(ctx context.Context, secret string) (*Person, error) {
	const op = "access: token"
	if !looksLikeToken(secret) {
		return nil, fmt.Errorf("%s: %w", op, errs.ErrUnauthenticated)
	}
	t, err := s.store.TokenByHash(ctx, HashSecret(secret))
	if err != nil || !t.Active() {
		if err != nil && !errors.Is(err, errs.ErrNotFound) {
			return nil, fmt.Errorf("%s: %w", op, err)
		}
		return nil, fmt.Errorf("%s: unknown or revoked token: %w", op, errs.ErrUnauthenticated)
	}
	p, err := s.store.Person(ctx, t.PersonID)
	if err != nil || p.Disabled {
		return nil, fmt.Errorf("%s: %w", op, errs.ErrUnauthenticated)
	}
	now := s.now().UTC()
	if now.Sub(t.LastUsed) > time.Minute {
		_ = s.store.TouchToken(ctx, t.ID, now)
	}
	return s.load(ctx, p)
}

// VerifyAudit walks the whole audit log with the audit key and reports the
// first entry at which the chain breaks; with a checkpoint (against, may be
// nil) it also proves that the log still holds that entry unchanged, so that
// nothing before it was removed or changed. The actor needs ActAuditView.
func (s *Service) VerifyAudit(ctx context.Context, actor *Person, against *Checkpoint) (VerifyResult, error) {
	const op = "access: verify audit"
	if err := Authorize(actor, ActAuditView, Resource{Kind: "audit"}); err != nil {
		return VerifyResult{}, fmt.Errorf("%s: %w", op, err)
	}
	v := AuditVerifier{Key: s.auditKey, Against: against}
	after := int64(0)
	for {
		es, err := s.store.AuditEntries(ctx, after, 1000)
		if err != nil {
			return VerifyResult{}, fmt.Errorf("%s: %w", op, err)
		}
		for _, e := range es {
			if b := v.Next(e); b != nil {
				return VerifyResult{Entries: v.Count(), HeadSeq: v.HeadSeq(), Head: v.Head(), Break: b}, nil
			}
		}
		if len(es) < 1000 {
			return VerifyResult{Entries: v.Count(), HeadSeq: v.HeadSeq(), Head: v.Head(), Break: v.Finish()}, nil
		}
		after = es[len(es)-1].Seq
	}
}

// AuditCheckpoint verifies the log and returns its head, for recording
// somewhere the database's keepers cannot change. A broken log has no
// checkpoint: the error names the break.
func (s *Service) AuditCheckpoint(ctx context.Context, actor *Person) (Checkpoint, error) {
	res, err := s.VerifyAudit(ctx, actor, nil)
	if err != nil {
		return Checkpoint{}, err
	}
	if !res.OK() {
		return Checkpoint{}, fmt.Errorf("access: audit checkpoint: %w", res.Break)
	}
	return Checkpoint{Seq: res.HeadSeq, Hash: res.Head}, nil
}

// SealAudit keys a log written before the audit was keyed: when the newest
// entry is in the legacy (unkeyed) form, it appends a keyed entry whose
// hash covers the legacy head, so that from now on the legacy entries
// cannot be changed without the key either. It does nothing to a keyed or
// empty log.
func (s *Service) SealAudit(ctx context.Context) error {
	last, err := s.store.LastAudit(ctx)
	if errors.Is(err, errs.ErrNotFound) || err == nil && last.Keyed() {
		return nil
	}
	if err != nil {
		return fmt.Errorf("access: seal audit: %w", err)
	}
	return s.Record(ctx, System, AuditKeyed, "audit", fmt.Sprintf("the log is keyed from here; the %d entries before were written unkeyed and are sealed by this one", last.Seq))
}

// AuditLog returns up to limit entries after seq; the actor needs ActAuditView.
func (s *Service) AuditLog(ctx context.Context, actor *Person, after int64, limit int) ([]AuditEntry, error) {
	if err := Authorize(actor, ActAuditView, Resource{Kind: "audit"}); err != nil {
		return nil, fmt.Errorf("access: audit log: %w", err)
	}
	if limit <= 0 || limit > 1000 {
		limit = 200
	}
	es, err := s.store.AuditEntries(ctx, after, limit)
	if err != nil {
		return nil, fmt.Errorf("access: audit log: %w", err)
	}
	return es, nil
}
