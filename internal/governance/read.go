package governance

import (
	"context"
	"fmt"

	"ccg/internal/calendar"
)

// Decisions returns the decision records matching f (every status), newest
// decided first, for the governance secretary's pages.
func (s *Service) Decisions(ctx context.Context, f DecisionFilter) ([]Decision, error) {
	ds, err := s.store.Decisions(ctx, f)
	if err != nil {
		return nil, fmt.Errorf("governance: decisions: %w", err)
	}
	return ds, nil
}

// Meeting returns one meeting.
func (s *Service) Meeting(ctx context.Context, id int64) (Meeting, error) {
	m, err := s.store.Meeting(ctx, id)
	if err != nil {
		return Meeting{}, fmt.Errorf("governance: meeting %d: %w", id, err)
	}
	return m, nil
}

// Meetings returns a body's meetings ("" for every body) held in [from,
// to), oldest first.
func (s *Service) Meetings(ctx context.Context, body BodyID, from, to calendar.Date) ([]Meeting, error) {
	ms, err := s.store.Meetings(ctx, body, from, to)
	if err != nil {
		return nil, fmt.Errorf("governance: meetings: %w", err)
	}
	return ms, nil
}

// Votes returns the member votes of a body ("" for every body), newest first.
func (s *Service) Votes(ctx context.Context, body BodyID) ([]MemberVote, error) {
	vs, err := s.store.Votes(ctx, body)
	if err != nil {
		return nil, fmt.Errorf("governance: votes: %w", err)
	}
	return vs, nil
}

// HasVoted reports which of the given practices have voted in a vote.
func (s *Service) HasVoted(ctx context.Context, vote int64, practices []string) (map[string]bool, error) {
	parts, err := s.store.Participations(ctx, vote)
	if err != nil {
		return nil, fmt.Errorf("governance: vote %d: %w", vote, err)
	}
	want := map[string]bool{}
	for _, p := range practices {
		want[p] = true
	}
	out := map[string]bool{}
	for _, p := range parts {
		if want[p.Practice] {
			out[p.Practice] = true
		}
	}
	return out, nil
}

// Gifts returns the gifts and hospitality register for [from, to).
func (s *Service) Gifts(ctx context.Context, from, to calendar.Date) ([]Gift, error) {
	gs, err := s.store.Gifts(ctx, from, to)
	if err != nil {
		return nil, fmt.Errorf("governance: gifts and hospitality: %w", err)
	}
	return gs, nil
}

// Procurements returns the register of procurement decisions, newest first.
func (s *Service) Procurements(ctx context.Context) ([]ProcurementDecision, error) {
	ps, err := s.store.Procurements(ctx)
	if err != nil {
		return nil, fmt.Errorf("governance: procurement decisions: %w", err)
	}
	return ps, nil
}

// Breaches returns the register of breaches, newest first.
func (s *Service) Breaches(ctx context.Context) ([]Breach, error) {
	bs, err := s.store.Breaches(ctx)
	if err != nil {
		return nil, fmt.Errorf("governance: breaches: %w", err)
	}
	return bs, nil
}

// Now returns the service's clock reading (the demo and tests set it).
func (s *Service) Now() calendar.Date { return s.today() }

// Vote returns one member vote.
func (s *Service) Vote(ctx context.Context, id int64) (MemberVote, error) {
	v, err := s.store.Vote(ctx, id)
	if err != nil {
		return MemberVote{}, fmt.Errorf("governance: vote %d: %w", id, err)
	}
	return v, nil
}

// OwnRegister is one person's own entries in the registers of interests
// and of gifts and hospitality, with their yearly confirmation.
type OwnRegister struct {
	Interests []Interest `json:"interests"`
	Gifts     []Gift     `json:"gifts"`
	// LastConfirmed is when the person last confirmed their entries (zero:
	// never); ConfirmBy when they must next confirm them; Due whether that
	// is today or has passed.
	LastConfirmed calendar.Date `json:"last_confirmed"`
	ConfirmBy     calendar.Date `json:"confirm_by"`
	Due           bool          `json:"due"`
}

// OwnRegister returns person's own register entries (every one, live or
// ended, gifts of any date) and whether their yearly confirmation is due.
func (s *Service) OwnRegister(ctx context.Context, person PersonID) (OwnRegister, error) {
	const op = "governance: own register"
	out := OwnRegister{Interests: []Interest{}, Gifts: []Gift{}}
	is, err := s.store.Interests(ctx, person)
	if err != nil {
		return OwnRegister{}, fmt.Errorf("%s of %d: %w", op, person, err)
	}
	out.Interests = append(out.Interests, is...)
	gs, err := s.store.Gifts(ctx, calendar.Date{}, calendar.Date{})
	if err != nil {
		return OwnRegister{}, fmt.Errorf("%s of %d: %w", op, person, err)
	}
	for _, g := range gs {
		if g.Person == person {
			out.Gifts = append(out.Gifts, g)
		}
	}
	latest, err := s.store.LatestConfirmations(ctx)
	if err != nil {
		return OwnRegister{}, fmt.Errorf("%s of %d: %w", op, person, err)
	}
	today := s.today()
	out.LastConfirmed = latest[person]
	out.ConfirmBy, _ = ConfirmationDue(out.LastConfirmed, today)
	out.Due = len(DueConfirmation([]PersonID{person}, latest, today)) > 0
	return out, nil
}
