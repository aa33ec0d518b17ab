package cli

import (
	"context"
	"flag"
	"fmt"
	"time"

	"ccg/internal/analytics/duckdb"
)

func runGC(ctx context.Context, e *env, args []string) error {
	var (
		cfg   Config
		grace time.Duration
	)
	fs := flag.NewFlagSet("gc", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "Usage: ccg gc [--grace DURATION] [--data DIR] [--db URL]\n\n"+
			"Removes the analytics files that no import published: files of imports that failed or were killed\n"+
			"(never those of an import still running), and files replaced by a later import more than --grace ago\n"+
			"(servers may still be reading them). Safe to run while other ccg processes import and serve; every\n"+
			"ccg command also does this when it starts.")
		fs.PrintDefaults()
	}
	cfg.bindStore(fs)
	fs.DurationVar(&grace, "grace", duckdb.DefaultGrace, "keep replaced files this long")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := cfg.Validate(false); err != nil {
		return err
	}
	a, err := openApp(ctx, cfg, requireMigrated)
	if err != nil {
		return err
	}
	defer a.Close()
	an := a.prescribingAnalytics()
	if an == nil {
		if reason, ok := analyticsUnavailable.Load(a); ok {
			return fmt.Errorf("gc: %w", reason.(error))
		}
		return fmt.Errorf("gc: no analytics store")
	}
	rep, err := an.GC(ctx, grace)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "analytics: removed %d unpublished and %d replaced files (%.1f MB)\n", rep.Orphans, rep.Retired, float64(rep.Bytes)/1e6)
	return nil
}
