package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	yaml "github.com/goccy/go-yaml"
)

// action is action.yml as far as a runner reads it.
type action struct {
	Inputs map[string]struct {
		Default  string `yaml:"default"`
		Required bool   `yaml:"required"`
	} `yaml:"inputs"`
	Outputs map[string]struct {
		Value string `yaml:"value"`
	} `yaml:"outputs"`
	Runs struct {
		Using string       `yaml:"using"`
		Steps []actionStep `yaml:"steps"`
	} `yaml:"runs"`
}

type actionStep struct {
	Name  string            `yaml:"name"`
	ID    string            `yaml:"id"`
	If    string            `yaml:"if"`
	Uses  string            `yaml:"uses"`
	Shell string            `yaml:"shell"`
	Run   string            `yaml:"run"`
	Env   map[string]string `yaml:"env"`
	With  map[string]string `yaml:"with"`
}

func loadAction(t *testing.T) *action {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(repoRoot, "action.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var a action
	if err := yaml.Unmarshal(data, &a); err != nil {
		t.Fatalf("action.yml: %v", err)
	}
	if a.Runs.Using != "composite" || len(a.Runs.Steps) == 0 {
		t.Fatalf("action.yml is not a composite action with steps")
	}
	return &a
}

// actionRun is what one run of the action did.
type actionRun struct {
	failed  string                       // the id (or name) of the first step that failed, "" if none
	outputs map[string]map[string]string // step id → its outputs
	log     string                       // every step's output
	summary string                       // $GITHUB_STEP_SUMMARY
	uses    map[string]map[string]string // uses: → its with:, for the steps that ran
	action  map[string]string            // the action's outputs
}

// runAction runs action.yml as a GitHub runner does in a workspace: each
// run: step through bash --noprofile --norc -eo pipefail with its env
// (expressions resolved), $GITHUB_OUTPUT/$GITHUB_PATH/$GITHUB_STEP_SUMMARY
// files, and a step's if: (with the implicit success() unless it calls a
// status function). uses: steps are not run: setup-go is the local Go, and
// upload-sarif's inputs are recorded for the test to check.
func runAction(t *testing.T, workspace string, inputs map[string]string, runner map[string]string) *actionRun {
	t.Helper()
	a := loadAction(t)
	root, err := filepath.Abs(repoRoot)
	if err != nil {
		t.Fatal(err)
	}
	for name := range inputs {
		if _, ok := a.Inputs[name]; !ok {
			t.Fatalf("action.yml has no input %q", name)
		}
	}
	in := map[string]string{}
	for name, spec := range a.Inputs {
		in[name] = spec.Default
		if v, ok := inputs[name]; ok {
			in[name] = v
		} else if spec.Required {
			t.Fatalf("input %q is required", name)
		}
	}
	temp := t.TempDir()
	files := map[string]string{}
	for _, f := range []string{"GITHUB_PATH", "GITHUB_STEP_SUMMARY", "GITHUB_ENV"} {
		files[f] = filepath.Join(temp, strings.ToLower(f))
		if err := os.WriteFile(files[f], nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	runnerTemp := filepath.Join(temp, "runner-temp")
	if err := os.Mkdir(runnerTemp, 0o755); err != nil {
		t.Fatal(err)
	}
	run := &actionRun{outputs: map[string]map[string]string{}, uses: map[string]map[string]string{}}
	ctx := func(ref string) (string, bool) {
		switch {
		case strings.HasPrefix(ref, "inputs."):
			v, ok := in[strings.TrimPrefix(ref, "inputs.")]
			return v, ok
		case ref == "github.action_path":
			return root, true
		case ref == "github.action_ref":
			return runner["GITHUB_ACTION_REF"], true
		case strings.HasPrefix(ref, "steps."):
			parts := strings.Split(ref, ".")
			if len(parts) == 4 && parts[2] == "outputs" {
				return run.outputs[parts[1]][parts[3]], true
			}
		}
		return "", false
	}
	expand := func(s string) string {
		return regexp.MustCompile(`\$\{\{\s*(.*?)\s*\}\}`).ReplaceAllStringFunc(s, func(m string) string {
			ref := strings.TrimSpace(m[3 : len(m)-2])
			v, ok := ctx(ref)
			if !ok {
				t.Fatalf("action.yml: expression %q is not one this test knows (inputs.*, github.action_path, github.action_ref, steps.*.outputs.*)", m)
			}
			return v
		})
	}
	var log strings.Builder
	for i, st := range a.Runs.Steps {
		label := st.ID
		if label == "" {
			label = st.Name
		}
		if !evalIf(t, st.If, run.failed != "", ctx) {
			continue
		}
		if strings.Contains(st.Run, "${{") {
			t.Fatalf("step %q: a script must not hold ${{ }} (GitHub pastes it in unquoted); pass it in env:", label)
		}
		if st.Uses != "" {
			with := map[string]string{}
			for k, v := range st.With {
				with[k] = expand(v)
			}
			name, _, _ := strings.Cut(st.Uses, "@")
			switch name {
			case "actions/setup-go":
				if _, err := exec.LookPath("go"); err != nil {
					t.Fatal("no go on PATH")
				}
			case "github/codeql-action/upload-sarif":
			default:
				t.Fatalf("step %q uses %s, which this test does not stand in for", label, st.Uses)
			}
			run.uses[name] = with
			continue
		}
		if st.Shell != "bash" {
			t.Fatalf("step %q: shell %q; the test runs bash steps", label, st.Shell)
		}
		script := filepath.Join(temp, fmt.Sprintf("step-%d.sh", i))
		if err := os.WriteFile(script, []byte(st.Run), 0o644); err != nil {
			t.Fatal(err)
		}
		output := filepath.Join(temp, fmt.Sprintf("output-%d", i))
		if err := os.WriteFile(output, nil, 0o644); err != nil {
			t.Fatal(err)
		}
		pathFile, _ := os.ReadFile(files["GITHUB_PATH"])
		var path []string
		for _, l := range strings.Split(strings.TrimSpace(string(pathFile)), "\n") {
			if l != "" {
				path = append([]string{l}, path...)
			}
		}
		path = append(path, os.Getenv("PATH"))
		var env []string
		for _, kv := range os.Environ() {
			if !strings.HasPrefix(kv, "ESPREFLIGHT_") && !strings.HasPrefix(kv, "GITHUB_") && !strings.HasPrefix(kv, "RUNNER_") && !strings.HasPrefix(kv, "PATH=") {
				env = append(env, kv)
			}
		}
		env = append(env, "PATH="+strings.Join(path, string(os.PathListSeparator)), "GITHUB_OUTPUT="+output,
			"GITHUB_WORKSPACE="+workspace, "GITHUB_ACTION_PATH="+root, "RUNNER_TEMP="+runnerTemp, "RUNNER_OS=Linux", "RUNNER_ARCH=X64")
		for k, v := range runner {
			env = append(env, k+"="+v)
		}
		for _, f := range []string{"GITHUB_PATH", "GITHUB_STEP_SUMMARY", "GITHUB_ENV"} {
			env = append(env, f+"="+files[f])
		}
		for k, v := range st.Env {
			env = append(env, k+"="+expand(v))
		}
		cmd := exec.Command("bash", "--noprofile", "--norc", "-eo", "pipefail", script)
		cmd.Dir, cmd.Env = workspace, env
		out, err := cmd.CombinedOutput()
		fmt.Fprintf(&log, "== %s\n%s", label, out)
		outs := map[string]string{}
		data, _ := os.ReadFile(output)
		for _, l := range strings.Split(string(data), "\n") {
			if k, v, ok := strings.Cut(l, "="); ok {
				outs[k] = v
			}
		}
		if st.ID != "" {
			run.outputs[st.ID] = outs
		}
		if err != nil && run.failed == "" {
			run.failed = label
		}
	}
	run.log = log.String()
	summary, _ := os.ReadFile(files["GITHUB_STEP_SUMMARY"])
	run.summary = string(summary)
	run.action = map[string]string{}
	for name, o := range a.Outputs {
		run.action[name] = expand(o.Value)
	}
	return run
}

// evalIf evaluates the if: conditions action.yml uses: terms joined by &&,
// each !cancelled(), always(), X == 'v', X != 'v' or X (non-empty); without
// a status function a step runs only when none failed before.
func evalIf(t *testing.T, cond string, failedBefore bool, ctx func(string) (string, bool)) bool {
	t.Helper()
	cond = strings.TrimSpace(cond)
	cond = strings.TrimSuffix(strings.TrimPrefix(cond, "${{"), "}}")
	status := strings.Contains(cond, "cancelled()") || strings.Contains(cond, "always()") || strings.Contains(cond, "failure()")
	if failedBefore && !status {
		return false
	}
	if strings.TrimSpace(cond) == "" {
		return true
	}
	val := func(s string) string {
		s = strings.TrimSpace(s)
		if strings.HasPrefix(s, "'") && strings.HasSuffix(s, "'") {
			return s[1 : len(s)-1]
		}
		v, ok := ctx(s)
		if !ok {
			t.Fatalf("if: %q: unknown %q", cond, s)
		}
		return v
	}
	for _, term := range strings.Split(cond, "&&") {
		term = strings.TrimSpace(term)
		switch {
		case term == "!cancelled()" || term == "always()":
		case term == "failure()":
			if !failedBefore {
				return false
			}
		case strings.Contains(term, "!="):
			l, r, _ := strings.Cut(term, "!=")
			if val(l) == val(r) {
				return false
			}
		case strings.Contains(term, "=="):
			l, r, _ := strings.Cut(term, "==")
			if val(l) != val(r) {
				return false
			}
		default:
			if val(term) == "" {
				return false
			}
		}
	}
	return true
}

// ciWorkspace is a repository laid out as the CI examples expect: an
// example plan as deploy/migration.yaml, its facts as deploy/facts.json.
func ciWorkspace(t *testing.T, plan string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "deploy"), 0o755); err != nil {
		t.Fatal(err)
	}
	copyFile(t, testdata("examples", plan), filepath.Join(dir, "deploy", "migration.yaml"))
	facts := map[string]string{"arch-conflict.yaml": "alibaba-pair.facts.json", "arch-same.yaml": "alibaba-same-arch.facts.json"}[plan]
	if facts == "" {
		t.Fatalf("no facts for %s", plan)
	}
	copyFile(t, testdata("examples", facts), filepath.Join(dir, "deploy", "facts.json"))
	return dir
}

// fakeRelease serves a release as GitHub does under /releases: the archive
// of each platform (named as .goreleaser.yaml names them) and checksums.txt,
// at download/v<version>/ and latest/download/. corrupt changes one byte of
// every archive after the checksums were taken. binary is the espreflight
// in the archives. It returns the release URL
// and the paths requested.
func fakeRelease(t *testing.T, binary, version string, corrupt bool) (string, *[]string) {
	t.Helper()
	bin, err := os.ReadFile(binary)
	if err != nil {
		t.Fatal(err)
	}
	assets := map[string][]byte{}
	var sums strings.Builder
	for _, platform := range []string{"linux_amd64", "linux_arm64"} {
		var buf bytes.Buffer
		gz, err := gzip.NewWriterLevel(&buf, gzip.BestSpeed)
		if err != nil {
			t.Fatal(err)
		}
		tw := tar.NewWriter(gz)
		for _, f := range []struct {
			name string
			data []byte
			mode int64
		}{{"README.md", []byte("espreflight\n"), 0o644}, {"espreflight", bin, 0o755}} {
			if err := tw.WriteHeader(&tar.Header{Name: f.name, Mode: f.mode, Size: int64(len(f.data))}); err != nil {
				t.Fatal(err)
			}
			if _, err := tw.Write(f.data); err != nil {
				t.Fatal(err)
			}
		}
		if err := tw.Close(); err != nil {
			t.Fatal(err)
		}
		if err := gz.Close(); err != nil {
			t.Fatal(err)
		}
		name := releaseAsset(t, version, platform)
		sum := sha256.Sum256(buf.Bytes())
		fmt.Fprintf(&sums, "%s  %s\n", hex.EncodeToString(sum[:]), name)
		data := buf.Bytes()
		if corrupt {
			data[len(data)/2] ^= 0xff
		}
		assets[name] = data
	}
	assets["checksums.txt"] = []byte(sums.String())
	var mu sync.Mutex
	requests := &[]string{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		*requests = append(*requests, r.URL.Path)
		mu.Unlock()
		name := filepath.Base(r.URL.Path)
		dir := filepath.Dir(r.URL.Path)
		if dir != "/releases/download/v"+version && dir != "/releases/latest/download" {
			http.NotFound(w, r)
			return
		}
		data, ok := assets[name]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Write(data)
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/releases", requests
}

// releaseAsset is the archive name .goreleaser.yaml's name_template gives
// a platform ("linux_amd64").
func releaseAsset(t *testing.T, version, platform string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(repoRoot, ".goreleaser.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var cfg struct {
		ProjectName string `yaml:"project_name"`
		Archives    []struct {
			NameTemplate string   `yaml:"name_template"`
			Formats      []string `yaml:"formats"`
		} `yaml:"archives"`
	}
	if err := yaml.Unmarshal(data, &cfg); err != nil || len(cfg.Archives) != 1 {
		t.Fatalf(".goreleaser.yaml: %v", err)
	}
	os, arch, _ := strings.Cut(platform, "_")
	name := strings.NewReplacer("{{ .ProjectName }}", cfg.ProjectName, "{{ .Version }}", version, "{{ .Os }}", os, "{{ .Arch }}", arch).Replace(cfg.Archives[0].NameTemplate)
	if strings.Contains(name, "{{") {
		t.Fatalf("name_template %q uses fields this test does not know", cfg.Archives[0].NameTemplate)
	}
	return name + "." + cfg.Archives[0].Formats[0]
}

// TestActionFromSource runs the Action as a workflow would with version:
// source: it builds the checkout, fails the step on the failing example,
// writes the reports, hands the SARIF to upload-sarif and fills the job
// summary; on the passing example it succeeds.
func TestActionFromSource(t *testing.T) {
	ws := ciWorkspace(t, "arch-conflict.yaml")
	run := runAction(t, ws, map[string]string{"plan": "deploy/migration.yaml", "facts": "deploy/facts.json", "version": "source",
		"formats": "text\nsarif=espreflight.sarif\njunit=espreflight.xml\n", "args": "--now 2026-11-26"}, map[string]string{"GITHUB_ACTION_REF": "v1.4.0"})
	if run.failed != "check" || run.action["exit-code"] != "1" {
		t.Fatalf("failed step %q, exit-code %q, want check and 1:\n%s", run.failed, run.action["exit-code"], run.log)
	}
	if run.action["version"] != "1.4.0" {
		t.Errorf("version output %q, want the action's tag 1.4.0", run.action["version"])
	}
	if !strings.Contains(run.log, "ARCH-001") || !regexp.MustCompile(`\d+ rules, \d+ passed`).MatchString(run.log) {
		t.Errorf("the text report is not in the log:\n%s", run.log)
	}
	upload, ok := run.uses["github/codeql-action/upload-sarif"]
	if !ok || upload["sarif_file"] != "espreflight.sarif" || run.action["sarif"] != "espreflight.sarif" {
		t.Fatalf("upload-sarif did not run with the SARIF (%v, %v):\n%s", ok, upload, run.log)
	}
	sarif, err := os.ReadFile(filepath.Join(ws, "espreflight.sarif"))
	if err != nil || !strings.Contains(string(sarif), `"uri": "deploy/migration.yaml"`) {
		t.Errorf("SARIF: %v", err)
	}
	if out := os.Getenv("ESPREFLIGHT_SARIF_OUT"); out != "" {
		copyFile(t, filepath.Join(ws, "espreflight.sarif"), filepath.Join(out, "action.sarif"))
	}
	if _, err := os.Stat(filepath.Join(ws, "espreflight.xml")); err != nil {
		t.Errorf("JUnit: %v", err)
	}
	if !strings.Contains(run.summary, "ARCH-001") {
		t.Errorf("the job summary lacks the Markdown report: %q", run.summary)
	}
	if _, ok := run.uses["actions/setup-go"]; !ok {
		t.Errorf("setup-go did not run for version: source")
	}

	// The passing example, with the binary the first run built; no SARIF
	// upload asked for, so none is written.
	ws = ciWorkspace(t, "arch-same.yaml")
	run = runAction(t, ws, map[string]string{"plan": "deploy/migration.yaml", "facts": "deploy/facts.json", "version": "source",
		"upload-sarif": "false", "job-summary": "false", "formats": "github"}, nil)
	if run.failed != "" || run.action["exit-code"] != "0" || run.action["sarif"] != "" {
		t.Fatalf("failed %q exit-code %q sarif %q:\n%s", run.failed, run.action["exit-code"], run.action["sarif"], run.log)
	}
	if _, ok := run.uses["github/codeql-action/upload-sarif"]; ok {
		t.Errorf("upload-sarif ran although upload-sarif is false")
	}
	// A bad plan: exit 2, and the failed-run SARIF still reaches code scanning.
	ws = ciWorkspace(t, "arch-conflict.yaml")
	copyFile(t, testdata("plans", "bad", "unknown-key.yaml"), filepath.Join(ws, "deploy", "migration.yaml"))
	run = runAction(t, ws, map[string]string{"plan": "deploy/migration.yaml", "version": "source"}, nil)
	if run.failed != "check" || run.action["exit-code"] != "2" || run.uses["github/codeql-action/upload-sarif"]["sarif_file"] != "espreflight.sarif" {
		t.Errorf("bad plan: failed %q exit-code %q uses %v:\n%s", run.failed, run.action["exit-code"], run.uses, run.log)
	}
}

// TestActionFromRelease installs a release the way the Action does, from
// a local stand-in for GitHub's release downloads: the archive for the
// runner's platform, checked against checksums.txt.
func TestActionFromRelease(t *testing.T) {
	bin := buildBinary(t, "-ldflags", "-s -w -X main.version=1.2.3")
	for _, tc := range []struct {
		name, version, arch string
		corrupt             bool
		want                string // the archive requested
	}{
		{"a pinned version", "v1.2.3", "X64", false, "/releases/download/v1.2.3/espreflight_1.2.3_linux_amd64.tar.gz"},
		{"the latest", "latest", "ARM64", false, "/releases/latest/download/espreflight_1.2.3_linux_arm64.tar.gz"},
		{"a corrupt archive", "1.2.3", "X64", true, "/releases/download/v1.2.3/espreflight_1.2.3_linux_amd64.tar.gz"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			url, requests := fakeRelease(t, bin, "1.2.3", tc.corrupt)
			ws := ciWorkspace(t, "arch-same.yaml")
			run := runAction(t, ws, map[string]string{"plan": "deploy/migration.yaml", "facts": "deploy/facts.json", "version": tc.version, "release-url": url}, map[string]string{"RUNNER_ARCH": tc.arch})
			if !contains(*requests, tc.want) {
				t.Errorf("requests %v, want %s", *requests, tc.want)
			}
			if tc.corrupt {
				if run.failed != "install" || !strings.Contains(run.log, "does not match checksums.txt") || run.action["exit-code"] != "" {
					t.Errorf("a corrupt archive was not refused (failed %q):\n%s", run.failed, run.log)
				}
				return
			}
			if run.failed != "" || run.action["version"] != "1.2.3" || run.action["exit-code"] != "0" {
				t.Errorf("failed %q version %q exit-code %q:\n%s", run.failed, run.action["version"], run.action["exit-code"], run.log)
			}
		})
	}
	url, _ := fakeRelease(t, bin, "1.2.3", false)
	run := runAction(t, ciWorkspace(t, "arch-same.yaml"), map[string]string{"plan": "deploy/migration.yaml", "version": "9.9.9", "release-url": url}, nil)
	if run.failed != "install" || !strings.Contains(run.log, "could not download") {
		t.Errorf("a release that does not exist: failed %q\n%s", run.failed, run.log)
	}
}

// buildBinary builds cmd/espreflight with extra go build flags and returns
// its path. A binary is built once per set of flags and test run (linking
// one costs seconds), into a folder the last test of the run removes.
func buildBinary(t *testing.T, flags ...string) string {
	t.Helper()
	key := strings.Join(flags, "\x00")
	builtMu.Lock()
	defer builtMu.Unlock()
	if bin, ok := built[key]; ok {
		return bin
	}
	if builtDir == "" {
		dir, err := os.MkdirTemp("", "espreflight-test-bin-")
		if err != nil {
			t.Fatal(err)
		}
		builtDir = dir
	}
	// Named espreflight, alone in its folder: a test may put it on PATH.
	dir := filepath.Join(builtDir, fmt.Sprint(len(built)))
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "espreflight")
	args := append(append([]string{"build"}, flags...), "-o", bin, ".")
	if out, err := exec.Command("go", args...).CombinedOutput(); err != nil {
		t.Fatalf("go %v: %v\n%s", args, err, out)
	}
	built[key] = bin
	return bin
}

var (
	builtMu  sync.Mutex
	built    = map[string]string{}
	builtDir string
)

// TestMain removes the binaries buildBinary built.
func TestMain(m *testing.M) {
	code := m.Run()
	if builtDir != "" {
		os.RemoveAll(builtDir)
	}
	os.Exit(code)
}

// TestActionInstallsGoReleaserDist installs, with the Action, the archive
// GoReleaser built for linux/amd64: .ci/run sets ESPREFLIGHT_RELEASE_DIST to
// the dist folder of '.ci/release check', served here as a release, so the
// names and checksums the Action expects are those GoReleaser writes.
func TestActionInstallsGoReleaserDist(t *testing.T) {
	dist := os.Getenv("ESPREFLIGHT_RELEASE_DIST")
	if dist == "" {
		t.Skip("ESPREFLIGHT_RELEASE_DIST is not set (.ci/run sets it after .ci/release check)")
	}
	meta, err := os.ReadFile(filepath.Join(dist, "metadata.json"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`"version":\s*"([^"]+)"`).FindSubmatch(meta)
	if m == nil {
		t.Fatalf("no version in %s/metadata.json", dist)
	}
	version := string(m[1])
	srv := httptest.NewServer(http.StripPrefix("/releases/download/v"+version+"/", http.FileServer(http.Dir(dist))))
	t.Cleanup(srv.Close)
	run := runAction(t, ciWorkspace(t, "arch-same.yaml"), map[string]string{"plan": "deploy/migration.yaml", "facts": "deploy/facts.json",
		"version": version, "release-url": srv.URL + "/releases"}, map[string]string{"ESPREFLIGHT_NOW": "2026-11-26"})
	if run.failed != "" || run.action["version"] != version || run.action["exit-code"] != "0" {
		t.Fatalf("failed %q version %q (want %s) exit-code %q:\n%s", run.failed, run.action["version"], version, run.action["exit-code"], run.log)
	}
}
