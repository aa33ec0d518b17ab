package engagement

import "context"

// Notifier is told about changes that people should hear of, inside the
// transaction that makes each change, so that what it queues (e-mail in
// the outbox) is kept exactly when the change is. It is never told about a
// survey response.
type Notifier interface {
	// QuestionAnswered: q (with its asker) has just been answered.
	QuestionAnswered(ctx context.Context, q Question) error
	// YouSaidWeDid: the "you said, we did" of c has just been recorded.
	YouSaidWeDid(ctx context.Context, c Consultation) error
	// WaveClosed: w has just been closed (perhaps early): its links are
	// useless from now on.
	WaveClosed(ctx context.Context, w Wave) error
}

// SetNotifier makes the service tell n about answered questions and "you
// said, we did" statements; nil (the default) tells nobody. Call it while
// wiring, before the service is in use.
func (s *Service) SetNotifier(n Notifier) { s.notifier = n }
