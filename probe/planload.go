package probe

import (
	"bytes"
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/agnivade/levenshtein"
	yaml "github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
	"github.com/goccy/go-yaml/token"
)

// ParsePlan parses and validates a plan; name is used in error messages and
// as Plan.File. The error, if any, is a PlanErrors.
func ParsePlan(name string, data []byte) (*Plan, error) {
	d := &planDecoder{file: name, lines: map[string]int{}}
	data = bytes.TrimPrefix(data, utf8BOM)
	if err := checkPlanLimits(name, data); err != nil {
		return nil, PlanErrors{err}
	}
	f, err := parser.ParseBytes(data, 0)
	if err != nil {
		return nil, PlanErrors{d.yamlError(err)}
	}
	var body ast.Node
	if len(f.Docs) > 0 && f.Docs[0] != nil {
		body = f.Docs[0].Body
	}
	if len(f.Docs) > 1 {
		// The parser may give a nil document for a "---" after a bare CR.
		var tk *token.Token
		if doc := f.Docs[1]; doc != nil {
			tk = doc.Start
			if tk == nil && doc.Body != nil {
				tk = doc.Body.GetToken()
			}
		}
		d.errAt(tk, "", "a plan file holds one YAML document; remove the second one")
	}
	p := &Plan{}
	if body == nil {
		return nil, PlanErrors{{File: name, Line: 1, Msg: "the plan is empty; start from `espreflight plan init`"}}
	}
	if _, ok := unwrap(body).(*ast.MappingNode); !ok {
		if _, ok := unwrap(body).(*ast.MappingValueNode); !ok {
			return nil, PlanErrors{{File: name, Line: line(body.GetToken()), Column: col(body.GetToken()),
				Msg: "the plan must be a YAML mapping with keys such as version, method, source and destination"}}
		}
	}
	d.decode(body, reflect.ValueOf(p).Elem(), "")
	p.File = name
	p.Lines = d.lines
	d.validate(p)
	if len(d.errs) > 0 {
		sort.SliceStable(d.errs, func(i, j int) bool { return d.errs[i].Line < d.errs[j].Line })
		return nil, d.errs
	}
	return p, nil
}

type planDecoder struct {
	file  string
	lines map[string]int
	errs  PlanErrors
	// failed holds the key paths (and their parents) that already have a
	// decoding error, so validation does not report a second, derived problem.
	failed map[string]bool
}

func line(tk *token.Token) int {
	if tk == nil || tk.Position == nil {
		return 0
	}
	return tk.Position.Line
}

func col(tk *token.Token) int {
	if tk == nil || tk.Position == nil {
		return 0
	}
	return tk.Position.Column
}

func (d *planDecoder) errAt(tk *token.Token, path, format string, args ...any) {
	if d.failed == nil {
		d.failed = map[string]bool{}
	}
	d.failed[path], d.failed[parentPath(path)] = true, true
	d.errs = append(d.errs, &PlanError{File: d.file, Line: line(tk), Column: col(tk), Path: path, Msg: fmt.Sprintf(format, args...)})
}

// errPath reports a problem at the line recorded for path.
func (d *planDecoder) errPath(path, format string, args ...any) {
	l := 1
	for p := path; p != ""; p = parentPath(p) {
		if v, ok := d.lines[p]; ok {
			l = v
			break
		}
	}
	d.errs = append(d.errs, &PlanError{File: d.file, Line: l, Path: path, Msg: fmt.Sprintf(format, args...)})
}

func (d *planDecoder) yamlError(err error) *PlanError {
	var se *yaml.SyntaxError
	if errors.As(err, &se) {
		return &PlanError{File: d.file, Line: line(se.GetToken()), Column: col(se.GetToken()), Msg: "not valid YAML: " + se.GetMessage()}
	}
	msg := strings.ReplaceAll(err.Error(), "\n", " ")
	return &PlanError{File: d.file, Line: 1, Msg: "not valid YAML: " + msg}
}

func unwrap(n ast.Node) ast.Node {
	for {
		switch t := n.(type) {
		case *ast.TagNode:
			n = t.Value
		case *ast.AnchorNode:
			n = t.Value
		case *ast.DocumentNode:
			n = t.Body
		default:
			return n
		}
	}
}

func joinPath(parent, key string) string {
	if parent == "" {
		return key
	}
	return parent + "." + key
}

func kindName(n ast.Node) string {
	switch n.(type) {
	case *ast.MappingNode, *ast.MappingValueNode:
		return "a mapping"
	case *ast.SequenceNode:
		return "a list"
	case *ast.StringNode, *ast.LiteralNode:
		return "a string"
	case *ast.IntegerNode:
		return "a number"
	case *ast.FloatNode:
		return "a number"
	case *ast.BoolNode:
		return "a boolean"
	case *ast.NullNode:
		return "null"
	}
	return "a " + strings.ToLower(n.Type().String())
}

// secretKeys are keys that would put a secret inline.
var secretKeys = map[string]string{
	"password": "password_env or password_file",
	"api_key":  "api_key_env or api_key_file",
	"apikey":   "api_key_env or api_key_file",
	"token":    "api_key_env or api_key_file",
	"secret":   "password_env or password_file",
}

func (d *planDecoder) decode(n ast.Node, v reflect.Value, path string) {
	n = unwrap(n)
	if _, ok := n.(*ast.NullNode); ok {
		return
	}
	if a, ok := n.(*ast.AliasNode); ok {
		d.errAt(a.GetToken(), path, "YAML aliases are not supported in a plan; write the value out")
		return
	}
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			v.Set(reflect.New(v.Type().Elem()))
		}
		d.decode(n, v.Elem(), path)
	case reflect.Struct:
		d.decodeStruct(n, v, path)
	case reflect.Slice:
		seq, ok := n.(*ast.SequenceNode)
		if !ok {
			d.errAt(n.GetToken(), path, "expected a list, got %s (write [\"a\", \"b\"] or one \"- item\" per line)", kindName(n))
			return
		}
		out := reflect.MakeSlice(v.Type(), len(seq.Values), len(seq.Values))
		for i, item := range seq.Values {
			p := fmt.Sprintf("%s[%d]", path, i)
			d.lines[p] = line(unwrap(item).GetToken())
			d.decode(item, out.Index(i), p)
		}
		v.Set(out)
	case reflect.String:
		s, ok := scalarText(n)
		if !ok {
			d.errAt(n.GetToken(), path, "expected a string, got %s", kindName(n))
			return
		}
		v.SetString(s)
	case reflect.Bool:
		b, ok := n.(*ast.BoolNode)
		if !ok {
			d.errAt(n.GetToken(), path, "expected true or false, got %s", kindName(n))
			return
		}
		v.SetBool(b.Value)
	case reflect.Int, reflect.Int64:
		in, ok := n.(*ast.IntegerNode)
		if !ok {
			d.errAt(n.GetToken(), path, "expected a whole number, got %s", kindName(n))
			return
		}
		i, err := strconv.ParseInt(in.GetToken().Value, 10, 64)
		if err != nil {
			d.errAt(n.GetToken(), path, "expected a whole number, got %q", in.GetToken().Value)
			return
		}
		v.SetInt(i)
	default:
		d.errAt(n.GetToken(), path, "internal: cannot decode into %s", v.Kind())
	}
}

// scalarText returns the text of a scalar exactly as written (so 7.10 stays
// "7.10" and 2019-05-01 stays a date string).
func scalarText(n ast.Node) (string, bool) {
	switch t := n.(type) {
	case *ast.StringNode:
		return t.Value, true
	case *ast.LiteralNode:
		return t.Value.Value, true
	case *ast.IntegerNode, *ast.FloatNode, *ast.BoolNode:
		return t.GetToken().Value, true
	}
	if _, ok := n.(ast.ScalarNode); ok {
		return n.GetToken().Value, true
	}
	return "", false
}

func mappingValues(n ast.Node) ([]*ast.MappingValueNode, bool) {
	switch t := n.(type) {
	case *ast.MappingNode:
		return t.Values, true
	case *ast.MappingValueNode:
		return []*ast.MappingValueNode{t}, true
	}
	return nil, false
}

func (d *planDecoder) decodeStruct(n ast.Node, v reflect.Value, path string) {
	kvs, ok := mappingValues(n)
	if !ok {
		d.errAt(n.GetToken(), path, "expected a mapping of keys, got %s", kindName(n))
		return
	}
	fields := map[string]int{}
	var names []string
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		tag := t.Field(i).Tag.Get("yaml")
		if tag == "" || tag == "-" {
			continue
		}
		fields[tag] = i
		names = append(names, tag)
	}
	seen := map[string]bool{}
	for _, kv := range kvs {
		key, ok := scalarText(unwrap(kv.Key))
		ktk := kv.Key.GetToken()
		if !ok {
			d.errAt(ktk, path, "a key must be a plain string")
			continue
		}
		p := joinPath(path, key)
		if seen[key] {
			d.errAt(ktk, p, "duplicate key")
			continue
		}
		seen[key] = true
		d.lines[p] = line(ktk)
		idx, ok := fields[key]
		if !ok {
			if alt, secret := secretKeys[strings.ToLower(key)]; secret && strings.HasSuffix(path, "auth") {
				d.errAt(ktk, p, "inline secrets are not allowed in a plan; use %s", alt)
				continue
			}
			d.errAt(ktk, p, "unknown key%s; accepted keys here: %s", suggest(key, names), strings.Join(names, ", "))
			continue
		}
		d.decode(kv.Value, v.Field(idx), p)
	}
}

// DidYouMean is " (did you mean \"x\"?)" for the name closest to key, or
// "" when none is close: the suggestion of every plan and facts error.
func DidYouMean(key string, names []string) string { return suggest(key, names) }

func suggest(key string, names []string) string {
	best, bestD := "", 1<<30
	k := strings.ToLower(key)
	for _, n := range names {
		// An abbreviation ("repo" for "repository") is a good guess too.
		if len(k) >= 3 && strings.HasPrefix(strings.ToLower(n), k) {
			return fmt.Sprintf(" (did you mean %q?)", n)
		}
	}
	for _, n := range names {
		dist := levenshtein.ComputeDistance(k, strings.ToLower(n))
		if dist < bestD {
			best, bestD = n, dist
		}
	}
	limit := len(key) / 3
	if limit < 2 {
		limit = 2
	}
	if best != "" && bestD <= limit {
		return fmt.Sprintf(" (did you mean %q?)", best)
	}
	return ""
}

func oneOf(v string, allowed []string) bool {
	for _, a := range allowed {
		if v == a {
			return true
		}
	}
	return false
}

var versionRe = regexp.MustCompile(versionPattern)

var fieldRefRe = regexp.MustCompile(fieldRefPattern)

func (d *planDecoder) enum(path, v string, allowed []string) {
	if v != "" && !oneOf(v, allowed) {
		d.errPath(path, "%q is not accepted%s; use one of: %s", v, suggest(v, allowed), strings.Join(allowed, ", "))
	}
}

func (d *planDecoder) date(path, v string) {
	if v == "" {
		return
	}
	if _, err := time.Parse("2006-01-02", v); err != nil {
		d.errPath(path, "%q is not a date; write it as YYYY-MM-DD (e.g. 2020-10-01)", v)
	}
}

func (d *planDecoder) size(path, v string) int64 {
	if v == "" {
		return -1
	}
	b, err := ParseSize(v)
	if err != nil {
		d.errPath(path, "%v", err)
		return -1
	}
	return b
}

func (d *planDecoder) validate(p *Plan) {
	if _, ok := d.lines["version"]; !ok {
		d.errPath("version", "missing; add `version: 1` at the top of the plan")
	} else if p.Version != 1 {
		d.errPath("version", "unsupported plan version %d; this espreflight reads version 1", p.Version)
	}
	if p.Name == "" {
		base := filepath.Base(d.file)
		p.Name = strings.TrimSuffix(base, filepath.Ext(base))
	}
	if p.Method == "" {
		d.errPath("method", "missing; say how the data moves: one of %s", strings.Join(Methods, ", "))
	}
	d.enum("method", p.Method, Methods)
	if p.Mode == "" {
		p.Mode = "full"
	}
	d.enum("mode", p.Mode, Modes)
	if len(p.Indices) == 0 && !d.failed["indices"] {
		d.errPath("indices", "missing; list the index patterns to migrate, e.g. [\"orders-*\", \"-orders-tmp\"]")
	}
	d.validatePatterns(p.Indices)
	p.VolumeBytes = d.size("volume", p.Volume)
	if p.Source == nil {
		d.errPath("source", "missing; describe the source cluster (kind, and endpoint or version)")
	}
	if p.Destination == nil {
		d.errPath("destination", "missing; describe the destination cluster (kind, and endpoint or version)")
	}
	if p.Method == "snapshot-reindex" && p.Intermediate == nil {
		d.errPath("intermediate", "missing; method snapshot-reindex goes through an intermediate cluster: describe it here")
	}
	if p.Intermediate != nil && p.Method != "snapshot-reindex" && p.Method != "" {
		d.errPath("intermediate", "only method snapshot-reindex uses an intermediate cluster; remove it or change the method")
	}
	for _, role := range p.Roles() {
		d.validateCluster(role, p.Cluster(role))
	}
	if p.Snapshot != nil && p.Snapshot.Repository != nil {
		d.enum("snapshot.repository.type", p.Snapshot.Repository.Type, RepoTypes)
	}
	d.validateMethodSections(p)
	if p.Limits == nil {
		p.Limits = &Limits{}
	}
	if p.Limits.ReindexMaxBytes = d.size("limits.reindex_max_volume", p.Limits.ReindexMaxVolume); p.Limits.ReindexMaxBytes < 0 {
		p.Limits.ReindexMaxBytes = DefaultReindexMaxBytes
	}
	if p.Limits.DumpMaxBytes = d.size("limits.dump_max_volume", p.Limits.DumpMaxVolume); p.Limits.DumpMaxBytes < 0 {
		p.Limits.DumpMaxBytes = DefaultDumpMaxBytes
	}
	if p.Limits.DumpMaxIndices < 0 {
		d.errPath("limits.dump_max_indices", "must be a positive number")
	} else if p.Limits.DumpMaxIndices == 0 {
		p.Limits.DumpMaxIndices = DefaultDumpMaxIndices
	}
	for i, w := range p.Waivers {
		path := fmt.Sprintf("waivers[%d]", i)
		if w.Rule == "" {
			d.errPath(path+".rule", "missing; name the rule id this waiver accepts (e.g. SYS-001)")
		}
		if strings.TrimSpace(w.Reason) == "" {
			d.errPath(path+".reason", "missing; a waiver needs a reason that a reviewer can judge")
		}
		if w.Expires == "" {
			d.errPath(path+".expires", "missing; a waiver needs an expiry date (YYYY-MM-DD)")
		}
		d.date(path+".expires", w.Expires)
		if w.Cluster != "" {
			d.enum(path+".cluster", w.Cluster, []string{RoleSource, RoleDestination, RoleIntermediate})
		}
	}
	if p.Network == nil {
		p.Network = &Network{}
	}
}

// validatePatterns checks the index patterns: none empty, and at least one
// that selects something before the first exclusion. A "-pattern" removes
// what the patterns before it selected, so a list that starts with one (or
// holds nothing else) would select nothing; Elasticsearch reads a leading
// "-name" as an index name, which no index can have.
func (d *planDecoder) validatePatterns(patterns []string) {
	included := false
	for i, pat := range patterns {
		path := fmt.Sprintf("indices[%d]", i)
		switch {
		case strings.TrimSpace(pat) == "" || pat == "-":
			d.errPath(path, "empty index pattern")
		case strings.HasPrefix(strings.TrimSpace(pat), "-"):
			if !included {
				d.errPath(path, "%q excludes, but no pattern before it selects anything; a \"-pattern\" removes what the patterns before it selected, so list what to migrate first, e.g. [\"*\", %q]", pat, pat)
				included = true // one error for the list
			}
		default:
			included = true
		}
	}
}

// methodSections names, for each method section, the methods that use it.
var methodSections = []struct {
	key     string
	methods []string
	set     func(p *Plan) bool
}{
	{"snapshot", []string{"snapshot", "snapshot-reindex"}, func(p *Plan) bool { return p.Snapshot != nil }},
	{"logstash", []string{"logstash"}, func(p *Plan) bool { return p.Logstash != nil }},
	{"reindex", []string{"reindex"}, func(p *Plan) bool { return p.Reindex != nil }},
	{"dump", []string{"elasticsearch-dump"}, func(p *Plan) bool { return p.Dump != nil }},
}

// validateMethodSections checks the method sections: a section for another
// method is an error (it would be silently ignored), and their values must
// be well formed.
func (d *planDecoder) validateMethodSections(p *Plan) {
	for _, ms := range methodSections {
		if ms.set(p) && p.Method != "" && oneOf(p.Method, Methods) && !oneOf(p.Method, ms.methods) {
			d.errPath(ms.key, "section %s applies to method %s only, and this plan's method is %s; remove the section or change the method",
				ms.key, strings.Join(ms.methods, " or "), p.Method)
		}
	}
	if s := p.Snapshot; s != nil {
		if s.RenamePattern != "" {
			if _, err := regexp.Compile(s.RenamePattern); err != nil {
				d.errPath("snapshot.rename_pattern", "not a valid regular expression: %v", err)
			}
		} else if s.RenameReplacement != "" {
			d.errPath("snapshot.rename_replacement", "needs snapshot.rename_pattern (the expression whose match it replaces)")
		}
		if r := s.Repository; r != nil && r.AccessKeyAccount != nil && r.AccessKeyAccount.Intermediate != "" && p.Intermediate == nil {
			d.errPath("snapshot.repository.access_key_account.intermediate", "the plan has no intermediate cluster")
		}
		if r := s.Repository; r != nil && r.OSSEndpoint != nil {
			e := r.OSSEndpoint
			for _, kv := range [][2]string{{RoleSource, e.Source}, {RoleDestination, e.Destination}, {RoleIntermediate, e.Intermediate}} {
				d.enum("snapshot.repository.oss_endpoint."+kv[0], kv[1], OSSEndpointKinds)
			}
			if e.Intermediate != "" && p.Intermediate == nil {
				d.errPath("snapshot.repository.oss_endpoint.intermediate", "the plan has no intermediate cluster")
			}
		}
	}
	if l := p.Logstash; l != nil {
		if l.Version != "" && !versionRe.MatchString(l.Version) {
			d.errPath("logstash.version", "%q is not a version; write major.minor or major.minor.patch (e.g. \"7.10.0\")", l.Version)
		}
		d.enum("logstash.ecs_compatibility", l.ECSCompatibility, ECSModes)
		d.enum("logstash.input_plugin", l.InputPlugin, InputPlugins)
		d.enum("logstash.output_plugin", l.OutputPlugin, OutputPlugins)
		if t := l.DocinfoTarget; t != "" && !fieldRefRe.MatchString(t) {
			d.errPath("logstash.docinfo_target", "%q is not a field reference; write @metadata or [@metadata][input][elasticsearch]", t)
		}
	}
	if r := p.Reindex; r != nil && r.RemoteHost != "" {
		u, err := url.Parse(r.RemoteHost)
		switch {
		case err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https"):
			d.errPath("reindex.remote_host", "%q is not a URL with a scheme; write it as https://host:9200", r.RemoteHost)
		case u.Port() == "":
			d.errPath("reindex.remote_host", "%q has no port; reindex from remote needs scheme, host and port (e.g. https://host:9200)", r.RemoteHost)
		case u.User != nil:
			d.errPath("reindex.remote_host", "credentials in the URL are not allowed")
		}
	}
}

func (d *planDecoder) validateCluster(role string, c *ClusterSpec) {
	if c.Kind == "" {
		d.errPath(role+".kind", "missing; one of %s", strings.Join(Kinds, ", "))
	}
	d.enum(role+".kind", c.Kind, Kinds)
	d.enum(role+".provider", c.Provider, Providers)
	if c.Provider != "" && c.Kind != "third-party" {
		d.errPath(role+".provider", "provider applies only to kind third-party")
	}
	d.enum(role+".architecture", c.Architecture, Architectures)
	d.enum(role+".product", c.Product, Products)
	d.date(role+".created", c.Created)
	if c.Version != "" && !versionRe.MatchString(c.Version) {
		d.errPath(role+".version", "%q is not a version; write major.minor or major.minor.patch (e.g. \"7.10.2\")", c.Version)
	} else if _, _, err := declaredProduct(c); err != nil && !d.failed[role+".product"] && !d.failed[role+".provider"] {
		d.errPath(role+".version", "%v", err)
	}
	if c.Endpoint != "" {
		u, err := url.Parse(c.Endpoint)
		switch {
		case err != nil || u.Host == "":
			d.errPath(role+".endpoint", "not a URL; write it as https://host:9200")
		case u.Scheme != "http" && u.Scheme != "https":
			d.errPath(role+".endpoint", "scheme %q is not supported; use http or https", u.Scheme)
		case u.User != nil:
			d.errPath(role+".endpoint", "credentials in the URL are not allowed; use auth.username_env and auth.password_env")
		}
	}
	c.AuthKind = "none"
	if a := c.Auth; a != nil && !d.failed[role+".auth"] {
		basic := a.Username != "" || a.UsernameEnv != "" || a.UsernameFile != "" || a.PasswordEnv != "" || a.PasswordFile != ""
		key := a.APIKeyEnv != "" || a.APIKeyFile != ""
		switch {
		case basic && key:
			d.errPath(role+".auth", "use either a user name and password or an API key, not both")
		case key:
			c.AuthKind = "api_key"
		case basic:
			c.AuthKind = "basic"
			if a.PasswordEnv == "" && a.PasswordFile == "" {
				d.errPath(role+".auth", "a user name needs password_env or password_file")
			}
		}
	}
	if c.TLS != nil && c.TLS.InsecureSkipVerify && c.Endpoint != "" && strings.HasPrefix(c.Endpoint, "http:") {
		d.errPath(role+".tls", "tls settings need an https endpoint")
	}
}
