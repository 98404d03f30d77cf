package main

import (
	"context"
	"os"
	"runtime/debug"

	"github.com/espreflight/espreflight/policies"
)

// Peak memory of an evaluation (docs/performance.md): the facts, the
// policy input built from them (OPA holds every index as an object of its
// own, about as large as the facts again) and the evaluation's lookups are
// live at once, and with the Go collector's default pacing the heap may
// grow to twice what is live before it collects. For a large facts file a
// soft memory limit (runtime/debug.SetMemoryLimit) makes the collector run
// earlier instead, keeping the peak near memLimitFactor times the file; the
// collector never stops the program for it, it only works more often.
const (
	memLimitFactor = 3.5
	// minMemLimit: below it the limit would only slow small runs down.
	minMemLimit = 128 << 20
)

// limitMemory sets that limit for evaluating the facts file at path and
// returns the function that restores the previous limit. It does nothing
// when GOMEMLIMIT is set (the user's limit wins), for standard input, and
// when the file cannot be read (the load reports that).
func limitMemory(path string) (restore func()) {
	restore = func() {}
	if path == "" || path == "-" || os.Getenv("GOMEMLIMIT") != "" {
		return restore
	}
	st, err := os.Stat(path)
	if err != nil || !st.Mode().IsRegular() {
		return restore
	}
	limit := max(int64(float64(st.Size())*memLimitFactor), minMemLimit)
	prev := debug.SetMemoryLimit(limit)
	return func() { debug.SetMemoryLimit(prev) }
}

// compilePolicies compiles the policies while the caller loads the facts:
// the two are independent, and at 10 000 indices compiling is a quarter of
// a check. The result is read once the facts are there, so a facts error
// is still reported first.
func compilePolicies(ctx context.Context, o policies.Options) func() (*policies.Engine, error) {
	type compiled struct {
		e   *policies.Engine
		err error
	}
	ch := make(chan compiled, 1) // the goroutine never blocks, read or not
	go func() {
		e, err := policies.New(ctx, o)
		ch <- compiled{e, err}
	}()
	return func() (*policies.Engine, error) {
		c := <-ch
		return c.e, c.err
	}
}
