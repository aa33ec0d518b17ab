package cli

import (
	"context"
	"flag"
	"fmt"
)

func runMigrate(ctx context.Context, e *env, args []string) error {
	var cfg Config
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "Usage: ccg migrate [--data DIR] [--db URL]\n\nCreates or updates the database tables. serve and import refuse to run on a database that needs migrating.")
		fs.PrintDefaults()
	}
	cfg.bindStore(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := cfg.Validate(false); err != nil {
		return err
	}
	a, err := openApp(ctx, cfg, applyMigrations)
	if err != nil {
		return err
	}
	defer a.Close()
	fmt.Fprintf(e.stdout, "database (%s) is up to date\n", cfg.Engine())
	return nil
}
