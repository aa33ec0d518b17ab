package cli

import (
	"context"

	"ccg/internal/importing"
)

// wireVariation builds the variation service over the opened stores (a.variation).
func (a *app) wireVariation(ctx context.Context) error {
	return nil
}

// variationHandlers returns the import handlers of the variation capability.
func (a *app) variationHandlers() []importing.Handler {
	return nil
}
