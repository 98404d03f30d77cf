package main

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestReportToPipe: -o to a named pipe (as -o /dev/null or /dev/stdout:
// not a regular file) writes the report into it and leaves the pipe a
// pipe; renaming a temporary file over it would replace it (and, run as
// root, -o /dev/null would leave /dev/null a regular file).
func TestReportToPipe(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "report.fifo")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skipf("no named pipes here: %v", err)
	}
	got := make(chan string, 1)
	go func() {
		f, err := os.Open(fifo) // blocks until the writer opens it
		if err != nil {
			got <- err.Error()
			return
		}
		b, _ := io.ReadAll(f)
		f.Close()
		got <- string(b)
	}()
	code, _, stderr := espreflight(t, "check", "--plan", testdata("examples", "arch-conflict.yaml"), "--facts", testdata("examples", "alibaba-pair.facts.json"),
		"--format", "json", "-o", fifo, "--now", "2026-12-01")
	if code != exitFindings {
		t.Fatalf("exit %d, want %d: %s", code, exitFindings, stderr)
	}
	// The pipe first: had it been replaced, the reader would wait forever.
	st, err := os.Lstat(fifo)
	if err != nil || st.Mode()&os.ModeNamedPipe == 0 {
		t.Fatalf("after the run %s is %v (%v), want the named pipe", fifo, st.Mode(), err)
	}
	if out := <-got; !strings.Contains(out, `"schema": "espreflight.findings/`) {
		t.Errorf("the pipe got %.200q, want the JSON report", out)
	}
	if err := removeReport(fifo); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Lstat(fifo); err != nil {
		t.Errorf("removeReport removed the pipe: %v", err)
	}
}
