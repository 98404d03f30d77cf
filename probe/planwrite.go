package probe

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/espreflight/espreflight/docs/schema"
)

// WriteOptions say how WritePlan writes a plan file.
type WriteOptions struct {
	// Comments writes a starter plan: a header, what each key takes, and the
	// keys the rules read that the plan leaves empty, as TODOs ("" values or
	// commented-out lines, so the plan still loads as it is).
	Comments bool
	// Header are comment lines written after the first header line (without
	// the leading "# "), e.g. where the plan comes from. Only with Comments.
	Header []string
	// MeasuredBytes and MeasuredBy, when MeasuredBy is set and the plan
	// declares no volume, add a commented-out volume line with the measured
	// size, e.g. MeasuredBy "advise". Only with Comments.
	MeasuredBytes int64
	MeasuredBy    string
	// Optional also shows, commented out, the optional keys the plan leaves
	// out (volume, a declared version, limits, a Logstash schedule, a
	// connectivity ticket, a waiver): the starter plan of plan init.
	// Only with Comments.
	Optional bool
}

// WritePlan renders a plan as a plan file that LoadPlan reads back as the
// same plan: ParsePlan(WritePlan(p)) equals p, but for File and Lines
// (TestWritePlanRoundTrip). It writes what the plan holds and nothing else;
// a caller that wants a section filled in (a starter plan) fills the plan in
// first.
func WritePlan(p *Plan, o WriteOptions) []byte {
	w := &planWriter{comments: o.Comments, optional: o.Comments && o.Optional}
	if o.Comments {
		// Editors with a YAML language server check and complete the plan with the schema.
		w.raw("# yaml-language-server: $schema=" + schema.URL(schema.PlanFile) + "\n")
		w.raw("# espreflight migration plan: see docs/plan.md for every key.\n")
		for _, h := range o.Header {
			w.raw("# " + h + "\n")
		}
		w.raw("# Check it with: espreflight plan validate --plan FILE; then espreflight check --plan FILE\n")
	}
	w.key(0, "version", fmt.Sprint(p.Version), "")
	w.key(0, "name", yq(p.Name), "")
	if p.Description != "" {
		w.key(0, "description", yq(p.Description), "")
	}
	w.key(0, "method", p.Method, strings.Join(Methods, " | "))
	w.key(0, "mode", p.Mode, strings.Join(Modes, " | "))
	w.key(0, "indices", yqList(p.Indices), `patterns to migrate; "-pattern" excludes`)
	switch {
	case p.Volume != "":
		w.key(0, "volume", yq(p.Volume), "declared data volume, used when the source cannot be probed")
	case o.Comments && o.MeasuredBy != "" && o.MeasuredBytes >= 0:
		w.raw(fmt.Sprintf("# volume: %dgb   # measured by %s: %s; declare it when the source cannot be probed\n",
			(o.MeasuredBytes+(1<<30)-1)>>30, o.MeasuredBy, HumanBytes(o.MeasuredBytes)))
	case w.optional:
		w.raw("# volume: 200gb   # declared data volume, used when the source cannot be probed\n")
	}
	for _, role := range []string{RoleSource, RoleDestination, RoleIntermediate} {
		if spec := p.Cluster(role); spec != nil {
			w.cluster(role, spec)
		}
	}
	if p.Snapshot != nil {
		w.snapshot(p.Snapshot)
	}
	if p.Logstash != nil {
		w.logstash(p.Logstash)
	}
	if p.Reindex != nil {
		w.raw("\nreindex:\n")
		w.key(1, "remote_host", yq(p.Reindex.RemoteHost), "the source as the destination reaches it (add it to reindex.remote.whitelist)")
	}
	if p.Dump != nil {
		w.raw("\ndump:\n")
		w.key(1, "runner", yq(p.Dump.Runner), "the host that runs elasticsearch-dump; run espreflight probe there")
	}
	if n := p.Network; n != nil && (n.PrivateLink || n.ConnectivityTicket != "" || (o.Comments && p.Method == "reindex")) {
		w.raw("\nnetwork:\n")
		w.key(1, "privatelink", fmt.Sprint(n.PrivateLink), "a PrivateLink connection between the VPCs")
		if n.ConnectivityTicket != "" {
			w.key(1, "connectivity_ticket", yq(n.ConnectivityTicket), "")
		} else if w.optional {
			w.raw("  # connectivity_ticket: \"\"   # support ticket confirming connectivity across architectures (ARCH-002)\n")
		}
	}
	if l := p.Limits; l != nil && (l.ReindexMaxVolume != "" || l.DumpMaxVolume != "" || (l.DumpMaxIndices != 0 && l.DumpMaxIndices != DefaultDumpMaxIndices)) {
		w.raw("\nlimits:\n")
		if l.ReindexMaxVolume != "" {
			w.key(1, "reindex_max_volume", yq(l.ReindexMaxVolume), "")
		}
		if l.DumpMaxVolume != "" {
			w.key(1, "dump_max_volume", yq(l.DumpMaxVolume), "")
		}
		if l.DumpMaxIndices != 0 && l.DumpMaxIndices != DefaultDumpMaxIndices {
			w.key(1, "dump_max_indices", fmt.Sprint(l.DumpMaxIndices), "")
		}
	} else if w.optional {
		w.raw(`
# limits:                 # thresholds of the fit rules
#   reindex_max_volume: 50gb
#   dump_max_volume: 10gb
#   dump_max_indices: 20
`)
	}
	w.waivers(p.Waivers)
	return []byte(w.b.String())
}

type planWriter struct {
	b                  strings.Builder
	comments, optional bool
}

func (w *planWriter) raw(s string) { w.b.WriteString(s) }

// key writes "key: value", with the comment in a starter plan.
func (w *planWriter) key(indent int, key, value, comment string) {
	fmt.Fprintf(&w.b, "%s%s: %s", strings.Repeat("  ", indent), key, value)
	if w.comments && comment != "" {
		w.b.WriteString("   # " + comment)
	}
	w.b.WriteString("\n")
}

// todo writes `key: ""   # TODO: what` in a starter plan, nothing otherwise.
func (w *planWriter) todo(indent int, key, what string) {
	if w.comments {
		w.key(indent, key, `""`, "TODO: "+what)
	}
}

// credentialPrefix names the environment variables of the auth hint.
var credentialPrefix = map[string]string{RoleSource: "SRC", RoleDestination: "DST", RoleIntermediate: "MID"}

func (w *planWriter) cluster(role string, spec *ClusterSpec) {
	w.raw("\n")
	if role == RoleIntermediate && w.comments {
		w.raw(role + ":   # the cluster to create for snapshot + reindex; add its endpoint once it exists\n")
	} else {
		w.raw(role + ":\n")
	}
	w.key(1, "kind", spec.Kind, strings.Join(Kinds, " | "))
	if spec.Provider != "" {
		w.key(1, "provider", spec.Provider, strings.Join(Providers, " | "))
	}
	if spec.Endpoint != "" {
		w.key(1, "endpoint", yq(spec.Endpoint), "")
	}
	if a := spec.Auth; a != nil && *a != (Auth{}) {
		var parts []string
		for _, kv := range [][2]string{{"username", a.Username}, {"username_env", a.UsernameEnv}, {"username_file", a.UsernameFile},
			{"password_env", a.PasswordEnv}, {"password_file", a.PasswordFile}, {"api_key_env", a.APIKeyEnv}, {"api_key_file", a.APIKeyFile}} {
			if kv[1] != "" {
				parts = append(parts, kv[0]+": "+yq(kv[1]))
			}
		}
		w.key(1, "auth", "{"+strings.Join(parts, ", ")+"}", "never write secrets inline")
	} else if w.comments && spec.Endpoint != "" {
		pre := credentialPrefix[role]
		fmt.Fprintf(&w.b, "  # auth: {username_env: %s_USER, password_env: %s_PASSWORD}   # if the cluster needs credentials\n", pre, pre)
	}
	if t := spec.TLS; t != nil {
		var parts []string
		if t.CAFile != "" {
			parts = append(parts, "ca_file: "+yq(t.CAFile))
		}
		parts = append(parts, fmt.Sprintf("insecure_skip_verify: %t", t.InsecureSkipVerify))
		w.key(1, "tls", "{"+strings.Join(parts, ", ")+"}", "")
	}
	if spec.Product != "" {
		w.key(1, "product", spec.Product, "")
	}
	if spec.Version != "" {
		w.key(1, "version", yq(spec.Version), "declared version (used when there is no endpoint to probe)")
	} else if w.optional {
		w.raw("  # version: \"7.10.2\"   # declared version, used when there is no endpoint to probe\n")
	}
	for _, kv := range [][3]string{
		{"region", spec.Region, "e.g. cn-hangzhou"},
		{"zone", spec.Zone, ""},
		{"account", spec.Account, "cloud account id"},
		{"vpc", spec.VPC, "the VPC the cluster is in"},
	} {
		switch {
		case kv[1] != "":
			w.key(1, kv[0], yq(kv[1]), "")
		case kv[2] != "":
			w.todo(1, kv[0], kv[2]+" (rules that need it report that they could not verify)")
		}
	}
	switch {
	case spec.Created != "":
		w.key(1, "created", spec.Created, "Alibaba instance creation date: decides the network architecture")
	case w.comments && spec.Kind == "alibaba":
		w.raw("  # created: YYYY-MM-DD   # TODO: Alibaba instance creation date (decides the network architecture)\n")
	}
	if spec.Architecture != "" {
		w.key(1, "architecture", spec.Architecture, strings.Join(Architectures, " | "))
	}
}

func (w *planWriter) snapshot(s *Snapshot) {
	w.raw("\nsnapshot:\n")
	if r := s.Repository; r != nil {
		w.raw("  repository:\n")
		if r.Type != "" {
			w.key(2, "type", r.Type, strings.Join(RepoTypes, " | "))
		}
		w.key(2, "name", yq(r.Name), "")
		w.key(2, "shared", fmt.Sprint(r.Shared), "true when one repository is registered on both clusters")
		if r.Bucket != "" {
			w.key(2, "bucket", yq(r.Bucket), "")
		} else {
			w.todo(2, "bucket", "the OSS bucket")
		}
		w.key(2, "region", yq(r.Region), "region of the bucket")
		w.key(2, "owner_account", yq(r.OwnerAccount), "account that owns the bucket")
		if ak := r.AccessKeyAccount; ak != nil {
			v := fmt.Sprintf("{source: %s, destination: %s", yq(ak.Source), yq(ak.Destination))
			if ak.Intermediate != "" {
				v += ", intermediate: " + yq(ak.Intermediate)
			}
			w.key(2, "access_key_account", v+"}", "whose AccessKey pair registers the repository")
		}
		if e := r.OSSEndpoint; e != nil {
			var parts []string
			for _, kv := range [][2]string{{RoleSource, e.Source}, {RoleDestination, e.Destination}, {RoleIntermediate, e.Intermediate}} {
				if kv[1] != "" {
					parts = append(parts, kv[0]+": "+kv[1])
				}
			}
			w.key(2, "oss_endpoint", "{"+strings.Join(parts, ", ")+"}", "OSS endpoint each cluster uses: "+strings.Join(OSSEndpointKinds, " | "))
		} else if w.optional {
			w.raw("    # oss_endpoint: {source: public}   # OSS endpoint a self-managed cluster uses: internal (ECS in the bucket's region only) | public\n")
		}
	}
	w.key(1, "cross_region_replication", fmt.Sprint(s.CrossRegionReplication), "OSS CRR copies the bucket into the destination region")
	if s.MovedToOSS {
		w.key(1, "moved_to_oss", "true", "")
	}
	if s.RenamePattern != "" || s.RenameReplacement != "" {
		w.key(1, "rename_pattern", yq(s.RenamePattern), "")
		w.key(1, "rename_replacement", yq(s.RenameReplacement), "")
	}
	if s.IncludeAliases != nil {
		w.key(1, "include_aliases", fmt.Sprint(*s.IncludeAliases), "restore each index's aliases with it")
	}
	if s.IncludeGlobalState {
		w.key(1, "include_global_state", "true", "the source's cluster state replaces the destination's")
	}
}

func (w *planWriter) logstash(l *Logstash) {
	w.raw("\nlogstash:\n")
	if l.Version != "" {
		w.key(1, "version", yq(l.Version), "compatible with both clusters")
	} else {
		w.todo(1, "version", "the Logstash version")
	}
	if l.VPC != "" {
		w.key(1, "vpc", yq(l.VPC), "")
	} else {
		w.todo(1, "vpc", "the VPC Logstash runs in")
	}
	w.key(1, "nat_gateway", fmt.Sprint(l.NATGateway), "NAT gateways let Logstash reach clusters in other VPCs")
	for _, kv := range [][3]string{
		{"input_plugin", l.InputPlugin, strings.Join(InputPlugins, " | ")},
		{"output_plugin", l.OutputPlugin, strings.Join(OutputPlugins, " | ")},
	} {
		switch {
		case kv[1] != "":
			w.key(1, kv[0], kv[1], kv[2])
		case w.optional:
			fmt.Fprintf(&w.b, "  # %s: %s   # %s\n", kv[0], strings.SplitN(kv[2], " | ", 2)[0], kv[2])
		}
	}
	w.key(1, "docinfo", fmt.Sprint(l.Docinfo), "")
	if l.ECSCompatibility != "" {
		w.key(1, "ecs_compatibility", l.ECSCompatibility, strings.Join(ECSModes, " | ")+"; unset: v8 from Logstash 8, disabled before")
	}
	if l.DocinfoTarget != "" {
		w.key(1, "docinfo_target", yq(l.DocinfoTarget), "where docinfo (the source _id) goes; document_id reads it from there")
	} else if w.optional {
		w.raw("  # docinfo_target: \"[@metadata]\"   # unset: [@metadata][input][elasticsearch] with ECS on (the Logstash 8 default), @metadata without\n")
	}
	w.key(1, "document_id", yq(l.DocumentID), "keep the source _id")
	if l.Schedule != "" {
		w.key(1, "schedule", yq(l.Schedule), "incremental runs")
	} else if w.optional {
		w.raw("  # schedule: \"*/5 * * * *\"   # needed for incremental runs\n")
	}
}

func (w *planWriter) waivers(ws []Waiver) {
	if len(ws) == 0 {
		if w.comments {
			w.raw(`
# waivers:                # accept a finding for a while, with a reason
#   - rule: SYS-001
#     reason: ".kibana is migrated on purpose; Kibana is rebuilt after cut-over"
#     expires: 2027-01-31
`)
			if w.optional {
				w.raw("#     ticket: CHG-1234\n")
			}
		}
		return
	}
	w.raw("\nwaivers:\n")
	for _, wv := range ws {
		fmt.Fprintf(&w.b, "  - rule: %s\n    reason: %s\n    expires: %s\n", yq(wv.Rule), yq(wv.Reason), yq(wv.Expires))
		for _, kv := range [][2]string{{"cluster", wv.Cluster}, {"ticket", wv.Ticket}, {"approved_by", wv.ApprovedBy}} {
			if kv[1] != "" {
				fmt.Fprintf(&w.b, "    %s: %s\n", kv[0], yq(kv[1]))
			}
		}
		if len(wv.Indices) > 0 {
			fmt.Fprintf(&w.b, "    indices: %s\n", yqList(wv.Indices))
		}
	}
}

// yq quotes a string for YAML: a JSON string is a YAML double-quoted scalar.
func yq(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// yqList writes a flow list of quoted strings.
func yqList(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = yq(s)
	}
	return "[" + strings.Join(q, ", ") + "]"
}

// StarterPlan is the plan `espreflight plan init --method M` writes: example
// clusters and every section the method reads, for the user to edit.
func StarterPlan(method string) *Plan {
	p := &Plan{Version: 1, Name: "my-migration", Method: method, Mode: "full", Indices: []string{"*", "-.*"},
		Source: &ClusterSpec{Kind: "self-managed", Endpoint: "https://source.example:9200",
			Auth:   &Auth{UsernameEnv: "SRC_USER", PasswordEnv: "SRC_PASSWORD"},
			Region: "cn-hangzhou", Account: "1234567890", VPC: "vpc-source"},
		Destination: &ClusterSpec{Kind: "alibaba", Endpoint: "https://destination.example:9200",
			Auth:   &Auth{UsernameEnv: "DST_USER", PasswordEnv: "DST_PASSWORD"},
			Region: "cn-hangzhou", Account: "1234567890", VPC: "vpc-destination", Created: "2021-03-01"},
	}
	switch method {
	case "snapshot", "snapshot-reindex":
		p.Snapshot = &Snapshot{Repository: &Repo{Type: "oss", Name: "migration", Bucket: "my-bucket", Region: "cn-hangzhou", OwnerAccount: "1234567890"}}
		if method == "snapshot-reindex" {
			p.Intermediate = &ClusterSpec{Kind: "alibaba", Version: "7.10.2", Region: "cn-hangzhou", Account: "1234567890",
				VPC: "vpc-destination", Created: "2021-03-01"}
		}
	case "logstash":
		p.Logstash = &Logstash{Version: "7.10.0", VPC: "vpc-destination", Docinfo: true, DocinfoTarget: "[@metadata]", DocumentID: "%{[@metadata][_id]}"}
	case "reindex":
		p.Reindex = &Reindex{RemoteHost: "https://source.example:9200"}
		p.Network = &Network{}
	case "elasticsearch-dump":
		p.Dump = &Dump{Runner: "migration-host"}
	}
	return p
}
