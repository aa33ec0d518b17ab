package cli

import (
	"context"

	"ccg/internal/importing"
)

// wireEngagement builds the engagement service over the opened stores (a.engagement).
func (a *app) wireEngagement(ctx context.Context) error {
	return nil
}

// engagementHandlers returns the import handlers of the engagement capability.
func (a *app) engagementHandlers() []importing.Handler {
	return nil
}
