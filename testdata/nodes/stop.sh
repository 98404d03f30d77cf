#!/usr/bin/env bash
# Stop test nodes by the pid in their pid file (never by process name). Always safe to call.
#   testdata/nodes/stop.sh [NAME...]     (default: every node with a pid file in the work dir)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

names=("$@")
if [[ ${#names[@]} -eq 0 ]]; then
  shopt -s nullglob
  for f in "$WORK"/*.pid; do names+=("$(basename "$f" .pid)"); done
fi

for n in "${names[@]}"; do
  f="$WORK/$n.pid"
  [[ -f "$f" ]] || continue
  pids=()
  if pid="$(node_pid "$n")"; then pids+=("$pid"); fi
  # route B: bin/elasticsearch starts the server JVM as a child; it writes its own pid file
  if [[ -f "$WORK/$n/server.pid" ]]; then
    sp="$(cat "$WORK/$n/server.pid")"
    if pid_alive "$sp" && tr '\0' ' ' <"/proc/$sp/cmdline" 2>/dev/null | grep -q org.elasticsearch; then pids+=("$sp"); fi
  fi
  if [[ ${#pids[@]} -gt 0 ]]; then
    kill -TERM "${pids[@]}" 2>/dev/null || true
    for _ in $(seq 1 60); do
      alive=0; for p in "${pids[@]}"; do pid_alive "$p" && alive=1; done
      [[ $alive == 0 ]] && break
      sleep 0.5
    done
    for p in "${pids[@]}"; do
      if pid_alive "$p"; then echo "stop: $n pid $p did not exit, killing" >&2; kill -KILL "$p" 2>/dev/null || true; fi
    done
    echo "stop: $n stopped" >&2
  fi
  rm -f "$f" "$WORK/$n.started"
done
