#!/usr/bin/env bash
# Runs the JMH suite with JSON output and, for a full run, regenerates the charts and the results tables of
# docs/benchmarks.md from that JSON.
#
#   benchmarks/run-all.sh          full run (about 15 minutes on 2 cores), -prof gc, then charts + tables
#   benchmarks/run-all.sh smoke    every benchmark for about 1 s (2-3 minutes): checks that nothing hangs
#   benchmarks/run-all.sh charts   only regenerate charts + tables from results/jmh-full.json
#
# Extra arguments go to JMH (for example a benchmark regex: benchmarks/run-all.sh full 'WakeupLatency').
# The JMH run holds /tmp/completion-ring-cpu.lock (flock), so that nothing else CPU-heavy that honours the same
# lock runs during a measurement; do not call this script under that lock yourself.
set -euo pipefail

mode=${1:-full}
[ $# -gt 0 ] && shift
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
lock=${CPU_LOCK:-/tmp/completion-ring-cpu.lock}
results=$here/results
mkdir -p "$results"

build() {
  (cd "$root" && mvn -q install -DskipTests)
  (cd "$here" && mvn -q package)
}

jmh() {
  local json=$1
  shift
  local cmd=(java -jar "$here/target/benchmarks.jar" "$@" -rf json -rff "$json")
  local limit=()
  [ -n "${TIME_LIMIT:-}" ] && limit=(timeout "$TIME_LIMIT")
  echo "ring commit: $(git -C "$root" log -1 --format=%h 2>/dev/null || echo unknown)"
  echo "command: ${cmd[*]}"
  if command -v flock >/dev/null; then
    flock "$lock" "${limit[@]}" "${cmd[@]}"
  else
    "${limit[@]}" "${cmd[@]}"
  fi
}

charts() {
  java -cp "$here/target/benchmarks.jar" io.completionring.bench.Charts \
    "$results/jmh-full.json" "$root/docs" "$root/docs/benchmarks.md"
}

case "$mode" in
  full)
    build
    jmh "$results/jmh-full.json" -f 1 -wi 3 -w 1s -i 5 -r 2s -prof gc "$@" 2>&1 | tee "$results/jmh-full.log"
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
  *)
    echo "usage: $0 [full|smoke|charts] [JMH arguments...]" >&2
    exit 2
    ;;
esac
