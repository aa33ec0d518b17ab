package cli

import (
	"context"

	"ccg/internal/demo"
)

// seedDemoFinance adds what the demo's finance pages show that is not imported
// from files (it runs after every import and the demo accounts).
func seedDemoFinance(ctx context.Context, e *env, a *app, w *demo.World) error {
	return nil
}
