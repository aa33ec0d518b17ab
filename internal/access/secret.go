package access

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"
	"time"
)

// newSecret returns prefix + 32 random bytes in unpadded URL-safe base64.
func newSecret(prefix string) (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("access: random: %w", err)
	}
	return prefix + base64.RawURLEncoding.EncodeToString(b), nil
}

// HashSecret returns the hex SHA-256 of a session ID or API token: only this
// is stored, so a copy of the database does not let anyone sign in.
func HashSecret(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

// TokenPrefix starts every personal API token, so that leaked tokens are easy
// to recognise (and scan for).
const TokenPrefix = "ccg_"

// Token is a personal API token. The secret itself is shown once, when it is
// created, and never stored.
type Token struct {
	ID       int64     `json:"id"`
	PersonID int64     `json:"person_id"`
	Name     string    `json:"name"` // what it is for, given by its owner
	Hint     string    `json:"hint"` // the first characters, to tell tokens apart
	Hash     string    `json:"-"`    // hex SHA-256 of the token
	Created  time.Time `json:"created"`
	LastUsed time.Time `json:"last_used,omitzero"`
	Revoked  time.Time `json:"revoked,omitzero"` // zero while the token works
}

// Active reports whether the token has not been revoked.
func (t Token) Active() bool { return t.Revoked.IsZero() }

// looksLikeToken reports whether s could be a token (cheap check before any
// store lookup).
func looksLikeToken(s string) bool {
	return strings.HasPrefix(s, TokenPrefix) && len(s) == len(TokenPrefix)+43
}

// Session is a signed-in browser. Its ID travels in a cookie; only the ID's
// hash is stored.
type Session struct {
	Hash     string    `json:"-"`
	PersonID int64     `json:"person_id"`
	Created  time.Time `json:"created"`
	LastSeen time.Time `json:"last_seen"`
	// Expires is the absolute end, however active the session is.
	Expires time.Time `json:"expires"`
	// CSRF is the session's anti-forgery token (synchroniser token),
	// embedded in every form and checked on every state-changing request.
	CSRF string `json:"-"`
	// IP and UserAgent are as seen at sign-in, for the account page.
	IP        string `json:"ip,omitempty"`
	UserAgent string `json:"user_agent,omitempty"`
	// Method is how the person signed in: "password" or "oidc".
	Method string `json:"method"`
}

// Session timeout defaults.
const (
	DefaultIdleTimeout     = 30 * time.Minute
	DefaultAbsoluteTimeout = 12 * time.Hour
)

// SessionTimeouts bound how long a session lasts.
type SessionTimeouts struct {
	Idle     time.Duration
	Absolute time.Duration
}

// live reports whether s is still usable at now.
func (t SessionTimeouts) live(s Session, now time.Time) bool {
	return now.Before(s.Expires) && now.Sub(s.LastSeen) < t.Idle
}
