#!/usr/bin/env bash
# Seed what is inside a started node's indices and cluster state, for the content collectors
# (probe/collect_mappings.go, collect_indexsettings.go, collect_templates.go, collect_pipelines.go):
#   testdata/nodes/seed-content.sh NAME...     (seed.sh runs it last for each node)
# Creates, where the node supports it (a request the node's build rejects is skipped with a note):
#   content-analysis   custom analyzer from analysis-common parts (html_strip, edge_ngram tokenizer,
#                      asciifolding, an inline synonym filter and a synonyms_path file), _source excludes,
#                      index.mapping.total_fields.limit 2000, a default_pipeline, an allocation exclude filter;
#                      on nodes without analysis-common the same index with server-only parts
#   content-nosource   _source disabled, index.blocks.write
#   content-multitype  (5.x only) two mapping types, a _parent, _all enabled
#   content-customtype (6.x: type "doc"; 7.x / OpenSearch 1.x through include_type_name) a custom type name
#   content-legacy     legacy index template; content-composable + content-component (7.8+, OpenSearch)
#   content-pipeline   ingest pipeline (set + on_failure where ingest-common exists, empty otherwise)
#   content-search     stored search template (mustache, where lang-mustache exists)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

[[ $# -gt 0 ]] || die "usage: seed-content.sh NAME..."
names=("$@"); [[ "$1" == all ]] && mapfile -t names < <(all_nodes)

for n in "${names[@]}"; do
  node_conf "$n"
  U="http://127.0.0.1:$PORT"
  MAJOR="${VERSION%%.*}"; MINOR="${VERSION#*.}"; MINOR="${MINOR%%.*}"
  # try METHOD PATH BODY: sends it, prints a note and returns 1 when the node refuses it
  try() {
    local out code; out="$(mktemp)"
    code="$(curl -s -o "$out" -w '%{http_code}' -X "$1" -H 'Content-Type: application/json' --data-binary "$3" "$U$2")"
    if [[ "$code" -ge 400 ]]; then
      echo "seed-content: $n: $1 $2 -> $code (skipped): $(head -c 200 "$out")" >&2; rm -f "$out"; return 1
    fi
    rm -f "$out"
  }
  exists() { [[ "$(curl -s -o /dev/null -w '%{http_code}' -I "$U/$1")" == 200 ]]; }
  modules="$(curl -s "$U/_nodes/plugins?filter_path=nodes.*.modules.name,nodes.*.plugins.name")"
  has() { [[ "$modules" == *"\"$1\""* ]]; }
  wrap() { # PROPS-OR-BODY -> mappings for this version (typed before 7)
    if [[ "$MAJOR" == 6 ]]; then echo "{\"_doc\":$1}"; elif [[ "$MAJOR" == 5 ]]; then echo "{\"doc\":$1}"; else echo "$1"; fi
  }

  # The synonyms file an analyzer reads from the node's config directory.
  cfg="$(ls -d "$WORK/$n/home/config" "$WORK/$n"/elasticsearch-*/config 2>/dev/null | head -1 || true)"
  if [[ -n "$cfg" ]]; then mkdir -p "$cfg/analysis"; printf 'laptop, notebook\nphone, mobile\n' >"$cfg/analysis/synonyms.txt"; chmod -R a+rX "$cfg/analysis"; fi

  # Pipeline first: content-analysis names it as default_pipeline (6.5+).
  if has ingest-common || [[ "$MAJOR" == 5 ]]; then
    PIPE='{"description":"espreflight content seed","processors":[{"set":{"field":"seeded","value":true,"on_failure":[{"set":{"field":"seed_error","value":"x"}}]}}]}'
  else
    PIPE='{"description":"espreflight content seed (no ingest-common here)","processors":[]}'
  fi
  try PUT /_ingest/pipeline/content-pipeline "$PIPE" || true

  if ! exists content-analysis; then
    SETTINGS='"number_of_shards":1,"number_of_replicas":0,"index.mapping.total_fields.limit":2000,"index.routing.allocation.exclude.zone":"nowhere"'
    if [[ "$MAJOR" -ge 7 || ( "$MAJOR" == 6 && "$MINOR" -ge 5 ) || "$PRODUCT" == opensearch ]]; then SETTINGS+=',"index.default_pipeline":"content-pipeline"'; fi
    if has analysis-common || [[ "$MAJOR" == 5 ]]; then
      ANALYSIS='{"char_filter":{"strip":{"type":"html_strip"}},"tokenizer":{"edge":{"type":"edge_ngram","min_gram":2,"max_gram":8}},"filter":{"syn":{"type":"synonym","synonyms":["tv, television"]},"synfile":{"type":"synonym","synonyms_path":"analysis/synonyms.txt"}},"analyzer":{"content_text":{"type":"custom","char_filter":["strip"],"tokenizer":"edge","filter":["lowercase","asciifolding","syn","synfile"]}}}'
      SEARCH='"search_analyzer":"whitespace",'
    else
      ANALYSIS='{"filter":{"stop_en":{"type":"stop","stopwords":["the","a"]}},"analyzer":{"content_text":{"type":"custom","tokenizer":"standard","filter":["lowercase","stop_en"]}}}'
      SEARCH=''
    fi
    PROPS="{\"_source\":{\"excludes\":[\"secret\"]},\"properties\":{\"title\":{\"type\":\"text\",\"analyzer\":\"content_text\",$SEARCH\"fields\":{\"raw\":{\"type\":\"keyword\"}}},\"secret\":{\"type\":\"keyword\"},\"meta\":{\"properties\":{\"tags\":{\"type\":\"keyword\"}}}}}"
    try PUT /content-analysis "{\"settings\":{$SETTINGS,\"analysis\":$ANALYSIS},\"mappings\":$(wrap "$PROPS")}" || true
  fi
  if ! exists content-nosource; then
    try PUT /content-nosource "{\"settings\":{\"number_of_shards\":1,\"number_of_replicas\":0},\"mappings\":$(wrap '{"_source":{"enabled":false},"properties":{"msg":{"type":"keyword"}}}')}" &&
      try PUT /content-nosource/_settings '{"index.blocks.write":true}' || true
  fi
  if [[ "$MAJOR" == 5 ]] && ! exists content-multitype; then
    try PUT /content-multitype '{"settings":{"number_of_shards":1,"number_of_replicas":0},"mappings":{"user":{"_all":{"enabled":true},"properties":{"name":{"type":"text"}}},"tweet":{"_parent":{"type":"user"},"properties":{"name":{"type":"text"},"body":{"type":"text"},"when":{"type":"date"}}}}}' || true
  fi
  if ! exists content-customtype; then
    if [[ "$MAJOR" == 6 ]]; then
      try PUT /content-customtype '{"settings":{"number_of_shards":1,"number_of_replicas":0},"mappings":{"doc":{"properties":{"msg":{"type":"keyword"}}}}}' || true
    elif [[ "$MAJOR" == 7 || ( "$PRODUCT" == opensearch && "$MAJOR" == 1 ) ]]; then
      try PUT '/content-customtype?include_type_name=true' '{"settings":{"number_of_shards":1,"number_of_replicas":0},"mappings":{"doc":{"properties":{"msg":{"type":"keyword"}}}}}' || true
    fi
  fi

  if [[ "$MAJOR" == 5 ]]; then
    try PUT /_template/content-legacy '{"template":"content-legacy-*","order":3,"settings":{"number_of_shards":1}}' || true
  else
    try PUT /_template/content-legacy '{"index_patterns":["content-legacy-*"],"order":3,"settings":{"number_of_shards":1,"index.default_pipeline":"content-pipeline"}}' ||
      try PUT /_template/content-legacy '{"index_patterns":["content-legacy-*"],"order":3,"settings":{"number_of_shards":1}}' || true
  fi
  if [[ "$PRODUCT" == opensearch || "$MAJOR" -ge 8 || ( "$MAJOR" == 7 && "$MINOR" -ge 8 ) ]]; then
    try PUT /_component_template/content-component '{"template":{"settings":{"index.final_pipeline":"content-pipeline"}}}' || true
    try PUT /_index_template/content-composable '{"index_patterns":["content-new-*"],"priority":50,"composed_of":["content-component"],"template":{"settings":{"number_of_shards":1}}}' || true
  fi
  if has lang-mustache; then
    try POST /_scripts/content-search '{"script":{"lang":"mustache","source":{"query":{"match":{"title":"{{q}}"}}}}}' || true
  fi
  echo "seed-content: $n seeded" >&2
done
