#!/usr/bin/env bash
# Runs the JMH suite with JSON output and, for a full run, regenerates the charts and the results tables of
# docs/benchmarks.md from that JSON.
#
#   benchmarks/run-all.sh          full run (about 8 minutes on 2 cores), -prof gc, then charts + tables
#   benchmarks/run-all.sh smoke    every benchmark for about 1 s (3-4 minutes): checks that nothing hangs
#   benchmarks/run-all.sh charts   only regenerate charts + tables from results/jmh-full.json
#   benchmarks/run-all.sh targets  the benchmarks of the targets in docs/benchmarks.md, 3 forks each (about 8
#                                  minutes), results/jmh-targets-JDK.json, then prints their targets table
#
# On JDK 22+ the forked JVMs get --enable-native-access=ALL-UNNAMED, so that the ring uses its asymmetric seed-000
# fence (docs/design.md); JDK 17 does not know the flag. Before JDK 21 VirtualReapers is left out: it needs virtual
# threads.
#
# Extra arguments go to JMH (for example a benchmark regex: benchmarks/run-all.sh full 'WakeupLatency').
# The JMH run holds /tmp/completion-ring-cpu.lock (flock), so that nothing else CPU-heavy that honours the same
# lock runs during a measurement. To run the whole script under that lock yourself (build included), set CPU_LOCK
# to the empty string so that it does not take the lock a second time:
#   flock /tmp/completion-ring-cpu.lock env CPU_LOCK= benchmarks/run-all.sh
set -euo pipefail

mode=${1:-full}
[ $# -gt 0 ] && shift
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
lock=${CPU_LOCK-/tmp/completion-ring-cpu.lock}
results=$here/results
mkdir -p "$results"

# The ring measured is the working tree's, unless RING_REF names a commit (RING_REF=HEAD: the last commit, whatever
# is uncommitted), which is then built from `git archive` in a temporary folder and installed.
build() {
  if [ -n "${RING_REF:-}" ]; then
    local src
    src=$(mktemp -d)
    git -C "$root" archive "$RING_REF" | tar -x -C "$src"
    (cd "$src" && mvn -q install -DskipTests)
    rm -rf "$src"
  else
    (cd "$root" && mvn -q install -DskipTests)
  fi
  (cd "$here" && mvn -q package)
}

jdk=$(java -XshowSettings:properties -version 2>&1 | awk -F' = ' '/java.specification.version/ {print $2}')
jdk_args=()
[ "${jdk%%.*}" -ge 22 ] && jdk_args+=(-jvmArgsAppend --enable-native-access=ALL-UNNAMED)
[ "${jdk%%.*}" -lt 21 ] && jdk_args+=(-e VirtualReapers)

jmh() {
  local json=$1
  shift
  local cmd=(java -jar "$here/target/benchmarks.jar" "$@" "${jdk_args[@]}" -rf json -rff "$json")
  local limit=()
  [ -n "${TIME_LIMIT:-}" ] && limit=(timeout "$TIME_LIMIT")
  local commit
  commit=$(git -C "$root" log -1 --format=%h "${RING_REF:-HEAD}" 2>/dev/null || echo unknown)
  if [ -z "${RING_REF:-}" ] && [ -n "$(git -C "$root" status --porcelain -- src/main 2>/dev/null)" ]; then
    commit="$commit+uncommitted"
  fi
  echo "$commit" > "${json%.json}.commit"
  echo "ring commit: $commit"
  echo "command: ${cmd[*]}"
  if [ -n "$lock" ] && command -v flock >/dev/null; then
    flock "$lock" "${limit[@]}" "${cmd[@]}"
  else
    "${limit[@]}" "${cmd[@]}"
  fi
}

charts() {
  local commit
  commit=$(cat "$results/jmh-full.commit" 2>/dev/null || echo unknown)
  java -cp "$here/target/benchmarks.jar" io.completionring.bench.Charts \
    "$results/jmh-full.json" "$root/docs" "$root/docs/benchmarks.md" "ring commit \`$commit\`"
}

case "$mode" in
  full)
    build
    jmh "$results/jmh-full.json" -f 1 -wi 3 -w 1s -i 5 -r 1s -prof gc "$@" 2>&1 | tee "$results/jmh-full.log"
    charts
    ;;
  smoke)
    build
    # -to: JMH interrupts an iteration that runs 30 s longer than asked, and the whole run is bounded too, so a hang
    # fails this check instead of stalling it.
    TIME_LIMIT=900 jmh "$results/jmh-smoke.json" -f 1 -wi 0 -i 1 -r 1s -to 30s "$@" 2>&1 | tee "$results/jmh-smoke.log"
    ;;
  charts)
    charts
    ;;
  targets)
    build
    jmh "$results/jmh-targets-$jdk.json" 'BlockingThroughput.(ring|abq)_1to[124]$' \
      'SpinThroughput.(ring|jctools|disruptor)_1to1$' 'Uncontended.(ring|jctools)$' \
      'WakeupLatency.(ring|abq|lockSupport)$' -p nr=64 -f 3 -wi 3 -w 1s -i 4 -r 1s "$@" 2>&1 \
      | tee "$results/jmh-targets-$jdk.log"
    java -cp "$here/target/benchmarks.jar" io.completionring.bench.Charts --targets "$results/jmh-targets-$jdk.json"
    ;;
  *)
    echo "usage: $0 [full|smoke|charts|targets] [JMH arguments...]" >&2
    exit 2
    ;;
esac
