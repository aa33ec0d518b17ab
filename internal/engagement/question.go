package engagement

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"ccg/internal/errs"
	"ccg/internal/stats"
)

// QuestionKind says whether a member asks a question or raises a concern.
type QuestionKind string

// The kinds of thing a member may put to a body.
const (
	KindQuestion QuestionKind = "question"
	KindConcern  QuestionKind = "concern"
)

// QuestionStatus is where a question or concern is in its life:
//
//	submitted → acknowledged → assigned → answered → published
//	                              ↺ (reassigned)    (unless private)
type QuestionStatus string

// The states of a question or concern.
const (
	QSubmitted    QuestionStatus = "submitted"
	QAcknowledged QuestionStatus = "acknowledged"
	QAssigned     QuestionStatus = "assigned"
	QAnswered     QuestionStatus = "answered"
	QPublished    QuestionStatus = "published"
)

// QuestionStatuses lists the states in order.
var QuestionStatuses = []QuestionStatus{QSubmitted, QAcknowledged, QAssigned, QAnswered, QPublished}

var questionMoves = map[QuestionStatus][]QuestionStatus{
	QSubmitted:    {QAcknowledged},
	QAcknowledged: {QAssigned},
	QAssigned:     {QAssigned, QAnswered},
	QAnswered:     {QPublished},
	QPublished:    nil,
}

// Label gives a plain-language name.
func (s QuestionStatus) Label() string {
	switch s {
	case QSubmitted:
		return "sent, waiting to be acknowledged"
	case QAcknowledged:
		return "acknowledged"
	case QAssigned:
		return "with someone to answer"
	case QAnswered:
		return "answered"
	case QPublished:
		return "answered and published"
	}
	return string(s)
}

// Question is a question or concern a member puts to the governing body or
// their locality. It is published with its answer unless the member asked
// for it to be private.
type Question struct {
	ID       int64        `json:"id"`
	Kind     QuestionKind `json:"kind"`
	Asker    PersonID     `json:"asker"`
	Practice string       `json:"practice,omitempty"`
	// To is the body asked: governance's body ID, such as "governing-body"
	// or a locality group's.
	To      string `json:"to"`
	Subject string `json:"subject"`
	Text    string `json:"text"`
	// Private questions are answered but never published.
	Private    bool           `json:"private"`
	Status     QuestionStatus `json:"status"`
	AssignedTo PersonID       `json:"assigned_to,omitempty"`
	Answer     string         `json:"answer,omitempty"`
	AnsweredBy PersonID       `json:"answered_by,omitempty"`

	Submitted    time.Time `json:"submitted"`
	Acknowledged time.Time `json:"acknowledged"`
	Assigned     time.Time `json:"assigned"`
	Answered     time.Time `json:"answered"`
	Published    time.Time `json:"published"`
}

// Validate checks a new question or concern.
func (q Question) Validate() error {
	var miss []string
	if q.Kind != KindQuestion && q.Kind != KindConcern {
		miss = append(miss, "whether it is a question or a concern")
	}
	if q.Asker == 0 {
		miss = append(miss, "who is asking")
	}
	if strings.TrimSpace(q.To) == "" {
		miss = append(miss, "who it is for")
	}
	if strings.TrimSpace(q.Subject) == "" {
		miss = append(miss, "a subject")
	}
	if strings.TrimSpace(q.Text) == "" {
		miss = append(miss, "the question or concern itself")
	}
	if len(miss) > 0 {
		return fmt.Errorf("engagement: question: please give %s: %w", strings.Join(miss, ", "), errs.ErrInvalid)
	}
	if utf8.RuneCountInString(q.Text) > MaxTextLen {
		return fmt.Errorf("engagement: question: please keep it to %d characters: %w", MaxTextLen, errs.ErrInvalid)
	}
	return nil
}

// CheckMove checks that q may move to state to, with what that move needs
// (an assignee, an answer, not being private), wrapping errs.ErrInvalid.
func (q Question) CheckMove(to QuestionStatus) error {
	ok := false
	for _, n := range questionMoves[q.Status] {
		ok = ok || n == to
	}
	if !ok {
		return fmt.Errorf("engagement: question %d: a question that is %s cannot become %s: %w", q.ID, q.Status.Label(), to.Label(), errs.ErrInvalid)
	}
	switch to {
	case QAssigned:
		if q.AssignedTo == 0 {
			return fmt.Errorf("engagement: question %d: say who is to answer it: %w", q.ID, errs.ErrInvalid)
		}
	case QAnswered:
		if strings.TrimSpace(q.Answer) == "" || q.AnsweredBy == 0 {
			return fmt.Errorf("engagement: question %d: an answer and who gave it are needed: %w", q.ID, errs.ErrInvalid)
		}
	case QPublished:
		if q.Private {
			return fmt.Errorf("engagement: question %d: the member asked for it to be private, so it is not published: %w", q.ID, errs.ErrInvalid)
		}
	}
	return nil
}

// Open reports whether q is still waiting for its answer.
func (q Question) Open() bool { return q.Status != QAnswered && q.Status != QPublished }

// TimeToAcknowledge returns how long acknowledging took, and false if it
// has not been acknowledged.
func (q Question) TimeToAcknowledge() (time.Duration, bool) {
	if q.Acknowledged.IsZero() || q.Submitted.IsZero() {
		return 0, false
	}
	return q.Acknowledged.Sub(q.Submitted), true
}

// TimeToAnswer returns how long answering took, and false if it has not
// been answered.
func (q Question) TimeToAnswer() (time.Duration, bool) {
	if q.Answered.IsZero() || q.Submitted.IsZero() {
		return 0, false
	}
	return q.Answered.Sub(q.Submitted), true
}

// AnswerTimes are the dashboard figures for one body (or, with Body "",
// for all). Medians are in hours (stats.Quantile, type 7); Has* is false
// when nothing has been acknowledged or answered yet.
type AnswerTimes struct {
	Body                 string  `json:"body"`
	Asked                int     `json:"asked"`
	Open                 int     `json:"open"`
	Answered             int     `json:"answered"`
	MedianAcknowledgeHrs float64 `json:"median_acknowledge_hours"`
	HasMedianAcknowledge bool    `json:"has_median_acknowledge"`
	MedianAnswerHrs      float64 `json:"median_answer_hours"`
	HasMedianAnswer      bool    `json:"has_median_answer"`
	OldestOpenHrs        float64 `json:"oldest_open_hours"`
}

// Dashboard is the open questions and answer times, overall and by body.
type Dashboard struct {
	Overall  AnswerTimes            `json:"overall"`
	Bodies   []AnswerTimes          `json:"bodies"`
	ByStatus map[QuestionStatus]int `json:"by_status"`
}

// BuildDashboard works out the dashboard from every question at time now.
// Private questions count (their contents are not shown).
func BuildDashboard(qs []Question, now time.Time) Dashboard {
	d := Dashboard{ByStatus: map[QuestionStatus]int{}}
	byBody := map[string][]Question{}
	for _, q := range qs {
		d.ByStatus[q.Status]++
		byBody[q.To] = append(byBody[q.To], q)
	}
	d.Overall = answerTimes("", qs, now)
	bodies := make([]string, 0, len(byBody))
	for b := range byBody {
		bodies = append(bodies, b)
	}
	sort.Strings(bodies)
	for _, b := range bodies {
		d.Bodies = append(d.Bodies, answerTimes(b, byBody[b], now))
	}
	return d
}

func answerTimes(body string, qs []Question, now time.Time) AnswerTimes {
	t := AnswerTimes{Body: body, Asked: len(qs)}
	var ack, ans []float64
	for _, q := range qs {
		if q.Open() {
			t.Open++
			if age := now.Sub(q.Submitted).Hours(); age > t.OldestOpenHrs {
				t.OldestOpenHrs = age
			}
		} else {
			t.Answered++
		}
		if dur, ok := q.TimeToAcknowledge(); ok {
			ack = append(ack, dur.Hours())
		}
		if dur, ok := q.TimeToAnswer(); ok {
			ans = append(ans, dur.Hours())
		}
	}
	if m := stats.Quantile(ack, 0.5); !math.IsNaN(m) {
		t.MedianAcknowledgeHrs, t.HasMedianAcknowledge = m, true
	}
	if m := stats.Quantile(ans, 0.5); !math.IsNaN(m) {
		t.MedianAnswerHrs, t.HasMedianAnswer = m, true
	}
	return t
}
