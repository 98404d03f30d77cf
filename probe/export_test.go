package probe

// Test hooks for factsread_test.go (package probe_test), which checks
// ReadFacts against a whole-document decode.
var (
	MemberFor     = memberFor
	FactsNames    = factsNames
	ClustersNames = clustersNames
	ClusterNames  = clusterNames
)

// CheckFactsWhole checks and derives decoded facts as ReadFacts does while
// it streams them: every index, then the rest.
func CheckFactsWhole(f *Facts) error {
	ivs := indexVersions{}
	for _, role := range []string{RoleSource, RoleDestination, RoleIntermediate} {
		c := f.Clusters.ByRole(role)
		if c == nil {
			continue
		}
		for i := range c.Indices {
			if err := checkIndex(&c.Indices[i], "x", i, ivs); err != nil {
				return err
			}
		}
	}
	return checkFacts(f)
}
