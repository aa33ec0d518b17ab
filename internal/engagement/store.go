package engagement

import (
	"context"

	"ccg/internal/txn"
)

// Store is what engagement needs from persistence (store/sqlstore,
// migrations 0300-0399). Lookups of a missing thing return an error
// wrapping errs.ErrNotFound; a broken uniqueness or a stale state wraps
// errs.ErrConflict. The Service runs every multi-write change in InTx.
type Store interface {
	txn.Runner
	SurveyStore
	ConsultationStore
	QuestionStore
}

// SurveyStore keeps surveys, waves, unused invitations, anonymous responses
// and tallies. It must never be given, and so never holds, a link between a
// person and a token or a response: see the package documentation. An
// adapter must keep Invitation rows, Response rows and PracticeTally rows
// in separate tables with no shared key, order Responses by something other
// than insertion (e.g. by a random key), and store no time stamp with a
// response.
type SurveyStore interface {
	// PutSurvey inserts (ID 0) or replaces a survey and returns its id.
	PutSurvey(ctx context.Context, s Survey) (int64, error)
	// Survey returns one survey.
	Survey(ctx context.Context, id int64) (Survey, error)
	// Surveys returns every survey, newest first.
	Surveys(ctx context.Context) ([]Survey, error)
	// PutWave inserts (ID 0) or replaces a wave and returns its id.
	PutWave(ctx context.Context, w Wave) (int64, error)
	// Wave returns one wave.
	Wave(ctx context.Context, id int64) (Wave, error)
	// Waves returns a survey's waves, earliest Opens first.
	Waves(ctx context.Context, survey int64) ([]Wave, error)

	// AddInvitations stores a wave's unused invitations (in the order
	// given, which the Service has shuffled) and its tallies of people
	// invited, by practice and by class.
	AddInvitations(ctx context.Context, wave int64, invs []Invitation, practices []PracticeTally, classes []ClassTally) error
	// Invitation returns the unused invitation with this token hash; a
	// used one wraps errs.ErrConflict and an unknown one errs.ErrNotFound.
	Invitation(ctx context.Context, tokenHash string) (Invitation, error)
	// BurnInvitation deletes the unused invitation with this token hash
	// and remembers the hash (alone) as used, atomically: a second burn of
	// the same hash wraps errs.ErrConflict, an unknown hash errs.ErrNotFound.
	BurnInvitation(ctx context.Context, tokenHash string) error
	// AddResponse stores an anonymous response.
	AddResponse(ctx context.Context, r Response) error
	// CountResponse adds one to the practice's tally of returns with
	// disposition d for the wave.
	CountResponse(ctx context.Context, wave int64, practice string, d Disposition) error
	// Responses returns a wave's responses (in no meaningful order).
	Responses(ctx context.Context, wave int64) ([]Response, error)
	// PracticeTallies returns a wave's tallies by practice, by code.
	PracticeTallies(ctx context.Context, wave int64) ([]PracticeTally, error)
	// ClassTallies returns a wave's numbers invited by class.
	ClassTallies(ctx context.Context, wave int64) ([]ClassTally, error)
}

// ConsultationFilter selects consultations.
type ConsultationFilter struct {
	Decision DecisionID // 0 for any
	Limit    int        // 0: no limit
	Offset   int
}

// ConsultationStore keeps consultations and members' (named) responses.
type ConsultationStore interface {
	// PutConsultation inserts (ID 0) or replaces a consultation and
	// returns its id.
	PutConsultation(ctx context.Context, c Consultation) (int64, error)
	// Consultation returns one consultation.
	Consultation(ctx context.Context, id int64) (Consultation, error)
	// Consultations returns the consultations matching f, newest Opens
	// (then newest id) first.
	Consultations(ctx context.Context, f ConsultationFilter) ([]Consultation, error)
	// UpsertConsultationResponse inserts r, or replaces the response of the
	// same consultation and person (keeping its Created), and reports
	// whether it was new.
	UpsertConsultationResponse(ctx context.Context, r ConsultationResponse) (created bool, err error)
	// ConsultationResponses returns a consultation's responses, oldest first.
	ConsultationResponses(ctx context.Context, consultation int64) ([]ConsultationResponse, error)
}

// QuestionFilter selects questions and concerns.
type QuestionFilter struct {
	Status QuestionStatus // "" for any
	To     string         // "" for any body
	Asker  PersonID       // 0 for anyone
	Limit  int            // 0: no limit
	Offset int
}

// QuestionStore keeps questions and concerns.
type QuestionStore interface {
	// PutQuestion inserts (ID 0) or replaces a question and returns its id.
	PutQuestion(ctx context.Context, q Question) (int64, error)
	// Question returns one question.
	Question(ctx context.Context, id int64) (Question, error)
	// Questions returns the questions matching f, newest submitted first.
	Questions(ctx context.Context, f QuestionFilter) ([]Question, error)
}

// Auditor writes every change to the audit chain (implemented by the
// people-and-roles package). The Service never calls it for a survey
// response: the audit adapter records who is signed in.
type Auditor interface {
	Record(ctx context.Context, action, subject, detail string) error
}

// Decisions looks decision records up (implemented over governance).
type Decisions interface {
	// DecisionRef returns a decision's title and state; a missing one
	// wraps errs.ErrNotFound.
	DecisionRef(ctx context.Context, id DecisionID) (DecisionRef, error)
}

// Audit actions engagement writes.
const (
	AuditSurveyCreate        = "engagement.survey-create"
	AuditSurveyUpdate        = "engagement.survey-update"
	AuditWaveCreate          = "engagement.wave-create"
	AuditWaveClose           = "engagement.wave-close"
	AuditInvite              = "engagement.invite"
	AuditConsultationOpen    = "engagement.consultation-open"
	AuditConsultationClose   = "engagement.consultation-close"
	AuditConsultationRespond = "engagement.consultation-respond"
	AuditYouSaidWeDid        = "engagement.you-said-we-did"
	AuditQuestionAsk         = "engagement.question-ask"
	AuditQuestionMove        = "engagement.question-move"
)
