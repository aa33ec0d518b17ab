package mail

import (
	"fmt"
	"net/mail"
	"strings"
	"time"

	"ccg/internal/errs"
)

// Kind is what a message is for. People unsubscribe from a kind.
type Kind string

// The kinds of message ccg sends.
const (
	KindSurveyInvitation Kind = "survey-invitation"
	KindVoteOpened       Kind = "vote-opened"
	KindVoteClosing      Kind = "vote-closing"
	KindDeclarationDue   Kind = "declaration-due"
	KindAgendaConflict   Kind = "agenda-conflict"
	KindQuestionAnswered Kind = "question-answered"
	KindYouSaidWeDid     Kind = "you-said-we-did"
	KindMonthlyAlert     Kind = "monthly-alert"
	KindConfirm          Kind = "subscription-confirm"
)

// Kinds lists every kind with the words a preferences page shows.
var Kinds = []struct {
	Kind  Kind
	Label string
}{
	{KindSurveyInvitation, "Invitations to member surveys"},
	{KindVoteOpened, "Member votes opening"},
	{KindVoteClosing, "Reminders before a member vote closes"},
	{KindDeclarationDue, "Yearly declaration of interests"},
	{KindAgendaConflict, "Meeting items where your interests may conflict"},
	{KindQuestionAnswered, "Answers to questions you asked"},
	{KindYouSaidWeDid, "What was done after a consultation you answered"},
	{KindMonthlyAlert, "Monthly prescribing alerts"},
}

// Label returns the words for a kind ("" for an unknown one).
func (k Kind) Label() string {
	for _, x := range Kinds {
		if x.Kind == k {
			return x.Label
		}
	}
	return ""
}

// Status is where a message is in the outbox.
type Status string

// The statuses.
const (
	// StatusPending: waiting to be sent (first time or again after a failure).
	StatusPending Status = "pending"
	// StatusSending: claimed by a worker, whose lease runs until LeaseUntil.
	StatusSending Status = "sending"
	// StatusSent: the mail server accepted it.
	StatusSent Status = "sent"
	// StatusFailed: every attempt failed; an administrator may retry it.
	StatusFailed Status = "failed"
)

// Message is one e-mail in the outbox.
type Message struct {
	ID int64 `json:"id"`
	// Kind is what it is for; Key makes it unique: a message whose key is
	// already queued is not queued again (so a reminder goes out once).
	Kind    Kind   `json:"kind"`
	Key     string `json:"key"`
	To      string `json:"to"`
	Subject string `json:"subject"`
	Text    string `json:"text"`
	HTML    string `json:"html"`
	// Unsubscribe is the one-click unsubscribe address (RFC 8058).
	Unsubscribe string `json:"unsubscribe,omitempty"`
	// Secret marks a message holding a personal secret (a survey link): its
	// body is never shown and is wiped once sent.
	Secret bool `json:"secret"`

	Status      Status    `json:"status"`
	Attempts    int       `json:"attempts"`
	NextAttempt time.Time `json:"next_attempt"`
	LeaseUntil  time.Time `json:"lease_until"`
	ClaimedBy   string    `json:"claimed_by,omitempty"`
	LastError   string    `json:"last_error,omitempty"`
	Created     time.Time `json:"created"`
	Sent        time.Time `json:"sent"`
	// Expires, when set, is when an unsent message stops being worth
	// sending: it is then marked failed and, if secret, wiped.
	Expires time.Time `json:"expires"`
}

// wiped replaces a secret message's body once it has been sent; expired
// once it can no longer be.
const (
	wiped   = "(This message held a personal link. It was removed once the message was sent.)"
	expired = "(This message held a personal link. It was removed when the message expired unsent.)"
)

// Redacted returns the message as an administrator may see it: a secret
// message without its body.
func (m Message) Redacted() Message {
	if m.Secret {
		m.Text = "(This message holds a personal link for its recipient only, so it is not shown.)"
		m.HTML = ""
	}
	return m
}

// Validate checks a message before it is queued.
func (m Message) Validate() error {
	switch {
	case m.Kind == "" || m.Key == "":
		return fmt.Errorf("mail: a message needs a kind and a key: %w", errs.ErrInvalid)
	case strings.TrimSpace(m.Subject) == "" || strings.TrimSpace(m.Text) == "":
		return fmt.Errorf("mail: %s to %s: a message needs a subject and a text: %w", m.Kind, m.To, errs.ErrInvalid)
	}
	_, err := ParseAddress(m.To)
	return err
}

// ParseAddress checks one e-mail address (a bare address, no display name)
// and returns it in lower case.
func ParseAddress(addr string) (string, error) {
	addr = strings.TrimSpace(addr)
	a, err := mail.ParseAddress(addr)
	if err != nil || a.Address != addr || a.Name != "" || strings.ContainsAny(addr, "\r\n") {
		return "", fmt.Errorf("mail: %q is not an e-mail address: %w", addr, errs.ErrInvalid)
	}
	return strings.ToLower(addr), nil
}
