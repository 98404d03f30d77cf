package main

import (
	"os"
	"runtime/debug"
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
