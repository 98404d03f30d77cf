package probe

import (
	"fmt"
	"strconv"
)

// openSearchMask is OpenSearch's Version.MASK: an OpenSearch version id is
// its legacy (Elasticsearch-style) id XOR 0x08000000, so every id an
// OpenSearch release writes is at least 134217728.
const openSearchMask = 0x08000000

// Elasticsearch 8.11 and later write "detached" index versions that map to no
// release: FIRST_DETACHED_INDEX_VERSION = 8_500_000 (IndexVersions.java).
const firstDetachedIndexVersion = 8_500_000

// IndexVersion is a decoded index.version.created.
type IndexVersion struct {
	ID int64
	// Product is "elasticsearch" or "opensearch".
	Product string
	// Version is the release ("6.8.23", "7.0.0-beta1"), or for detached
	// Elasticsearch ids a description ("8.11+ (index version 8500003)").
	Version string
	Major   int
	// Minor is -1 when the id maps to no release minor (detached ids).
	Minor int
}

// DecodeIndexVersion decodes an index.version.created id.
//
//   - Elasticsearch ≤ 8.10 (and every 5.x–7.x): id = major*1_000_000 +
//     minor*10_000 + revision*100 + build, build 99 = GA (6082399 = 6.8.23).
//   - Elasticsearch 8.11+: detached ids, 8_500_000 ≤ id < 9_000_000 are late
//     8.x, 9_xxx_xxx are 9.x, and so on; the major is floor(id/1e6).
//   - OpenSearch: id ≥ 0x08000000; id ^ 0x08000000 is the legacy id above.
func DecodeIndexVersion(id int64) (IndexVersion, error) {
	v := IndexVersion{ID: id, Product: "elasticsearch"}
	if id <= 0 {
		return v, fmt.Errorf("index version id %d is not positive", id)
	}
	if id >= openSearchMask {
		v.Product = "opensearch"
		id ^= openSearchMask
		if id >= firstDetachedIndexVersion || id < 1_000_000 {
			return v, fmt.Errorf("index version id %d is not a known OpenSearch id", v.ID)
		}
	}
	major := int(id / 1_000_000)
	if v.Product == "elasticsearch" && id >= firstDetachedIndexVersion {
		v.Major, v.Minor = major, -1
		if major == 8 {
			v.Version = fmt.Sprintf("8.11+ (index version %d)", id)
		} else {
			v.Version = fmt.Sprintf("%d.x (index version %d)", major, id)
		}
		return v, nil
	}
	if major < 1 {
		return v, fmt.Errorf("index version id %d is too small to be a release", id)
	}
	minor := int(id / 10_000 % 100)
	rev := int(id / 100 % 100)
	build := int(id % 100)
	v.Major, v.Minor = major, minor
	v.Version = fmt.Sprintf("%d.%d.%d", major, minor, rev)
	switch {
	case build == 99:
	case build < 25:
		v.Version += "-alpha" + strconv.Itoa(build)
	case build < 50:
		v.Version += "-beta" + strconv.Itoa(build-25)
	default:
		v.Version += "-rc" + strconv.Itoa(build-50)
	}
	return v, nil
}

// ParseIndexVersion decodes the string value of index.version.created.
func ParseIndexVersion(s string) (IndexVersion, error) {
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return IndexVersion{}, fmt.Errorf("index.version.created %q is not a number", truncate(s, 40))
	}
	return DecodeIndexVersion(id)
}
