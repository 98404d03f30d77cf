package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

func writeString(s string) func(io.Writer) error {
	return func(w io.Writer) error { _, err := io.WriteString(w, s); return err }
}

func fileMode(t *testing.T, path string) os.FileMode {
	t.Helper()
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return st.Mode().Perm()
}

// TestWriteFileModes: a new output file gets 0666 minus the umask (it was
// forced to 0644), a replaced one keeps its mode (a 0600 report stayed
// private only until the next run).
func TestWriteFileModes(t *testing.T) {
	old := syscall.Umask(0o027)
	defer syscall.Umask(old)
	dir := t.TempDir()

	fresh := filepath.Join(dir, "new.json")
	if err := writeFileAtomic(fresh, writeString("{}")); err != nil {
		t.Fatal(err)
	}
	if m := fileMode(t, fresh); m != 0o640 {
		t.Errorf("new file: mode %o, want 640 (umask 027)", m)
	}
	for _, mode := range []os.FileMode{0o600, 0o666, 0o604} {
		path := filepath.Join(dir, fmt.Sprintf("existing-%o.json", mode))
		if err := os.WriteFile(path, []byte("old"), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(path, mode); err != nil {
			t.Fatal(err)
		}
		if err := writeFileAtomic(path, writeString("new")); err != nil {
			t.Fatal(err)
		}
		if m := fileMode(t, path); m != mode {
			t.Errorf("replaced %o file: mode %o", mode, m)
		}
		if b, _ := os.ReadFile(path); string(b) != "new" {
			t.Errorf("content %q", b)
		}
	}
}

// exitedPid returns the pid of a process that has ended.
func exitedPid(t *testing.T) int {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	return cmd.Process.Pid
}

// TestWriteFileRemovesStaleTemps: the temporary files of a run that was
// killed (its pid is gone), and old ones in the earlier name format, are
// removed by the next run writing the same file; others are left alone.
func TestWriteFileRemovesStaleTemps(t *testing.T) {
	dir := t.TempDir()
	dead, live := exitedPid(t), os.Getppid()
	stale := []string{
		fmt.Sprintf(".out.json%s%d-abc", tempMark, dead),
		".out.json.tmp-123456",
	}
	kept := []string{
		fmt.Sprintf(".out.json%s%d-abc", tempMark, live), // its writer runs
		fmt.Sprintf(".other.json%s%d-abc", tempMark, dead),
		".out.json.tmp-999999", // recent
		"out.json.bak",
	}
	for _, n := range append(append([]string{}, stale...), kept...) {
		if err := os.WriteFile(filepath.Join(dir, n), []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	old := time.Now().Add(-2 * staleAge)
	if err := os.Chtimes(filepath.Join(dir, stale[1]), old, old); err != nil {
		t.Fatal(err)
	}
	if err := writeFileAtomic(filepath.Join(dir, "out.json"), writeString("{}")); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(dir)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	want := append([]string{"out.json"}, kept...)
	for _, n := range want {
		if !strings.Contains(strings.Join(names, "\n")+"\n", n+"\n") {
			t.Errorf("%s was removed", n)
		}
	}
	if len(names) != len(want) {
		t.Errorf("files left: %q, want %q", names, want)
	}
}

// TestWriteFileFailureLeavesNothing: a failed write leaves the old file and
// no temporary file.
func TestWriteFileFailureLeavesNothing(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "r.sarif")
	if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	err := writeFileAtomic(path, func(w io.Writer) error { io.WriteString(w, "half"); return errors.New("boom") })
	if err == nil || !strings.Contains(err.Error(), "boom") {
		t.Fatalf("err = %v", err)
	}
	entries, _ := os.ReadDir(dir)
	if b, _ := os.ReadFile(path); len(entries) != 1 || string(b) != "old" {
		t.Errorf("after a failed write: %d files, content %q", len(entries), b)
	}
}

// TestSecondSignalRemovesTemps: the first signal cancels the run with a
// cause that says so; a second one removes the temporary files being
// written and exits with 128 + the signal.
func TestSecondSignalRemovesTemps(t *testing.T) {
	dir := t.TempDir()
	tmp, err := createTemp(dir, "facts.json", 0o600)
	if err != nil {
		t.Fatal(err)
	}
	tmp.Close()
	pending.add(tmp.Name())
	sigs, got, exited := make(chan os.Signal, 2), make(chan os.Signal, 1), make(chan int, 1)
	var cause error
	var stderr bytes.Buffer
	go handleSignals(sigs, func(err error) { cause = err }, got, &stderr, func(code int) { exited <- code })
	sigs <- syscall.SIGTERM
	if s := <-got; s != syscall.SIGTERM {
		t.Fatalf("got %v", s)
	}
	sigs <- syscall.SIGTERM
	if code := <-exited; code != 143 {
		t.Errorf("exit %d, want 143", code)
	}
	if cause == nil || cause.Error() != "cancelled by SIGTERM" {
		t.Errorf("cause %v", cause)
	}
	if _, err := os.Stat(tmp.Name()); !os.IsNotExist(err) {
		t.Errorf("temporary file left: %v", err)
	}
	if !strings.Contains(stderr.String(), "SIGTERM again: stopping now") {
		t.Errorf("stderr %q", stderr.String())
	}
}

// TestHelperProcess is the espreflight command when re-executed by
// TestSIGTERMEndsProbe (ESPREFLIGHT_TEST_MAIN=1); otherwise it does nothing.
func TestHelperProcess(t *testing.T) {
	if os.Getenv("ESPREFLIGHT_TEST_MAIN") != "1" {
		return
	}
	os.Args = append([]string{"espreflight"}, strings.Split(os.Getenv("ESPREFLIGHT_TEST_ARGS"), "\n")...)
	main()
}

// TestSIGTERMEndsProbe: SIGTERM during a probe of a cluster that does not
// answer ends the run with 143, with the facts written (saying the probe was
// cancelled, not that it timed out) and no temporary file.
func TestSIGTERMEndsProbe(t *testing.T) {
	arrived, release := make(chan struct{}, 8), make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		arrived <- struct{}{}
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)
	dir := t.TempDir()
	plan := filepath.Join(dir, "plan.yaml")
	if err := os.WriteFile(plan, []byte("version: 1\nmethod: snapshot\nindices: [\"*\"]\nsource: {kind: self-managed, endpoint: \""+srv.URL+"\"}\ndestination: {kind: alibaba, version: \"7.10\"}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "facts.json")
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$")
	cmd.Env = append(os.Environ(), "ESPREFLIGHT_TEST_MAIN=1",
		"ESPREFLIGHT_TEST_ARGS="+strings.Join([]string{"probe", "--plan", plan, "-o", out, "--timeout", "1h", "--deadline", "1h"}, "\n"))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	<-arrived
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	err := cmd.Wait()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 143 {
		t.Fatalf("exit: %v, want 143; stderr:\n%s", err, stderr.String())
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatalf("no facts written: %v; stderr:\n%s", err, stderr.String())
	}
	if !strings.Contains(string(b), "probe cancelled by SIGTERM") {
		t.Errorf("facts do not say the probe was cancelled:\n%s", b)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		t.Errorf("files left: %v", entries)
	}
}
