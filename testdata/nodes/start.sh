#!/usr/bin/env bash
# Start test nodes in the background on 127.0.0.1 and wait until each is at least yellow.
#   testdata/nodes/start.sh NAME...        (names from nodes.conf; "all" = every node)
# Work dir: $ESPF_NODES_DIR, default ${TMPDIR:-/tmp}/espreflight-nodes. Per node: NAME/ (home, data,
# logs; wiped on every start unless ESPF_KEEP_DATA=1), NAME.pid, NAME.log. Shared snapshot folder:
# snapshots/ (path.repo of every node). Prints "NAME http://127.0.0.1:PORT" per started node.
# Env: ESPF_START_TIMEOUT (s, default 120), ESPF_HEAP (default 512m), ESPF_JAVA17_HOME, ESPF_JAVA21_HOME,
#      ESPF_NODES_USER (route B user, default espreflight; created with useradd if missing and root).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

[[ $# -gt 0 ]] || die "usage: start.sh NAME... (known: $(all_nodes | tr '\n' ' '))"
names=("$@"); [[ "$1" == all ]] && mapfile -t names < <(all_nodes)
TIMEOUT="${ESPF_START_TIMEOUT:-120}"
HEAP="${ESPF_HEAP:-512m}"
mkdir -p "$WORK/snapshots"
chmod 1777 "$WORK/snapshots" 2>/dev/null || true

major() { echo "${1%%.*}"; }

start_route_a() { # NAME
  local n="$1" home="$WORK/$1" cpf="$NODES_DIR/deps/$1/target/classpath.txt" jar="$NODES_DIR/launcher/target/launcher.jar"
  [[ -f "$cpf" && -f "$jar" ]] || die "$n: not fetched, run testdata/nodes/fetch.sh $n"
  local jh; jh="$(find_java "$JDK")"
  local cp=""
  if [[ "$PRODUCT" == elasticsearch && "$(major "$VERSION")" == 6 ]]; then
    cp="$NODES_DIR/launcher-es6/target/launcher-es6.jar:"
    [[ -f "$NODES_DIR/launcher-es6/target/launcher-es6.jar" ]] || die "$n: run testdata/nodes/fetch.sh $n"
  fi
  local tkey=transport.port; [[ "$PRODUCT" == elasticsearch && "$(major "$VERSION")" == 6 ]] && tkey=transport.tcp.port
  local rkey=reindex.remote.whitelist; [[ "$PRODUCT" == opensearch && "$(major "$VERSION")" -ge 2 ]] && rkey=reindex.remote.allowlist
  local jopts=(-Xms"$HEAP" -Xmx"$HEAP" -XX:+UseG1GC -Dfile.encoding=UTF-8 -Djava.io.tmpdir="$home/tmp"
    -Dio.netty.noUnsafe=true -Dio.netty.noKeySetOptimization=true -Dio.netty.recycler.maxCapacityPerThread=0
    -Dlog4j2.disable.jmx=true -Dlog4j.shutdownHookEnabled=false -XX:-OmitStackTraceInFastThrow)
  if [[ "$(java_major "$jh")" -lt 23 ]]; then
    if [[ "$PRODUCT" == elasticsearch && "$(major "$VERSION")" == 6 ]]; then jopts+=(-Djava.locale.providers=COMPAT); else jopts+=(-Djava.locale.providers=SPI,COMPAT); fi
  fi
  mkdir -p "$home/home/config" "$home/home/modules" "$home/home/plugins" "$home/data" "$home/logs" "$home/tmp"
  local settings=(cluster.name="espf-$n" node.name="$n" path.home="$home/home" path.data="$home/data"
    path.logs="$home/logs" path.repo="$WORK/snapshots" network.host=127.0.0.1 http.port="$PORT"
    "$tkey=$TPORT" discovery.type=single-node "$rkey=127.0.0.1:*")
  local args=() s; for s in "${settings[@]}"; do args+=(-E "$s"); done
  nohup "$jh/bin/java" "${jopts[@]}" -cp "$jar" espreflight.nodes.Launcher \
    --classpath "$cp$(cat "$cpf")" "${args[@]}" \
    >"$WORK/$n.log" 2>&1 </dev/null &
  echo $! >"$WORK/$n.pid"
}

start_route_b() { # NAME (Elasticsearch integ-test-zip, run as an unprivileged user)
  local n="$1" home="$WORK/$1" cpf="$NODES_DIR/deps/$1/target/classpath.txt"
  [[ -f "$cpf" ]] || die "$n: not fetched, run testdata/nodes/fetch.sh $n"
  local zip; zip="$(cat "$cpf")"; [[ -f "$zip" ]] || die "$n: $zip missing, run fetch.sh $n"
  local jh; jh="$(find_java "$JDK")"
  local run=()
  if [[ "$(id -u)" == 0 ]]; then
    if ! id -u "$NODES_USER" >/dev/null 2>&1; then
      echo "start: creating system user $NODES_USER (bin/elasticsearch refuses root)" >&2
      useradd --system --user-group --no-create-home --shell /usr/sbin/nologin "$NODES_USER"
    fi
    run=(setpriv --reuid="$NODES_USER" --regid="$NODES_USER" --init-groups --)
  fi
  mkdir -p "$home/data" "$home/logs" "$home/tmp"
  unzip -q -o "$zip" -d "$home"
  local es; es="$(find "$home" -mindepth 1 -maxdepth 1 -type d -name 'elasticsearch-*' | head -1)"
  local tkey=transport.port xpack="xpack.security.enabled: false"
  if [[ "$(major "$VERSION")" == 5 ]]; then
    # 5.x: transport.tcp.port, no x-pack in the zip; its jvm.options asks for CMS, which JDK 14+ removed
    tkey=transport.tcp.port; xpack=""
    sed -i -e 's/^-XX:+UseConcMarkSweepGC/-XX:+UseG1GC/' -e '/CMSInitiatingOccupancy/d' -e '/AlwaysPreTouch/d' \
      -e '/^-Xm[sx]/d' "$es/config/jvm.options"
    echo "-Djava.locale.providers=COMPAT" >>"$es/config/jvm.options"
  fi
  cat >"$es/config/elasticsearch.yml" <<YML
cluster.name: espf-$n
node.name: $n
path.data: $home/data
path.logs: $home/logs
path.repo: ["$WORK/snapshots"]
network.host: 127.0.0.1
http.port: $PORT
$tkey: $TPORT
discovery.type: single-node
$xpack
YML
  [[ "$(id -u)" == 0 ]] && chown -R "$NODES_USER:" "$home"
  chmod 755 "$WORK"
  nohup "${run[@]}" env ES_JAVA_HOME="$jh" JAVA_HOME="$jh" ES_JAVA_OPTS="-Xms$HEAP -Xmx$HEAP" ES_TMPDIR="$home/tmp" \
    "$es/bin/elasticsearch" -p "$home/server.pid" >"$WORK/$n.log" 2>&1 </dev/null &
  echo $! >"$WORK/$n.pid"
}

for n in "${names[@]}"; do
  node_conf "$n"
  if pid="$(node_pid "$n")"; then echo "start: $n already running (pid $pid)" >&2; continue; fi
  if [[ "${ESPF_KEEP_DATA:-0}" != 1 ]]; then rm -rf "${WORK:?}/$n"; fi
  mkdir -p "$WORK/$n"
  date +%s >"$WORK/$n.started"
  case "$ROUTE" in
    A) start_route_a "$n" ;;
    B) start_route_b "$n" ;;
    *) die "$n: unknown route $ROUTE" ;;
  esac
done

rc=0
for n in "${names[@]}"; do
  node_conf "$n"
  url="http://127.0.0.1:$PORT"
  t0="$(cat "$WORK/$n.started" 2>/dev/null || date +%s)"
  ok=0
  while (( $(date +%s) - t0 < TIMEOUT )); do
    code="$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$url/_cluster/health?wait_for_status=yellow&timeout=2s" || true)"
    if [[ "$code" == 200 ]]; then ok=1; break; fi
    if ! pid_alive "$(cat "$WORK/$n.pid" 2>/dev/null)"; then break; fi
    sleep 1
  done
  if [[ $ok == 1 ]]; then
    echo "start: $n up after $(( $(date +%s) - t0 ))s" >&2
    echo "$n $url"
  else
    echo "start: $n did not become healthy within ${TIMEOUT}s; last lines of $WORK/$n.log:" >&2
    tail -n 40 "$WORK/$n.log" >&2 || true
    rc=1
  fi
done
exit $rc
