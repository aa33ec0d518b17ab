package engagement

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"

	"ccg/internal/calendar"
	"ccg/internal/errs"
)

// Survey is an engagement survey: a questionnaire run in waves. The
// questionnaire cannot change once a wave has been sent out, so that waves
// compare like with like.
type Survey struct {
	ID            int64         `json:"id"`
	Title         string        `json:"title"`
	Questionnaire Questionnaire `json:"questionnaire"`
	Created       calendar.Date `json:"created"`
	CreatedBy     PersonID      `json:"created_by"`
}

// Wave is one run of a survey (for example "December 2024") to the people
// of every member practice.
type Wave struct {
	ID     int64  `json:"id"`
	Survey int64  `json:"survey"`
	Name   string `json:"name"`
	// Opens is the first day answers are taken; Closes the first day they
	// no longer are (half-open, as every interval in ccg: a page shows the
	// last day to answer as Closes − 1).
	Opens  calendar.Date `json:"opens"`
	Closes calendar.Date `json:"closes"`
	// Invited is how many invitations were issued (0: none yet).
	Invited int `json:"invited"`
}

// Validate checks a new wave.
func (w Wave) Validate() error {
	if strings.TrimSpace(w.Name) == "" {
		return fmt.Errorf("engagement: wave: please give it a name, such as \"December 2024\": %w", errs.ErrInvalid)
	}
	if w.Opens.IsZero() || w.Closes.IsZero() || !w.Opens.Before(w.Closes) {
		return fmt.Errorf("engagement: wave %q: it needs an opening date and a later closing date: %w", w.Name, errs.ErrInvalid)
	}
	return nil
}

// OpenOn reports whether the wave takes answers on day d.
func (w Wave) OpenOn(d calendar.Date) bool { return d.Within(w.Opens, w.Closes) && !w.Opens.IsZero() }

// ClosedOn reports whether the wave has closed by day d: it takes no more
// answers, so its results are final and may be published. Before then they
// are held, so that nobody can learn one person's answers by comparing
// what was shown before and after they answered.
func (w Wave) ClosedOn(d calendar.Date) bool { return !w.Closes.IsZero() && !d.Before(w.Closes) }

// Invitee is a person to invite to a wave, with their class as at the wave
// (worked out by the caller from their roles and practice). Person is used
// only to hand the token back; it is never stored with the token.
type Invitee struct {
	Person   PersonID `json:"person"`
	Practice string   `json:"practice"`
	Class    Class    `json:"class"`
}

// IssuedToken is a token to send to one person. It is returned once and
// never stored: losing it means the person cannot answer this wave.
type IssuedToken struct {
	Person PersonID `json:"person"`
	Token  string   `json:"token"`
}

// Invitation is what is stored for one unused token: its hash and the
// (coarsened) class of whoever holds it. It has no person, no practice and
// no time, by design (see the package documentation).
type Invitation struct {
	Wave      int64  `json:"wave"`
	TokenHash string `json:"token_hash"`
	Class     Class  `json:"class"`
}

// Response is one returned questionnaire as stored: the class and the
// answers, with no link to a person, a practice, a token or a time.
type Response struct {
	Wave        int64       `json:"wave"`
	Class       Class       `json:"class"`
	Disposition Disposition `json:"disposition"`
	Answers     Answers     `json:"answers"`
}

// PracticeTally is the count kept against a practice's name for a wave:
// how many were invited and how many returned the questionnaire, by
// disposition.
type PracticeTally struct {
	Practice string `json:"practice"`
	Locality string `json:"locality,omitempty"`
	Invited  int    `json:"invited"`
	Complete int    `json:"complete"`
	Partial  int    `json:"partial"`
	BreakOff int    `json:"break_off"`
}

// ClassTally is how many people of a (coarsened) class were invited to a
// wave: the denominator of response rates by role, leadership and size.
type ClassTally struct {
	Class   Class `json:"class"`
	Invited int   `json:"invited"`
}

// tokenBytes is the number of random bytes in a token's secret.
const tokenBytes = 32

var practicePattern = regexp.MustCompile(`^[A-Z0-9]{3,10}$`)

// NewToken returns a new single-use token for wave and practice, reading
// the secret from random (crypto/rand.Reader in production), and the hash
// to store. The token reads "wave.practice.secret".
func NewToken(random io.Reader, wave int64, practice string) (token, hash string, err error) {
	if wave <= 0 || !practicePattern.MatchString(practice) {
		return "", "", fmt.Errorf("engagement: new token: wave %d, practice %q: %w", wave, practice, errs.ErrInvalid)
	}
	b := make([]byte, tokenBytes)
	if _, err := io.ReadFull(random, b); err != nil {
		return "", "", fmt.Errorf("engagement: new token: %w", err)
	}
	token = strconv.FormatInt(wave, 10) + "." + practice + "." + base64.RawURLEncoding.EncodeToString(b)
	return token, HashToken(token), nil
}

// HashToken returns the hex SHA-256 of a token, the only form stored.
func HashToken(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

// ParseToken reads the wave and practice from a token. It checks the form
// only; whether the token is genuine is decided by looking its hash up.
func ParseToken(token string) (wave int64, practice string, err error) {
	parts := strings.Split(token, ".")
	bad := fmt.Errorf("engagement: this survey link is not valid: %w", errs.ErrNotFound)
	if len(parts) != 3 {
		return 0, "", bad
	}
	wave, err = strconv.ParseInt(parts[0], 10, 64)
	if err != nil || wave <= 0 || !practicePattern.MatchString(parts[1]) {
		return 0, "", bad
	}
	if b, err := base64.RawURLEncoding.DecodeString(parts[2]); err != nil || len(b) != tokenBytes {
		return 0, "", bad
	}
	return wave, parts[1], nil
}
