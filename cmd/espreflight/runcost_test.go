package main

import (
	"os"
	"path/filepath"
	"runtime/debug"
	"testing"
)

// TestLimitMemory: a large facts file sets a soft limit of memLimitFactor
// times its size for the run, a small one the minMemLimit floor and the
// smallGCPercent; both are restored after the run; GOMEMLIMIT or GOGC in
// the environment, standard input and a missing file leave them alone.
func TestLimitMemory(t *testing.T) {
	dir := t.TempDir()
	big := filepath.Join(dir, "big.json")
	f, err := os.Create(big)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(100 << 20); err != nil { // sparse: no disk used
		t.Fatal(err)
	}
	f.Close()
	small := filepath.Join(dir, "small.json")
	if err := os.WriteFile(small, []byte("{}"), 0o644); err != nil {
		t.Fatal(err)
	}
	limit := func() int64 { return debug.SetMemoryLimit(-1) } // -1 reads it
	percent := func() int {
		p := debug.SetGCPercent(100)
		debug.SetGCPercent(p)
		return p
	}
	limit0, percent0 := limit(), percent()
	for _, c := range []struct {
		path, env string
		limit     int64
		percent   int
	}{
		{big, "", int64(float64(100<<20) * memLimitFactor), percent0},
		{small, "", minMemLimit, smallGCPercent},
		{big, "GOMEMLIMIT", limit0, percent0},
		{small, "GOGC", limit0, percent0},
		{"-", "", limit0, percent0},
		{"", "", limit0, percent0},
		{filepath.Join(dir, "missing.json"), "", limit0, percent0},
	} {
		for _, v := range []string{"GOMEMLIMIT", "GOGC"} {
			t.Setenv(v, "")
		}
		if c.env != "" {
			t.Setenv(c.env, "50")
		}
		restore := limitMemory(c.path)
		if got, gotp := limit(), percent(); got != c.limit || gotp != c.percent {
			t.Errorf("%s (%s set): limit %d, GC percent %d; want %d, %d", filepath.Base(c.path), c.env, got, gotp, c.limit, c.percent)
		}
		restore()
		if got, gotp := limit(), percent(); got != limit0 || gotp != percent0 {
			t.Errorf("%s: limit %d, GC percent %d after the run; want %d, %d back", filepath.Base(c.path), got, gotp, limit0, percent0)
		}
	}
}
