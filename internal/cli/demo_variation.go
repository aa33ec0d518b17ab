package cli

import (
	"context"

	"ccg/internal/demo"
)

// seedDemoVariation adds what the demo's variation pages show that is not imported
// from files (it runs after every import and the demo accounts).
func seedDemoVariation(ctx context.Context, e *env, a *app, w *demo.World) error {
	return nil
}
