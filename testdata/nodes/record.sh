#!/usr/bin/env bash
# Record the real responses of running nodes to every request in testdata/responses/requests.txt.
#   testdata/nodes/record.sh NAME...      (the nodes must be started, and normally seeded, first)
# Writes testdata/responses/<product>-<version>/manifest.json and NNN.json (see recorder/main.go), with the
# work-dir path ($ESPF_NODES_DIR, e.g. /tmp/espreflight-nodes) replaced by /ESPF_NODES_DIR in every body.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

[[ $# -gt 0 ]] || die "usage: record.sh NAME..."
names=("$@"); [[ "$1" == all ]] && mapfile -t names < <(all_nodes)
cd "$REPO_ROOT"
# The work dir appears in recorded bodies (path.repo in _nodes/settings); no machine path is committed.
SCRUB=/ESPF_NODES_DIR
for n in "${names[@]}"; do
  node_conf "$n"
  node_pid "$n" >/dev/null || die "$n is not running (start.sh $n)"
  jh="$(find_java "$JDK")"; jv="$(java_major "$jh")"
  if [[ "$ROUTE" == A ]]; then from="real node: embedded Node via testdata/nodes, JDK $jv"
  else from="real node: integ-test-zip bin/elasticsearch via testdata/nodes, JDK $jv"; fi
  go run ./testdata/nodes/recorder -url "http://127.0.0.1:$PORT" -product "$PRODUCT" -version "$VERSION" \
    -from "$from" -requests testdata/responses/requests.txt -out testdata/responses \
    -scrub "$(cd "$WORK" && pwd -P)=$SCRUB" -scrub "$WORK=$SCRUB"
done
