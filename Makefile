# espreflight — make help lists the targets.
SHELL := bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

GO      ?= go
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null | sed "s/^v//" | grep -E "^[0-9]" || echo 0.1.0-dev)
COMMIT  ?= $(shell git rev-parse HEAD 2>/dev/null)
DATE    ?= $(shell git log -1 --format=%cI 2>/dev/null)
LDFLAGS := -X main.version=$(VERSION) -X main.commit=$(COMMIT) -X main.date=$(DATE)
BIN     := bin/espreflight

.PHONY: help build test lint fmt demo docs golden bench bench-cli opa integration record nodes-fetch clean release-snapshot release-check

help: ## list the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-z-]+:.*## / {printf "  %-12s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

build: ## build bin/espreflight
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/espreflight

test: ## unit, Rego (with coverage), replay and golden tests; needs only Go
	$(GO) test ./...
	@$(GO) test ./policies -run 'TestRego$$' -v | grep -E '^\s+policies_test.go:[0-9]+: (coverage|rego:)' | sed 's/^\s*policies_test.go:[0-9]*: /  /'

lint: ## gofmt, go vet, staticcheck, go mod tidy, file size, Rego style and opa check --strict
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) vet -tags integration ./cmd/...
	$(GO) tool staticcheck ./...
	$(GO) tool staticcheck -tags integration ./cmd/...
	@out=$$($(GO) mod tidy -diff) || { echo "go.mod/go.sum are not tidy (run go mod tidy):"; echo "$$out"; exit 1; }
	@out=$$(git ls-files -z '*.go' ':!:*_test.go' | xargs -0 wc -l | awk '$$2 != "total" && $$1 > 600'); if [ -n "$$out" ]; then echo "non-test Go files over 600 lines (split them by job):"; echo "$$out"; exit 1; fi
	$(GO) test ./policies -run 'TestRegoFormatted|TestRegoStrict'
	$(GO) tool opa check --strict policies/

fmt: ## format Go and Rego sources
	gofmt -w $$(git ls-files '*.go')
	$(GO) test ./policies -run TestRegoFormatted -fmt >/dev/null

demo: build ## run check on the shipped example (exits 1: ARCH-001 fails)
	./$(BIN) check --plan testdata/examples/arch-conflict.yaml --facts testdata/examples/alibaba-pair.facts.json || test $$? -eq 1

integration: ## ground truth on real Elasticsearch/OpenSearch nodes (Java + Maven Central; <= 3 nodes at a time)
	testdata/nodes/integration.sh

record: ## re-record testdata/responses from freshly seeded real nodes
	ESPF_RECORD=1 ESPF_SKIP_TESTS=1 testdata/nodes/integration.sh

nodes-fetch: ## fetch (and cache) the node artifacts from Maven Central
	testdata/nodes/fetch.sh

opa: bin/opa ## build the OPA CLI of go.mod's tool directive into bin/opa (also: go tool opa)
bin/opa: go.mod go.sum
	$(GO) build -o bin/opa github.com/open-policy-agent/opa

bench: ## check vs the decode floor vs opa eval (go tool opa) at 1k/10k/100k indices per cluster (ESPREFLIGHT_BENCH_SIZES to change)
	ESPREFLIGHT_OPA="$$($(GO) tool -n opa)" $(GO) test ./policies -run '^$$' -bench 'Floor|Check|OPAEval' -benchtime 1x -count 3 -benchmem -timeout 60m | $(GO) run testdata/bench/table.go

bench-cli: ## the whole command: check in every format and advise vs the decode floor and opa eval, 1k/10k/100k indices, typical and worst case; rewrites the table in docs/performance.md
	ESPREFLIGHT_OPA="$$($(GO) tool -n opa)" $(GO) test ./cmd/espreflight -run '^$$' -bench 'CLI' -benchtime 1x -count 3 -timeout 120m | $(GO) run testdata/bench/clitable.go -doc docs/performance.md

docs: ## regenerate docs/rules.md from the rules' METADATA and docs/probe.md from the collector table
	$(GO) test ./policies -run TestRulesDoc -update
	$(GO) test ./probe -run TestProbeDoc -update

golden: ## rewrite the golden files after an intended output change
	$(GO) test ./... -update

release-snapshot: ## every release archive (linux/darwin/windows x amd64/arm64), checksums and SBOMs into dist/, with GoReleaser
	.ci/release snapshot

release-check: ## goreleaser check, then one target's archive, checksums and SBOM, verified (as .ci/run does)
	.ci/release check

clean: ## remove build outputs
	rm -rf bin out dist
