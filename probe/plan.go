package probe

// Plan is a migration plan file (YAML, version 1). Field names in yaml tags
// are the keys users write; json tags are the keys of the normalized plan in
// the facts document (input.plan for the policies). Every value's line is in
// Lines, keyed by its dotted path ("source.created", "indices[0]").
type Plan struct {
	Version     int      `yaml:"version" json:"version"`
	Name        string   `yaml:"name" json:"name"`
	Description string   `yaml:"description" json:"description,omitempty"`
	Method      string   `yaml:"method" json:"method"`
	Mode        string   `yaml:"mode" json:"mode"`
	Indices     []string `yaml:"indices" json:"indices"`
	// Volume is the declared data volume ("200gb"), used when the probe cannot measure it.
	Volume       string       `yaml:"volume" json:"volume,omitempty"`
	Source       *ClusterSpec `yaml:"source" json:"source"`
	Destination  *ClusterSpec `yaml:"destination" json:"destination"`
	Intermediate *ClusterSpec `yaml:"intermediate" json:"intermediate,omitempty"`
	Network      *Network     `yaml:"network" json:"network"`
	Snapshot     *Snapshot    `yaml:"snapshot" json:"snapshot"`
	Logstash     *Logstash    `yaml:"logstash" json:"logstash"`
	Reindex      *Reindex     `yaml:"reindex" json:"reindex"`
	Dump         *Dump        `yaml:"dump" json:"dump"`
	Limits       *Limits      `yaml:"limits" json:"limits"`
	Waivers      []Waiver     `yaml:"waivers" json:"waivers"`

	// VolumeBytes is Volume parsed; -1 when the plan declares none.
	VolumeBytes int64 `yaml:"-" json:"volume_bytes"`
	// File is the plan file path as given on the command line.
	File string `yaml:"-" json:"file"`
	// Lines maps each key path of the plan to its 1-based line.
	Lines map[string]int `yaml:"-" json:"lines"`
}

// ClusterSpec is a cluster as the plan declares it.
type ClusterSpec struct {
	// Kind is alibaba | self-managed | third-party.
	Kind string `yaml:"kind" json:"kind"`
	// Provider, for third-party clusters: aws-opensearch | tencent | other.
	Provider string `yaml:"provider" json:"provider"`
	Endpoint string `yaml:"endpoint" json:"endpoint"`
	Auth     *Auth  `yaml:"auth" json:"-"`
	TLS      *TLS   `yaml:"tls" json:"tls,omitempty"`
	Region   string `yaml:"region" json:"region"`
	Zone     string `yaml:"zone" json:"zone"`
	Account  string `yaml:"account" json:"account"`
	VPC      string `yaml:"vpc" json:"vpc"`
	// Created is the Alibaba instance creation date (YYYY-MM-DD).
	Created string `yaml:"created" json:"created"`
	// Architecture is original | new: an explicit override of the derivation from Created.
	Architecture string `yaml:"architecture" json:"architecture"`
	// Version is the declared version, used when there is no endpoint to probe.
	Version string `yaml:"version" json:"version"`
	// Product is the declared product (elasticsearch | opensearch), used without an endpoint.
	Product string `yaml:"product" json:"product"`

	// AuthKind is "basic", "api_key" or "none"; the references themselves never leave the plan.
	AuthKind string `yaml:"-" json:"auth"`
}

// Auth names where credentials come from. Secrets are never written inline.
type Auth struct {
	// Username is the user name itself (not a secret).
	Username string `yaml:"username"`
	// UsernameEnv names the environment variable that holds the user name.
	UsernameEnv string `yaml:"username_env"`
	// UsernameFile is a file that holds the user name.
	UsernameFile string `yaml:"username_file"`
	// PasswordEnv names the environment variable that holds the password.
	PasswordEnv string `yaml:"password_env"`
	// PasswordFile is a file that holds the password.
	PasswordFile string `yaml:"password_file"`
	// APIKeyEnv names the environment variable that holds an API key (instead of a user and password).
	APIKeyEnv string `yaml:"api_key_env"`
	// APIKeyFile is a file that holds an API key.
	APIKeyFile string `yaml:"api_key_file"`
}

// TLS configures the connection to a cluster.
type TLS struct {
	// CAFile is a PEM file of CA certificates to trust (e.g. the http_ca.crt of an Elasticsearch 8 node).
	CAFile string `yaml:"ca_file" json:"ca_file,omitempty"`
	// InsecureSkipVerify turns off certificate verification (espreflight warns).
	InsecureSkipVerify bool `yaml:"insecure_skip_verify" json:"insecure_skip_verify"`
}

// Network records network facts the plan declares.
type Network struct {
	// PrivateLink is true when a PrivateLink private connection between the VPCs exists.
	PrivateLink bool `yaml:"privatelink" json:"privatelink"`
	// ConnectivityTicket is the support ticket confirming cross-architecture connectivity
	// in regions where the architecture cut-over date is uncertain (ARCH-002).
	ConnectivityTicket string `yaml:"connectivity_ticket" json:"connectivity_ticket"`
}

// Snapshot describes a snapshot-based migration (methods snapshot and snapshot-reindex).
type Snapshot struct {
	// Repository is the snapshot repository the clusters share or each register.
	Repository *Repo `yaml:"repository" json:"repository"`
	// CrossRegionReplication is true when OSS cross-region replication (CRR) copies the bucket
	// into the destination region.
	CrossRegionReplication bool `yaml:"cross_region_replication" json:"cross_region_replication"`
	// MovedToOSS is true when snapshots held in another store (e.g. Tencent COS) are first
	// copied to an OSS bucket with Data Online Migration.
	MovedToOSS        bool   `yaml:"moved_to_oss" json:"moved_to_oss"`
	RenamePattern     string `yaml:"rename_pattern" json:"rename_pattern"`
	RenameReplacement string `yaml:"rename_replacement" json:"rename_replacement"`
	// IncludeAliases is the restore's include_aliases: nil (unset, and then
	// left out of the facts) means true, as in the restore API, which
	// restores each index's aliases with it.
	IncludeAliases *bool `yaml:"include_aliases" json:"include_aliases,omitempty"`
	// IncludeGlobalState is the restore's include_global_state (false by
	// default, as in the restore API): true restores the source's cluster
	// state over the destination's.
	IncludeGlobalState bool `yaml:"include_global_state" json:"include_global_state,omitempty"`
}

// Repo is the snapshot repository.
type Repo struct {
	// Type is oss | fs | s3 | cos | hdfs | azure | gcs.
	Type string `yaml:"type" json:"type"`
	Name string `yaml:"name" json:"name"`
	// Shared is true when one repository is registered on both clusters.
	Shared bool   `yaml:"shared" json:"shared"`
	Bucket string `yaml:"bucket" json:"bucket"`
	// Region of the bucket.
	Region string `yaml:"region" json:"region"`
	// OwnerAccount is the account that owns the bucket.
	OwnerAccount string `yaml:"owner_account" json:"owner_account"`
	// AccessKeyAccount says, per cluster role, whose AccessKey pair registers the repository.
	AccessKeyAccount *RoleAccounts `yaml:"access_key_account" json:"access_key_account"`
	// OSSEndpoint says, per cluster role, which kind of OSS endpoint the
	// cluster registers the repository with (OSSEndpointKinds): an internal
	// endpoint serves only ECS instances of the bucket's region.
	OSSEndpoint *RoleEndpoints `yaml:"oss_endpoint" json:"oss_endpoint"`
}

// RoleEndpoints maps cluster roles to OSS endpoint kinds (internal | public).
type RoleEndpoints struct {
	Source       string `yaml:"source" json:"source"`
	Destination  string `yaml:"destination" json:"destination"`
	Intermediate string `yaml:"intermediate" json:"intermediate,omitempty"`
}

// RoleAccounts maps cluster roles to account ids.
type RoleAccounts struct {
	Source       string `yaml:"source" json:"source"`
	Destination  string `yaml:"destination" json:"destination"`
	Intermediate string `yaml:"intermediate" json:"intermediate,omitempty"`
}

// Logstash describes a Logstash-based migration.
type Logstash struct {
	Version    string `yaml:"version" json:"version"`
	VPC        string `yaml:"vpc" json:"vpc"`
	NATGateway bool   `yaml:"nat_gateway" json:"nat_gateway"`
	// DocumentID is the output's document_id setting (e.g. "%{[@metadata][_id]}").
	DocumentID string `yaml:"document_id" json:"document_id"`
	Docinfo    bool   `yaml:"docinfo" json:"docinfo"`
	// DocinfoTarget is the input's docinfo_target, the field the docinfo
	// goes to; "" means the input's default, which depends on ECSCompatibility.
	DocinfoTarget string `yaml:"docinfo_target" json:"docinfo_target"`
	// ECSCompatibility is the pipeline's (or the input's) ecs_compatibility
	// (ECSModes); "" means Logstash's default for its major.
	ECSCompatibility string `yaml:"ecs_compatibility" json:"ecs_compatibility"`
	// InputPlugin and OutputPlugin name the plugins that read the source and
	// write the destination (InputPlugins, OutputPlugins); "" when not said.
	InputPlugin  string `yaml:"input_plugin" json:"input_plugin"`
	OutputPlugin string `yaml:"output_plugin" json:"output_plugin"`
	// Schedule is the input's cron-like schedule for incremental runs.
	Schedule string `yaml:"schedule" json:"schedule"`
}

// Reindex describes a reindex-from-remote migration.
type Reindex struct {
	// RemoteHost is the source as the destination reaches it (scheme://host:port).
	RemoteHost string `yaml:"remote_host" json:"remote_host"`
}

// Dump describes an elasticsearch-dump migration.
type Dump struct {
	// Runner names the host that runs elasticsearch-dump (informational).
	Runner string `yaml:"runner" json:"runner"`
}

// Limits holds thresholds; zero means the documented default.
type Limits struct {
	ReindexMaxVolume string `yaml:"reindex_max_volume" json:"reindex_max_volume,omitempty"`
	DumpMaxVolume    string `yaml:"dump_max_volume" json:"dump_max_volume,omitempty"`
	DumpMaxIndices   int    `yaml:"dump_max_indices" json:"dump_max_indices"`

	ReindexMaxBytes int64 `yaml:"-" json:"reindex_max_bytes"`
	DumpMaxBytes    int64 `yaml:"-" json:"dump_max_bytes"`
}

// Waiver accepts a finding for a while, with a reason.
type Waiver struct {
	// Rule is the id of the rule whose findings the waiver accepts (SYS-001).
	Rule string `yaml:"rule" json:"rule"`
	// Reason says why, for the reviewer.
	Reason string `yaml:"reason" json:"reason"`
	// Expires is the last day (YYYY-MM-DD, UTC) the waiver applies.
	Expires string `yaml:"expires" json:"expires"`
	// Cluster limits the waiver to the findings on one cluster role.
	Cluster string `yaml:"cluster" json:"cluster,omitempty"`
	// Indices limits the waiver to findings about these index patterns ("-pattern" excludes).
	Indices []string `yaml:"indices" json:"indices,omitempty"`
	// Ticket is the change or risk ticket that records the acceptance.
	Ticket string `yaml:"ticket" json:"ticket,omitempty"`
	// ApprovedBy is who accepted the risk.
	ApprovedBy string `yaml:"approved_by" json:"approved_by,omitempty"`
}

// Default thresholds (see docs/plan.md).
const (
	DefaultReindexMaxBytes = 50 << 30 // 50 GiB
	DefaultDumpMaxBytes    = 10 << 30 // 10 GiB
	DefaultDumpMaxIndices  = 20
)

// Accepted enum values.
var (
	Methods       = []string{"snapshot", "logstash", "reindex", "elasticsearch-dump", "snapshot-reindex"}
	Modes         = []string{"full", "incremental"}
	Kinds         = []string{"alibaba", "self-managed", "third-party"}
	Providers     = []string{"aws-opensearch", "tencent", "other"}
	Architectures = []string{"original", "new"}
	Products      = []string{"elasticsearch", "opensearch"}
	RepoTypes     = []string{"oss", "fs", "s3", "cos", "hdfs", "azure", "gcs"}
	// OSSEndpointKinds are the OSS endpoints a cluster can reach a bucket
	// through: internal (oss-<region>-internal.aliyuncs.com, from ECS in the
	// bucket's region only) or public (oss-<region>.aliyuncs.com, from anywhere).
	OSSEndpointKinds = []string{"internal", "public"}
	// ECSModes are the values of Logstash's ecs_compatibility.
	ECSModes = []string{"disabled", "v1", "v8"}
	// InputPlugins and OutputPlugins are the Logstash plugins that read and
	// write Elasticsearch or OpenSearch.
	InputPlugins  = []string{"logstash-input-elasticsearch", "logstash-input-opensearch"}
	OutputPlugins = []string{"logstash-output-elasticsearch", "logstash-output-opensearch"}
)

// Line returns the line of the plan value at path, walking up to the closest
// parent that has one, and 1 as the last resort.
func (p *Plan) Line(path string) int {
	for path != "" {
		if l, ok := p.Lines[path]; ok && l > 0 {
			return l
		}
		path = parentPath(path)
	}
	return 1
}

func parentPath(path string) string {
	for i := len(path) - 1; i >= 0; i-- {
		switch path[i] {
		case '.':
			return path[:i]
		case '[':
			return path[:i]
		}
	}
	return ""
}

// Clusters returns the roles the plan declares, in a fixed order.
func (p *Plan) Roles() []string {
	roles := []string{}
	if p.Source != nil {
		roles = append(roles, RoleSource)
	}
	if p.Destination != nil {
		roles = append(roles, RoleDestination)
	}
	if p.Intermediate != nil {
		roles = append(roles, RoleIntermediate)
	}
	return roles
}

// Cluster returns the plan's spec of the cluster with the given role, or nil.
func (p *Plan) Cluster(role string) *ClusterSpec {
	switch role {
	case RoleSource:
		return p.Source
	case RoleDestination:
		return p.Destination
	case RoleIntermediate:
		return p.Intermediate
	}
	return nil
}
