package governance

import (
	"strings"

	"ccg/internal/calendar"
)

// Paper is a paper for an agenda item.
type Paper struct {
	Title string `json:"title"`
	// Ref locates the paper (a document id or a public address).
	Ref string `json:"ref"`
}

// AgendaItem is one item on a meeting's agenda.
type AgendaItem struct {
	No    int    `json:"no"`
	Title string `json:"title"`
	// Decision links the decision record the item decides (0: for information).
	Decision int64 `json:"decision,omitempty"`
	// Organisations are what the item concerns, for flagging conflicts.
	Organisations []string `json:"organisations,omitempty"`
	Papers        []Paper  `json:"papers,omitempty"`
	// Check is the conflicts and quorum result recorded when the item was taken.
	Check *ItemCheck `json:"check,omitempty"`
}

// Declaration is an interest declared at a meeting.
type Declaration struct {
	Person     PersonID `json:"person"`
	Name       string   `json:"name,omitempty"`
	Item       int      `json:"item"` // agenda item number; 0 for the whole meeting
	InterestID int64    `json:"interest_id,omitempty"`
	Text       string   `json:"text"`
}

// Minute is the minute of one item (item 0 for the meeting as a whole).
type Minute struct {
	Item int    `json:"item"`
	Text string `json:"text"`
}

// Action is an action from a meeting, with an owner and a due date.
type Action struct {
	Item  int      `json:"item"`
	Text  string   `json:"text"`
	Owner PersonID `json:"owner"`
	// OwnerName is the owner's name, for the minutes.
	OwnerName string        `json:"owner_name,omitempty"`
	Due       calendar.Date `json:"due"`
	Done      calendar.Date `json:"done"`
}

// Meeting is a meeting of a body.
type Meeting struct {
	ID           int64         `json:"id"`
	Body         BodyID        `json:"body"`
	Date         calendar.Date `json:"date"`
	Title        string        `json:"title"`
	Location     string        `json:"location,omitempty"`
	Public       bool          `json:"public"`
	Agenda       []AgendaItem  `json:"agenda"`
	Attendance   []Attendee    `json:"attendance"`
	Apologies    []Seat        `json:"apologies,omitempty"`
	InAttendance []string      `json:"in_attendance,omitempty"` // non-members present
	Declarations []Declaration `json:"declarations,omitempty"`
	Minutes      []Minute      `json:"minutes,omitempty"`
	Actions      []Action      `json:"actions,omitempty"`
}

// Item returns agenda item no.
func (m Meeting) Item(no int) (AgendaItem, bool) {
	for _, it := range m.Agenda {
		if it.No == no {
			return it, true
		}
	}
	return AgendaItem{}, false
}

// Inquorate reports whether any item was found inquorate when taken.
func (m Meeting) Inquorate() bool {
	for _, it := range m.Agenda {
		if it.Check != nil && !it.Check.Quorum.Quorate {
			return true
		}
	}
	return false
}

// Validate checks the meeting names its body, date and title, and that its
// actions have owners and due dates.
func (m Meeting) Validate() error {
	if m.Body == "" || m.Date.IsZero() || strings.TrimSpace(m.Title) == "" {
		return invalid("governance: meeting: the body, date and title are required")
	}
	seen := map[int]bool{}
	for _, it := range m.Agenda {
		if it.No <= 0 || seen[it.No] {
			return invalid("governance: meeting %q: agenda items need distinct numbers from 1", m.Title)
		}
		seen[it.No] = true
	}
	for _, a := range m.Actions {
		if strings.TrimSpace(a.Text) == "" || a.Owner == 0 || a.Due.IsZero() {
			return invalid("governance: meeting %q: every action needs text, an owner and a due date", m.Title)
		}
	}
	return nil
}
