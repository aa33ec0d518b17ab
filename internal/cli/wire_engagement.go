package cli

import (
	"context"
	"fmt"

	"ccg/internal/access"
	"ccg/internal/engagement"
	"ccg/internal/errs"
	"ccg/internal/governance"
	"ccg/internal/importing"
)

// wireEngagement builds the engagement service over the SQL store, the
// access audit chain and governance's decision records (a.engagement), and
// sets it as governance's publish gate.
func (a *app) wireEngagement(ctx context.Context) error {
	if a.sql == nil || a.access == nil {
		return fmt.Errorf("wire engagement: the SQL store and access must be wired first: %w", errs.ErrInvalid)
	}
	a.engagement = engagement.NewService(a.sql, engagementAudit{a.access}, engagementDecisions{a.governance})
	if a.mail != nil {
		a.engagement.SetNotifier(mailNotifier{a})
	}
	// "You said, we did": a decision that members were consulted on is
	// published only once its consultations have closed and say what was done.
	if a.governance != nil {
		a.governance.SetPublishCheck(a.engagement)
	}
	return nil
}

// engagementHandlers returns the import handlers of the engagement
// capability: a questionnaire file becomes a new survey (waves,
// consultations and questions are made in ccg itself).
func (a *app) engagementHandlers() []importing.Handler {
	return []importing.Handler{engagement.NewQuestionnaireImport(a.engagement, engagementActorID)}
}

// engagementActorID is the ID of the person the context carries (0 for none).
func engagementActorID(ctx context.Context) engagement.PersonID {
	if p := access.ActorFrom(ctx); p != nil {
		return p.ID
	}
	return 0
}

// engagementAudit writes engagement's changes to the access audit chain,
// naming the person the context carries (engagement never audits a survey
// response).
type engagementAudit struct{ access *access.Service }

// Record implements engagement.Auditor.
func (e engagementAudit) Record(ctx context.Context, action, subject, detail string) error {
	return e.access.Record(ctx, access.ActorFrom(ctx), action, subject, detail)
}

// engagementDecisions looks decision records up in governance; while
// governance is not wired, every decision is unknown.
type engagementDecisions struct{ gov *governance.Service }

// DecisionRef implements engagement.Decisions.
func (e engagementDecisions) DecisionRef(ctx context.Context, id engagement.DecisionID) (engagement.DecisionRef, error) {
	if e.gov == nil {
		return engagement.DecisionRef{}, fmt.Errorf("engagement decisions: decision %d: governance is not available: %w", id, errs.ErrNotFound)
	}
	d, err := e.gov.Decision(ctx, id)
	if err != nil {
		return engagement.DecisionRef{}, fmt.Errorf("engagement decisions: %w", err)
	}
	return engagement.DecisionRef{ID: d.ID, Title: d.Title, Status: string(d.Status)}, nil
}
