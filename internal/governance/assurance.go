package governance

import (
	"fmt"
	"io"
	"sort"
	"strconv"

	"ccg/internal/calendar"
	"ccg/internal/csvsafe"
)

// DecisionCount counts decisions of one type by one body.
type DecisionCount struct {
	Body  BodyID       `json:"body"`
	Type  DecisionType `json:"type"`
	Count int          `json:"count"`
	Value int64        `json:"value"` // pence, summed
}

// ConflictLine is one conflict declared and how it was managed.
type ConflictLine struct {
	Decision int64         `json:"decision"`
	Title    string        `json:"title"`
	Body     BodyID        `json:"body"`
	Date     calendar.Date `json:"date"`
	Person   PersonID      `json:"person"`
	Name     string        `json:"name"`
	Interest string        `json:"interest"`
	Managed  string        `json:"managed"` // "excluded" or "took part: <reason>"
}

// InquorateLine is an inquorate meeting item.
type InquorateLine struct {
	Meeting int64         `json:"meeting"`
	Body    BodyID        `json:"body"`
	Date    calendar.Date `json:"date"`
	Item    string        `json:"item"`
	Why     string        `json:"why"`
}

// AssuranceReport is the export NHS England asks for: decisions by body
// and type, conflicts declared and managed, and inquorate meetings, over
// the dates [From, To).
type AssuranceReport struct {
	From      calendar.Date   `json:"from"`
	To        calendar.Date   `json:"to"`
	Decisions []DecisionCount `json:"decisions"`
	Conflicts []ConflictLine  `json:"conflicts"`
	Inquorate []InquorateLine `json:"inquorate"`
}

// BuildAssurance builds the report from decisions (those decided in the
// period) and meetings (those held in the period).
func BuildAssurance(from, to calendar.Date, decisions []Decision, meetings []Meeting) AssuranceReport {
	r := AssuranceReport{From: from, To: to}
	counts := map[[2]string]*DecisionCount{}
	for _, d := range decisions {
		if d.Decided.IsZero() || !d.Decided.Within(from, to) {
			continue
		}
		k := [2]string{string(d.Body), string(d.Type)}
		c := counts[k]
		if c == nil {
			c = &DecisionCount{Body: d.Body, Type: d.Type}
			counts[k] = c
		}
		c.Count++
		c.Value += d.Value
		for _, e := range d.Exclusions {
			l := ConflictLine{Decision: d.ID, Title: d.Title, Body: d.Body, Date: d.Decided, Person: e.Person,
				Name: e.Name, Interest: e.Interest + " in " + e.Organisation, Managed: "excluded from discussion, vote and quorum"}
			if e.Overridden {
				l.Managed = "took part: " + e.OverrideReason
			}
			r.Conflicts = append(r.Conflicts, l)
		}
	}
	for _, c := range counts {
		r.Decisions = append(r.Decisions, *c)
	}
	sort.Slice(r.Decisions, func(i, j int) bool {
		a, b := r.Decisions[i], r.Decisions[j]
		if a.Body != b.Body {
			return a.Body < b.Body
		}
		return a.Type < b.Type
	})
	for _, m := range meetings {
		if !m.Date.Within(from, to) {
			continue
		}
		for _, it := range m.Agenda {
			if it.Check != nil && !it.Check.Quorum.Quorate {
				r.Inquorate = append(r.Inquorate, InquorateLine{Meeting: m.ID, Body: m.Body, Date: m.Date,
					Item: it.Title, Why: it.Check.Explanation})
			}
		}
	}
	sort.SliceStable(r.Inquorate, func(i, j int) bool { return r.Inquorate[i].Date.Before(r.Inquorate[j].Date) })
	sort.SliceStable(r.Conflicts, func(i, j int) bool { return r.Conflicts[i].Date.Before(r.Conflicts[j].Date) })
	return r
}

// WriteCSV writes the report as one CSV table with a section column:
// "decisions" (body, type, count, value_pence), "conflict" and "inquorate"
// rows (body, date, subject, person, detail).
func (r AssuranceReport) WriteCSV(w io.Writer) error {
	cw := csvsafe.NewWriter(w)
	rows := [][]string{{"section", "body", "type", "date", "count", "value_pence", "subject", "person", "detail"}}
	for _, d := range r.Decisions {
		rows = append(rows, []string{"decisions", string(d.Body), string(d.Type), "", strconv.Itoa(d.Count),
			strconv.FormatInt(d.Value, 10), "", "", ""})
	}
	for _, c := range r.Conflicts {
		rows = append(rows, []string{"conflict", string(c.Body), "", c.Date.String(), "", "", c.Title,
			c.Name, c.Interest + "; " + c.Managed})
	}
	for _, q := range r.Inquorate {
		rows = append(rows, []string{"inquorate", string(q.Body), "", q.Date.String(), "", "", q.Item, "", q.Why})
	}
	if err := cw.WriteAll(rows); err != nil {
		return fmt.Errorf("governance: assurance csv: %w", err)
	}
	return nil
}
