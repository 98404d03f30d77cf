//go:build ignore

// table reads `go test -bench 'Floor|Check|OPAEval'` output (the scale
// benchmarks of policies/bench_test.go) on stdin and prints a markdown table:
// one row per size, the median of every -count run.
//
//	go test ./policies -run '^$' -bench 'Floor|Check|OPAEval' -benchtime 1x -count 3 | go run testdata/bench/table.go
package main

import (
	"bufio"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// line: BenchmarkCheck/n=1000-2  1  57145186 ns/op  40.75 RSS/file  0.79 facts-MB ...
var benchLine = regexp.MustCompile(`^Benchmark(Floor|Check|OPAEval)/n=(\d+)(?:-\d+)?\s+\d+\s+(.*)$`)

type key struct {
	kind string
	n    int
}

func main() {
	metrics := map[key]map[string][]float64{}
	var sizes []int
	failed := false
	sc := bufio.NewScanner(os.Stdin)
	for sc.Scan() {
		line := sc.Text()
		fmt.Fprintln(os.Stderr, line)
		if strings.HasPrefix(line, "FAIL") || strings.HasPrefix(line, "--- FAIL") || strings.HasPrefix(line, "panic:") {
			failed = true
		}
		m := benchLine.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		n, _ := strconv.Atoi(m[2])
		if !slices.Contains(sizes, n) {
			sizes = append(sizes, n)
		}
		k := key{m[1], n}
		if metrics[k] == nil {
			metrics[k] = map[string][]float64{}
		}
		f := strings.Fields(m[3])
		for i := 0; i+1 < len(f); i += 2 {
			v, err := strconv.ParseFloat(f[i], 64)
			if err == nil {
				metrics[k][f[i+1]] = append(metrics[k][f[i+1]], v)
			}
		}
	}
	if failed || len(sizes) == 0 {
		fmt.Fprintln(os.Stderr, "bench: the benchmarks failed or printed no results")
		os.Exit(1)
	}
	slices.Sort(sizes)
	get := func(kind string, n int, unit string) (float64, bool) {
		vs := metrics[key{kind, n}][unit]
		if len(vs) == 0 {
			return 0, false
		}
		vs = slices.Clone(vs)
		slices.Sort(vs)
		return vs[len(vs)/2], true
	}
	w := os.Stdout
	fmt.Fprintln(w, "| indices/cluster | facts MB | floor s | check s | opa s | check/floor | check/opa | check peak RSS MB | RSS/file | opa peak RSS MB | findings |")
	fmt.Fprintln(w, "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
	for _, n := range sizes {
		cell := func(v float64, ok bool, format string) string {
			if !ok {
				return "–"
			}
			return fmt.Sprintf(format, v)
		}
		mb, mbOK := get("Check", n, "facts-MB")
		if !mbOK {
			mb, mbOK = get("Floor", n, "facts-MB")
		}
		fl, flOK := get("Floor", n, "ns/op")
		ck, ckOK := get("Check", n, "ns/op")
		op, opOK := get("OPAEval", n, "ns/op")
		rss, rssOK := get("Check", n, "peak-RSS-MB")
		rpf, rpfOK := get("Check", n, "RSS/file")
		orss, orssOK := get("OPAEval", n, "peak-RSS-MB")
		nf, nfOK := get("Check", n, "findings")
		fmt.Fprintf(w, "| %d | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", n,
			cell(mb, mbOK, "%.1f"),
			cell(fl/1e9, flOK, "%.3f"), cell(ck/1e9, ckOK, "%.3f"), cell(op/1e9, opOK, "%.3f"),
			cell(ck/fl, ckOK && flOK, "%.2f×"), cell(ck/op, ckOK && opOK, "%.2f×"),
			cell(rss, rssOK, "%.0f"), cell(rpf, rpfOK, "%.1f×"), cell(orss, orssOK, "%.0f"), cell(nf, nfOK, "%.0f"))
	}
}
