package engagement

import (
	"fmt"
	"math"
	"strings"
	"time"
	"unicode/utf8"

	"ccg/internal/calendar"
	"ccg/internal/errs"
	"ccg/internal/stats"
)

// NotAnonymousNotice is the text pages show beside a consultation's
// response form: consultation responses, unlike survey answers, are not
// anonymous.
const NotAnonymousNotice = "Your response is not anonymous. The CCG keeps your name with your position and comment " +
	"so that each member has one say, which you can change until the consultation closes. The counts of " +
	"positions are published; your comment may be quoted in the \"you said, we did\" statement without your name."

// Position is a member's position on a consulted proposal.
type Position string

// The positions a member may take.
const (
	Support Position = "support"
	Oppose  Position = "oppose"
	Neutral Position = "neutral"
)

// Positions lists the positions in the order pages show them.
var Positions = []Position{Support, Oppose, Neutral}

// Valid reports whether p is a position.
func (p Position) Valid() bool { return p == Support || p == Oppose || p == Neutral }

// Label gives a plain-language name.
func (p Position) Label() string {
	switch p {
	case Support:
		return "Support"
	case Oppose:
		return "Oppose"
	case Neutral:
		return "Neither support nor oppose"
	}
	return string(p)
}

// Decision states (as governance names them) in which a consultation may
// be opened on a decision.
const (
	DecisionProposed     = "proposed"
	DecisionConsultation = "consultation"
)

// DecisionRef is what engagement needs to know of a decision record.
type DecisionRef struct {
	ID     DecisionID `json:"id"`
	Title  string     `json:"title"`
	Status string     `json:"status"`
}

// Consultation asks members about a proposed decision.
type Consultation struct {
	ID       int64      `json:"id"`
	Decision DecisionID `json:"decision"`
	// Title is the decision's title when the consultation opened.
	Title    string `json:"title"`
	Question string `json:"question"`
	// Proposal describes what is proposed; Options, when given, are the
	// alternatives a member may prefer.
	Proposal string   `json:"proposal"`
	Options  []Option `json:"options,omitempty"`
	// Opens is the first day responses are taken; Closes the first day
	// they no longer are (half-open; the last day to respond is Closes − 1).
	Opens    calendar.Date `json:"opens"`
	Closes   calendar.Date `json:"closes"`
	OpenedBy PersonID      `json:"opened_by"`
	// YouSaidWeDid says what members said and what the CCG did about it;
	// the decision cannot be published without it.
	YouSaidWeDid   string        `json:"you_said_we_did,omitempty"`
	YouSaidWeDidBy PersonID      `json:"you_said_we_did_by,omitempty"`
	YouSaidWeDidOn calendar.Date `json:"you_said_we_did_on"`
}

// Validate checks a new consultation.
func (c Consultation) Validate() error {
	var miss []string
	if c.Decision <= 0 {
		miss = append(miss, "the decision it is about")
	}
	if strings.TrimSpace(c.Question) == "" {
		miss = append(miss, "the question to members")
	}
	if strings.TrimSpace(c.Proposal) == "" && len(c.Options) == 0 {
		miss = append(miss, "the proposal or the options")
	}
	if c.OpenedBy == 0 {
		miss = append(miss, "who opens it")
	}
	if len(miss) > 0 {
		return fmt.Errorf("engagement: consultation: please give %s: %w", strings.Join(miss, ", "), errs.ErrInvalid)
	}
	if c.Opens.IsZero() || c.Closes.IsZero() || !c.Opens.Before(c.Closes) {
		return fmt.Errorf("engagement: consultation: it needs an opening date and a later closing date: %w", errs.ErrInvalid)
	}
	if len(c.Options) == 1 {
		return fmt.Errorf("engagement: consultation: give at least two options, or none: %w", errs.ErrInvalid)
	}
	seen := map[string]bool{}
	for _, o := range c.Options {
		if !idPattern.MatchString(o.ID) || seen[o.ID] || strings.TrimSpace(o.Label) == "" {
			return fmt.Errorf("engagement: consultation: option %q needs a unique lower-case ID and a label: %w", o.ID, errs.ErrInvalid)
		}
		seen[o.ID] = true
	}
	return nil
}

// OpenOn reports whether the consultation takes responses on day d.
func (c Consultation) OpenOn(d calendar.Date) bool {
	return !c.Opens.IsZero() && d.Within(c.Opens, c.Closes)
}

// ClosedOn reports whether the consultation has closed by day d.
func (c Consultation) ClosedOn(d calendar.Date) bool {
	return !c.Closes.IsZero() && !d.Before(c.Closes)
}

// ConsultationResponse is one member's response. There is at most one per
// person per consultation: responding again replaces it (an upsert keyed
// by consultation and person) until the consultation closes.
type ConsultationResponse struct {
	Consultation int64    `json:"consultation"`
	Person       PersonID `json:"person"`
	// Practice is the member practice the person responds from, if any.
	Practice string   `json:"practice,omitempty"`
	Position Position `json:"position"`
	// Option is the option preferred, when the consultation has options.
	Option  string    `json:"option,omitempty"`
	Comment string    `json:"comment,omitempty"`
	Created time.Time `json:"created"`
	Updated time.Time `json:"updated"`
}

// CheckResponse checks that r may be recorded on day d.
func (c Consultation) CheckResponse(r ConsultationResponse, d calendar.Date) error {
	switch {
	case r.Person == 0:
		return fmt.Errorf("engagement: consultation %d: sign in to respond: %w", c.ID, errs.ErrUnauthenticated)
	case d.Before(c.Opens):
		return fmt.Errorf("engagement: consultation %d: it opens on %s: %w", c.ID, c.Opens, errs.ErrConflict)
	case c.ClosedOn(d):
		return fmt.Errorf("engagement: consultation %d: it closed on %s, so responses can no longer be changed: %w", c.ID, c.Closes, errs.ErrConflict)
	case !r.Position.Valid():
		return fmt.Errorf("engagement: consultation %d: choose support, oppose or neutral: %w", c.ID, errs.ErrInvalid)
	case utf8.RuneCountInString(r.Comment) > MaxTextLen:
		return fmt.Errorf("engagement: consultation %d: please keep the comment to %d characters: %w", c.ID, MaxTextLen, errs.ErrInvalid)
	}
	if r.Option != "" && optionIndex(Item{Options: c.Options}, r.Option) < 0 {
		return fmt.Errorf("engagement: consultation %d: %q is not one of the options: %w", c.ID, r.Option, errs.ErrInvalid)
	}
	return nil
}

// Count is a count with its share of all responses as a percentage.
type Count struct {
	Key     string  `json:"key"`
	Label   string  `json:"label"`
	Count   int     `json:"count"`
	Percent float64 `json:"percent"`
}

// Summary is a consultation's result: positions (and preferred options)
// counted, with percentages of all responses. Responses are not anonymous,
// so counts are not suppressed.
type Summary struct {
	Responses int     `json:"responses"`
	Positions []Count `json:"positions"`
	Options   []Count `json:"options,omitempty"`
	// NoOption counts responses preferring no option.
	NoOption int `json:"no_option,omitempty"`
	Comments int `json:"comments"`
}

// Summarise counts a consultation's responses.
func Summarise(c Consultation, rs []ConsultationResponse) Summary {
	s := Summary{Responses: len(rs)}
	pos := map[Position]int{}
	opt := map[string]int{}
	for _, r := range rs {
		pos[r.Position]++
		if r.Option == "" {
			if len(c.Options) > 0 {
				s.NoOption++
			}
		} else {
			opt[r.Option]++
		}
		if strings.TrimSpace(r.Comment) != "" {
			s.Comments++
		}
	}
	for _, p := range Positions {
		s.Positions = append(s.Positions, Count{Key: string(p), Label: p.Label(), Count: pos[p], Percent: percent(pos[p], len(rs))})
	}
	for _, o := range c.Options {
		s.Options = append(s.Options, Count{Key: o.ID, Label: o.Label, Count: opt[o.ID], Percent: percent(opt[o.ID], len(rs))})
	}
	return s
}

// percent is x/n as a percentage (stats.Proportion), 0 when n is 0.
func percent(x, n int) float64 {
	if n <= 0 {
		return 0
	}
	e := stats.Proportion(float64(x), float64(n), 0.95, 100)
	if math.IsNaN(e.Value) {
		return 0
	}
	return e.Value
}

// PublishBlocked is CheckPublish's refusal. Reason says in plain words
// what must happen before the decision is published; it wraps
// errs.ErrInvalid.
type PublishBlocked struct {
	Decision DecisionID
	// Consultation is the consultation that holds the decision back.
	Consultation int64
	Reason       string
}

// Error names the decision and the reason.
func (e *PublishBlocked) Error() string {
	return fmt.Sprintf("engagement: decision %d: %s", e.Decision, e.Reason)
}

// Unwrap returns errs.ErrInvalid.
func (e *PublishBlocked) Unwrap() error { return errs.ErrInvalid }

// CheckPublish is the "you said, we did" gate: it refuses (a
// *PublishBlocked, wrapping errs.ErrInvalid) to let a decision be published
// on day d while any of its consultations cs is still open, or when any
// lacks a "you said, we did" statement. A decision without consultations
// passes.
func CheckPublish(decision DecisionID, cs []Consultation, d calendar.Date) error {
	for _, c := range cs {
		if c.Decision != decision {
			continue
		}
		if !c.ClosedOn(d) {
			return &PublishBlocked{Decision: decision, Consultation: c.ID, Reason: fmt.Sprintf(
				"members are being consulted on it (%q) until %s, and it cannot be published before the consultation closes.",
				c.Question, c.Closes.AddDays(-1))}
		}
		if strings.TrimSpace(c.YouSaidWeDid) == "" {
			return &PublishBlocked{Decision: decision, Consultation: c.ID, Reason: fmt.Sprintf(
				"members were consulted on it (%q), so its consultation must say \"you said, we did\" before it is published.",
				c.Question)}
		}
	}
	return nil
}
