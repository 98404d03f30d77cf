package policies

// Scale benchmarks (docs/performance.md, `make bench`). For 1 000, 10 000
// and 100 000 indices per cluster (ESPREFLIGHT_BENCH_SIZES overrides, e.g.
// "1000,10000"), on facts written once by synthetic.Facts(n, benchSeed) to
// ESPREFLIGHT_BENCH_DIR (default $TMPDIR/espreflight-bench):
//
//   - BenchmarkFloor: encoding/json decode of the facts file into any;
//   - BenchmarkCheck: what `espreflight check --facts F` does: compile the
//     policies, load the facts file, Evaluate into findings;
//   - BenchmarkOPAEval: `opa eval` (ESPREFLIGHT_OPA, default ../bin/opa; `make
//     bench` passes `go tool -n opa`, the OPA CLI of go.mod's tool directive,
//     the module version the engine uses) of the same query over the
//     same policies, with the full policy input (facts + selection + eval)
//     written by Input.Value's JSON twin; skipped when the binary is missing.
//     The CLI parses the files with classic `not` (it has no switch for the
//     engine's ParserOptions); on the synthetic facts, where no negated
//     operand is undefined, both give the same result.
//
// Each also reports facts-MB, and peak-RSS-MB and RSS/file measured in a child
// process (this test binary re-executed, or opa itself) from rusage Maxrss.

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
	"syscall"
	"testing"
	"time"

	"github.com/open-policy-agent/opa/v1/rego"

	"github.com/espreflight/espreflight/probe"
	"github.com/espreflight/espreflight/probe/synthetic"
)

const (
	benchSeed = 42
	// benchGen names the generator version in the cached file names; bump it
	// when synthetic.Facts changes.
	benchGen = "g3"
)

var benchNow = time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)

func benchSizes(b *testing.B) []int {
	s := os.Getenv("ESPREFLIGHT_BENCH_SIZES")
	if s == "" {
		return []int{1000, 10000, 100000}
	}
	var out []int
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil {
			b.Fatalf("ESPREFLIGHT_BENCH_SIZES: %v", err)
		}
		out = append(out, n)
	}
	return out
}

func benchDir(tb testing.TB) string {
	dir := os.Getenv("ESPREFLIGHT_BENCH_DIR")
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "espreflight-bench")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		tb.Fatal(err)
	}
	return dir
}

// benchFiles returns the facts file and the policy-input file for n
// indices per cluster, writing them on first use.
func benchFiles(tb testing.TB, n int) (facts, input string) {
	dir := benchDir(tb)
	facts = filepath.Join(dir, fmt.Sprintf("facts-%d-%d-%s.json", n, benchSeed, benchGen))
	input = filepath.Join(dir, fmt.Sprintf("input-%d-%d-%s.json", n, benchSeed, benchGen))
	if _, err := os.Stat(input); err == nil {
		return facts, input
	}
	f := synthetic.Facts(n, benchSeed)
	writeJSON(tb, facts, f)
	writeJSON(tb, input, NewInput(f, benchNow))
	return facts, input
}

func writeJSON(tb testing.TB, path string, v any) {
	data, err := json.Marshal(v)
	if err != nil {
		tb.Fatal(err)
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		tb.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		tb.Fatal(err)
	}
}

func fileMB(tb testing.TB, path string) float64 {
	st, err := os.Stat(path)
	if err != nil {
		tb.Fatal(err)
	}
	return float64(st.Size()) / 1e6
}

// floor decodes the facts file into any: the least any JSON-reading tool does.
func floor(path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var v any
	return json.Unmarshal(data, &v)
}

// check is `espreflight check --facts path` without rendering: compile,
// load, evaluate.
func check(path string) (*Result, error) {
	ctx := context.Background()
	e, err := New(ctx, Options{})
	if err != nil {
		return nil, err
	}
	f, err := probe.LoadFacts(path)
	if err != nil {
		return nil, err
	}
	return e.Evaluate(ctx, f, benchNow)
}

// Child-process modes: the test binary re-executed to measure peak RSS.
//
// Go starts children with vfork, and Linux carries the parent's peak RSS
// over into a vforked child's rusage at exec; so the benchmark starts a small
// "rss" wrapper (this binary), which starts the measured command from its own
// small address space and prints the command's rusage Maxrss.
const childEnv = "ESPREFLIGHT_BENCH_CHILD"

func TestBenchChild(t *testing.T) {
	mode := os.Getenv(childEnv)
	if mode == "" {
		t.Skip("only run as a child of the scale benchmarks")
	}
	path := os.Getenv(childEnv + "_FILE")
	if mode != "rss" {
		path = os.Getenv(childEnv + "_FILE_CHILD")
	}
	var err error
	switch mode {
	case "rss":
		var args []string
		if err := json.Unmarshal([]byte(path), &args); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(args[0], args[1:]...)
		cmd.Env = os.Environ()
		for i, kv := range cmd.Env {
			if strings.HasPrefix(kv, childEnv+"=") {
				cmd.Env[i] = childEnv + "=" + os.Getenv(childEnv+"_NEXT")
			}
		}
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%v: %v\n%.2000s", args, err, out)
		}
		ru := cmd.ProcessState.SysUsage().(*syscall.Rusage)
		fmt.Printf("maxrss-kib %d\n", ru.Maxrss)
		return
	case "floor":
		err = floor(path)
	case "check":
		_, err = check(path)
	default:
		err = fmt.Errorf("unknown mode %q", mode)
	}
	if err != nil {
		t.Fatal(err)
	}
}

// peakRSS runs args through the rss wrapper (next is the child mode of the
// measured command when it is this binary) and returns its peak RSS in MB.
func peakRSS(b *testing.B, next string, args ...string) float64 {
	b.Helper()
	if runtime.GOOS != "linux" {
		b.Skip("peak RSS is measured on Linux only")
	}
	enc, _ := json.Marshal(args)
	cmd := exec.Command(os.Args[0], "-test.run=^TestBenchChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), childEnv+"=rss", childEnv+"_FILE="+string(enc), childEnv+"_NEXT="+next)
	out, err := cmd.CombinedOutput()
	if err != nil {
		b.Fatalf("%s: %v\n%.2000s", strings.Join(args, " "), err, out)
	}
	_, rest, ok := strings.Cut(string(out), "maxrss-kib ")
	if !ok {
		b.Fatalf("rss wrapper printed no maxrss:\n%.2000s", out)
	}
	kib, err := strconv.ParseFloat(strings.Fields(rest)[0], 64)
	if err != nil {
		b.Fatal(err)
	}
	return kib * 1024 / 1e6
}

func childRSS(b *testing.B, mode, path string) float64 {
	// The measured child reads its file name from the environment.
	b.Setenv(childEnv+"_FILE_CHILD", path)
	return peakRSS(b, mode, os.Args[0], "-test.run=^TestBenchChild$", "-test.count=1")
}

func reportSize(b *testing.B, path string, rssMB float64) {
	mb := fileMB(b, path)
	b.ReportMetric(mb, "facts-MB")
	b.ReportMetric(rssMB, "peak-RSS-MB")
	b.ReportMetric(rssMB/mb, "RSS/file")
}

func BenchmarkFloor(b *testing.B) {
	for _, n := range benchSizes(b) {
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			facts, _ := benchFiles(b, n)
			runtime.GC()
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				if err := floor(facts); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			reportSize(b, facts, childRSS(b, "floor", facts))
		})
	}
}

func BenchmarkCheck(b *testing.B) {
	for _, n := range benchSizes(b) {
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			facts, _ := benchFiles(b, n)
			runtime.GC()
			b.ReportAllocs()
			b.ResetTimer()
			var res *Result
			for range b.N {
				var err error
				if res, err = check(facts); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			b.ReportMetric(float64(len(res.Findings)), "findings")
			reportSize(b, facts, childRSS(b, "check", facts))
		})
	}
}

// opaQuery is the query Evaluate runs.
func opaQuery(tb testing.TB) string {
	e, err := New(context.Background(), Options{})
	if err != nil {
		tb.Fatal(err)
	}
	return e.Query()
}

func opaBinary(b *testing.B) string {
	bin := os.Getenv("ESPREFLIGHT_OPA")
	if bin == "" {
		bin = filepath.Join("..", "bin", "opa")
	}
	abs, err := filepath.Abs(bin)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := os.Stat(abs); err != nil {
		b.Skipf("no OPA CLI at %s (run `make opa`, or set ESPREFLIGHT_OPA=$(go tool -n opa))", abs)
	}
	return abs
}

// BenchmarkOPAEval runs the OPA CLI on the same policies and input. The
// output format is raw (compact JSON), written to a discarded pipe.
func BenchmarkOPAEval(b *testing.B) {
	bin := opaBinary(b)
	query := opaQuery(b)
	for _, n := range benchSizes(b) {
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			facts, input := benchFiles(b, n)
			args := []string{"eval", "--format", "raw", "-d", "rules", "-d", "lib", "-i", input, query}
			b.ResetTimer()
			for range b.N {
				cmd := exec.Command(bin, args...)
				if out, err := cmd.CombinedOutput(); err != nil {
					b.Fatalf("opa eval: %v\n%.2000s", err, out)
				}
			}
			b.StopTimer()
			reportSize(b, facts, peakRSS(b, "", append([]string{bin}, args...)...))
		})
	}
}

// BenchmarkStages splits one check into its stages (s/op of each reported
// as a metric) to show where the time goes.
func BenchmarkStages(b *testing.B) {
	for _, n := range benchSizes(b) {
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			facts, _ := benchFiles(b, n)
			ctx := context.Background()
			var st [6]time.Duration
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				t0 := time.Now()
				e, err := New(ctx, Options{})
				if err != nil {
					b.Fatal(err)
				}
				t1 := time.Now()
				f, err := probe.LoadFacts(facts)
				if err != nil {
					b.Fatal(err)
				}
				t2 := time.Now()
				in := NewInput(f, benchNow)
				t3 := time.Now()
				v, err := in.Value(e.indexFields)
				if err != nil {
					b.Fatal(err)
				}
				t4 := time.Now()
				if _, err := e.pq.Eval(ctx, rego.EvalParsedInput(v)); err != nil {
					b.Fatal(err)
				}
				t5 := time.Now()
				if _, err := e.Evaluate(ctx, f, benchNow); err != nil {
					b.Fatal(err)
				}
				t6 := time.Now()
				for i, d := range []time.Duration{t1.Sub(t0), t2.Sub(t1), t3.Sub(t2), t4.Sub(t3), t5.Sub(t4), t6.Sub(t5)} {
					st[i] += d
				}
			}
			b.StopTimer()
			for i, name := range []string{"compile", "load", "derive", "value", "eval", "evaluate-all"} {
				b.ReportMetric(st[i].Seconds()/float64(b.N), name+"-s")
			}
		})
	}
}

func builtinIndexFields(tb testing.TB) IndexFields {
	e, err := New(context.Background(), Options{})
	if err != nil {
		tb.Fatal(err)
	}
	return e.indexFields
}

// BenchmarkInputValue compares Input.Value (all index keys, and the keys the
// built-in policies read) with the JSON round trip it replaced.
func BenchmarkInputValue(b *testing.B) {
	for _, n := range benchSizes(b) {
		facts, _ := benchFiles(b, n)
		f, err := probe.LoadFacts(facts)
		if err != nil {
			b.Fatal(err)
		}
		in := NewInput(f, benchNow)
		b.Run(fmt.Sprintf("n=%d/fast", n), func(b *testing.B) {
			b.ReportAllocs()
			for range b.N {
				if _, err := in.Value(IndexFields{}); err != nil {
					b.Fatal(err)
				}
			}
		})
		// The index keys the built-in policies read.
		fields := builtinIndexFields(b)
		b.Run(fmt.Sprintf("n=%d/pruned", n), func(b *testing.B) {
			b.ReportAllocs()
			for range b.N {
				if _, err := in.Value(fields); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(fmt.Sprintf("n=%d/json", n), func(b *testing.B) {
			b.ReportAllocs()
			for range b.N {
				if _, err := jsonValue(in); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
