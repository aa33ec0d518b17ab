package governance

import (
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strings"

	"ccg/internal/calendar"
)

// Version describes one adopted version of the constitution.
type Version struct {
	Number  int           `json:"number"`
	Adopted calendar.Date `json:"adopted"`
	// AdoptedBy is the decision record that adopted it (0 for the first).
	AdoptedBy int64  `json:"adopted_by,omitempty"`
	Summary   string `json:"summary"`
	// Changes lists what changed from the previous version.
	Changes []Change `json:"changes,omitempty"`
}

// ChangeKind says whether something was added, removed or changed.
type ChangeKind string

// The kinds of change between two versions.
const (
	Added   ChangeKind = "added"
	Removed ChangeKind = "removed"
	Changed ChangeKind = "changed"
)

// Change is one difference between two versions of the constitution, in
// plain language.
type Change struct {
	Kind ChangeKind `json:"kind"`
	// Subject names what changed, for example "body quality-committee: quorum".
	Subject string `json:"subject"`
	Before  string `json:"before,omitempty"`
	After   string `json:"after,omitempty"`
}

// Constitution is the CCG's constitution as data: its bodies, its scheme of
// delegation and the thresholds of its gifts and hospitality register.
type Constitution struct {
	Version Version        `json:"version"`
	CCG     string         `json:"ccg,omitempty"` // ODS code of the CCG
	Name    string         `json:"name"`
	Bodies  []Body         `json:"bodies"`
	Scheme  Scheme         `json:"scheme"`
	Gifts   GiftThresholds `json:"gifts"`
	// Guardian is the conflicts-of-interest guardian.
	Guardian PersonID `json:"guardian,omitempty"`
}

// Body returns the body with id.
func (c Constitution) Body(id BodyID) (Body, bool) {
	for _, b := range c.Bodies {
		if b.ID == id {
			return b, true
		}
	}
	return Body{}, false
}

// bodyName gives a body's name, or its id when unknown.
func (c Constitution) bodyName(id BodyID) string {
	if b, ok := c.Body(id); ok {
		return "the " + b.Name
	}
	return "the " + string(id)
}

// WhoDecides is Scheme.WhoDecides with the bodies named.
func (c Constitution) WhoDecides(t DecisionType, value int64) (Delegation, string, error) {
	return c.Scheme.whoDecides(t, value, c.bodyName)
}

// CheckRoute checks that the body with id may take a decision of type t and
// value; otherwise the error (wrapping errs.ErrInvalid) says who may and why.
func (c Constitution) CheckRoute(t DecisionType, value int64, id BodyID) (Delegation, error) {
	b, ok := c.Body(id)
	if !ok {
		return Delegation{}, invalid("governance: route to %q: there is no such body in the constitution", id)
	}
	d, exp, err := c.WhoDecides(t, value)
	if err != nil {
		return Delegation{}, err
	}
	if !d.Authorises(b) {
		return Delegation{}, invalid("governance: route to %s: %s has no authority for this decision. %s", b.ID, b.Name, exp)
	}
	return d, nil
}

// Validate checks the constitution is coherent: bodies have unique ids,
// known kinds, voting and quorum rules; alternates and delegations name
// bodies that exist; and the scheme of delegation is valid.
func (c Constitution) Validate() error {
	seen := map[BodyID]bool{}
	councils := 0
	for _, b := range c.Bodies {
		if b.ID == "" || strings.TrimSpace(b.Name) == "" {
			return invalid("governance: constitution: every body needs an id and a name")
		}
		if seen[b.ID] {
			return invalid("governance: constitution: body %q appears twice", b.ID)
		}
		seen[b.ID] = true
		if !b.Kind.Valid() {
			return invalid("governance: constitution: body %q has unknown kind %q", b.ID, b.Kind)
		}
		if b.Kind == KindMemberCouncil {
			councils++
		}
		if b.Voting.Majority != SimpleMajority && b.Voting.Majority != TwoThirds {
			return invalid("governance: constitution: body %q: the voting rule must be a simple majority or two thirds", b.ID)
		}
		switch b.Voting.PracticeVote {
		case "", OnePracticeOneVote, WeightedByListSize:
		default:
			return invalid("governance: constitution: body %q: unknown practice vote %q", b.ID, b.Voting.PracticeVote)
		}
		if b.Quorum.MinCount <= 0 && b.Quorum.MinShare <= 0 {
			return invalid("governance: constitution: body %q needs a quorum (a count or a share)", b.ID)
		}
		if b.Quorum.MinShare > 100 {
			return invalid("governance: constitution: body %q: a quorum share cannot exceed 100%%", b.ID)
		}
		for _, rm := range b.Quorum.Composition {
			if !rm.Role.Valid() || rm.Min < 0 {
				return invalid("governance: constitution: body %q: bad quorum composition %v", b.ID, rm)
			}
		}
		for _, m := range b.Members {
			if m.Seat.IsZero() || !m.Role.Valid() {
				return invalid("governance: constitution: body %q: member %q needs a seat and a known role", b.ID, m.Name)
			}
		}
	}
	if councils != 1 {
		return invalid("governance: constitution: there must be exactly one member council, found %d", councils)
	}
	for _, b := range c.Bodies {
		if b.Alternate == "" {
			continue
		}
		if b.Alternate == b.ID || !seen[b.Alternate] {
			return invalid("governance: constitution: body %q names alternate %q, which is not another body", b.ID, b.Alternate)
		}
	}
	for _, d := range c.Scheme.Delegations {
		if d.Body != "" && !seen[d.Body] {
			return invalid("governance: constitution: the scheme of delegation names body %q, which does not exist", d.Body)
		}
	}
	return c.Scheme.Validate()
}

// Diff lists, in plain language, what changed from constitution a to b:
// bodies added, removed or changed (field by field), delegations added or
// removed, and changed gift thresholds.
func Diff(a, b Constitution) []Change {
	var out []Change
	if a.Name != b.Name {
		out = append(out, Change{Changed, "name", a.Name, b.Name})
	}
	ab, bb := map[BodyID]Body{}, map[BodyID]Body{}
	for _, x := range a.Bodies {
		ab[x.ID] = x
	}
	for _, x := range b.Bodies {
		bb[x.ID] = x
	}
	for _, x := range a.Bodies {
		if _, ok := bb[x.ID]; !ok {
			out = append(out, Change{Kind: Removed, Subject: "body " + string(x.ID), Before: x.Name})
		}
	}
	for _, y := range b.Bodies {
		x, ok := ab[y.ID]
		if !ok {
			out = append(out, Change{Kind: Added, Subject: "body " + string(y.ID), After: y.Name})
			continue
		}
		out = append(out, diffFields("body "+string(y.ID), x, y)...)
	}
	ad, bd := delegationSet(a.Scheme), delegationSet(b.Scheme)
	for _, k := range sortedKeys(ad) {
		if _, ok := bd[k]; !ok {
			out = append(out, Change{Kind: Removed, Subject: "delegation", Before: k})
		}
	}
	for _, k := range sortedKeys(bd) {
		if _, ok := ad[k]; !ok {
			out = append(out, Change{Kind: Added, Subject: "delegation", After: k})
		}
	}
	out = append(out, diffFields("gifts and hospitality thresholds", a.Gifts, b.Gifts)...)
	if a.Guardian != b.Guardian {
		out = append(out, Change{Changed, "conflicts of interest guardian", fmt.Sprint(a.Guardian), fmt.Sprint(b.Guardian)})
	}
	return out
}

// diffFields compares the exported fields of two structs of the same type
// and reports each that differs, with JSON renderings of before and after.
func diffFields(subject string, a, b any) []Change {
	va, vb := reflect.ValueOf(a), reflect.ValueOf(b)
	t := va.Type()
	var out []Change
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() || f.Anonymous {
			continue
		}
		x, y := va.Field(i).Interface(), vb.Field(i).Interface()
		if reflect.DeepEqual(x, y) {
			continue
		}
		name := strings.Split(f.Tag.Get("json"), ",")[0]
		if name == "" {
			name = f.Name
		}
		out = append(out, Change{Kind: Changed, Subject: subject + ": " + strings.ReplaceAll(name, "_", " "),
			Before: render(x), After: render(y)})
	}
	return out
}

func render(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

// delegationSet keys each delegation by a plain-language line.
func delegationSet(s Scheme) map[string]bool {
	m := map[string]bool{}
	for _, d := range s.Delegations {
		who := string(d.Body)
		if who == "" {
			who = "the " + strings.ToLower(d.BodyKind.Label()) + " concerned"
		}
		line := fmt.Sprintf("%s, %s: %s", d.Type, d.Band(), who)
		if d.RequiresRatification {
			line += ", ratified by the member council"
		}
		m[line] = true
	}
	return m
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
