package probe

import (
	"context"
	"sort"
	"unsafe"

	"github.com/elastic/go-elasticsearch/v8/esapi"
)

const repositoriesEndpoint = "GET /_snapshot"

var repositoriesRequest = request{repositoriesEndpoint, esapi.SnapshotGetRepositoryRequest{}}

// decodeRepositories reads a GET /_snapshot body; secret settings are dropped.
func decodeRepositories(dec *decoder) ([]Repository, error) {
	repos := []Repository{}
	err := streamObject(dec, func(name string) error {
		var r struct {
			Type     flexString     `json:"type"`
			Settings map[string]any `json:"settings"`
		}
		start := dec.InputOffset()
		if err := dec.Decode(&r); err != nil {
			return err
		}
		// Generic maps take many times their text.
		if err := dec.keepSince(start, unsafe.Sizeof(Repository{}), 16); err != nil {
			return err
		}
		repos = append(repos, Repository{Name: name, Type: string(r.Type), Settings: redactRepoSettings(r.Settings)})
		return nil
	})
	sort.Slice(repos, func(i, j int) bool { return repos[i].Name < repos[j].Name })
	return repos, err
}

func collectRepositories(ctx context.Context, p *clusterProbe) {
	var repos []Repository
	fe := p.c.get(ctx, repositoriesRequest, func(dec *decoder) (err error) {
		repos, err = decodeRepositories(dec)
		return err
	})
	if fe != nil {
		p.fail("repositories", fe)
		return
	}
	p.cf.Repositories = repos
	p.source("repositories", repositoriesEndpoint+p.on())
}
