package probe

import (
	"strings"
	"testing"
)

// TestDeclaredProduct: a declared version without `product:` is OpenSearch
// where the provider or the number says so, Elasticsearch where only
// Elasticsearch has it, and an error where both products have it.
func TestDeclaredProduct(t *testing.T) {
	for _, c := range []struct {
		kind, provider, version, product string
		want, err                        string
	}{
		// Amazon OpenSearch Service.
		{"third-party", "aws-opensearch", "2.11", "", "opensearch", ""},
		{"third-party", "aws-opensearch", "1.3.14", "", "opensearch", ""},
		{"third-party", "aws-opensearch", "3.1", "", "opensearch", ""},
		{"third-party", "aws-opensearch", "6.8", "", "elasticsearch", ""},
		{"third-party", "aws-opensearch", "1.5", "", "elasticsearch", ""},
		{"third-party", "aws-opensearch", "7.10.2", "", "", "compatibility mode, which reports 7.10.2"},
		{"third-party", "aws-opensearch", "2.3", "", "", "2.3 is both Elasticsearch 2.3 and OpenSearch 2.3"},
		{"third-party", "aws-opensearch", "8.15.0", "", "", "no Amazon OpenSearch Service domain runs \"8.15.0\""},
		// Elsewhere the number decides where only one product has it.
		{"self-managed", "", "2.11.0", "", "opensearch", ""},
		{"self-managed", "", "3.0.0", "", "opensearch", ""},
		{"self-managed", "", "1.7.5", "", "elasticsearch", ""},
		{"self-managed", "", "1.3.14", "", "", "both Elasticsearch and OpenSearch"},
		{"third-party", "other", "2.4.6", "", "", "both Elasticsearch and OpenSearch"},
		// Alibaba runs Elasticsearch only.
		{"alibaba", "", "7.10.0", "", "elasticsearch", ""},
		// Quiet: an explicit product, or an unambiguous Elasticsearch version.
		{"third-party", "aws-opensearch", "7.10.2", "opensearch", "opensearch", ""},
		{"self-managed", "", "1.3.14", "opensearch", "opensearch", ""},
		{"self-managed", "", "6.8.23", "", "elasticsearch", ""},
		{"self-managed", "", "7.10.2", "", "elasticsearch", ""},
		{"self-managed", "", "8.15.1", "", "elasticsearch", ""},
	} {
		spec := &ClusterSpec{Kind: c.kind, Provider: c.provider, Version: c.version, Product: c.product}
		got, _, err := declaredProduct(spec)
		switch {
		case c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)):
			t.Errorf("%s/%s %s: error %v, want one containing %q", c.kind, c.provider, c.version, err, c.err)
		case c.err == "" && (err != nil || got != c.want):
			t.Errorf("%s/%s %s: %q, %v; want %q", c.kind, c.provider, c.version, got, err, c.want)
		}
	}
}

// TestDeclaredProductPlan: the plan loader reports an ambiguous version at
// its line, and the declared facts carry the inferred product with why.
func TestDeclaredProductPlan(t *testing.T) {
	_, err := ParsePlan("p.yaml", []byte("version: 1\nmethod: snapshot\nindices: [\"*\"]\nsource:\n  kind: self-managed\n  version: \"2.4.6\"\ndestination: {kind: alibaba, version: \"7.10.0\"}\n"))
	if err == nil || !strings.Contains(err.Error(), "p.yaml:6: source.version: \"2.4.6\" is a version of both Elasticsearch and OpenSearch; add `product: elasticsearch` or `product: opensearch`") {
		t.Errorf("ambiguous version: %v", err)
	}
	p, err := ParsePlan("p.yaml", []byte("version: 1\nmethod: snapshot\nindices: [\"*\"]\nsource:\n  kind: third-party\n  provider: aws-opensearch\n  version: \"2.11\"\ndestination: {kind: alibaba, version: \"7.10.0\"}\n"))
	if err != nil {
		t.Fatal(err)
	}
	c := DeclaredCluster(p, RoleSource)
	if c.Product != "opensearch" || !strings.Contains(c.Sources["product"], "plan line 7 (provider aws-opensearch: 2.11 is an OpenSearch version there)") {
		t.Errorf("declared source: product %q, source %q", c.Product, c.Sources["product"])
	}
}
