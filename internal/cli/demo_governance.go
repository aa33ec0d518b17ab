package cli

import (
	"context"

	"ccg/internal/demo"
)

// seedDemoGovernance adds what the demo's governance pages show that is not imported
// from files (it runs after every import and the demo accounts).
func seedDemoGovernance(ctx context.Context, e *env, a *app, w *demo.World) error {
	return nil
}
