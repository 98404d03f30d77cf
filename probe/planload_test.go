package probe

import (
	"strings"
	"testing"
)

const goodPlan = `version: 1
name: orders
method: snapshot
mode: incremental
indices:
  - "orders-*"
  - "-orders-tmp"
volume: 1.5tb
source:
  kind: self-managed
  endpoint: https://10.0.0.5:9200
  auth: {username_env: SRC_USER, password_env: SRC_PASSWORD}
  version: 7.10
destination:
  kind: alibaba
  region: cn-hangzhou
  created: 2021-03-01
  account: "1234"
snapshot:
  repository: {type: oss, shared: true, bucket: b}
limits:
  dump_max_indices: 5
waivers:
  - rule: SYS-001
    reason: planned
    expires: 2027-01-01
`

func TestParsePlanGood(t *testing.T) {
	p, err := ParsePlan("plan.yaml", []byte(goodPlan))
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"method", p.Method, "snapshot"},
		{"mode", p.Mode, "incremental"},
		{"indices", strings.Join(p.Indices, ","), "orders-*,-orders-tmp"},
		{"volume", p.VolumeBytes, int64(1.5 * (1 << 40))},
		// 7.10 unquoted stays "7.10", not the float 7.1.
		{"source.version", p.Source.Version, "7.10"},
		{"auth kind", p.Source.AuthKind, "basic"},
		{"destination auth kind", p.Destination.AuthKind, "none"},
		{"repo shared", p.Snapshot.Repository.Shared, true},
		{"limits default", p.Limits.ReindexMaxBytes, int64(DefaultReindexMaxBytes)},
		{"limits set", p.Limits.DumpMaxIndices, 5},
		{"line method", p.Line("method"), 3},
		{"line indices[1]", p.Line("indices[1]"), 7},
		{"line destination.created", p.Line("destination.created"), 17},
		{"line of missing key walks up", p.Line("destination.architecture"), 14},
		{"line of nothing", p.Line("nothing.here"), 1},
		{"waiver line", p.Line("waivers[0]"), 24},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
}

func TestParsePlanErrors(t *testing.T) {
	base := "version: 1\nmethod: snapshot\nindices: [\"a\"]\nsource: {kind: self-managed}\ndestination: {kind: alibaba}\n"
	cases := []struct {
		name, yaml, want string
	}{
		{"unknown nested key", base + "snapshot:\n  repo: {}\n", `p.yaml:7:3: snapshot.repo: unknown key (did you mean "repository"?)`},
		{"duplicate key", base + "method: reindex\n", `p.yaml:6:1: not valid YAML: mapping key "method" already defined`},
		{"bool type", base + "network: {privatelink: maybe}\n", "network.privatelink: expected true or false, got a string"},
		{"int type", base + "limits: {dump_max_indices: many}\n", "limits.dump_max_indices: expected a whole number, got a string"},
		{"mapping for string", base + "name: {a: b}\n", "name: expected a string, got a mapping"},
		{"bad version", "version: 2\nmethod: snapshot\nindices: [a]\nsource: {kind: alibaba}\ndestination: {kind: alibaba}\n", "unsupported plan version 2"},
		{"missing version", "method: snapshot\nindices: [a]\nsource: {kind: alibaba}\ndestination: {kind: alibaba}\n", "version: missing"},
		{"missing source", "version: 1\nmethod: snapshot\nindices: [a]\ndestination: {kind: alibaba}\n", "source: missing"},
		{"missing indices", "version: 1\nmethod: snapshot\nsource: {kind: alibaba}\ndestination: {kind: alibaba}\n", "indices: missing"},
		{"intermediate needed", "version: 1\nmethod: snapshot-reindex\nindices: [a]\nsource: {kind: alibaba}\ndestination: {kind: alibaba}\n", "intermediate: missing"},
		{"intermediate unused", base + "intermediate: {kind: alibaba}\n", "only method snapshot-reindex uses an intermediate"},
		{"bad kind", "version: 1\nmethod: snapshot\nindices: [a]\nsource: {kind: selfmanaged}\ndestination: {kind: alibaba}\n", `source.kind: "selfmanaged" is not accepted (did you mean "self-managed"?)`},
		{"provider without third-party", "version: 1\nmethod: snapshot\nindices: [a]\nsource: {kind: alibaba, provider: tencent}\ndestination: {kind: alibaba}\n", "provider applies only to kind third-party"},
		{"bad version string", "version: 1\nmethod: snapshot\nindices: [a]\nsource: {kind: alibaba, version: seven}\ndestination: {kind: alibaba}\n", `source.version: "seven" is not a version`},
		{"bad size", base + "volume: lots\n", `volume: "lots" is not a size`},
		{"bad endpoint scheme", "version: 1\nmethod: snapshot\nindices: [a]\nsource: {kind: alibaba, endpoint: \"ftp://x:21\"}\ndestination: {kind: alibaba}\n", `scheme "ftp" is not supported`},
		{"api key and password", "version: 1\nmethod: snapshot\nindices: [a]\nsource: {kind: alibaba, auth: {api_key_env: K, username_env: U, password_env: P}}\ndestination: {kind: alibaba}\n", "not both"},
		{"inline api key", "version: 1\nmethod: snapshot\nindices: [a]\nsource: {kind: alibaba, auth: {api_key: abc}}\ndestination: {kind: alibaba}\n", "inline secrets are not allowed in a plan; use api_key_env or api_key_file"},
		{"waiver without reason", base + "waivers: [{rule: SYS-001, expires: 2027-01-01}]\n", "waivers[0].reason: missing"},
		{"waiver without expiry", base + "waivers: [{rule: SYS-001, reason: x}]\n", "waivers[0].expires: missing"},
		{"waiver bad expiry", base + "waivers: [{rule: SYS-001, reason: x, expires: soon}]\n", `waivers[0].expires: "soon" is not a date`},
		{"alias", base + "name: &n x\ndescription: *n\n", "YAML aliases are not supported"},
		{"two documents", base + "---\nversion: 1\n", "one YAML document"},
		{"empty", "", "the plan is empty"},
		{"list at top", "- a\n- b\n", "must be a YAML mapping"},
		{"empty pattern", "version: 1\nmethod: snapshot\nindices: [\"\"]\nsource: {kind: alibaba}\ndestination: {kind: alibaba}\n", "indices[0]: empty index pattern"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParsePlan("p.yaml", []byte(c.yaml))
			if err == nil {
				t.Fatalf("no error, want %q", c.want)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %q does not contain %q", err, c.want)
			}
			if !strings.HasPrefix(err.Error(), "p.yaml:") {
				t.Errorf("error %q does not start with file:line", err)
			}
		})
	}
}

func TestParseSize(t *testing.T) {
	for in, want := range map[string]int64{"0": 0, "1024": 1024, "1kb": 1024, "500mb": 500 << 20, "200GB": 200 << 30, "1.5tb": 3 << 39, "2 g": 2 << 30} {
		got, err := ParseSize(in)
		if err != nil || got != want {
			t.Errorf("ParseSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "gb", "-1gb", "1xb", "1.2.3gb"} {
		if _, err := ParseSize(in); err == nil {
			t.Errorf("ParseSize(%q): no error", in)
		}
	}
}

func TestParseVersion(t *testing.T) {
	for in, want := range map[string][3]int{"7.10.2": {7, 10, 2}, "6.8": {6, 8, 0}, "8.0.0-rc1": {8, 0, 0}, "7.10.2-SNAPSHOT": {7, 10, 2}} {
		v, err := ParseVersion(in)
		if err != nil || [3]int{v.Major, v.Minor, v.Patch} != want || v.Number != in {
			t.Errorf("ParseVersion(%q) = %+v, %v", in, v, err)
		}
	}
	for _, in := range []string{"", "7", "a.b", "1.2.3.4", "-1.0"} {
		if _, err := ParseVersion(in); err == nil {
			t.Errorf("ParseVersion(%q): no error", in)
		}
	}
}

func TestRedactURL(t *testing.T) {
	for in, want := range map[string]string{
		"https://user:pw@host:9200/path?x=1": "https://host:9200/path",
		"http://host:9200":                   "http://host:9200",
		"":                                   "",
		"https://a@b@host:1#frag":            "https://host:1",
	} {
		if got := RedactURL(in); got != want {
			t.Errorf("RedactURL(%q) = %q, want %q", in, got, want)
		}
	}
}
