// Package cli is the ccg command line: Run dispatches to one subcommand per
// file, each with its own flag set. It is also the only place where concrete
// stores are opened and services wired together (wire.go).
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sort"
	"strings"
)

// command is one subcommand.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, env *env, args []string) error
}

// env is what every subcommand gets: where to write, and the logger.
type env struct {
	stdout io.Writer
	stderr io.Writer
	log    *slog.Logger
	// interactive is true when stderr is a terminal (progress bars are drawn).
	interactive bool
}

// errHelp is returned by a subcommand whose usage was printed on request.
var errHelp = flag.ErrHelp

func commands() []command {
	cmds := []command{
		{"serve", "serve the web pages and API for a data folder", runServe},
		{"demo", "build the demo CCG from real-format files and serve it", runDemo},
		{"import", "import a file: ccg import KIND FILE", runImport},
		{"export", "write data out as CSV: ccg export measure-values --measure ID --month YYYY-MM --level LEVEL", runExport},
		{"migrate", "create or update the database tables", runMigrate},
		{"gc", "remove analytics files no import published (left by failed or killed imports, or replaced)", runGC},
		{"version", "print the version", runVersion},
		{"help", "list the commands, or explain one: ccg help COMMAND", nil},
	}
	cmds = append(cmds, extraCommands...)
	sort.SliceStable(cmds, func(i, j int) bool { return cmds[i].name < cmds[j].name })
	return cmds
}

// extraCommands are added by later capabilities (user, token, export, audit)
// from their own files with an init-free append in their file's var block.
var extraCommands []command

// Run runs ccg with the given arguments (without the program name), writing
// normal output to stdout. It is the whole program; main only calls it.
func Run(ctx context.Context, args []string, stdout io.Writer) error {
	e := &env{stdout: stdout, stderr: os.Stderr, interactive: isTerminal(os.Stderr)}
	e.log = newLogger(e.stderr, os.Getenv("CCG_LOG"))
	slog.SetDefault(e.log)

	if len(args) == 0 {
		printHelp(stdout)
		return nil
	}
	name, rest := args[0], args[1:]
	switch name {
	case "help", "-h", "--help", "-help":
		if len(rest) > 0 {
			return helpFor(ctx, e, rest[0])
		}
		printHelp(stdout)
		return nil
	}
	for _, c := range commands() {
		if c.name == name && c.run != nil {
			err := c.run(ctx, e, rest)
			if errors.Is(err, errHelp) {
				return nil
			}
			return err
		}
	}
	return fmt.Errorf("unknown command %q (try 'ccg help')", name)
}

func printHelp(w io.Writer) {
	fmt.Fprintln(w, "ccg: an open platform for clinical commissioning groups")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Usage: ccg COMMAND [flags] [arguments]")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Commands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-10s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Every command takes --data DIR (CCG_DATA), --db URL (CCG_DB); serve and demo take --addr (CCG_ADDR).")
	fmt.Fprintln(w, "Run 'ccg help COMMAND' for a command's flags.")
}

func helpFor(ctx context.Context, e *env, name string) error {
	for _, c := range commands() {
		if c.name == name && c.run != nil {
			return ignoreHelp(c.run(ctx, e, []string{"-h"}))
		}
	}
	return fmt.Errorf("unknown command %q (try 'ccg help')", name)
}

func ignoreHelp(err error) error {
	if errors.Is(err, errHelp) {
		return nil
	}
	return err
}

func newLogger(w io.Writer, level string) *slog.Logger {
	var l slog.Level
	switch strings.ToLower(level) {
	case "debug":
		l = slog.LevelDebug
	case "warn":
		l = slog.LevelWarn
	case "error":
		l = slog.LevelError
	default:
		l = slog.LevelInfo
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: l}))
}

// parseInterspersed parses flags that may come before or after positional
// arguments ("ccg import --strict KIND FILE" and "ccg import KIND FILE
// --strict") and returns the positional ones.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}
