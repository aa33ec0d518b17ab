package cli

import (
	"context"
	"log/slog"
	"time"
)

// defaultGCEvery is how often `ccg serve` removes the analytics files no
// import published (see `ccg gc`).
const defaultGCEvery = time.Hour

// startGC runs the analytics gc every period until ctx is done, as `ccg gc`
// does: files of drafts whose lock is still held (an import running in any
// process) are kept, and files replaced by a later import are kept for
// grace, so that servers still reading them can finish. A server that runs
// for weeks thus does not fill the disk with replaced months. every <= 0
// turns it off.
func (a *app) startGC(ctx context.Context, log *slog.Logger, every, grace time.Duration) {
	an := a.prescribingAnalytics()
	if an == nil || every <= 0 {
		return
	}
	go func() {
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			rep, err := an.GC(ctx, grace)
			switch {
			case err != nil && ctx.Err() == nil:
				log.Error("analytics gc", "error", err)
			case rep.Orphans+rep.Retired > 0:
				log.Info("analytics gc", "unpublished", rep.Orphans, "replaced", rep.Retired, "bytes", rep.Bytes)
			}
		}
	}()
}
