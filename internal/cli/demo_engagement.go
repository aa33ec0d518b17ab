package cli

import (
	"context"

	"ccg/internal/demo"
)

// seedDemoEngagement adds what the demo's engagement pages show that is not imported
// from files (it runs after every import and the demo accounts).
func seedDemoEngagement(ctx context.Context, e *env, a *app, w *demo.World) error {
	return nil
}
