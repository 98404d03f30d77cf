#!/usr/bin/env bash
# Seed a started node with realistic data through the REST API (curl only, 127.0.0.1 only).
#   testdata/nodes/seed.sh NAME...
# Creates: orders-2024 (1500 docs), orders-2025 (400 docs), alias "orders" (write index orders-2025),
# logs-app (3000 docs, 1 replica so the cluster is yellow like a real single node), .kibana_1 with alias
# .kibana, archive-2019 (closed), a data stream "events-app" where the node serves _data_stream,
# and an fs snapshot repository "backup" (location NAME under the shared path.repo) with snapshot "seed-1".
# Meant for a fresh node (start.sh wipes the data dir); re-running skips what already exists.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

[[ $# -gt 0 ]] || die "usage: seed.sh NAME..."
names=("$@"); [[ "$1" == all ]] && mapfile -t names < <(all_nodes)

for n in "${names[@]}"; do
  node_conf "$n"
  U="http://127.0.0.1:$PORT"
  MAJOR="${VERSION%%.*}"; MINOR="${VERSION#*.}"; MINOR="${MINOR%%.*}"
  req() { # METHOD PATH [BODY] -> prints status, fails on >= 400 unless ALLOW
    local m="$1" p="$2" body="${3:-}" out code
    out="$(mktemp)"
    if [[ -n "$body" ]]; then
      code="$(curl -s -o "$out" -w '%{http_code}' -X "$m" -H 'Content-Type: application/json' --data-binary "$body" "$U$p")"
    else
      code="$(curl -s -o "$out" -w '%{http_code}' -X "$m" "$U$p")"
    fi
    if [[ "$code" -ge 400 && "${ALLOW:-}" != *"$code"* ]]; then
      echo "seed: $n: $m $p -> $code: $(head -c 400 "$out")" >&2; rm -f "$out"; return 1
    fi
    rm -f "$out"
  }
  exists() { [[ "$(curl -s -o /dev/null -w '%{http_code}' -I "$U/$1")" == 200 ]]; }
  bulk() { # INDEX COUNT KIND
    local idx="$1" count="$2" kind="$3" typ=""
    [[ "$MAJOR" == 6 ]] && typ=',"_type":"_doc"'
    [[ "$MAJOR" == 5 ]] && typ=',"_type":"doc"'
    local f; f="$(mktemp)"
    awk -v idx="$idx" -v n="$count" -v kind="$kind" -v typ="$typ" 'BEGIN {
      srand(42);
      split("DE FR US GB NL SE ES IT PL JP", cc, " ");
      split("INFO INFO INFO WARN ERROR DEBUG", lv, " ");
      for (i = 1; i <= n; i++) {
        printf "{\"index\":{\"_index\":\"%s\",\"_id\":\"%s-%d\"%s}}\n", idx, idx, i, typ;
        if (kind == "order") {
          year = substr(idx, length(idx) - 3);
          printf "{\"order_id\":\"%s-%06d\",\"customer\":\"c%04d\",\"country\":\"%s\",\"amount\":%.2f,\"items\":%d,\"status\":\"%s\",\"created\":\"%s-%02d-%02dT%02d:%02d:00Z\"}\n", year, i, int(rand()*900), cc[1+int(rand()*10)], rand()*500, 1+int(rand()*9), (rand() < 0.9 ? "paid" : "refunded"), year, 1+int(rand()*12), 1+int(rand()*28), int(rand()*24), int(rand()*60);
        } else {
          printf "{\"@timestamp\":\"2025-%02d-%02dT%02d:%02d:%02dZ\",\"level\":\"%s\",\"service\":\"app-%d\",\"message\":\"request %d handled in %d ms\"}\n", 1+int(rand()*12), 1+int(rand()*28), int(rand()*24), int(rand()*60), int(rand()*60), lv[1+int(rand()*6)], 1+int(rand()*4), i, int(rand()*900);
        }
      }
    }' >"$f"
    local code
    code="$(curl -s -o /dev/null -w '%{http_code}' -X POST -H 'Content-Type: application/x-ndjson' --data-binary "@$f" "$U/_bulk?refresh=true")"
    rm -f "$f"
    [[ "$code" == 200 ]] || { echo "seed: $n: bulk $idx -> $code" >&2; return 1; }
  }
  mapping() { # PROPS-JSON -> mappings object for this version
    if [[ "$MAJOR" == 6 ]]; then echo "{\"_doc\":{\"properties\":$1}}"
    elif [[ "$MAJOR" == 5 ]]; then echo "{\"doc\":{\"properties\":$1}}"   # 5.x: type names may not start with _
    else echo "{\"properties\":$1}"; fi
  }
  ORDER_PROPS='{"order_id":{"type":"keyword"},"customer":{"type":"keyword"},"country":{"type":"keyword"},"amount":{"type":"scaled_float","scaling_factor":100},"items":{"type":"integer"},"status":{"type":"keyword"},"created":{"type":"date"}}'
  # scaled_float needs mapper-extras, which the ES 6.8 / 7.17 / 8 test nodes lack
  case "$n" in es-5.6|es-6.8|es-7.17|es-8) ORDER_PROPS="${ORDER_PROPS/\"scaled_float\",\"scaling_factor\":100/\"double\"}" ;; esac
  LOG_PROPS='{"@timestamp":{"type":"date"},"level":{"type":"keyword"},"service":{"type":"keyword"},"message":{"type":"text"}}'

  for y in 2024 2025; do
    if ! exists "orders-$y"; then
      req PUT "/orders-$y" "{\"settings\":{\"number_of_shards\":1,\"number_of_replicas\":0},\"mappings\":$(mapping "$ORDER_PROPS")}"
      bulk "orders-$y" "$([[ $y == 2024 ]] && echo 1500 || echo 400)" order
    fi
  done
  if [[ "$MAJOR" == 5 ]]; then # is_write_index came with 6.4
    req POST /_aliases '{"actions":[{"add":{"index":"orders-2024","alias":"orders"}},{"add":{"index":"orders-2025","alias":"orders"}}]}'
  else
    req POST /_aliases '{"actions":[{"add":{"index":"orders-2024","alias":"orders"}},{"add":{"index":"orders-2025","alias":"orders","is_write_index":true}}]}'
  fi
  if ! exists logs-app; then
    req PUT /logs-app "{\"settings\":{\"number_of_shards\":2,\"number_of_replicas\":1},\"mappings\":$(mapping "$LOG_PROPS")}"
    bulk logs-app 3000 log
  fi
  if ! exists .kibana_1; then
    req PUT /.kibana_1 "{\"settings\":{\"number_of_shards\":1,\"number_of_replicas\":0,\"auto_expand_replicas\":\"0-1\"},\"aliases\":{\".kibana\":{}},\"mappings\":$(mapping '{"type":{"type":"keyword"},"config":{"properties":{"buildNum":{"type":"keyword"}}}}')}"
    t="_doc"; [[ "$MAJOR" == 5 ]] && t="doc"; req PUT "/.kibana_1/$t/config:$VERSION?refresh=true" "{\"type\":\"config\",\"config\":{\"buildNum\":\"$VERSION\"}}"
  fi
  if ! exists archive-2019; then
    req PUT /archive-2019 "{\"settings\":{\"number_of_shards\":1,\"number_of_replicas\":0},\"mappings\":$(mapping "$LOG_PROPS")}"
    bulk archive-2019 200 log
    req POST /archive-2019/_flush
    req POST /archive-2019/_close
  fi
  # data stream: ES >= 7.9 (x-pack in 7.x/8.x, so only where the node serves it) and OpenSearch
  ds_code="$(curl -s -o /dev/null -w '%{http_code}' "$U/_data_stream")"
  if [[ "$ds_code" == 200 ]]; then
    ALLOW=404 req GET /_data_stream/events-app || true
    if [[ "$(curl -s -o /dev/null -w '%{http_code}' "$U/_data_stream/events-app")" != 200 ]]; then
      req PUT /_index_template/events-template '{"index_patterns":["events-*"],"data_stream":{},"priority":200,"template":{"settings":{"number_of_shards":1,"number_of_replicas":0},"mappings":{"properties":{"@timestamp":{"type":"date"},"level":{"type":"keyword"},"message":{"type":"text"}}}}}'
      req PUT /_data_stream/events-app
      f="$(mktemp)"
      for i in $(seq 1 50); do
        printf '{"create":{}}\n{"@timestamp":"2025-06-01T00:%02d:00Z","level":"INFO","message":"event %d"}\n' "$((i % 60))" "$i" >>"$f"
      done
      code="$(curl -s -o /dev/null -w '%{http_code}' -X POST -H 'Content-Type: application/x-ndjson' --data-binary "@$f" "$U/events-app/_bulk?refresh=true")"
      rm -f "$f"; [[ "$code" == 200 ]] || echo "seed: $n: data stream bulk -> $code" >&2
    fi
  else
    echo "seed: $n: no data streams on this node (GET /_data_stream -> $ds_code)" >&2
  fi
  # snapshot repository on the shared path.repo, and one snapshot
  req PUT /_snapshot/backup "{\"type\":\"fs\",\"settings\":{\"location\":\"$n\"}}"
  if [[ "$(curl -s -o /dev/null -w '%{http_code}' "$U/_snapshot/backup/seed-1")" != 200 ]]; then
    req PUT "/_snapshot/backup/seed-1?wait_for_completion=true" '{"indices":"orders-2024,orders-2025","include_global_state":false}'
  fi
  echo "seed: $n seeded" >&2
done

# --- content seed (issue 14: mappings, analysis, templates, pipelines; see seed-content.sh) ---
"$(dirname "${BASH_SOURCE[0]}")/seed-content.sh" "${names[@]}"
# --- end content seed ---
