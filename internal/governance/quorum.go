package governance

import (
	"fmt"
	"sort"
	"strings"

	"ccg/internal/calendar"
	"ccg/internal/stats"
)

// Attendee is someone present at a meeting in a seat: for a person's seat
// Person is the seat holder; for a practice's seat it is the person who came
// on the practice's behalf (whose interests then count for that seat).
type Attendee struct {
	Seat   Seat     `json:"seat"`
	Person PersonID `json:"person"`
	Name   string   `json:"name,omitempty"`
}

// who returns the person whose interests count for the attendee's seat.
func (a Attendee) who() PersonID {
	if a.Person != 0 {
		return a.Person
	}
	return a.Seat.Person
}

// QuorumResult is the outcome of a quorum check, with its reasons in plain
// language.
type QuorumResult struct {
	Quorate bool `json:"quorate"`
	// Counted is the number of voting members present and not excluded.
	Counted int `json:"counted"`
	// Eligible is the number of voting members in term (the denominator of
	// a share rule).
	Eligible int `json:"eligible"`
	// Excluded is the number of voting members present but excluded for a
	// conflict of interest.
	Excluded int `json:"excluded"`
	// Missing lists, in plain language, each part of the rule not met.
	Missing     []string `json:"missing,omitempty"`
	Explanation string   `json:"explanation"`
}

// CheckQuorum checks rule against members (the body's members in term on
// the day; non-voting members are ignored), the seats present and the seats
// excluded for conflicts of interest. Excluded members count towards the
// membership but not towards those present.
func CheckQuorum(rule QuorumRule, members []Member, present, excluded map[Seat]bool) QuorumResult {
	var r QuorumResult
	byRole := map[Role]int{}
	for _, m := range members {
		if m.NonVoting {
			continue
		}
		r.Eligible++
		if !present[m.Seat] {
			continue
		}
		if excluded[m.Seat] {
			r.Excluded++
			continue
		}
		r.Counted++
		byRole[m.Role]++
	}
	if rule.MinCount > 0 && r.Counted < rule.MinCount {
		r.Missing = append(r.Missing, fmt.Sprintf("%s counted, the rule needs at least %d",
			plural(r.Counted, "voting member"), rule.MinCount))
	}
	if rule.MinShare > 0 && r.Counted*100 < int(rule.MinShare)*r.Eligible {
		r.Missing = append(r.Missing, fmt.Sprintf("%d of %d voting members counted (%s), the rule needs at least %d%%",
			r.Counted, r.Eligible, pct(r.Counted, r.Eligible), rule.MinShare))
	}
	for _, c := range rule.Composition {
		if byRole[c.Role] < c.Min {
			r.Missing = append(r.Missing, fmt.Sprintf("%d %s present and not conflicted, the rule needs at least %d",
				byRole[c.Role], roleNoun(c.Role, byRole[c.Role]), c.Min))
		}
	}
	if r.Counted == 0 && len(r.Missing) == 0 {
		r.Missing = append(r.Missing, "no voting member is present")
	}
	r.Quorate = len(r.Missing) == 0
	var b strings.Builder
	if r.Quorate {
		fmt.Fprintf(&b, "Quorate: %d of %d voting members counted", r.Counted, r.Eligible)
	} else {
		fmt.Fprintf(&b, "Inquorate: %s", strings.Join(r.Missing, "; "))
	}
	if r.Excluded > 0 {
		fmt.Fprintf(&b, " (%s present but excluded for conflicts of interest, not counted)",
			plural(r.Excluded, "member"))
	}
	b.WriteString(".")
	r.Explanation = b.String()
	return r
}

func roleNoun(r Role, n int) string {
	if n == 1 {
		return r.Label()
	}
	return r.Label() + "s"
}

// pct formats n/d as a whole percentage, rounded half up, for display only.
func pct(n, d int) string { return stats.PercentOf(int64(n), int64(d)) }

// Exclusion records that a member was flagged for a live interest in an
// organisation an item concerns: excluded from its vote and its quorum
// count unless the exclusion was overridden with a recorded reason.
type Exclusion struct {
	Seat         Seat     `json:"seat"`
	Person       PersonID `json:"person"`
	Name         string   `json:"name,omitempty"`
	Organisation string   `json:"organisation"`
	InterestID   int64    `json:"interest_id"`
	Interest     string   `json:"interest"` // plain-language summary of the interest
	// Overridden is set when the chair let the member take part anyway;
	// OverrideReason must then say why.
	Overridden     bool     `json:"overridden,omitempty"`
	OverrideReason string   `json:"override_reason,omitempty"`
	OverriddenBy   PersonID `json:"overridden_by,omitempty"`
}

// Override lets a flagged member take part in an item; Reason is required.
type Override struct {
	Seat   Seat     `json:"seat"`
	Reason string   `json:"reason"`
	By     PersonID `json:"by"`
}

// Conflicts flags the attendees with a live interest (one in force on the
// date on) in any of the organisations (ODS codes or names, matched without
// regard to case) an item concerns. Each attendee is flagged once, for the
// first matching interest by id.
func Conflicts(on calendar.Date, organisations []string, attendees []Attendee, interests []Interest) []Exclusion {
	want := map[string]bool{}
	for _, o := range organisations {
		if o = normOrg(o); o != "" {
			want[o] = true
		}
	}
	if len(want) == 0 {
		return nil
	}
	sorted := append([]Interest(nil), interests...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].ID < sorted[j].ID })
	var out []Exclusion
	for _, a := range attendees {
		p := a.who()
		for _, in := range sorted {
			if in.Person != p || !in.LiveOn(on) || !want[normOrg(in.Organisation)] {
				continue
			}
			out = append(out, Exclusion{Seat: a.Seat, Person: p, Name: a.Name, Organisation: in.Organisation,
				InterestID: in.ID, Interest: in.Summary()})
			break
		}
	}
	return out
}

func normOrg(s string) string { return strings.ToUpper(strings.TrimSpace(s)) }

// ApplyOverrides marks the exclusions named by overrides as overridden. An
// override without a reason, or for a seat that was not flagged, is
// refused with errs.ErrInvalid.
func ApplyOverrides(ex []Exclusion, overrides []Override) ([]Exclusion, error) {
	out := append([]Exclusion(nil), ex...)
	for _, o := range overrides {
		if strings.TrimSpace(o.Reason) == "" {
			return nil, invalid("governance: override exclusion of %s: a reason must be recorded", o.Seat)
		}
		found := false
		for i := range out {
			if out[i].Seat == o.Seat {
				out[i].Overridden, out[i].OverrideReason, out[i].OverriddenBy = true, o.Reason, o.By
				found = true
			}
		}
		if !found {
			return nil, invalid("governance: override exclusion of %s: that member was not flagged for a conflict", o.Seat)
		}
	}
	return out, nil
}

// ExcludedSeats returns the seats excluded (flagged and not overridden).
func ExcludedSeats(ex []Exclusion) map[Seat]bool {
	m := map[Seat]bool{}
	for _, e := range ex {
		if !e.Overridden {
			m[e.Seat] = true
		}
	}
	return m
}

// ExclusionMinute gives the minute text recording an item's exclusions and
// overrides, or "" when there were none.
func ExclusionMinute(item string, ex []Exclusion) string {
	if len(ex) == 0 {
		return ""
	}
	var b strings.Builder
	for i, e := range ex {
		if i > 0 {
			b.WriteString(" ")
		}
		name := e.Name
		if name == "" {
			name = e.Seat.String()
		}
		if e.Overridden {
			fmt.Fprintf(&b, "%s declared %s in %s; the chair allowed them to take part in %q because: %s.",
				name, e.Interest, e.Organisation, item, e.OverrideReason)
		} else {
			fmt.Fprintf(&b, "%s declared %s in %s and was excluded from the discussion, vote and quorum count for %q.",
				name, e.Interest, e.Organisation, item)
		}
	}
	return b.String()
}

// ItemCheck is what a body may do with an agenda item on the day, after
// conflicts of interest have been applied.
type ItemCheck struct {
	Exclusions []Exclusion  `json:"exclusions,omitempty"`
	Quorum     QuorumResult `json:"quorum"`
	// CanDecide is true when the body is quorate for the item.
	CanDecide bool `json:"can_decide"`
	// RouteTo names the alternate body the item must go to because the
	// exclusions left this body inquorate.
	RouteTo     BodyID `json:"route_to,omitempty"`
	Explanation string `json:"explanation"`
	Minute      string `json:"minute,omitempty"`
}

// CheckItem applies the conflict and quorum rules to one item: members with
// a live interest in the item's organisations are flagged and (unless
// overridden with a reason) excluded from its vote and quorum count. When the
// body is quorate before exclusions but not after, the item goes to the
// body's alternate arrangement if it has one; otherwise it cannot be decided.
// members are the body's members in term on the day.
func CheckItem(b Body, members []Member, on calendar.Date, title string, organisations []string,
	attendees []Attendee, interests []Interest, overrides []Override) (ItemCheck, error) {
	present := map[Seat]bool{}
	for _, a := range attendees {
		present[a.Seat] = true
	}
	ex, err := ApplyOverrides(Conflicts(on, organisations, attendees, interests), overrides)
	if err != nil {
		return ItemCheck{}, err
	}
	c := ItemCheck{Exclusions: ex, Minute: ExclusionMinute(title, ex)}
	before := CheckQuorum(b.Quorum, members, present, nil)
	c.Quorum = CheckQuorum(b.Quorum, members, present, ExcludedSeats(ex))
	switch {
	case c.Quorum.Quorate:
		c.CanDecide = true
		c.Explanation = fmt.Sprintf("%s may decide %q. %s", b.Name, title, c.Quorum.Explanation)
	case !before.Quorate:
		c.Explanation = fmt.Sprintf("%s cannot decide %q: the meeting is inquorate. %s", b.Name, title, before.Explanation)
	case b.Alternate != "":
		c.RouteTo = b.Alternate
		c.Explanation = fmt.Sprintf("%s cannot decide %q: excluding conflicted members leaves it inquorate, so the item goes to its alternate arrangement (%s). %s",
			b.Name, title, b.Alternate, c.Quorum.Explanation)
	default:
		c.Explanation = fmt.Sprintf("%s cannot decide %q: excluding conflicted members leaves it inquorate and the constitution names no alternate arrangement. %s",
			b.Name, title, c.Quorum.Explanation)
	}
	return c, nil
}
