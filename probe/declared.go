package probe

import "fmt"

// A plan may declare a cluster's version instead of giving an endpoint. The
// version number alone does not always tell the product: Elasticsearch
// released 1.0–1.7 and 2.0–2.4, OpenSearch releases 1.0–1.3, 2.x and 3.x, and
// Elasticsearch skipped 3.x and 4.x. declaredProduct decides what it can
// and says when the plan must name the product.

// declaredProduct returns the product of a cluster whose plan gives a
// version, and why ("" when the plan names the product itself). An error
// means the version is ambiguous (or impossible) and the plan must say
// `product:`; its text says so.
func declaredProduct(spec *ClusterSpec) (product, why string, err error) {
	if spec.Product != "" || spec.Version == "" {
		return spec.Product, "", nil
	}
	v, perr := ParseVersion(spec.Version)
	if perr != nil {
		return "", "", nil // reported as a bad version
	}
	major, minor := v.Major, v.Minor
	both := fmt.Errorf("%q is a version of both Elasticsearch and OpenSearch; add `product: elasticsearch` or `product: opensearch` beside it", spec.Version)
	switch {
	case spec.Kind == "alibaba":
		// Alibaba Cloud Elasticsearch runs Elasticsearch only.
		return "elasticsearch", "Alibaba Cloud Elasticsearch runs Elasticsearch", nil
	case spec.Provider == "aws-opensearch":
		// Amazon OpenSearch Service runs OpenSearch 1.x–3.x and, as legacy
		// engines, Elasticsearch 1.5, 2.3, 5.1–5.6, 6.0–6.8 and 7.1–7.10
		// (the EngineVersion list of the AWS CDK,
		// https://docs.aws.amazon.com/cdk/api/v2/docs/aws-cdk-lib.aws_opensearchservice.EngineVersion.html).
		// Its OpenSearch domains in compatibility mode
		// (override_main_response_version) answer 7.10.2.
		switch {
		case major == 2 && minor == 3:
			return "", "", fmt.Errorf("on Amazon OpenSearch Service 2.3 is both Elasticsearch 2.3 and OpenSearch 2.3; add `product: elasticsearch` or `product: opensearch` beside it")
		case major == 7 && minor == 10:
			return "", "", fmt.Errorf("on Amazon OpenSearch Service 7.10 is Elasticsearch 7.10, or an OpenSearch domain in compatibility mode, which reports 7.10.2; add `product: elasticsearch`, or `product: opensearch` with the version GET /_nodes shows")
		case major == 1 && minor <= 3, major >= 2 && major <= 4:
			return "opensearch", fmt.Sprintf("provider aws-opensearch: %d.%d is an OpenSearch version there", major, minor), nil
		case major <= 7 && !(major == 7 && minor > 10):
			return "elasticsearch", fmt.Sprintf("provider aws-opensearch: %d.%d is a legacy Elasticsearch version there", major, minor), nil
		}
		return "", "", fmt.Errorf("no Amazon OpenSearch Service domain runs %q: it runs OpenSearch 1.x–3.x and legacy Elasticsearch up to 7.10; correct the version, or name the product with `product:`", spec.Version)
	case major == 1 && minor <= 3, major == 2 && minor <= 4:
		return "", "", both
	case major >= 2 && major <= 4:
		return "opensearch", fmt.Sprintf("%d.%d is an OpenSearch version: Elasticsearch has no such release", major, minor), nil
	}
	return "elasticsearch", fmt.Sprintf("%d.x is an Elasticsearch version", major), nil
}
