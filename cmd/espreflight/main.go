// Command espreflight checks, before an Elasticsearch data migration starts,
// whether a migration plan will work between two clusters, and why not.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, cancel := context.WithCancelCause(context.Background())
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	got := make(chan os.Signal, 1)
	go handleSignals(sigs, cancel, got, os.Stderr, os.Exit)
	code := run(ctx, os.Args, os.Stdin, os.Stdout, os.Stderr)
	select {
	case s := <-got:
		code = signalExitCode(s)
	default:
	}
	os.Exit(code)
}
