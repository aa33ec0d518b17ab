package cli

import (
	"context"
	"fmt"

	"ccg/internal/demo"
)

// seedDemoVariation adds what the demo's variation pages show that is not imported
// from files (it runs after every import and the demo accounts): the
// imports compute every measure for the months they bring, so this only
// computes them when no month has values yet (for example when the
// prescribing files were imported before the practices).
func seedDemoVariation(ctx context.Context, e *env, a *app, w *demo.World) error {
	if a.variation == nil {
		return nil
	}
	months, err := a.variation.Months(ctx)
	if err != nil {
		return fmt.Errorf("seed variation: %w", err)
	}
	if len(months) >= len(w.Variation.Months) {
		return nil
	}
	if err := a.variation.ComputeAll(ctx); err != nil {
		return fmt.Errorf("seed variation: %w", err)
	}
	fmt.Fprintln(e.stdout, "Prescribing and referral measures computed for every month.")
	return nil
}
