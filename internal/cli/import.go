package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"ccg/internal/access"
	"ccg/internal/calendar"
	"ccg/internal/errs"
	"ccg/internal/importing"
	"ccg/internal/registry"
)

func runImport(ctx context.Context, e *env, args []string) error {
	var (
		cfg           Config
		strict        bool
		month, months string
	)
	fs := flag.NewFlagSet("import", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	cfg.bindStore(fs)
	fs.BoolVar(&strict, "strict", false, "fail the whole import if any row is rejected")
	fs.StringVar(&month, "month", "", "the month a prescribing file holds, YYYY-MM (when its name does not say: EPD_YYYYMM.csv)")
	fs.StringVar(&months, "months", "", "the months a referrals file replaces, FROM..TO as YYYY-MM..YYYY-MM (when its name does not say)")
	fs.Usage = func() {
		w := fs.Output()
		fmt.Fprintln(w, "Usage: ccg import [--strict] [--month YYYY-MM | --months FROM..TO] [--data DIR] [--db URL] KIND FILE")
		fmt.Fprintln(w, "       ccg import [--strict] dmd RELEASE-FOLDER | measures DEFINITIONS-FOLDER")
		fmt.Fprintln(w)
		fmt.Fprintln(w, "Imports FILE, exactly as published, all-or-nothing. Importing the same file again changes nothing.")
		fmt.Fprintln(w, "Rows that fail a check are kept aside with their line, column and reason (see the import history page).")
		fmt.Fprintln(w)
		fmt.Fprintln(w, "Kinds:")
		kinds := importKinds()
		width := 0
		for _, k := range kinds {
			width = max(width, len(k[0]))
		}
		for _, k := range kinds {
			fmt.Fprintf(w, "  %-*s  %s\n", width, k[0], k[1])
		}
		fmt.Fprintln(w)
		fs.PrintDefaults()
	}
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 2 {
		fs.Usage()
		return fmt.Errorf("import: want KIND FILE, got %d arguments", len(pos))
	}
	if err := cfg.Validate(false); err != nil {
		return err
	}
	declared, err := parseMonths(month, months)
	if err != nil {
		return err
	}
	a, err := openApp(ctx, cfg, applyMigrations)
	if err != nil {
		return err
	}
	defer a.Close()
	opts := importing.Options{Strict: strict, Actor: "cli", Months: declared}
	if st, err := os.Stat(pos[1]); err == nil && st.IsDir() {
		return importFolder(ctx, e, a, pos[0], pos[1], opts)
	}
	return importOne(ctx, e, a, pos[0], pos[1], opts)
}

// parseMonths reads --month YYYY-MM or --months FROM..TO.
func parseMonths(month, months string) ([]calendar.Month, error) {
	switch {
	case month != "" && months != "":
		return nil, fmt.Errorf("import: give --month or --months, not both: %w", errs.ErrInvalid)
	case month != "":
		m, err := calendar.ParseMonth(month)
		if err != nil {
			return nil, fmt.Errorf("import: --month %q: want YYYY-MM: %w", month, errs.ErrInvalid)
		}
		return []calendar.Month{m}, nil
	case months != "":
		from, to, ok := strings.Cut(months, "..")
		f, err1 := calendar.ParseMonth(strings.TrimSpace(from))
		t, err2 := calendar.ParseMonth(strings.TrimSpace(to))
		if !ok || err1 != nil || err2 != nil || t.Before(f) || t.Since(f) > 1200 {
			return nil, fmt.Errorf("import: --months %q: want FROM..TO, for example 2024-01..2024-12: %w", months, errs.ErrInvalid)
		}
		var out []calendar.Month
		for m := f; !t.Before(m); m = m.Add(1) {
			out = append(out, m)
		}
		return out, nil
	}
	return nil, nil
}

// importKinds lists the kinds and their descriptions without opening a store.
func importKinds() [][2]string {
	a := &app{registry: registry.NewService(nil)}
	var out [][2]string
	for _, h := range importing.NewService(nil, a.importHandlers()...).Kinds() {
		out = append(out, [2]string{h.Kind(), h.Describe()})
	}
	return out
}

// importOne imports one file and prints its summary.
func importOne(ctx context.Context, e *env, a *app, kind, path string, opts importing.Options) error {
	_, err := importSummary(ctx, e, a, kind, path, opts)
	return err
}

// importSummary is importOne, also returning the import's summary.
func importSummary(ctx context.Context, e *env, a *app, kind, path string, opts importing.Options) (importing.Summary, error) {
	if access.ActorFrom(ctx) == nil {
		// The command line acts with every right (see access.System).
		ctx = access.WithActor(ctx, access.System)
	}
	if e.interactive && opts.Progress == nil {
		opts.Progress = newProgressBar(e.stderr)
	}
	sum, err := a.imports.ImportFile(ctx, kind, path, opts)
	if err != nil {
		return sum, err
	}
	printSummary(e.stdout, sum)
	return sum, nil
}

func printSummary(w io.Writer, s importing.Summary) {
	if s.AlreadyImported {
		fmt.Fprintf(w, "%s %s: already imported as run %d on %s; nothing changed\n",
			s.Kind, s.File, s.ID, s.Finished.Format("2006-01-02 15:04"))
		return
	}
	fmt.Fprintf(w, "%s %s: %d rows read, %d accepted, %d rejected, %d records changed (run %d)\n",
		s.Kind, s.File, s.Read, s.Accepted, s.Rejected, s.Changed, s.ID)
	for _, n := range s.Notes {
		fmt.Fprintf(w, "  note: %s\n", n)
	}
	for _, r := range s.Rejections {
		fmt.Fprintf(w, "  rejected %s:%d:%d: %s\n", s.File, r.Line, r.Column, r.Reason)
	}
	if s.Rejected > len(s.Rejections) {
		fmt.Fprintf(w, "  … and %d more rejected rows (all kept: see the import history page)\n", s.Rejected-len(s.Rejections))
	}
}
