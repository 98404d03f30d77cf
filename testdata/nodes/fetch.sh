#!/usr/bin/env bash
# Resolve (and build) everything the test nodes need, from Maven Central only.
#   testdata/nodes/fetch.sh [NAME...]     (default: every node in nodes.conf)
# Builds launcher/target/launcher.jar and, per node, deps/NAME/target/classpath.txt
# (the node's runtime classpath in the local Maven repository; for es-8 the integ-test-zip path).
# Idempotent: a node whose classpath file is newer than its pom and whose jars exist is skipped.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

MVN=(mvn -B -q -Dstyle.color=never)
if [[ -n "${ESPF_MVN_ARGS:-}" ]]; then read -r -a extra <<<"$ESPF_MVN_ARGS"; MVN+=("${extra[@]}"); fi

names=("$@"); [[ ${#names[@]} -gt 0 ]] || mapfile -t names < <(all_nodes)

up_to_date() { # target file, inputs...
  local t="$1"; shift
  [[ -f "$t" ]] || return 1
  local f; for f in "$@"; do [[ "$f" -nt "$t" ]] && return 1; done
  return 0
}

jar="$NODES_DIR/launcher/target/launcher.jar"
if ! up_to_date "$jar" "$NODES_DIR/launcher/pom.xml" $(find "$NODES_DIR/launcher/src" -type f); then
  echo "fetch: building launcher" >&2
  (cd "$NODES_DIR/launcher" && JAVA_HOME="$(find_java 17)" "${MVN[@]}" package)
fi

for n in "${names[@]}"; do
  node_conf "$n"
  if [[ "$PRODUCT" == elasticsearch && "${VERSION%%.*}" == 6 ]]; then
    j6="$NODES_DIR/launcher-es6/target/launcher-es6.jar"
    if ! up_to_date "$j6" "$NODES_DIR/launcher-es6/pom.xml" $(find "$NODES_DIR/launcher-es6/src" -type f); then
      echo "fetch: building launcher-es6" >&2
      (cd "$NODES_DIR/launcher-es6" && JAVA_HOME="$(find_java 17)" "${MVN[@]}" package)
    fi
  fi
  d="$NODES_DIR/deps/$n"
  [[ -f "$d/pom.xml" ]] || die "no $d/pom.xml"
  cpf="$d/target/classpath.txt"
  if up_to_date "$cpf" "$d/pom.xml"; then
    ok=1; IFS=: read -r -a parts <"$cpf" || true; for p in "${parts[@]}"; do [[ -f "$p" ]] || { ok=0; break; }; done
    if [[ $ok == 1 ]]; then echo "fetch: $n up to date" >&2; continue; fi
  fi
  echo "fetch: resolving $n ($PRODUCT $VERSION)" >&2
  mkdir -p "$d/target"
  (cd "$d" && JAVA_HOME="$(find_java 17)" "${MVN[@]}" dependency:build-classpath -Dmdep.outputFile=target/classpath.txt)
  touch "$cpf"   # build-classpath leaves an unchanged file alone; mark it up to date
done
echo "fetch: done" >&2
