package governance

import "context"

// Notifier is told about changes that people should hear of, inside the
// transaction that makes each change, so that what it queues (e-mail in
// the outbox) is kept exactly when the change is.
type Notifier interface {
	// VoteOpened: v has just been opened (its roster fixed).
	VoteOpened(ctx context.Context, v MemberVote) error
	// MeetingAgenda: m has just been created or its agenda changed.
	MeetingAgenda(ctx context.Context, m Meeting) error
}

// SetNotifier makes the service tell n about opened votes and meeting
// agendas; nil (the default) tells nobody. Call it while wiring, before the
// service is in use.
func (s *Service) SetNotifier(n Notifier) { s.notifier = n }
