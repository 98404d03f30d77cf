package main

import (
	"fmt"
	"io"
	"os"
	"syscall"
	"time"
)

// signalGrace is how long a run may take to stop cleanly after SIGINT or
// SIGTERM (finish writing its reports, remove its temporary files) before it
// is ended anyway.
const signalGrace = 10 * time.Second

// interrupted is the cause of a run's cancellation by a signal; messages
// say "cancelled (SIGTERM)" and never "timed out".
type interrupted struct{ sig os.Signal }

func (e interrupted) Error() string { return "cancelled by " + signalName(e.sig) }

// handleSignals cancels the run on the first SIGINT or SIGTERM (reported on
// got), so that probes and evaluation stop and the reports say so. A second
// signal, or signalGrace without the run ending, removes the temporary
// files being written and exits at once with 128 + the signal number.
func handleSignals(sigs <-chan os.Signal, cancel func(error), got chan<- os.Signal, stderr io.Writer, exit func(int)) {
	s := <-sigs
	got <- s
	cancel(interrupted{s})
	t := time.NewTimer(signalGrace)
	defer t.Stop()
	select {
	case <-sigs:
		fmt.Fprintf(stderr, "espreflight: %s again: stopping now\n", signalName(s))
	case <-t.C:
		fmt.Fprintf(stderr, "espreflight: still running %s after %s: stopping now\n", signalGrace, signalName(s))
	}
	pending.removeAll()
	exit(signalExitCode(s))
}

// signalExitCode is the shell's code for a run ended by a signal.
func signalExitCode(s os.Signal) int {
	if n, ok := s.(syscall.Signal); ok {
		return 128 + int(n)
	}
	return 130
}

func signalName(s os.Signal) string {
	switch s {
	case os.Interrupt:
		return "SIGINT"
	case syscall.SIGTERM:
		return "SIGTERM"
	}
	return s.String()
}
