package main

import (
	"context"
	"os"
	"runtime/debug"

	"github.com/espreflight/espreflight/policies"
)

// Memory and collection of an evaluation (docs/performance.md). The facts,
// the policy input built from them (OPA holds every index as an object of
// its own, about as large as the facts again) and the evaluation's lookups
// are live at once, and with the Go collector's default pacing the heap may
// grow to twice what is live before it collects: for a large facts file a
// soft memory limit (runtime/debug.SetMemoryLimit) of memLimitFactor times
// the file makes the collector run earlier instead. For a file whose limit
// is the minMemLimit floor, the collector's start-up work (a collection each
// time the heap doubles from 4 MB) is a fifth of the run, so it runs less
// often (smallGCPercent) within that budget. The collector never stops the
// program for either; it only works more or less often.
const (
	memLimitFactor = 3.5
	minMemLimit    = 128 << 20
	smallGCPercent = 400
)

// limitMemory sets that limit (and collection percentage) for evaluating
// the facts file at path and returns the function that restores the
// previous ones. It does nothing when GOMEMLIMIT or GOGC is set (the user's
// choice wins), for standard input, and when the file cannot be read (the
// load reports that).
func limitMemory(path string) (restore func()) {
	restore = func() {}
	if path == "" || path == "-" || os.Getenv("GOMEMLIMIT") != "" || os.Getenv("GOGC") != "" {
		return restore
	}
	st, err := os.Stat(path)
	if err != nil || !st.Mode().IsRegular() {
		return restore
	}
	limit := int64(float64(st.Size()) * memLimitFactor)
	percent := -2 // unchanged
	if limit < minMemLimit {
		limit, percent = minMemLimit, smallGCPercent
	}
	prev := debug.SetMemoryLimit(limit)
	prevPercent := 0
	if percent != -2 {
		prevPercent = debug.SetGCPercent(percent)
	}
	return func() {
		debug.SetMemoryLimit(prev)
		if percent != -2 {
			debug.SetGCPercent(prevPercent)
		}
	}
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
