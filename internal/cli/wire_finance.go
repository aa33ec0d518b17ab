package cli

import (
	"context"

	"ccg/internal/importing"
)

// wireFinance builds the finance service over the opened stores (a.finance).
func (a *app) wireFinance(ctx context.Context) error {
	return nil
}

// financeHandlers returns the import handlers of the finance capability.
func (a *app) financeHandlers() []importing.Handler {
	return nil
}
