package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"runtime/debug"
	"strings"
	"testing"
)

// Build information as `go version -m` prints it, for the ways a binary is made.
const (
	biGoInstall = "go\tgo1.26.8\npath\tgithub.com/espreflight/espreflight/cmd/espreflight\n" +
		"mod\tgithub.com/espreflight/espreflight\tv1.4.2\th1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n" +
		"build\t-buildmode=exe\nbuild\tGOARCH=arm64\nbuild\tGOOS=darwin\n"
	biGoInstallPseudo = "go\tgo1.26.8\npath\tgithub.com/espreflight/espreflight/cmd/espreflight\n" +
		"mod\tgithub.com/espreflight/espreflight\tv0.0.0-20261126093000-0123456789ab\th1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n" +
		"build\tGOARCH=amd64\nbuild\tGOOS=linux\n"
	biCheckout = "go\tgo1.26.8\npath\tgithub.com/espreflight/espreflight/cmd/espreflight\n" +
		"mod\tgithub.com/espreflight/espreflight\tv1.4.3-0.20261126093000-0123456789ab+dirty\t\n" +
		"build\tGOARCH=amd64\nbuild\tGOOS=linux\nbuild\tvcs=git\n" +
		"build\tvcs.revision=0123456789abcdef0123456789abcdef01234567\nbuild\tvcs.time=2026-11-26T09:30:00Z\nbuild\tvcs.modified=true\n"
	biDevel = "go\tgo1.26.8\npath\tgithub.com/espreflight/espreflight/cmd/espreflight\n" +
		"mod\tgithub.com/espreflight/espreflight\t(devel)\t\nbuild\tGOARCH=amd64\nbuild\tGOOS=linux\n"
)

func TestResolveBuild(t *testing.T) {
	cases := []struct {
		name                string
		ldVersion, ldCommit string
		info                string // "" for no build information
		want                Build
	}{
		{"go install @v1.4.2", "", "", biGoInstall,
			Build{Version: "1.4.2", Module: "github.com/espreflight/espreflight", Go: "go1.26.8", Platform: "darwin/arm64", From: "module"}},
		{"go install @commit (pseudo-version)", "", "", biGoInstallPseudo,
			Build{Version: "0.0.0-20261126093000-0123456789ab", Commit: "0123456789ab", Module: "github.com/espreflight/espreflight", Go: "go1.26.8", Platform: "linux/amd64", From: "module"}},
		{"go build in a dirty checkout", "", "", biCheckout,
			Build{Version: "1.4.3-0.20261126093000-0123456789ab", Commit: "0123456789abcdef0123456789abcdef01234567", Date: "2026-11-26T09:30:00Z", Modified: ptr(true),
				Module: "github.com/espreflight/espreflight", Go: "go1.26.8", Platform: "linux/amd64", From: "vcs"}},
		{"release: ldflags win over the build information", "v1.5.0", "fedcba9876543210", biCheckout,
			Build{Version: "1.5.0", Commit: "fedcba9876543210", Date: "2026-11-26T09:30:00Z", Modified: ptr(true),
				Module: "github.com/espreflight/espreflight", Go: "go1.26.8", Platform: "linux/amd64", From: "ldflags"}},
		{"go build without VCS stamping", "", "", biDevel,
			Build{Version: devVersion, Module: "github.com/espreflight/espreflight", Go: "go1.26.8", Platform: "linux/amd64", From: "none"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			bi, err := debug.ParseBuildInfo(tc.info)
			if err != nil {
				t.Fatal(err)
			}
			got := resolveBuild(tc.ldVersion, tc.ldCommit, "", bi)
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got  %s\nwant %s", asJSON(got), asJSON(tc.want))
			}
		})
	}
	if b := resolveBuild("", "", "", nil); b.Version != devVersion || b.From != "none" || b.Go == "" || b.Platform == "" {
		t.Errorf("no build information: %s", asJSON(b))
	}
}

func TestVersionCommand(t *testing.T) {
	code, stdout, stderr := espreflight(t, "version")
	if code != 0 || !strings.HasPrefix(stdout, "espreflight "+toolVersion()+" (") {
		t.Errorf("version: exit %d %q %q", code, stdout, stderr)
	}
	code, stdout, _ = espreflight(t, "version", "--format", "json")
	var b Build
	if err := json.Unmarshal([]byte(stdout), &b); code != 0 || err != nil || !reflect.DeepEqual(b, currentBuild()) {
		t.Errorf("version --format json: exit %d, %v: %s", code, err, stdout)
	}
	if code, _, stderr := espreflight(t, "version", "--format", "yaml"); code != exitUsage || !strings.Contains(stderr, "text or json") {
		t.Errorf("version --format yaml: exit %d %q", code, stderr)
	}
}

// TestVersionFromVCS builds the binary as `go build` does in a git checkout
// at a release tag, without -ldflags, and checks that it reports the tag and
// the commit. The build runs in a fresh repository holding a copy of the
// sources: Go stamps VCS information only where .git is a directory, which a
// git worktree's is not.
func TestVersionFromVCS(t *testing.T) {
	root, err := filepath.Abs(repoRoot)
	if err != nil {
		t.Fatal(err)
	}
	git := func(dir string, args ...string) string {
		t.Helper()
		cmd := exec.Command("git", append([]string{"-C", dir, "-c", "user.name=espreflight test", "-c", "user.email=test@example.invalid"}, args...)...)
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("git %v: %v (the test needs git and a git checkout of the repository)", args, err)
		}
		return strings.TrimSpace(string(out))
	}
	repo := t.TempDir()
	for _, f := range strings.Split(git(root, "ls-files", "-co", "--exclude-standard"), "\n") {
		if strings.HasPrefix(f, "testdata/") {
			continue
		}
		if _, err := os.Stat(filepath.Join(root, f)); err != nil {
			continue // deleted in the working tree
		}
		if err := os.MkdirAll(filepath.Join(repo, filepath.Dir(f)), 0o755); err != nil {
			t.Fatal(err)
		}
		copyFile(t, filepath.Join(root, f), filepath.Join(repo, f))
	}
	git(repo, "init", "-q")
	git(repo, "add", "-A")
	git(repo, "commit", "-q", "-m", "release")
	git(repo, "tag", "v1.8.7")
	head := git(repo, "rev-parse", "HEAD")
	bin := filepath.Join(t.TempDir(), "espreflight")
	cmd := exec.Command("go", "build", "-buildvcs=true", "-o", bin, "./cmd/espreflight")
	cmd.Dir = repo
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	out, err := exec.Command(bin, "version", "--format", "json").Output()
	if err != nil {
		t.Fatal(err)
	}
	var b Build
	if err := json.Unmarshal(out, &b); err != nil {
		t.Fatal(err)
	}
	want := Build{Version: "1.8.7", Commit: head, Date: b.Date, Module: "github.com/espreflight/espreflight", Go: b.Go, Platform: b.Platform, From: "vcs", Modified: ptr(false)}
	if !reflect.DeepEqual(b, want) || b.Date == "" {
		t.Errorf("got  %s\nwant %s", asJSON(b), asJSON(want))
	}
	out, err = exec.Command(bin, "version").Output()
	if err != nil || !strings.HasPrefix(string(out), "espreflight 1.8.7 (commit "+head[:12]+", ") {
		t.Errorf("version: %v %q", err, out)
	}
}

func ptr[T any](v T) *T { return &v }

func asJSON(v any) string {
	data, _ := json.Marshal(v)
	return string(data)
}
