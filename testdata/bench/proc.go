//go:build ignore

// proc is the process helper of the whole-command benchmark
// (cmd/espreflight/bench_cli_test.go, `make bench-cli`). It is its own small
// program so that what it measures is not inflated by the benchmark itself:
// Go starts children with vfork, and Linux carries the parent's peak RSS over
// into the child's rusage at exec, so a child started by the benchmark
// (hundreds of MB after generating 100 000-index facts) would report at least
// that; a child started by proc reports its own.
//
//	proc run [-o FILE] CMD ARGS...
//	                      runs CMD (its standard output to FILE, default
//	                      /dev/null) and prints one line:
//	                      wall-ns N user-ns N sys-ns N maxrss-kib N exit N
//	proc floor FILE       the decode floor: reads FILE and decodes it with
//	                      encoding/json into any
package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"syscall"
	"time"
)

func main() {
	if len(os.Args) < 3 {
		fmt.Fprintln(os.Stderr, "usage: proc run CMD ARGS... | proc floor FILE")
		os.Exit(2)
	}
	switch os.Args[1] {
	case "floor":
		data, err := os.ReadFile(os.Args[2])
		if err != nil {
			fail(err)
		}
		var v any
		if err := json.Unmarshal(data, &v); err != nil {
			fail(err)
		}
	case "run":
		args, out := os.Args[2:], os.DevNull
		if len(args) > 2 && args[0] == "-o" {
			out, args = args[1], args[2:]
		}
		f, err := os.Create(out)
		if err != nil {
			fail(err)
		}
		defer f.Close()
		cmd := exec.Command(args[0], args[1:]...)
		cmd.Stdout, cmd.Stderr = f, os.Stderr
		start := time.Now()
		err = cmd.Run()
		wall := time.Since(start)
		var exit *exec.ExitError
		if err != nil && !errors.As(err, &exit) {
			fail(err)
		}
		ru := cmd.ProcessState.SysUsage().(*syscall.Rusage)
		fmt.Printf("wall-ns %d user-ns %d sys-ns %d maxrss-kib %d exit %d\n", wall.Nanoseconds(),
			time.Duration(ru.Utime.Nano()).Nanoseconds(), time.Duration(ru.Stime.Nano()).Nanoseconds(),
			ru.Maxrss, cmd.ProcessState.ExitCode())
	default:
		fail(fmt.Errorf("unknown mode %q", os.Args[1]))
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "proc:", err)
	os.Exit(2)
}
