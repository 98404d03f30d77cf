package policies

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeBundle writes a bundle tarball (the layout `opa build` writes) of the
// given files and returns its path.
func writeBundle(t *testing.T, files map[string]string) string {
	t.Helper()
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	for name, body := range files {
		if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(body)), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write([]byte(body)); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := gz.Close(); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "policies.tar.gz")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// TestPolicyBundle: --policy takes an OPA bundle; its rules join the
// catalogue like a folder's, its copies of espreflight's lib are left out,
// and the same sandbox and METADATA contract apply.
func TestPolicyBundle(t *testing.T) {
	team := readFile(t, filepath.Join(validPolicy, "team.rego"))
	lib := readFile(t, filepath.Join("lib", "lib.rego"))
	ok := writeBundle(t, map[string]string{"/team/team.rego": team, "/team/team_test.rego": readFile(t, filepath.Join(validPolicy, "team_test.rego")),
		"/espreflight/lib.rego": lib, "/.manifest": `{"revision": "7"}`})
	e, err := New(context.Background(), Options{PolicyDirs: []string{ok}})
	if err != nil {
		t.Fatal(err)
	}
	r, found := e.Rule("TEAM-001")
	if !found || !r.Custom || r.File != ok+"/team/team.rego" {
		t.Fatalf("TEAM-001 from the bundle: %+v %v", r, found)
	}
	for name := range e.Modules() {
		if strings.HasSuffix(name, "lib.rego") && strings.HasPrefix(name, ok) {
			t.Errorf("the bundle's copy of the lib was loaded: %s", name)
		}
	}
	// Tests in a bundle run with policies test, like a folder's.
	if rep, err := Test(context.Background(), Options{PolicyDirs: []string{ok}}, "team"); err != nil || rep.Failed() > 0 || rep.Passed() == 0 {
		t.Errorf("tests in the bundle: %v %+v", err, rep)
	}

	for _, c := range []struct {
		name  string
		files map[string]string
		want  string
	}{
		{"data", map[string]string{"/team.rego": team, "/data.json": `{"limits": {"max": 3}}`}, "holds data (data.limits)"},
		{"wrong package", map[string]string{"/x.rego": "package team\n\ndeny contains 1 if false\n"}, "user policies must use a package under espreflight.custom"},
		{"sandbox", map[string]string{"/x.rego": readFile(t, filepath.Join("..", "testdata", "policies", "http_send", "fetch.rego"))}, "http.send is not allowed"},
		{"metadata", map[string]string{"/x.rego": readFile(t, filepath.Join("..", "testdata", "policies", "missing_id", "noid.rego"))}, "METADATA has no custom.id"},
		{"only the lib", map[string]string{"/lib.rego": lib}, "no .rego files"},
		{"not a bundle", nil, "--policy takes a folder of .rego files or a bundle built with `opa build`"},
	} {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "plan.yaml")
			if c.files != nil {
				path = writeBundle(t, c.files)
			} else if err := os.WriteFile(path, []byte("version: 1\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := New(context.Background(), Options{PolicyDirs: []string{path}})
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("got %v, want an error with %q", err, c.want)
			}
		})
	}
}
