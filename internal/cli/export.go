package cli

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"

	"ccg/internal/calendar"
	"ccg/internal/errs"
	"ccg/internal/variation"
)

// runExport writes data out of ccg. Its one export so far is
// measure-values: one measure's values in a month at a level, as CSV with
// the same columns the API gives (variation.ValuesCSVHeader).
func runExport(ctx context.Context, e *env, args []string) error {
	usage := func() {
		fmt.Fprintln(e.stderr, "Usage: ccg export measure-values --measure ID --month YYYY-MM --level practice|locality|ccg|england [--org CODE] [--out FILE] [--data DIR] [--db URL]")
	}
	if len(args) == 0 || args[0] != "measure-values" {
		usage()
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "-help") {
			return errHelp
		}
		return fmt.Errorf("export: want the export measure-values: %w", errs.ErrInvalid)
	}
	var (
		cfg                        Config
		measure, month, level, org string
		out                        string
	)
	fs := flag.NewFlagSet("export measure-values", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	cfg.bindStore(fs)
	fs.StringVar(&measure, "measure", "", "measure id (see /api/v1/measures)")
	fs.StringVar(&month, "month", "", "month, YYYY-MM")
	fs.StringVar(&level, "level", "practice", "practice, locality, ccg or england")
	fs.StringVar(&org, "org", "", "only this organisation's row (an ODS or locality code)")
	fs.StringVar(&out, "out", "", "write to this file instead of standard output")
	fs.Usage = func() {
		usage()
		fmt.Fprintln(e.stderr)
		fmt.Fprintln(e.stderr, "Writes CSV with a header row: measure_id,month,level,org_code,numerator,denominator,value,percentile,")
		fmt.Fprintln(e.stderr, "cost_saving_10..cost_saving_90, the funnel limits and the outlier and data-quality flags.")
		fmt.Fprintln(e.stderr, "Percentiles are 0-100; a cell is empty where the figure is undefined.")
		fmt.Fprintln(e.stderr)
		fs.PrintDefaults()
	}
	pos, err := parseInterspersed(fs, args[1:])
	if err != nil {
		return err
	}
	if len(pos) != 0 {
		fs.Usage()
		return fmt.Errorf("export: unexpected arguments %q: %w", strings.Join(pos, " "), errs.ErrInvalid)
	}
	if measure == "" || month == "" {
		fs.Usage()
		return fmt.Errorf("export: --measure and --month are required: %w", errs.ErrInvalid)
	}
	m, err := calendar.ParseMonth(month)
	if err != nil {
		return fmt.Errorf("export: --month %q: %w", month, errs.ErrInvalid)
	}
	lv := variation.Level(strings.ToLower(level))
	if !lv.Valid() {
		return fmt.Errorf("export: --level %q is not practice, locality, ccg or england: %w", level, errs.ErrInvalid)
	}
	if err := cfg.Validate(false); err != nil {
		return err
	}
	a, err := openApp(ctx, cfg, requireMigrated)
	if err != nil {
		return err
	}
	defer a.Close()
	if a.variation == nil {
		return errors.New("export: the variation capability is not wired")
	}
	vs, err := a.variation.Values(ctx, measure, m, lv, strings.TrimSpace(org))
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	w := e.stdout
	var f *os.File
	if out != "" {
		if f, err = os.Create(out); err != nil {
			return fmt.Errorf("export: %w", err)
		}
		defer f.Close()
		w = f
	}
	bw := bufio.NewWriter(w)
	if err := variation.WriteValuesCSV(bw, vs); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	if f != nil {
		if err := f.Close(); err != nil {
			return fmt.Errorf("export: %w", err)
		}
		fmt.Fprintf(e.stderr, "%d rows written to %s\n", len(vs), out)
	}
	return nil
}
