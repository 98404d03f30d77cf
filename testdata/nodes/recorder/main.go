// Command recorder sends every request listed in testdata/responses/requests.txt to one running
// node and stores the real responses under testdata/responses/<product>-<version>/ (manifest.json
// plus one body file per request, numbered in request order). Standard library only.
//
//	go run ./testdata/nodes/recorder -url http://127.0.0.1:9271 -product elasticsearch -version 7.10.2 \
//	    -from "real node: embedded Node via testdata/nodes, JDK 17"
//
// requests.txt is re-read on every run. A line is "[gate words...] METHOD PATH[?QUERY]"; gate words
// (min=7.7, product=opensearch, ...) are ignored: every line is recorded, rejections included.
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"
)

type exchange struct {
	Method   string              `json:"method"`
	Path     string              `json:"path"`
	Query    string              `json:"query"`
	Status   int                 `json:"status"`
	Headers  map[string][]string `json:"headers"`
	BodyFile string              `json:"body_file"`
}

type manifest struct {
	Product      string     `json:"product"`
	Version      string     `json:"version"`
	RecordedFrom string     `json:"recorded_from"`
	RecordedAt   string     `json:"recorded_at"`
	Exchanges    []exchange `json:"exchanges"`
}

var methods = map[string]bool{"GET": true, "HEAD": true, "POST": true, "PUT": true, "DELETE": true, "PATCH": true, "OPTIONS": true}

type request struct{ method, path, query string }

func readRequests(file string) ([]request, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []request
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fields := strings.Fields(line)
		i := 0
		for i < len(fields) && !methods[fields[i]] {
			i++ // gate words
		}
		if i+1 >= len(fields) {
			return nil, fmt.Errorf("%s:%d: no METHOD PATH in %q", file, n, line)
		}
		target := fields[i+1]
		p, q, _ := strings.Cut(target, "?")
		out = append(out, request{fields[i], p, q})
	}
	return out, sc.Err()
}

func main() {
	base := flag.String("url", "", "node base URL (http://127.0.0.1:PORT)")
	product := flag.String("product", "", "elasticsearch or opensearch")
	version := flag.String("version", "", "exact version, e.g. 7.10.2")
	from := flag.String("from", "real node: embedded Node via testdata/nodes", "recorded_from text")
	reqFile := flag.String("requests", "testdata/responses/requests.txt", "request list")
	outRoot := flag.String("out", "testdata/responses", "recordings root")
	var scrubs scrubFlag
	flag.Var(&scrubs, "scrub", "`OLD=NEW`: replace OLD by NEW in every recorded body (repeatable), e.g. the machine's work-dir path")
	flag.Parse()
	if *base == "" || *product == "" || *version == "" {
		fmt.Fprintln(os.Stderr, "usage: recorder -url URL -product P -version V [-from TEXT] [-requests FILE] [-out DIR]")
		os.Exit(2)
	}
	if !strings.HasPrefix(*base, "http://127.0.0.1:") && !strings.HasPrefix(*base, "http://localhost:") {
		fmt.Fprintln(os.Stderr, "recorder: only loopback nodes are recorded")
		os.Exit(2)
	}
	reqs, err := readRequests(*reqFile)
	if err != nil {
		fmt.Fprintln(os.Stderr, "recorder:", err)
		os.Exit(1)
	}
	dir := filepath.Join(*outRoot, *product+"-"+*version)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		fmt.Fprintln(os.Stderr, "recorder:", err)
		os.Exit(1)
	}
	// drop the previous recording of this version
	old, _ := filepath.Glob(filepath.Join(dir, "*"))
	bodyRe := regexp.MustCompile(`^\d{3}\.json$`)
	for _, f := range old {
		if b := filepath.Base(f); b == "manifest.json" || bodyRe.MatchString(b) {
			os.Remove(f)
		}
	}
	client := &http.Client{
		Timeout:       60 * time.Second,
		Transport:     &http.Transport{DisableCompression: true, Proxy: nil},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	m := manifest{Product: *product, Version: *version, RecordedFrom: *from,
		RecordedAt: time.Now().UTC().Format(time.RFC3339), Exchanges: []exchange{}}
	for i, r := range reqs {
		u := strings.TrimRight(*base, "/") + r.path
		if r.query != "" {
			u += "?" + r.query
		}
		req, err := http.NewRequest(r.method, u, nil)
		if err != nil {
			fmt.Fprintln(os.Stderr, "recorder:", err)
			os.Exit(1)
		}
		req.URL.RawQuery = r.query // byte-exact, no re-encoding
		resp, err := client.Do(req)
		if err != nil {
			fmt.Fprintln(os.Stderr, "recorder:", err)
			os.Exit(1)
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			fmt.Fprintln(os.Stderr, "recorder:", err)
			os.Exit(1)
		}
		h := map[string][]string{}
		for k, v := range resp.Header {
			if k == "Date" || k == "Content-Length" {
				continue
			}
			h[k] = v
		}
		body = scrubs.apply(body)
		name := fmt.Sprintf("%03d.json", i+1)
		if err := os.WriteFile(filepath.Join(dir, name), body, 0o644); err != nil {
			fmt.Fprintln(os.Stderr, "recorder:", err)
			os.Exit(1)
		}
		m.Exchanges = append(m.Exchanges, exchange{r.method, r.path, r.query, resp.StatusCode, h, name})
		fmt.Fprintf(os.Stderr, "recorder: %s %d %s %s\n", name, resp.StatusCode, r.method, r.path)
	}
	out, _ := json.MarshalIndent(m, "", "  ")
	out = append(out, '\n')
	if err := os.WriteFile(filepath.Join(dir, "manifest.json"), out, 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "recorder:", err)
		os.Exit(1)
	}
	fmt.Println(dir)
}

// scrubFlag holds -scrub OLD=NEW replacements, applied in order (longest first
// is the caller's business).
type scrubFlag [][2]string

func (s *scrubFlag) String() string { return fmt.Sprint(*s) }

func (s *scrubFlag) Set(v string) error {
	old, repl, ok := strings.Cut(v, "=")
	if !ok || old == "" {
		return fmt.Errorf("want OLD=NEW, got %q", v)
	}
	*s = append(*s, [2]string{old, repl})
	return nil
}

func (s scrubFlag) apply(body []byte) []byte {
	for _, r := range s {
		body = bytes.ReplaceAll(body, []byte(r[0]), []byte(r[1]))
	}
	return body
}
