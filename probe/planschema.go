package probe

// What the plan loader accepts beyond the types of Plan, by key path ("*."
// for each cluster role): docs/schema/plan.schema.json is generated from
// Plan with these (planschema_test.go), and a test checks the loader
// rejects every value the schema rejects.

// planEnums are the accepted values of enum keys.
var planEnums = map[string][]string{
	"method":                   Methods,
	"mode":                     Modes,
	"*.kind":                   Kinds,
	"*.provider":               Providers,
	"*.architecture":           Architectures,
	"*.product":                Products,
	"snapshot.repository.type": RepoTypes,
	"snapshot.repository.oss_endpoint.source":       OSSEndpointKinds,
	"snapshot.repository.oss_endpoint.destination":  OSSEndpointKinds,
	"snapshot.repository.oss_endpoint.intermediate": OSSEndpointKinds,
	"logstash.ecs_compatibility":                    ECSModes,
	"logstash.input_plugin":                         InputPlugins,
	"logstash.output_plugin":                        OutputPlugins,
	"waivers.cluster":                               {RoleSource, RoleDestination, RoleIntermediate},
}

// Value syntaxes the loader checks, as ECMA-262 regular expressions (the
// dialect of JSON Schema's pattern) that Go's regexp reads the same way.
const (
	// datePattern: YYYY-MM-DD; the schema also says format "date", which
	// rejects 2019-02-30 as the loader does.
	datePattern = `^[0-9]{4}-[0-9]{2}-[0-9]{2}$`
	// versionPattern: major.minor or major.minor.patch.
	versionPattern = `^[0-9]+\.[0-9]+(\.[0-9]+)?$`
	// sizePattern: a data size, ParseSize's syntax.
	sizePattern = `^\s*([0-9]+(?:\.[0-9]+)?)\s*([bB]|[kKmMgGtTpP][bB]?)?\s*$`
	// endpointPattern: an http(s) URL without credentials.
	endpointPattern = `^https?://[^/?#@]+([/?#].*)?$`
	// remoteHostPattern: an http(s) URL with a port and without credentials.
	remoteHostPattern = `^https?://[^/?#@]*:[0-9]+([/?#].*)?$`
	// fieldRefPattern: a Logstash field reference, a bare name or [a][b]...
	fieldRefPattern = `^([^\[\]\s]+|(\[[^\[\]]+\])+)$`
)

// planPatterns are the keys whose value has one of the syntaxes above.
var planPatterns = map[string]string{
	"*.created":                 datePattern,
	"waivers.expires":           datePattern,
	"*.version":                 versionPattern,
	"logstash.version":          versionPattern,
	"volume":                    sizePattern,
	"limits.reindex_max_volume": sizePattern,
	"limits.dump_max_volume":    sizePattern,
	"*.endpoint":                endpointPattern,
	"reindex.remote_host":       remoteHostPattern,
	"logstash.docinfo_target":   fieldRefPattern,
}

// planRequired are the keys a plan must have (and those of each waiver).
var planRequired = map[string][]string{
	"":        {"version", "method", "indices", "source", "destination"},
	"waivers": {"rule", "reason", "expires"},
	"*":       {"kind"},
}
