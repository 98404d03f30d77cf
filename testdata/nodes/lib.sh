# Shared helpers for the testdata/nodes scripts (sourced, not run).
# shellcheck shell=bash

NODES_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$NODES_DIR/../.." && pwd)"
WORK="${ESPF_NODES_DIR:-${TMPDIR:-/tmp}/espreflight-nodes}"
# Unprivileged user for route B (bin/elasticsearch refuses to run as root).
NODES_USER="${ESPF_NODES_USER:-espreflight}"

die() { echo "error: $*" >&2; exit 1; }

all_nodes() { awk '!/^#/ && NF {print $1}' "$NODES_DIR/nodes.conf"; }

# node_conf NAME: sets PRODUCT VERSION PORT TPORT JDK ROUTE
node_conf() {
  local line
  line="$(awk -v n="$1" '!/^#/ && $1 == n' "$NODES_DIR/nodes.conf")"
  [[ -n "$line" ]] || die "unknown node '$1' (known: $(all_nodes | tr '\n' ' '))"
  read -r _ PRODUCT VERSION PORT TPORT JDK ROUTE <<<"$line"
}

java_major() { # JAVA_HOME -> feature version, or nothing
  "$1/bin/java" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2; exit}'
}

# find_java 17 | 21+ : prints a JAVA_HOME. Overrides: ESPF_JAVA17_HOME, ESPF_JAVA21_HOME.
find_java() {
  local want="$1" override cand best="" bestv=0 v
  if [[ "$want" == "17" ]]; then override="${ESPF_JAVA17_HOME:-}"; else override="${ESPF_JAVA21_HOME:-}"; fi
  if [[ -n "$override" ]]; then echo "$override"; return; fi
  local cands=()
  [[ -n "${JAVA_HOME:-}" ]] && cands+=("$JAVA_HOME")
  if command -v java >/dev/null 2>&1; then cands+=("$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")"); fi
  for cand in /usr/lib/jvm/* /opt/java/* /opt/jdk*; do [[ -x "$cand/bin/java" ]] && cands+=("$cand"); done
  for cand in "${cands[@]}"; do
    [[ -x "$cand/bin/java" ]] || continue
    v="$(java_major "$cand")"; [[ "$v" =~ ^[0-9]+$ ]] || continue
    if [[ "$want" == "17" && "$v" == 17 ]]; then echo "$cand"; return; fi
    if [[ "$want" == "21+" && "$v" -ge 21 && "$v" -gt "$bestv" ]]; then best="$cand"; bestv="$v"; fi
  done
  [[ -n "$best" ]] && { echo "$best"; return; }
  die "no JDK $want found (set ESPF_JAVA17_HOME / ESPF_JAVA21_HOME)"
}

pid_alive() { [[ -n "${1:-}" ]] && kill -0 "$1" 2>/dev/null; }

# node_pid NAME: the pid from the pid file if that process is alive and is one of ours.
node_pid() {
  local f="$WORK/$1.pid" pid
  [[ -f "$f" ]] || return 1
  pid="$(cat "$f")"
  pid_alive "$pid" || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qE 'espreflight\.nodes\.Launcher|org\.elasticsearch|opensearch' || return 1
  echo "$pid"
}
