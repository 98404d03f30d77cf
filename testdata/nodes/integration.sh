#!/usr/bin/env bash
# Ground-truth integration run: real nodes, in phases of at most three at a time.
#   testdata/nodes/integration.sh [PHASE...]     (default: every phase of phases.conf; e.g. "p1 p3")
# Per phase: stop the nodes the phase does not need, start (and seed) the ones it needs that are not
# up yet, run the phase's cases of TestGroundTruth (cmd/espreflight/integration*_test.go, build tag
# `integration`; the cases are testdata/integration/*.yaml, each naming its phase) with ESPF_PHASE and
# ESPF_NODES telling the tests which phase runs and which nodes are up, and go on; at the end (also on
# failure or Ctrl-C) every node this script started is stopped by pid (stop.sh), and one line per case
# is printed: case, method, predicted, real, exit code, match.
# A phase fails when a test fails or when it ran no test at all (every case skipped).
# Env: ESPF_NODES_DIR (default ${TMPDIR:-/tmp}/espreflight-integration, separate from the default
#      work dir of start.sh so a colleague's nodes are never touched), ESPF_START_TIMEOUT (default 300 s
#      here), ESPF_HEAP,
#      ESPF_GO_TEST_ARGS (extra args for the test binary, e.g. "-test.failfast"),
#      ESPF_RECORD=1 (record.sh every node once, right after it is seeded and before any test touches
#      it: the phases cover every node of nodes.conf, so this refreshes every recording in testdata/responses/),
#      ESPF_SKIP_TESTS=1 (start, seed and record only; with ESPF_RECORD=1 this is `make record`).
set -euo pipefail
export ESPF_NODES_DIR="${ESPF_NODES_DIR:-${TMPDIR:-/tmp}/espreflight-integration}"
# a node that takes longer than start.sh's 120 s is the rule on a loaded 2-core machine, not a fault
export ESPF_START_TIMEOUT="${ESPF_START_TIMEOUT:-300}"
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# phase name | nodes (from phases.conf)
PHASES=()
while read -r name rest; do
  [[ -z "$name" || "$name" == \#* ]] && continue
  PHASES+=("$name|$rest")
done <"$NODES_DIR/phases.conf"
[[ ${#PHASES[@]} -gt 0 ]] || die "no phase in $NODES_DIR/phases.conf"

T0=$(date +%s)
declare -a TIMINGS=()
now() { date +%s; }
timing() { TIMINGS+=("$(printf '%-34s %4ss' "$1" "$2")"); echo "integration: $1: ${2}s" >&2; }

want=("$@")
selected() { [[ ${#want[@]} -eq 0 ]] && return 0; local w; for w in "${want[@]}"; do [[ "$w" == "$1" ]] && return 0; done; return 1; }
for w in "${want[@]}"; do
  ok=0; for p in "${PHASES[@]}"; do [[ "${p%%|*}" == "$w" ]] && ok=1; done
  [[ $ok == 1 ]] || die "unknown phase '$w' (known: $(for p in "${PHASES[@]}"; do printf '%s ' "${p%%|*}"; done))"
done

declare -A RUNNING=()   # nodes started by this script and still up
declare -A RECORDED=()  # nodes recorded in this run (ESPF_RECORD=1)
cleanup() {
  local rc=$? names=("${!RUNNING[@]}")
  if [[ ${#names[@]} -gt 0 ]]; then
    echo "integration: stopping ${names[*]}" >&2
    "$NODES_DIR/stop.sh" "${names[@]}" || true
  fi
  [[ -n "${BIN_DIR:-}" ]] && rm -rf "$BIN_DIR"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

mkdir -p "$WORK"; rm -f "$WORK/table.txt"

port_in_use() { curl -s -o /dev/null --max-time 2 "http://127.0.0.1:$1/" ; }

# 1. artifacts (cached in the local Maven repository) and the test binary
needed=()
for p in "${PHASES[@]}"; do
  IFS='|' read -r name ns <<<"$p"; selected "$name" || continue
  for n in $ns; do [[ " ${needed[*]} " == *" $n "* ]] || needed+=("$n"); done
done
t=$(now); "$NODES_DIR/fetch.sh" "${needed[@]}"; timing "fetch (${needed[*]})" $(( $(now) - t ))

# the real elasticsearch-dump, pinned in dump/package-lock.json (only when a dump case runs)
if grep -qlE '^method: *elasticsearch-dump' "$REPO_ROOT"/testdata/integration/*.yaml; then
  t=$(now)
  if [[ ! -x "$NODES_DIR/dump/node_modules/.bin/elasticdump" || "$NODES_DIR/dump/package-lock.json" -nt "$NODES_DIR/dump/node_modules/.package-lock.json" ]]; then
    (cd "$NODES_DIR/dump" && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error) >&2
  fi
  export ESPF_ELASTICDUMP="$NODES_DIR/dump/node_modules/.bin/elasticdump"
  echo "integration: elasticdump $("$ESPF_ELASTICDUMP" --version)" >&2
  timing "npm ci (elasticdump)" $(( $(now) - t ))
fi

BIN_DIR="$(mktemp -d)"
t=$(now)
(cd "$REPO_ROOT" && go test -tags integration -c -o "$BIN_DIR/espreflight.test" ./cmd/espreflight)
timing "compile the test binary" $(( $(now) - t ))
(cd "$REPO_ROOT/cmd/espreflight" && "$BIN_DIR/espreflight.test" -test.run '^(TestDecodeCreated|TestGroundTruthCases)$') >/dev/null

# 2. phases
failed=()
for p in "${PHASES[@]}"; do
  IFS='|' read -r phase ns <<<"$p"; selected "$phase" || continue
  read -r -a pnodes <<<"$ns"
  tp=$(now)
  echo "integration: === phase $phase: nodes ${pnodes[*]}; cases $(grep -lE "^#gt phase: *$phase\$" "$REPO_ROOT"/testdata/integration/*.yaml | xargs -n1 basename | sed 's/\.yaml$//' | tr '\n' ' ')" >&2
  # stop what this phase does not need (at most three nodes at a time)
  stop=()
  for n in "${!RUNNING[@]}"; do [[ " ${pnodes[*]} " == *" $n "* ]] || stop+=("$n"); done
  if [[ ${#stop[@]} -gt 0 ]]; then
    t=$(now); "$NODES_DIR/stop.sh" "${stop[@]}"; for n in "${stop[@]}"; do unset "RUNNING[$n]"; done
    timing "$phase stop ${stop[*]}" $(( $(now) - t ))
  fi
  start=()
  for n in "${pnodes[@]}"; do
    [[ -n "${RUNNING[$n]:-}" ]] && continue
    node_conf "$n"
    if port_in_use "$PORT"; then
      die "port $PORT ($n) is already in use by a process this script did not start; stop it first (testdata/nodes/stop.sh, or ESPF_NODES_DIR=... stop.sh for another work dir)"
    fi
    start+=("$n")
  done
  if [[ ${#start[@]} -gt 0 ]]; then
    for n in "${start[@]}"; do RUNNING[$n]=1; done   # before start.sh, so a half-started node is stopped too
    t=$(now); "$NODES_DIR/start.sh" "${start[@]}" >/dev/null; timing "$phase start ${start[*]}" $(( $(now) - t ))
    # seed the new nodes in parallel (bulk loads are I/O and JVM bound, not script bound)
    t=$(now); spids=()
    for n in "${start[@]}"; do "$NODES_DIR/seed.sh" "$n" & spids+=($!); done
    for sp in "${spids[@]}"; do wait "$sp" || die "seeding failed (see above)"; done
    timing "$phase seed ${start[*]}" $(( $(now) - t ))
    if [[ "${ESPF_RECORD:-0}" == 1 ]]; then
      rec=(); for n in "${start[@]}"; do [[ -n "${RECORDED[$n]:-}" ]] || { rec+=("$n"); RECORDED[$n]=1; }; done
      if [[ ${#rec[@]} -gt 0 ]]; then
        t=$(now); "$NODES_DIR/record.sh" "${rec[@]}" >/dev/null; timing "$phase record ${rec[*]}" $(( $(now) - t ))
      fi
    fi
  fi
  # bounded health check of every node of the phase
  ESPF_NODES=""
  for n in "${pnodes[@]}"; do
    node_conf "$n"; url="http://127.0.0.1:$PORT"; ok=0
    for _ in $(seq 1 60); do
      code="$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$url/_cluster/health?wait_for_status=yellow&timeout=2s" || true)"
      [[ "$code" == 200 ]] && { ok=1; break; }
      sleep 1
    done
    [[ $ok == 1 ]] || die "$n ($url) is not healthy; see $WORK/$n.log"
    ESPF_NODES+="${ESPF_NODES:+,}$n=$url"
  done
  export ESPF_NODES ESPF_PHASE="$phase"
  if [[ "${ESPF_SKIP_TESTS:-0}" == 1 ]]; then timing "phase $phase total (tests skipped)" $(( $(now) - tp )); continue; fi
  run_re="^TestGroundTruth\$"
  log="$WORK/integration-$phase.log"
  t=$(now)
  extra=(); [[ -n "${ESPF_GO_TEST_ARGS:-}" ]] && read -r -a extra <<<"$ESPF_GO_TEST_ARGS"
  set +e
  (cd "$REPO_ROOT/cmd/espreflight" && "$BIN_DIR/espreflight.test" -test.v -test.count=1 -test.timeout=9m -test.run "$run_re" "${extra[@]}") >"$log" 2>&1
  trc=$?
  set -e
  grep -v '^GT |' "$log" || true
  grep '^GT |' "$log" | tail -n +2 >>"$WORK/table.txt" || true
  timing "$phase tests" $(( $(now) - t ))
  ran="$(grep -cE -- '--- (PASS|FAIL): TestGroundTruth/' "$log" || true)"
  if [[ "$ran" == 0 ]]; then
    echo "integration: phase $phase ran no test (every case skipped or none matched $run_re)" >&2
    failed+=("$phase(no test ran)")
  elif [[ $trc != 0 ]]; then
    failed+=("$phase")
  fi
  timing "phase $phase total" $(( $(now) - tp ))
done

echo >&2
if [[ -s "$WORK/table.txt" ]]; then
  echo "integration: ground truth, one line per case" >&2
  printf 'GT | %-34s | %-18s | %-9s | %-9s | %-4s | %s\n' case method predicted real exit match >&2
  cat "$WORK/table.txt" >&2
  echo "  $(grep -c . "$WORK/table.txt") cases, $(grep -c '| yes$' "$WORK/table.txt" || true) match" >&2
fi
echo >&2
echo "integration: timings" >&2
for l in "${TIMINGS[@]}"; do echo "  $l" >&2; done
echo "  total                              $(( $(now) - T0 ))s" >&2
if [[ ${#failed[@]} -gt 0 ]]; then
  echo "integration: FAILED phases: ${failed[*]} (logs: $WORK/integration-<phase>.log)" >&2
  exit 1
fi
echo "integration: all phases passed" >&2
