package registry

import (
	"context"
	"errors"
	"fmt"
	"sort"

	"ccg/internal/calendar"
	"ccg/internal/errs"
)

// Service applies the registry's rules on top of a Store.
type Service struct {
	store Store
}

// NewService returns a Service over store.
func NewService(store Store) *Service { return &Service{store: store} }

// Store returns the underlying store, for importers that write in bulk.
func (s *Service) Store() Store { return s.store }

// exclusive reports whether a child may have only one parent of this kind at
// a time (true of every relationship the registry records).
func exclusive(k RelationKind) bool {
	switch k {
	case RelMemberOf, RelInLocality, RelLocalityOf, RelAccountableTo:
		return true
	}
	return false
}

// RecordRelationship stores r and then keeps the child's relationships of the
// same kind consistent: a child belongs to one parent of a kind at a time, so
// when a later relationship to another parent starts, any earlier one still
// open at that date is closed on it. The rule is order-independent, so
// importing snapshots old-to-new or new-to-old gives the same history, and
// importing the same snapshot again changes nothing.
func (s *Service) RecordRelationship(ctx context.Context, r Relationship) (changed bool, err error) {
	if r.Child == "" || r.Parent == "" {
		return false, fmt.Errorf("registry: record relationship: child and parent are required: %w", errs.ErrInvalid)
	}
	if !r.To.IsZero() && !r.From.IsZero() && r.To.Before(r.From) {
		return false, fmt.Errorf("registry: record relationship %s %s %s: ends %s before it starts %s: %w",
			r.Child, r.Kind, r.Parent, r.To, r.From, errs.ErrInvalid)
	}
	rels, err := s.store.ParentsOf(ctx, r.Child, r.Kind)
	if err != nil {
		return false, fmt.Errorf("registry: record relationship: %w", err)
	}
	// A known end is never erased: an older snapshot that still shows the
	// relationship open does not reopen one a newer snapshot has closed, and
	// of two different ends the earlier is kept (the overlap rule below only
	// ever moves ends earlier, so the two rules agree). When nothing but the
	// source would change, the stored source is kept.
	for _, old := range rels {
		if old.Parent != r.Parent || old.From != r.From {
			continue
		}
		if !old.To.IsZero() && (r.To.IsZero() || old.To.Before(r.To)) {
			r.To = old.To
		}
		if old.To == r.To {
			r.Source = old.Source
		}
	}
	changed, err = s.store.PutRelationship(ctx, r)
	if err != nil {
		return false, fmt.Errorf("registry: record relationship: %w", err)
	}
	if !exclusive(r.Kind) {
		return changed, nil
	}
	if rels, err = s.store.ParentsOf(ctx, r.Child, r.Kind); err != nil {
		return false, fmt.Errorf("registry: record relationship: %w", err)
	}
	for _, fix := range closeOverlaps(rels) {
		c, err := s.store.PutRelationship(ctx, fix)
		if err != nil {
			return false, fmt.Errorf("registry: record relationship: close overlap: %w", err)
		}
		changed = changed || c
	}
	return changed, nil
}

// closeOverlaps returns the relationships (sorted by From) whose end must be
// moved back to the start of the next relationship to a different parent.
func closeOverlaps(rels []Relationship) []Relationship {
	sort.SliceStable(rels, func(i, j int) bool { return rels[i].From.Before(rels[j].From) })
	var fixes []Relationship
	for i := 0; i+1 < len(rels); i++ {
		cur := rels[i]
		// the next relationship to a different parent
		for j := i + 1; j < len(rels); j++ {
			next := rels[j]
			if next.Parent == cur.Parent || !cur.From.Before(next.From) {
				continue
			}
			if cur.To.IsZero() || next.From.Before(cur.To) {
				cur.To = next.From
				fixes = append(fixes, cur)
			}
			break
		}
	}
	return fixes
}

// RecordOrganisation stores o unless the registry already holds the same
// facts (every field but Source), so that a record's Source keeps naming the
// import that last changed it and the same facts imported again from another
// file report no change. It reports whether anything changed.
func (s *Service) RecordOrganisation(ctx context.Context, o Organisation) (bool, error) {
	old, err := s.store.Organisation(ctx, o.Code)
	switch {
	case err == nil:
		if old.sameFacts(o) {
			return false, nil
		}
	case errors.Is(err, errs.ErrNotFound):
	default:
		return false, fmt.Errorf("registry: record organisation %s: %w", o.Code, err)
	}
	changed, err := s.store.UpsertOrganisation(ctx, o)
	if err != nil {
		return false, fmt.Errorf("registry: record organisation %s: %w", o.Code, err)
	}
	return changed, nil
}

// RecordSuccession stores sc unless the same succession (Source aside) is
// already held, and reports whether anything changed.
func (s *Service) RecordSuccession(ctx context.Context, sc Succession) (bool, error) {
	stored, err := s.store.SuccessionsOf(ctx, sc.Predecessor)
	if err != nil {
		return false, fmt.Errorf("registry: record succession %s to %s: %w", sc.Predecessor, sc.Successor, err)
	}
	for _, o := range stored {
		if o.Predecessor == sc.Predecessor && o.Successor == sc.Successor && o.Effective == sc.Effective &&
			o.Reason == sc.Reason && o.Indicator == sc.Indicator {
			return false, nil
		}
	}
	changed, err := s.store.PutSuccession(ctx, sc)
	if err != nil {
		return false, fmt.Errorf("registry: record succession %s to %s: %w", sc.Predecessor, sc.Successor, err)
	}
	return changed, nil
}

// Organisation returns one organisation.
//
// A commissioner that practice rows name as theirs (the national practice
// file names each practice's CCG or PCT) is known by its code until its own
// file is imported: it is returned with its code as its name.
func (s *Service) Organisation(ctx context.Context, code string) (Organisation, error) {
	o, err := s.store.Organisation(ctx, code)
	if errors.Is(err, errs.ErrNotFound) {
		rels, rerr := s.store.ChildrenOf(ctx, code, RelMemberOf, calendar.Date{})
		if rerr != nil {
			return Organisation{}, fmt.Errorf("registry: organisation %q: %w", code, rerr)
		}
		if len(rels) > 0 {
			return namedByMembers(code, rels), nil
		}
	}
	if err != nil {
		return Organisation{}, fmt.Errorf("registry: organisation %q: %w", code, err)
	}
	return o, nil
}

// namedByMembers is a commissioner known only from its members' records: a
// PCT when they were members only before April 2013 (when CCGs began), a
// CCG otherwise.
func namedByMembers(code string, rels []Relationship) Organisation {
	kind := KindPCT
	for _, r := range rels {
		if !r.From.Before(ccgsBegan) || r.To.IsZero() || r.To.After(ccgsBegan) {
			kind = KindCCG
		}
	}
	return Organisation{Code: code, Name: code, Kind: kind, Source: "named by its member practices' records"}
}

// ccgsBegan is the day CCGs took over from primary care trusts.
var ccgsBegan = calendar.MustDate("2013-04-01")

// Search finds organisations by code, name or postcode.
func (s *Service) Search(ctx context.Context, f Filter) ([]Organisation, int, error) {
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 50
	}
	if f.Kind != "" && !f.Kind.Valid() {
		return nil, 0, fmt.Errorf("registry: search: unknown kind %q: %w", f.Kind, errs.ErrInvalid)
	}
	orgs, total, err := s.store.SearchOrganisations(ctx, f)
	if err != nil {
		return nil, 0, fmt.Errorf("registry: search: %w", err)
	}
	return orgs, total, nil
}

// Predecessors returns every organisation that was, directly or through a
// chain of mergers, succeeded by code, nearest first.
func (s *Service) Predecessors(ctx context.Context, code string) ([]Succession, error) {
	var out []Succession
	seen := map[string]bool{code: true}
	queue := []string{code}
	for len(queue) > 0 {
		cur := queue[0]
		queue = queue[1:]
		succs, err := s.store.SuccessionsOf(ctx, cur)
		if err != nil {
			return nil, fmt.Errorf("registry: predecessors of %q: %w", code, err)
		}
		for _, sc := range succs {
			if sc.Successor != cur || seen[sc.Predecessor] {
				continue
			}
			seen[sc.Predecessor] = true
			out = append(out, sc)
			queue = append(queue, sc.Predecessor)
		}
	}
	return out, nil
}

// SuccessorChain follows successions forward from code and returns each step
// up to the organisation that succeeds it as at date at (a zero at follows
// every recorded succession). The chain is empty when code has no successor.
// Cycles in bad data are cut rather than followed forever.
func (s *Service) SuccessorChain(ctx context.Context, code string, at calendar.Date) ([]Succession, error) {
	var chain []Succession
	seen := map[string]bool{code: true}
	cur := code
	for {
		succs, err := s.store.SuccessionsOf(ctx, cur)
		if err != nil {
			return nil, fmt.Errorf("registry: successor of %q: %w", code, err)
		}
		var next *Succession
		for i := range succs {
			sc := succs[i]
			if sc.Predecessor != cur || seen[sc.Successor] {
				continue
			}
			if !at.IsZero() && at.Before(sc.Effective) {
				continue
			}
			if next == nil || next.Effective.Before(sc.Effective) {
				next = &sc
			}
		}
		if next == nil {
			return chain, nil
		}
		chain = append(chain, *next)
		seen[next.Successor] = true
		cur = next.Successor
	}
}

// CurrentSuccessor returns the organisation that now stands for code: code
// itself when it has no successor, or the end of its succession chain.
func (s *Service) CurrentSuccessor(ctx context.Context, code string) (Organisation, []Succession, error) {
	chain, err := s.SuccessorChain(ctx, code, calendar.Date{})
	if err != nil {
		return Organisation{}, nil, err
	}
	last := code
	if len(chain) > 0 {
		last = chain[len(chain)-1].Successor
	}
	o, err := s.store.Organisation(ctx, last)
	if errors.Is(err, errs.ErrNotFound) {
		// The successor is known only from succ.csv; say what we know.
		return Organisation{Code: last, Name: last}, chain, nil
	}
	if err != nil {
		return Organisation{}, nil, fmt.Errorf("registry: current successor of %q: %w", code, err)
	}
	return o, chain, nil
}

// MembersAt returns the practices that were members of the commissioner on
// date at, with the locality each was in then. With predecessors, members of
// every organisation the commissioner succeeded count too, so that figures
// for a merged CCG can be built back through time from its practices.
func (s *Service) MembersAt(ctx context.Context, commissioner string, at calendar.Date, predecessors bool) ([]MemberAt, error) {
	if at.IsZero() {
		return nil, fmt.Errorf("registry: members of %q: a date is required: %w", commissioner, errs.ErrInvalid)
	}
	codes := []string{commissioner}
	if predecessors {
		preds, err := s.Predecessors(ctx, commissioner)
		if err != nil {
			return nil, err
		}
		for _, p := range preds {
			codes = append(codes, p.Predecessor)
		}
	}
	seen := map[string]bool{}
	var out []MemberAt
	for _, c := range codes {
		rels, err := s.store.ChildrenOf(ctx, c, RelMemberOf, at)
		if err != nil {
			return nil, fmt.Errorf("registry: members of %q: %w", commissioner, err)
		}
		for _, r := range rels {
			if seen[r.Child] {
				continue
			}
			seen[r.Child] = true
			o, err := s.store.Organisation(ctx, r.Child)
			if errors.Is(err, errs.ErrNotFound) {
				o = Organisation{Code: r.Child, Name: r.Child, Kind: KindPractice}
			} else if err != nil {
				return nil, fmt.Errorf("registry: members of %q: %w", commissioner, err)
			}
			m := MemberAt{Organisation: o, Via: c, Since: r.From}
			loc, err := s.parentOn(ctx, r.Child, RelInLocality, at)
			if err != nil {
				return nil, fmt.Errorf("registry: members of %q: %w", commissioner, err)
			}
			m.Locality = loc
			out = append(out, m)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Name != out[j].Name {
			return out[i].Name < out[j].Name
		}
		return out[i].Code < out[j].Code
	})
	return out, nil
}

// MembershipsOn returns every member-of relationship active on date at, with
// the kinds of both sides and the child's locality then, read at once (see
// Store.MembershipsOn); pages that need the whole membership use it rather
// than MembersAt CCG by CCG.
func (s *Service) MembershipsOn(ctx context.Context, at calendar.Date) ([]Membership, error) {
	if at.IsZero() {
		return nil, fmt.Errorf("registry: memberships: a date is required: %w", errs.ErrInvalid)
	}
	ms, err := s.store.MembershipsOn(ctx, at)
	if err != nil {
		return nil, fmt.Errorf("registry: memberships on %s: %w", at, err)
	}
	return ms, nil
}

// parentOn returns the code of child's parent of kind k on date at, or "".
func (s *Service) parentOn(ctx context.Context, child string, k RelationKind, at calendar.Date) (string, error) {
	rels, err := s.store.ParentsOf(ctx, child, k)
	if err != nil {
		return "", err
	}
	for _, r := range rels {
		if r.ActiveOn(at) {
			return r.Parent, nil
		}
	}
	return "", nil
}

// ParentOn returns the organisation child belonged to through a relationship
// of kind k on date at; it wraps errs.ErrNotFound when there was none.
func (s *Service) ParentOn(ctx context.Context, child string, k RelationKind, at calendar.Date) (Organisation, error) {
	code, err := s.parentOn(ctx, child, k, at)
	if err != nil {
		return Organisation{}, fmt.Errorf("registry: %s of %q: %w", k, child, err)
	}
	if code == "" {
		return Organisation{}, fmt.Errorf("registry: %s of %q on %s: %w", k, child, at, errs.ErrNotFound)
	}
	return s.Organisation(ctx, code)
}

// Localities returns the localities of a CCG on date at (zero: all ever).
func (s *Service) Localities(ctx context.Context, ccg string, at calendar.Date) ([]Organisation, error) {
	return s.childOrgs(ctx, ccg, RelLocalityOf, at)
}

// LocalityPractices returns the practices in a locality on date at.
func (s *Service) LocalityPractices(ctx context.Context, locality string, at calendar.Date) ([]Organisation, error) {
	return s.childOrgs(ctx, locality, RelInLocality, at)
}

func (s *Service) childOrgs(ctx context.Context, parent string, k RelationKind, at calendar.Date) ([]Organisation, error) {
	rels, err := s.store.ChildrenOf(ctx, parent, k, at)
	if err != nil {
		return nil, fmt.Errorf("registry: %s children of %q: %w", k, parent, err)
	}
	seen := map[string]bool{}
	var out []Organisation
	for _, r := range rels {
		if seen[r.Child] {
			continue
		}
		seen[r.Child] = true
		o, err := s.store.Organisation(ctx, r.Child)
		if errors.Is(err, errs.ErrNotFound) {
			o = Organisation{Code: r.Child, Name: r.Child}
		} else if err != nil {
			return nil, fmt.Errorf("registry: %s children of %q: %w", k, parent, err)
		}
		out = append(out, o)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// History is everything the registry knows about one organisation over time.
type History struct {
	Organisation  Organisation   `json:"organisation"`
	Relationships []Relationship `json:"relationships"`
	Successions   []Succession   `json:"successions"`
	// SuccessorChain leads from this organisation to its current successor.
	SuccessorChain []Succession `json:"successor_chain"`
	// Predecessors are the organisations this one succeeded, nearest first.
	Predecessors []Succession `json:"predecessors"`
}

// History returns the full dated history of one organisation.
func (s *Service) History(ctx context.Context, code string) (History, error) {
	o, err := s.Organisation(ctx, code)
	if err != nil {
		return History{}, err
	}
	h := History{Organisation: o}
	if h.Relationships, err = s.store.RelationshipsOf(ctx, code); err != nil {
		return History{}, fmt.Errorf("registry: history of %q: %w", code, err)
	}
	if h.Successions, err = s.store.SuccessionsOf(ctx, code); err != nil {
		return History{}, fmt.Errorf("registry: history of %q: %w", code, err)
	}
	if h.SuccessorChain, err = s.SuccessorChain(ctx, code, calendar.Date{}); err != nil {
		return History{}, err
	}
	if h.Predecessors, err = s.Predecessors(ctx, code); err != nil {
		return History{}, err
	}
	return h, nil
}
