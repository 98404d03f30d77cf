package main

import (
	"os"
	"path/filepath"
	"runtime/debug"
	"testing"
)

// TestLimitMemory: a large facts file sets a soft limit of memLimitFactor
// times its size for the run and restores the previous one after it; a
// small file gets minMemLimit; GOMEMLIMIT, standard input and a missing
// file leave the limit alone.
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
	current := func() int64 { return debug.SetMemoryLimit(-1) } // -1 reads it
	before := current()
	for _, c := range []struct {
		path string
		env  string
		want int64
	}{
		{big, "", int64(float64(100<<20) * memLimitFactor)},
		{small, "", minMemLimit},
		{big, "1GiB", before},
		{"-", "", before},
		{"", "", before},
		{filepath.Join(dir, "missing.json"), "", before},
	} {
		t.Setenv("GOMEMLIMIT", c.env)
		restore := limitMemory(c.path)
		if got := current(); got != c.want {
			t.Errorf("%s (GOMEMLIMIT=%q): limit %d, want %d", filepath.Base(c.path), c.env, got, c.want)
		}
		restore()
		if got := current(); got != before {
			t.Errorf("%s: limit %d after the run, want %d back", filepath.Base(c.path), got, before)
		}
	}
}
