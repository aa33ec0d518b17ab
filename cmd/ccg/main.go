// Command ccg is the open platform for clinical commissioning groups: one
// binary that imports the public NHS files, serves the web pages and API, and
// runs the demo. See 'ccg help'.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"ccg/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := cli.Run(ctx, os.Args[1:], os.Stdout)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "ccg:", err)
		os.Exit(1)
	}
}
