package probe

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"
)

const planHead = `version: 1
method: %s
indices: ["orders-*"]
source: {kind: self-managed, version: "6.8.23"}
destination: {kind: alibaba, version: "7.10.0"}
`

func planWith(method, extra string) []byte {
	return []byte(strings.Replace(planHead, "%s", method, 1) + extra)
}

func TestMethodSectionChecks(t *testing.T) {
	cases := []struct {
		name, method, extra, want string
		line                      int
	}{
		{"section of another method", "reindex", "logstash: {version: \"7.10.0\"}\n", "section logstash applies to method logstash only", 6},
		{"snapshot section with logstash", "logstash", "snapshot: {moved_to_oss: true}\n", "section snapshot applies to method snapshot or snapshot-reindex only", 6},
		{"bad logstash version", "logstash", "logstash:\n  version: latest\n", `"latest" is not a version`, 7},
		{"remote host without port", "reindex", "reindex:\n  remote_host: https://10.0.0.5\n", "has no port", 7},
		{"remote host without scheme", "reindex", "reindex:\n  remote_host: 10.0.0.5:9200\n", "not a URL with a scheme", 7},
		{"remote host with credentials", "reindex", "reindex:\n  remote_host: https://u:p@10.0.0.5:9200\n", "credentials in the URL", 7},
		{"bad rename pattern", "snapshot", "snapshot:\n  rename_pattern: \"(.+\"\n", "not a valid regular expression", 7},
		{"replacement without pattern", "snapshot", "snapshot:\n  rename_replacement: restored_$1\n", "needs snapshot.rename_pattern", 7},
		{"intermediate access key without intermediate", "snapshot", "snapshot:\n  repository:\n    access_key_account: {intermediate: \"1\"}\n", "the plan has no intermediate cluster", 8},
		{"include_aliases not a boolean", "snapshot", "snapshot:\n  include_aliases: \"false\"\n", "expected true or false, got a string", 7},
		{"include_aliases as yes/no", "snapshot", "snapshot:\n  include_aliases: no\n", "expected true or false", 7},
		{"include_aliases misspelt", "snapshot", "snapshot:\n  include_alias: false\n", `did you mean "include_aliases"`, 7},
		{"include_aliases with logstash", "logstash", "snapshot: {include_aliases: false}\n", "section snapshot applies to method snapshot or snapshot-reindex only", 6},
		{"unknown key in access_key_account", "snapshot", "snapshot:\n  repository:\n    access_key_account: {destinaton: \"1\"}\n", `did you mean "destination"`, 8},
		{"unknown OSS endpoint kind", "snapshot", "snapshot:\n  repository:\n    oss_endpoint:\n      source: publik\n", `"publik" is not accepted (did you mean "public"?); use one of: internal, public`, 9},
		{"unknown ECS mode", "logstash", "logstash:\n  ecs_compatibility: v9\n", `"v9" is not accepted`, 7},
		{"unknown output plugin", "logstash", "logstash:\n  output_plugin: logstash-output-opensarch\n", `did you mean "logstash-output-opensearch"`, 7},
		{"unknown input plugin", "logstash", "logstash:\n  input_plugin: opensearch\n", `use one of: logstash-input-elasticsearch, logstash-input-opensearch`, 7},
		{"docinfo_target not a field reference", "logstash", "logstash:\n  docinfo_target: \"[@metadata\"\n", `is not a field reference`, 7},
		{"intermediate OSS endpoint without intermediate", "snapshot", "snapshot:\n  repository:\n    oss_endpoint: {intermediate: internal}\n", "the plan has no intermediate cluster", 8},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParsePlan("plan.yaml", planWith(c.method, c.extra))
			if err == nil {
				t.Fatalf("no error, want %q", c.want)
			}
			es, ok := err.(PlanErrors)
			if !ok || len(es) != 1 {
				t.Fatalf("want one plan error, got %v", err)
			}
			if !strings.Contains(es[0].Msg, c.want) {
				t.Errorf("error %q does not contain %q", es[0].Error(), c.want)
			}
			if es[0].Line != c.line {
				t.Errorf("error at line %d, want %d (%s)", es[0].Line, c.line, es[0].Error())
			}
		})
	}
}

func TestMethodSectionsAccepted(t *testing.T) {
	ok := []struct{ method, extra string }{
		{"snapshot", "snapshot:\n  rename_pattern: \"(.+)\"\n  rename_replacement: restored_$1\n  repository: {type: oss, access_key_account: {source: \"1\", destination: \"1\"}, oss_endpoint: {source: public, destination: internal}}\n"},
		{"logstash", "logstash: {version: \"7.10\", vpc: vpc-a, nat_gateway: false, document_id: \"%{[@metadata][_id]}\", docinfo: true, schedule: \"* * * * *\"}\n"},
		{"logstash", "logstash: {version: \"8.15.0\", docinfo: true, docinfo_target: \"@metadata\", ecs_compatibility: v8, output_plugin: logstash-output-opensearch, input_plugin: logstash-input-elasticsearch}\n"},
		{"reindex", "reindex: {remote_host: \"https://10.0.0.5:9200\"}\nnetwork: {privatelink: true}\n"},
		{"elasticsearch-dump", "dump: {runner: ecs-1}\nlimits: {dump_max_indices: 5, dump_max_volume: 2gb}\n"},
	}
	for _, c := range ok {
		if _, err := ParsePlan("plan.yaml", planWith(c.method, c.extra)); err != nil {
			t.Errorf("%s: %v", c.method, err)
		}
	}
}

// TestIncludeAliases: snapshot.include_aliases is unset (nil: the restore
// API's default, true, and left out of the facts) or an explicit boolean.
func TestIncludeAliases(t *testing.T) {
	for _, c := range []struct {
		method, extra string
		want          *bool
		json          string
	}{
		{"snapshot", "", nil, ""},
		{"snapshot", "snapshot: {rename_pattern: \"(.+)\"}\n", nil, ""},
		{"snapshot", "snapshot:\n  include_aliases: ~\n", nil, ""},
		{"snapshot", "snapshot:\n  include_aliases: false\n", new(false), `"include_aliases":false`},
		{"snapshot-reindex", "intermediate: {kind: self-managed, version: \"7.17.0\"}\nsnapshot:\n  include_aliases: true\n", new(true), `"include_aliases":true`},
	} {
		p, err := ParsePlan("plan.yaml", planWith(c.method, c.extra))
		if err != nil {
			t.Errorf("%q: %v", c.extra, err)
			continue
		}
		var got *bool
		if p.Snapshot != nil {
			got = p.Snapshot.IncludeAliases
		}
		if (got == nil) != (c.want == nil) || got != nil && *got != *c.want {
			t.Errorf("%q: include_aliases = %v, want %v", c.extra, fmtBoolPtr(got), fmtBoolPtr(c.want))
		}
		b, err := json.Marshal(p)
		if err != nil {
			t.Fatal(err)
		}
		if has := strings.Contains(string(b), `"include_aliases"`); has != (c.json != "") || c.json != "" && !strings.Contains(string(b), c.json) {
			t.Errorf("%q: normalized plan %s, want %q", c.extra, b, c.json)
		}
		if c.want != nil && p.Line("snapshot.include_aliases") != strings.Count(string(planWith(c.method, c.extra)), "\n") {
			t.Errorf("%q: include_aliases at line %d", c.extra, p.Line("snapshot.include_aliases"))
		}
	}
}

func fmtBoolPtr(b *bool) string {
	if b == nil {
		return "unset"
	}
	return strconv.FormatBool(*b)
}
