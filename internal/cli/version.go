package cli

import (
	"context"
	"flag"
	"fmt"
	"runtime/debug"
)

// Version is the release version, set at build time with
// -ldflags "-X ccg/internal/cli.Version=v1.2.3"; "dev" otherwise.
var Version = "dev"

func versionString() string {
	v := Version
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, s := range info.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				v += " (" + s.Value[:12] + ")"
			}
		}
		v += " " + info.GoVersion
	}
	return v
}

func runVersion(_ context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("version", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	if err := fs.Parse(args); err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, "ccg", versionString())
	return nil
}
