package cli

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"ccg/internal/chart"
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
		fmt.Fprintln(w, "It never reads CCG_DATA or CCG_DB, so that it cannot touch your real data: give --data")
		fmt.Fprintln(w, "(or CCG_DEMO_DATA) and --db to put the demo somewhere of your choosing.")
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
	// Every import's own report goes to a log file; the screen shows one
	// line per kind of file, then what to do with the demo last.
	logPath := filepath.Join(cfg.DataDir, "demo-import.log")
	var log bytes.Buffer
	quiet := *e
	quiet.stdout = &log
	var step *demoStep
	for _, st := range world.Steps {
		if err := ctx.Err(); err != nil {
			return err
		}
		if step == nil || step.kind != st.Kind {
			step.print(e.stdout)
			step = &demoStep{kind: st.Kind}
		}
		sum, err := importSummary(ctx, &quiet, a, st.Kind, st.Path, importing.Options{Actor: "demo"})
		if err != nil {
			return fmt.Errorf("demo: %w", err)
		}
		step.add(sum)
	}
	step.print(e.stdout)
	if err := setupDemoAccounts(ctx, &quiet, a, world); err != nil {
		return err
	}
	var notes bytes.Buffer
	noted := *e
	noted.stdout = &notes
	for _, seed := range []func(context.Context, *env, *app, *demo.World) error{
		seedDemoVariation, seedDemoGovernance, seedDemoEngagement, seedDemoFinance,
	} {
		if err := seed(ctx, &noted, a, world); err != nil {
			return fmt.Errorf("demo: %w", err)
		}
	}
	if err := os.WriteFile(logPath, log.Bytes(), 0o644); err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	fmt.Fprintf(e.stdout, "Every import's report: %s (rejected rows are on the import history page, /imports)\n", logPath)
	if err := demoGovernanceSummary(ctx, e.stdout, a, world); err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	if a.mailSender == nil {
		fmt.Fprintln(e.stdout, "E-mail: no --smtp-url, so messages wait in the outbox; the administrator reads them at /admin/outbox.")
	} else {
		fmt.Fprintf(e.stdout, "E-mail: delivered through %s.\n", a.mailSender.Config())
	}
	if prepare {
		printDemoAccess(e.stdout, world, notes.String(), "")
		fmt.Fprintln(e.stdout, "The demo is ready (not serving: --prepare-only).")
		return nil
	}
	a.listener = ln
	return serveHTTP(ctx, e, a, func(url string) {
		printDemoAccess(e.stdout, world, notes.String(), url)
		fmt.Fprintf(e.stdout, "\nccg demo is ready at %s\n", url)
		fmt.Fprintln(e.stdout, "Press Ctrl+C to stop.")
	})
}

// demoStep adds up the imports of one kind of file for the one line the
// demo prints about them.
type demoStep struct {
	kind                  string
	files, read, rejected int
	firstRun, lastRun     int64
}

func (s *demoStep) add(sum importing.Summary) {
	if s.files == 0 {
		s.firstRun = sum.ID
	}
	s.files++
	s.read += sum.Read
	s.rejected += sum.Rejected
	s.lastRun = sum.ID
}

func (s *demoStep) print(w io.Writer) {
	if s == nil || s.files == 0 {
		return
	}
	files, runs := "1 file", fmt.Sprintf("run %d", s.firstRun)
	if s.files > 1 {
		files, runs = fmt.Sprintf("%d files", s.files), fmt.Sprintf("runs %d-%d", s.firstRun, s.lastRun)
	}
	rejected := ""
	if s.rejected > 0 {
		rejected = fmt.Sprintf(", %d rejected and kept with their reasons", s.rejected)
	}
	rows := chart.Int(s.read) + " rows"
	if s.read == 1 {
		rows = "1 row"
	}
	fmt.Fprintf(w, "  imported %-24s %s, %s%s (%s)\n", s.kind, files, rows, rejected, runs)
}

// printDemoAccess prints what a person needs to try the demo, last: the
// seeds' notes, the survey links as full addresses and the sign-ins.
func printDemoAccess(w io.Writer, world *demo.World, notes, base string) {
	if base == "" {
		base = "/"
	}
	for _, line := range strings.Split(strings.TrimRight(notes, "\n"), "\n") {
		// Survey links are printed as paths by the seed; give the address.
		line = strings.Replace(line, " /survey?token=", " "+strings.TrimSuffix(base, "/")+"/survey?token=", 1)
		fmt.Fprintln(w, line)
	}
	fmt.Fprintf(w, "\nDemo sign-ins (at %slogin):\n", base)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "  ROLE\tEMAIL\tPASSWORD\tPRACTICES")
	for _, acct := range world.Accounts {
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", acct.Role, acct.Email, acct.Password, strings.Join(acct.Practices, " "))
	}
	tw.Flush()
}
