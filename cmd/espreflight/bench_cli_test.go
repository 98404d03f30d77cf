package main

// The whole-command benchmark (`make bench-cli`, docs/performance.md): the
// espreflight binary as users run it, `check --facts F` in every output
// format of report.FormatTable() and `advise --facts F`, next to the decode
// floor (encoding/json of the same file into any, in its own process) and
// `opa eval` of the same query over the same policies and input, in one run.
//
// Facts: synthetic.Generate in each shape (typical: few findings; worst:
// every selected index fails a per-index rule) at 1 000, 10 000 and
// 100 000 indices per cluster (ESPREFLIGHT_BENCH_SIZES, e.g. "1000,10000";
// ESPREFLIGHT_BENCH_SHAPES, e.g. "worst"), written once to
// ESPREFLIGHT_BENCH_DIR (default $TMPDIR/espreflight-bench).
//
// Every measured command runs under testdata/bench/proc.go, which reports
// its wall time, user and system CPU time and peak RSS (rusage). Each
// sub-benchmark reports wall-s, cpu-s, peak-RSS-MB, RSS/file, facts-MB and
// out-MB (the report's size) per run, and load1 (the load average when it
// ran); testdata/bench/clitable.go turns `-count` runs of them into the
// table of docs/performance.md.

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/espreflight/espreflight/policies"
	"github.com/espreflight/espreflight/probe/synthetic"
	"github.com/espreflight/espreflight/report"
)

const (
	cliBenchSeed = 42
	// cliBenchGen names the generator version in the cached file names;
	// bump it when synthetic.Generate changes.
	cliBenchGen = "c1"
)

// cliBenchNow is a day after the synthetic facts were collected.
var cliBenchNow = time.Date(2026, 11, 2, 8, 0, 0, 0, time.UTC)

// cliBench is what every sub-benchmark shares: built once per run.
type cliBench struct {
	dir, bin, proc, opa, query string
}

var (
	cliBenchOnce  sync.Once
	cliBenchSetup *cliBench
	cliBenchErr   error
)

func setupCLIBench(b *testing.B) *cliBench {
	b.Helper()
	if runtime.GOOS != "linux" {
		b.Skip("the whole-command benchmark reads rusage and /proc/loadavg: Linux only")
	}
	cliBenchOnce.Do(func() { cliBenchSetup, cliBenchErr = newCLIBench() })
	if cliBenchErr != nil {
		b.Fatal(cliBenchErr)
	}
	return cliBenchSetup
}

func newCLIBench() (*cliBench, error) {
	s := &cliBench{dir: os.Getenv("ESPREFLIGHT_BENCH_DIR")}
	if s.dir == "" {
		s.dir = filepath.Join(os.TempDir(), "espreflight-bench")
	}
	if err := os.MkdirAll(s.dir, 0o755); err != nil {
		return nil, err
	}
	build := func(out string, args ...string) error {
		cmd := exec.Command("go", append([]string{"build", "-o", out}, args...)...)
		if msg, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("go build %s: %v\n%s", strings.Join(args, " "), err, msg)
		}
		return nil
	}
	s.bin = os.Getenv("ESPREFLIGHT_BENCH_BIN")
	if s.bin == "" {
		s.bin = filepath.Join(s.dir, "espreflight")
		if err := build(s.bin, "."); err != nil {
			return nil, err
		}
	}
	s.proc = filepath.Join(s.dir, "proc")
	if err := build(s.proc, testdata("bench", "proc.go")); err != nil {
		return nil, err
	}
	if opa := os.Getenv("ESPREFLIGHT_OPA"); opa != "" {
		if _, err := os.Stat(opa); err != nil {
			return nil, fmt.Errorf("ESPREFLIGHT_OPA: %w", err)
		}
		s.opa = opa
	}
	e, err := policies.New(context.Background(), policies.Options{})
	if err != nil {
		return nil, err
	}
	s.query = e.Query()
	return s, nil
}

// files returns the facts file and the policy-input file (for opa eval)
// of a shape and size, writing them on first use.
func (s *cliBench) files(b *testing.B, shape string, n int) (facts, input string) {
	b.Helper()
	base := fmt.Sprintf("cli-%s-%d-%d-%s", shape, n, cliBenchSeed, cliBenchGen)
	facts = filepath.Join(s.dir, base+".facts.json")
	input = filepath.Join(s.dir, base+".input.json")
	if _, err := os.Stat(input); err == nil {
		return facts, input
	}
	var sh synthetic.Shape
	for _, x := range synthetic.Shapes {
		if x.Name == shape {
			sh = x.Shape
		}
	}
	f := synthetic.Generate(n, cliBenchSeed, sh)
	writeBenchJSON(b, facts, f)
	writeBenchJSON(b, input, policies.NewInput(f, cliBenchNow))
	return facts, input
}

func writeBenchJSON(b *testing.B, path string, v any) {
	data, err := json.Marshal(v)
	if err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(path+".tmp", data, 0o644); err != nil {
		b.Fatal(err)
	}
	if err := os.Rename(path+".tmp", path); err != nil {
		b.Fatal(err)
	}
}

// procRun is one measured run.
type procRun struct {
	wall, cpu time.Duration
	rssMB     float64
	exit      int
}

// run runs args under proc, standard output to out.
func (s *cliBench) run(b *testing.B, out string, args ...string) procRun {
	b.Helper()
	cmd := exec.Command(s.proc, append([]string{"run", "-o", out}, args...)...)
	cmd.Dir = s.dir
	var stderr strings.Builder
	cmd.Stderr = &stderr
	line, err := cmd.Output()
	if err != nil {
		b.Fatalf("%s: %v\n%.3000s", strings.Join(args, " "), err, stderr.String())
	}
	f := strings.Fields(string(line))
	v := map[string]int64{}
	for i := 0; i+1 < len(f); i += 2 {
		n, err := strconv.ParseInt(f[i+1], 10, 64)
		if err != nil {
			b.Fatalf("proc printed %q", line)
		}
		v[f[i]] = n
	}
	r := procRun{wall: time.Duration(v["wall-ns"]), cpu: time.Duration(v["user-ns"] + v["sys-ns"]),
		rssMB: float64(v["maxrss-kib"]) * 1024 / 1e6, exit: int(v["exit"])}
	if r.wall == 0 {
		b.Fatalf("proc printed %q", line)
	}
	if r.exit != 0 && r.exit != 1 {
		b.Fatalf("%s: exit %d\n%.3000s", strings.Join(args, " "), r.exit, stderr.String())
	}
	return r
}

func loadAverage() float64 {
	data, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return 0
	}
	f, _ := strconv.ParseFloat(strings.Fields(string(data))[0], 64)
	return f
}

func cliBenchList(env string, def []string) []string {
	if v := os.Getenv(env); v != "" {
		return strings.Split(v, ",")
	}
	return def
}

// BenchmarkCLI measures the whole command (see the top of this file).
func BenchmarkCLI(b *testing.B) {
	s := setupCLIBench(b)
	var shapes []string
	for _, x := range synthetic.Shapes {
		shapes = append(shapes, x.Name)
	}
	for _, shape := range cliBenchList("ESPREFLIGHT_BENCH_SHAPES", shapes) {
		for _, size := range cliBenchList("ESPREFLIGHT_BENCH_SIZES", []string{"1000", "10000", "100000"}) {
			n, err := strconv.Atoi(strings.TrimSpace(size))
			if err != nil {
				b.Fatalf("ESPREFLIGHT_BENCH_SIZES: %v", err)
			}
			b.Run(fmt.Sprintf("%s/n=%d", shape, n), func(b *testing.B) {
				facts, input := s.files(b, shape, n)
				s.commands(b, shape, n, facts, input)
			})
		}
	}
}

// commands runs the floor, opa eval, check in every format and advise over
// one facts file, each as a sub-benchmark.
func (s *cliBench) commands(b *testing.B, shape string, n int, facts, input string) {
	st, err := os.Stat(facts)
	if err != nil {
		b.Fatal(err)
	}
	factsMB := float64(st.Size()) / 1e6
	out := func(name, ext string) string {
		return filepath.Join(s.dir, fmt.Sprintf("out-%s-%d-%s.%s", shape, n, name, ext))
	}
	measure := func(name, outFile string, args ...string) {
		b.Run(name, func(b *testing.B) {
			var sum procRun
			var load float64
			for range b.N {
				load += loadAverage()
				r := s.run(b, os.DevNull, args...)
				sum.wall += r.wall
				sum.cpu += r.cpu
				sum.rssMB = max(sum.rssMB, r.rssMB)
			}
			per := float64(b.N)
			b.ReportMetric(sum.wall.Seconds()/per, "wall-s")
			b.ReportMetric(sum.cpu.Seconds()/per, "cpu-s")
			b.ReportMetric(sum.rssMB, "peak-RSS-MB")
			b.ReportMetric(sum.rssMB/factsMB, "RSS/file")
			b.ReportMetric(factsMB, "facts-MB")
			b.ReportMetric(load/per, "load1")
			if outFile != "" {
				if st, err := os.Stat(outFile); err == nil {
					b.ReportMetric(float64(st.Size())/1e6, "out-MB")
				}
			}
		})
	}
	measure("floor", "", s.proc, "floor", facts)
	if s.opa != "" {
		pol, err := filepath.Abs(filepath.Join(repoRoot, "policies"))
		if err != nil {
			b.Fatal(err)
		}
		measure("opa", "", s.opa, "eval", "--format", "raw", "-d", filepath.Join(pol, "rules"), "-d", filepath.Join(pol, "lib"), "-i", input, s.query)
	}
	now := cliBenchNow.Format(time.RFC3339)
	for _, f := range report.FormatTable() {
		o := out(f.Name, f.Ext)
		measure("check-"+f.Name, o, s.bin, "check", "--facts", facts, "--format", f.Name, "-o", o, "--now", now)
	}
	o := out("advice", "txt")
	measure("advise", o, s.bin, "advise", "--facts", facts, "-o", o, "--now", now)
}
