package probe

import (
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// everyKeyPlan sets every key a plan accepts (TestEveryKeyPlanIsComplete
// keeps it so), in two plans because some sections exclude each other.
var everyKeyPlans = map[string]string{
	"snapshot-reindex": `version: 1
name: "every key: snapshot"
description: "a plan with every key, for the writer's round trip"
method: snapshot-reindex
mode: incremental
indices: ["orders-*", "-orders-tmp"]
volume: 1.5tb
source:
  kind: third-party
  provider: tencent
  endpoint: https://10.0.0.5:9200
  auth: {username: migrator, password_file: /run/secrets/src}
  tls: {ca_file: ca.pem, insecure_skip_verify: true}
  region: ap-guangzhou
  zone: ap-guangzhou-3
  account: "100001"
  vpc: vpc-src
  created: 2020-01-01
  architecture: original
  version: "6.8.23"
  product: elasticsearch
destination:
  kind: alibaba
  endpoint: https://dst:9200
  auth: {api_key_env: DST_KEY}
  region: cn-hangzhou
  account: "200002"
  vpc: vpc-dst
  created: 2021-03-01
intermediate:
  kind: alibaba
  endpoint: https://mid:9200
  auth: {username_env: MID_USER, password_env: MID_PASSWORD}
  version: "7.17"
network: {privatelink: true, connectivity_ticket: "T-1"}
snapshot:
  repository:
    type: oss
    name: migration
    shared: true
    bucket: b
    region: cn-hangzhou
    owner_account: "200002"
    access_key_account: {source: "100001", destination: "200002", intermediate: "200002"}
    oss_endpoint: {source: public, destination: internal, intermediate: internal}
  cross_region_replication: true
  moved_to_oss: true
  rename_pattern: "(.+)"
  rename_replacement: "restored-$1"
  include_aliases: false
  include_global_state: true
limits: {reindex_max_volume: 20gb, dump_max_volume: 1gb, dump_max_indices: 5}
waivers:
  - rule: SYS-001
    reason: "kibana: rebuilt after cut-over"
    expires: 2027-01-31
    cluster: source
    indices: [".kibana", ".kibana_1"]
    ticket: CHG-1
    approved_by: lead
`,
	"logstash": `version: 1
name: ls
method: logstash
indices: ["*"]
source: {kind: self-managed, auth: {username_env: U, username_file: /u, password_env: P}, version: "7.10"}
destination: {kind: self-managed, auth: {api_key_file: /k}, version: "7.10"}
logstash: {version: "7.10.0", vpc: vpc-ls, nat_gateway: true, docinfo: true, docinfo_target: "[@metadata][docinfo]", ecs_compatibility: v8, input_plugin: logstash-input-opensearch, output_plugin: logstash-output-opensearch, document_id: "%{[@metadata][docinfo][_id]}", schedule: "*/5 * * * *"}
`,
	"reindex": `version: 1
name: rx
method: reindex
indices: ["*"]
source: {kind: self-managed, version: "7.10"}
destination: {kind: self-managed, version: "7.10"}
reindex: {remote_host: "https://src:9200"}
`,
	"dump": `version: 1
name: dump
method: elasticsearch-dump
indices: ["*"]
source: {kind: self-managed, version: "7.10"}
destination: {kind: self-managed, version: "7.10"}
dump: {runner: host-1}
`,
}

// TestEveryKeyPlanIsComplete fails when a plan key (a yaml field of a plan
// type: Plan, ClusterSpec, Auth, ...) is set in none of everyKeyPlans: a new
// key must be added there, so that the round trip shows WritePlan writes it.
func TestEveryKeyPlanIsComplete(t *testing.T) {
	set := map[string]bool{}
	var walk func(v reflect.Value)
	walk = func(v reflect.Value) {
		switch v.Kind() {
		case reflect.Pointer:
			if !v.IsNil() {
				walk(v.Elem())
			}
		case reflect.Slice:
			for i := 0; i < v.Len(); i++ {
				walk(v.Index(i))
			}
		case reflect.Struct:
			for i := 0; i < v.NumField(); i++ {
				tag := v.Type().Field(i).Tag.Get("yaml")
				if tag == "" || tag == "-" {
					continue
				}
				if !v.Field(i).IsZero() {
					set[v.Type().Name()+"."+tag] = true
				}
				walk(v.Field(i))
			}
		}
	}
	for name, text := range everyKeyPlans {
		p, err := ParsePlan(name, []byte(text))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		walk(reflect.ValueOf(p).Elem())
	}
	seen := map[reflect.Type]bool{}
	var all func(tp reflect.Type)
	all = func(tp reflect.Type) {
		for tp.Kind() == reflect.Pointer || tp.Kind() == reflect.Slice {
			tp = tp.Elem()
		}
		if tp.Kind() != reflect.Struct || seen[tp] {
			return
		}
		seen[tp] = true
		for i := 0; i < tp.NumField(); i++ {
			f := tp.Field(i)
			tag := f.Tag.Get("yaml")
			if tag == "" || tag == "-" {
				continue
			}
			if key := tp.Name() + "." + tag; !set[key] {
				t.Errorf("plan key %s is set in none of everyKeyPlans; add it", key)
			}
			all(f.Type)
		}
	}
	all(reflect.TypeOf(Plan{}))
}

// TestWritePlanRoundTrip: ParsePlan(WritePlan(p)) is p, but for File and
// Lines, for every example plan, every starter plan and every key, written
// plain, as a starter plan and with the optional keys shown.
func TestWritePlanRoundTrip(t *testing.T) {
	plans := map[string]*Plan{}
	paths, err := filepath.Glob(filepath.Join("..", "testdata", "examples", "*.yaml"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no example plans (%v)", err)
	}
	for _, path := range paths {
		p, err := LoadPlan(path)
		if err != nil {
			t.Fatal(err)
		}
		plans["example "+filepath.Base(path)] = p
	}
	for _, m := range Methods {
		plans["starter "+m] = StarterPlan(m)
	}
	for name, text := range everyKeyPlans {
		p, err := ParsePlan(name, []byte(text))
		if err != nil {
			t.Fatal(err)
		}
		plans["every key "+name] = p
	}
	for name, p := range plans {
		for _, o := range []WriteOptions{{}, {Comments: true}, {Comments: true, Optional: true, Header: []string{"from a test"}, MeasuredBytes: 3 << 30, MeasuredBy: "test"}} {
			t.Run(name, func(t *testing.T) {
				text := WritePlan(p, o)
				q, err := ParsePlan("written.yaml", text)
				if err != nil {
					t.Fatalf("the written plan does not load: %v\n%s", err, text)
				}
				// A starter plan is a plan value, not a parsed one: parse it
				// once to get the loader's defaults.
				want := p
				if want.Lines == nil {
					if want, err = ParsePlan("starter.yaml", WritePlan(p, WriteOptions{})); err != nil {
						t.Fatal(err)
					}
				}
				if d := planDiff(want, q); d != "" {
					t.Errorf("round trip with %+v changed %s\n%s", o, d, text)
				}
			})
		}
	}
}

// planDiff names the first top-level key that differs, ignoring File and Lines.
func planDiff(a, b *Plan) string {
	x, y := *a, *b
	x.File, y.File, x.Lines, y.Lines = "", "", nil, nil
	va, vb := reflect.ValueOf(x), reflect.ValueOf(y)
	for i := 0; i < va.NumField(); i++ {
		if !reflect.DeepEqual(va.Field(i).Interface(), vb.Field(i).Interface()) {
			return va.Type().Field(i).Name
		}
	}
	return ""
}

// TestWritePlanComments: a starter plan keeps its header, its hints and its
// TODOs; a plain plan has none.
func TestWritePlanComments(t *testing.T) {
	p := StarterPlan("logstash")
	p.Source.Region, p.Logstash.Version = "", ""
	starter := string(WritePlan(p, WriteOptions{Comments: true, Header: []string{"Written from a test."}, MeasuredBytes: 5 << 30, MeasuredBy: "advise"}))
	for _, want := range []string{
		"# espreflight migration plan: see docs/plan.md for every key.\n# Written from a test.\n",
		"# volume: 5gb   # measured by advise: 5.0 GiB",
		`  region: ""   # TODO: e.g. cn-hangzhou`,
		`  version: ""   # TODO: the Logstash version`,
		"method: logstash   # snapshot | logstash",
		"# waivers:",
	} {
		if !strings.Contains(starter, want) {
			t.Errorf("starter plan lacks %q:\n%s", want, starter)
		}
	}
	if strings.Contains(starter, "# limits:") {
		t.Errorf("optional keys shown without Optional:\n%s", starter)
	}
	plain := string(WritePlan(p, WriteOptions{}))
	if strings.Contains(plain, "#") {
		t.Errorf("plain plan has comments:\n%s", plain)
	}
}
