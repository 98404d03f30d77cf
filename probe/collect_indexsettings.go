package probe

import (
	"sort"
	"strconv"
	"strings"
)

// indexMatter is the part of one index's settings (GET /_all/_settings,
// nested) that IndexSettingsGroup summarises.
type indexMatter struct {
	Mapping struct {
		TotalFields struct {
			Limit flexString `json:"limit"`
		} `json:"total_fields"`
	} `json:"mapping"`
	SoftDeletes struct {
		Enabled flexString `json:"enabled"`
	} `json:"soft_deletes"`
	Blocks  map[string]flexString `json:"blocks"`
	Routing struct {
		Allocation map[string]any `json:"allocation"`
	} `json:"routing"`
	DefaultPipeline flexString `json:"default_pipeline"`
	FinalPipeline   flexString `json:"final_pipeline"`
	Lifecycle       struct {
		Name flexString `json:"name"`
	} `json:"lifecycle"`
	Plugins struct {
		ISM ismSetting `json:"index_state_management"`
	} `json:"plugins"`
	Opendistro struct {
		ISM ismSetting `json:"index_state_management"`
	} `json:"opendistro"`
}

type ismSetting struct {
	PolicyID flexString `json:"policy_id"`
}

// allocationRules are the allocation filter kinds of index.routing.allocation.
var allocationRules = map[string]bool{"include": true, "exclude": true, "require": true}

func optInt(s flexString) *int64 {
	if n, err := strconv.ParseInt(strings.TrimSpace(string(s)), 10, 64); err == nil {
		return &n
	}
	return nil
}

func optBool(s flexString) *bool {
	switch strings.TrimSpace(string(s)) {
	case "true":
		b := true
		return &b
	case "false":
		b := false
		return &b
	}
	return nil
}

// summary is the index's IndexSettingsGroup without its Indices.
func (m *indexMatter) summary() IndexSettingsGroup {
	g := IndexSettingsGroup{
		TotalFieldsLimit: optInt(m.Mapping.TotalFields.Limit),
		SoftDeletes:      optBool(m.SoftDeletes.Enabled),
		Blocks:           []string{},
		Allocation:       []AllocationFilter{},
		DefaultPipeline:  string(m.DefaultPipeline),
		FinalPipeline:    string(m.FinalPipeline),
		LifecyclePolicy:  string(m.Lifecycle.Name),
		ISMPolicy:        firstOf(m.Plugins.ISM.PolicyID, m.Opendistro.ISM.PolicyID),
	}
	for b, v := range m.Blocks {
		if v == "true" {
			g.Blocks = append(g.Blocks, b)
		}
	}
	sort.Strings(g.Blocks)
	flattenSettings("", m.Routing.Allocation, func(key string, v any) {
		rule, attr, ok := strings.Cut(key, ".")
		switch {
		case ok && allocationRules[rule]:
			if vals := settingList(v); len(vals) > 0 {
				sort.Strings(vals)
				g.Allocation = append(g.Allocation, AllocationFilter{Rule: rule, Attribute: attr, Values: vals})
			}
		case key == "total_shards_per_node":
			g.TotalShardsPerNode = optInt(flexString(settingString(v)))
		}
	})
	sort.Slice(g.Allocation, func(i, j int) bool {
		a, b := g.Allocation[i], g.Allocation[j]
		return a.Rule < b.Rule || a.Rule == b.Rule && a.Attribute < b.Attribute
	})
	return g
}
