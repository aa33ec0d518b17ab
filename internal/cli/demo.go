package cli

import (
	"context"
	"flag"
	"fmt"
	"net"
	"os"
	"path/filepath"

	"ccg/internal/demo"
	"ccg/internal/importing"
)

func runDemo(ctx context.Context, e *env, args []string) error {
	var (
		cfg     Config
		seed    int64
		keep    bool
		prepare bool
	)
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		w := fs.Output()
		fmt.Fprintln(w, "Usage: ccg demo [--data DIR] [--db URL] [--addr HOST:PORT] [--smtp-url URL] [--public-url URL] [--seed N] [--keep] [--prepare-only]")
		fmt.Fprintln(w)
		fmt.Fprintln(w, "Builds a realistic, deterministic demo CCG: it writes the demo's files in the real public")
		fmt.Fprintln(w, "formats, imports them exactly as a user would with 'ccg import', then serves the web pages.")
		fmt.Fprintln(w, "Without --data it works in a fresh temporary folder that is removed on exit (unless --keep).")
		fmt.Fprintln(w)
		fs.PrintDefaults()
	}
	fs.StringVar(&cfg.DataDir, "data", os.Getenv("CCG_DEMO_DATA"), "data folder for the demo (env CCG_DEMO_DATA; default a new temporary folder)")
	fs.StringVar(&cfg.DB, "db", "", "database URL: empty for SQLite in the data folder, or postgres://…")
	cfg.bindAddr(fs)
	cfg.bindMail(fs)
	cfg.GCEvery = defaultGCEvery
	fs.Int64Var(&seed, "seed", 2013, "seed of the demo world (the same seed builds the same world)")
	fs.BoolVar(&keep, "keep", false, "keep the temporary data folder on exit")
	fs.BoolVar(&prepare, "prepare-only", false, "build and import the demo, then exit without serving")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if cfg.DataDir == "" {
		dir, err := os.MkdirTemp("", "ccg-demo-")
		if err != nil {
			return fmt.Errorf("demo: %w", err)
		}
		cfg.DataDir = dir
		if !keep {
			defer os.RemoveAll(dir)
		}
	}
	if err := cfg.Validate(!prepare); err != nil {
		return err
	}
	// Listen first, so that links in the demo's e-mails name the real port
	// (with --addr 127.0.0.1:0 too).
	var ln net.Listener
	if !prepare {
		var err error
		if ln, err = net.Listen("tcp", cfg.Addr); err != nil {
			return fmt.Errorf("demo: %w", err)
		}
		defer ln.Close()
		cfg.Addr = ln.Addr().String()
	}

	fmt.Fprintf(e.stdout, "Building the demo CCG in %s\n", cfg.DataDir)
	world, err := demo.Generate(filepath.Join(cfg.DataDir, "demo-files"), seed)
	if err != nil {
		return fmt.Errorf("demo: generate: %w", err)
	}
	a, err := openApp(ctx, cfg, applyMigrations)
	if err != nil {
		return err
	}
	defer a.Close()
	for _, step := range world.Steps {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := importOne(ctx, e, a, step.Kind, step.Path, importing.Options{Actor: "demo"}); err != nil {
			return fmt.Errorf("demo: %w", err)
		}
	}
	if err := setupDemoAccounts(ctx, e, a, world); err != nil {
		return err
	}
	for _, seed := range []func(context.Context, *env, *app, *demo.World) error{
		seedDemoVariation, seedDemoGovernance, seedDemoEngagement, seedDemoFinance,
	} {
		if err := seed(ctx, e, a, world); err != nil {
			return fmt.Errorf("demo: %w", err)
		}
	}
	if a.mailSender == nil {
		fmt.Fprintln(e.stdout, "\nE-mail: no --smtp-url, so messages wait in the outbox; the administrator reads them at /admin/outbox.")
	} else {
		fmt.Fprintf(e.stdout, "\nE-mail: delivered through %s.\n", a.mailSender.Config())
	}
	if prepare {
		fmt.Fprintln(e.stdout, "The demo is ready (not serving: --prepare-only).")
		return nil
	}
	a.listener = ln
	return serveHTTP(ctx, e, a, func(url string) {
		fmt.Fprintf(e.stdout, "\nccg demo is ready at %s\n", url)
		fmt.Fprintln(e.stdout, "Press Ctrl+C to stop.")
	})
}
