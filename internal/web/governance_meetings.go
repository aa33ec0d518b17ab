package web

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"ccg/internal/governance"
)

// govSeatRow is a seat on a body, for the attendance form.
type govSeatRow struct {
	Seat    string `json:"seat"` // "person:12" or "practice:A81001"
	Name    string `json:"name"`
	Role    string `json:"role"`
	Present bool   `json:"present"`
}

// meetingSeats lists the members of the meeting's body on its date, each
// with whether they were present.
func meetingSeats(c governance.Constitution, m governance.Meeting) []govSeatRow {
	b, ok := c.Body(m.Body)
	if !ok {
		return nil
	}
	present := map[string]bool{}
	for _, a := range m.Attendance {
		present[a.Seat.String()] = true
	}
	var out []govSeatRow
	for _, mem := range b.MembersOn(m.Date) {
		out = append(out, govSeatRow{Seat: mem.Seat.String(), Name: mem.Name, Role: mem.Role.Label(), Present: present[mem.Seat.String()]})
	}
	return out
}

// parseSeat reads "person:12" or "practice:A81001".
func parseSeat(v string) (governance.Seat, bool) {
	kind, id, ok := strings.Cut(strings.TrimSpace(v), ":")
	switch {
	case !ok:
		return governance.Seat{}, false
	case kind == "practice" && id != "":
		return governance.Seat{Practice: id}, true
	case kind == "person":
		n, err := strconv.ParseInt(id, 10, 64)
		return governance.Seat{Person: n}, err == nil && n > 0
	}
	return governance.Seat{}, false
}

// govMeetingEdit loads the meeting of the request, lets change edit it and
// saves it through the service (which writes the change to the audit chain).
func (s *Server) govMeetingEdit(r *http.Request, what string, change func(ctx context.Context, c governance.Constitution, m *governance.Meeting) error) (any, error) {
	ctx := r.Context()
	id, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	m, err := s.deps.Governance.Meeting(ctx, id)
	if err != nil {
		return nil, err
	}
	c, err := s.govConstitution(ctx)
	if err != nil {
		return nil, err
	}
	if err := change(ctx, c, &m); err != nil {
		return nil, err
	}
	if _, err := s.deps.Governance.UpdateMeeting(ctx, personFrom(r).ID, m); err != nil {
		return nil, err
	}
	return govDoneVM{Message: fmt.Sprintf("The %s of %s on %s have been saved.", what, m.Title, m.Date), Back: fmt.Sprintf("/governance/meetings/%d", m.ID), ID: m.ID}, nil
}

// govAttendanceView records who was present (the ticked seats, which must
// be the body's members on the day) and who else was in attendance.
func (s *Server) govAttendanceView(r *http.Request) (any, error) {
	if err := r.ParseForm(); err != nil {
		return nil, invalid("the form could not be read")
	}
	return s.govMeetingEdit(r, "attendance", func(_ context.Context, c governance.Constitution, m *governance.Meeting) error {
		b, ok := c.Body(m.Body)
		if !ok {
			return invalid("there is no body %q in the constitution", m.Body)
		}
		members := map[string]governance.Member{}
		for _, mem := range b.MembersOn(m.Date) {
			members[mem.Seat.String()] = mem
		}
		var att []governance.Attendee
		seen := map[string]bool{}
		for _, v := range r.PostForm["present"] {
			seat, ok := parseSeat(v)
			mem, member := members[seat.String()]
			if !ok || !member {
				return invalid("%q is not a member of the %s on %s", v, b.Name, m.Date)
			}
			if seen[seat.String()] {
				continue
			}
			seen[seat.String()] = true
			att = append(att, governance.Attendee{Seat: seat, Person: seat.Person, Name: mem.Name})
		}
		var others []string
		for _, o := range strings.Split(r.PostFormValue("in_attendance"), "\n") {
			if o = strings.TrimSpace(o); o != "" {
				others = append(others, o)
			}
		}
		m.Attendance, m.InAttendance = att, others
		return nil
	})
}

// formItem reads an agenda item number (empty or 0: the meeting as a
// whole), which must be on the meeting's agenda.
func formItem(r *http.Request, m governance.Meeting) (int, error) {
	v := strings.TrimSpace(r.PostFormValue("item"))
	if v == "" || v == "0" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, invalid("the agenda item %q is not a number", v)
	}
	if _, ok := m.Item(n); !ok {
		return 0, invalid("there is no item %d on the agenda of %s", n, m.Title)
	}
	return n, nil
}

// govMeetingDeclarationView records an interest declared at the meeting by
// someone present.
func (s *Server) govMeetingDeclarationView(r *http.Request) (any, error) {
	return s.govMeetingEdit(r, "declarations", func(_ context.Context, _ governance.Constitution, m *governance.Meeting) error {
		item, err := formItem(r, *m)
		if err != nil {
			return err
		}
		text := strings.TrimSpace(r.PostFormValue("text"))
		if text == "" {
			return invalid("say what was declared")
		}
		person := formID(r, "person")
		for _, a := range m.Attendance {
			if a.Person != 0 && a.Person == person {
				m.Declarations = append(m.Declarations, governance.Declaration{Person: person, Name: a.Name, Item: item, Text: text})
				return nil
			}
		}
		return invalid("only somebody recorded as present can make a declaration at the meeting: record the attendance first")
	})
}

// govMinuteView adds a minute for an item (or the meeting as a whole).
func (s *Server) govMinuteView(r *http.Request) (any, error) {
	return s.govMeetingEdit(r, "minutes", func(_ context.Context, _ governance.Constitution, m *governance.Meeting) error {
		item, err := formItem(r, *m)
		if err != nil {
			return err
		}
		text := strings.TrimSpace(r.PostFormValue("text"))
		if text == "" {
			return invalid("write the minute")
		}
		m.Minutes = append(m.Minutes, governance.Minute{Item: item, Text: text})
		return nil
	})
}

// govActionView adds an action with an owner (by email) and a due date.
func (s *Server) govActionView(r *http.Request) (any, error) {
	return s.govMeetingEdit(r, "actions", func(ctx context.Context, _ governance.Constitution, m *governance.Meeting) error {
		item, err := formItem(r, *m)
		if err != nil {
			return err
		}
		due, err := formDate(r, "due")
		if err != nil {
			return err
		}
		text := strings.TrimSpace(r.PostFormValue("text"))
		if text == "" || due.IsZero() {
			return invalid("an action needs its text, an owner and a due date")
		}
		acc, err := s.accessService()
		if err != nil {
			return err
		}
		email := strings.TrimSpace(r.PostFormValue("owner"))
		owner, err := acc.Lookup(ctx, personFrom(r), email)
		if err != nil {
			return invalid("nobody with the email %q can sign in to ccg to own the action", email)
		}
		m.Actions = append(m.Actions, governance.Action{Item: item, Text: text, Owner: owner.ID, OwnerName: owner.Name, Due: due})
		return nil
	})
}
