package cli

import (
	"context"

	"ccg/internal/importing"
)

// wireGovernance builds the governance service over the opened stores (a.governance).
func (a *app) wireGovernance(ctx context.Context) error {
	return nil
}

// governanceHandlers returns the import handlers of the governance capability.
func (a *app) governanceHandlers() []importing.Handler {
	return nil
}
