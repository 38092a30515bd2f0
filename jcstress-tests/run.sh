#!/usr/bin/env bash
# Builds the jcstress jar and runs the jcstress suite of completion-ring.
#
#   jcstress-tests/run.sh quick    # CI, every submission: about 11 minutes on 2 cores (docs/testing.md)
#   jcstress-tests/run.sh long     # before a release: about 70 minutes on 2 cores (docs/testing.md)
#   jcstress-tests/run.sh controls # only the three control checks, with the quick settings (to measure reliability)
#
# It first installs the library from the root pom (mvn -q install -DskipTests), because this standalone project
# depends on the installed io.completionring:completion-ring; set SKIP_LIBRARY_INSTALL=1 when the caller has just
# installed it. Maven options go through MAVEN_OPTS, e.g. MAVEN_OPTS=-Dmaven.repo.local=/path/to/repository. It takes
# no CPU lock itself: on a shared machine wrap the whole script, e.g.
#   flock /tmp/completion-ring-cpu.lock jcstress-tests/run.sh quick
#
# Five jcstress runs, each in its own directory under jcstress-tests/target/jcstress-MODE/ (console output, HTML
# report, and jcstress's binary results file):
#   real-concurrent    the real ring, concurrent tests                    must pass: exit 0, no FORBIDDEN, no ERROR
#   real-termination   the real ring, wake-up tests, no CPU affinity      must pass: exit 0, no FORBIDDEN, no ERROR
#   controls-ordering  seed 000 (Dekker), seed 004 and chosen-waiter      each must SHOW its forbidden outcome
#                      pass-on negative controls
#   controls-stale     seed 000 ring copy that hangs, no CPU affinity     must SHOW STALE
#   controls-pairings  submitter-side and close ring copies that hang,    each must SHOW STALE
#                      no CPU affinity, one JVM mode
# The pass/fail decision reads jcstress's binary results file through jcstress's own Java API
# (io.completionring.stress.verdict.Verdict, whose decisions VerdictSelfTest checks first), never its
# human-readable report. A control that errors does not count as shown failing. Exit status: 0 if all five checks
# hold (three in controls mode), 1 otherwise, 2 on bad usage.
#
# Termination tests run with -af NONE: by default jcstress pins a Termination test's actor and signal to one CPU,
# where the store-load reordering behind a lost wake-up cannot happen (measured: docs/testing.md, "What the jcstress
# settings rest on"; the seeds are described in docs/kernel-bugs.md).
set -uo pipefail

mode=${1:-}
case "$mode" in
  quick|controls)
    concurrent_opts=(-m sanity -time 300)
    # 2 s per configuration: the real ring with its producer fence removed went STALE in LostWakeup_05 in 8 of 8
    # configurations in 3 of 3 runs at -time 2000, and in none of 2 runs at -time 500 (docs/testing.md).
    termination_opts=(-m sanity -time 2000 -af NONE)
    controls_opts=(-m sanity -time 300)
    ;;
  long)
    concurrent_opts=(-m quick -time 1000)
    termination_opts=(-m quick -time 2000 -af NONE)
    controls_opts=(-m quick)
    ;;
  *)
    echo "usage: $0 quick|long|controls" >&2
    exit 2
    ;;
esac
# The stale control stops at its first STALE per JVM configuration, after jcstress's fixed 30 s join timeout, so a
# longer time costs little when it works and gives it more rounds when the machine is busy.
stale_opts=(-m sanity -time 1000 -af NONE)
# The pairing controls hang the same way, and each STALE costs jcstress's fixed 30 s join timeout per configuration:
# at the default 8 configurations per test (4 JVM flag sets, split compilation) the two would add about 4 minutes.
# -jvmArgs drops the C2 stress-randomizer flag sets (JDK 17 still runs biased locking on and off) and -sc false
# compiles both threads alike: 2 configurations per test. The hang needs the hardware store-load reordering, which
# no compiler flag adds; 3 s per configuration, because a configuration that goes STALE stops there anyway
# (docs/testing.md has the measurements).
pairings_opts=(-m sanity -time 3000 -af NONE -sc false -jvmArgs -Xmx256m)

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
start=$(date +%s)

if [ "${SKIP_LIBRARY_INSTALL:-0}" != 1 ]; then
  echo "== installing the library (mvn -q install -DskipTests in $root)"
  (cd "$root" && mvn -q -B install -DskipTests) || { echo "library install failed"; exit 1; }
fi
echo "== building jcstress-tests/target/jcstress.jar"
(cd "$here" && mvn -q -B package) || { echo "jcstress-tests build failed"; exit 1; }

jar="$here/target/jcstress.jar"
out="$here/target/jcstress-$mode"
rm -rf "$out"
mkdir -p "$out"

echo "== checking the verdict logic (VerdictSelfTest)"
java -cp "$jar" io.completionring.stress.verdict.VerdictSelfTest || { echo "the verdict logic is broken"; exit 1; }

real_concurrent='^io\.completionring\.stress\.(Publication|SlotReuse|Exclusivity|TimeoutAndInterrupt)\.'
real_termination='^io\.completionring\.stress\.(LostWakeup|BlockedSubmitter|Close)\.'
controls_ordering='^io\.completionring\.stress\.controls\.(SeedLostWakeupDekker|SeedTornEvent|ChosenWaiterPassOn)\.'
controls_stale='^io\.completionring\.stress\.controls\.SeedLostWakeupStale\.'
controls_pairings='^io\.completionring\.stress\.controls\.(SubmitterWakeupStale|CloseWakeupStale)\.'

passed=0
failed=0

# check NAME pass|show-forbidden REGEX JCSTRESS_OPTIONS...
check() {
  local name=$1 expect=$2 regex=$3
  shift 3
  local dir="$out/$name"
  mkdir -p "$dir"
  local t0 rc verdict_rc
  t0=$(date +%s)
  echo "== $name: java -jar jcstress.jar -t '$regex' $*"
  (cd "$dir" && java -jar "$jar" -t "$regex" "$@" -r "$dir/report" > "$dir/console.txt" 2>&1)
  rc=$?
  local results
  results=$(ls "$dir"/jcstress-results-*.bin.gz 2>/dev/null | head -n 1)
  if [ -z "$results" ]; then
    echo "   no results file (jcstress exit $rc); see $dir/console.txt"
    failed=$((failed + 1))
    return
  fi
  java -cp "$jar" io.completionring.stress.verdict.Verdict "$expect" "$results" "$regex" --outcomes > "$dir/verdict.txt" 2>&1
  verdict_rc=$?
  grep -vE '^    ' "$dir/verdict.txt" | sed 's/^/   /'
  local ok=0
  if [ "$expect" = pass ]; then
    # jcstress exits non-zero on any failed or errored test; the verdict must agree.
    [ $rc -eq 0 ] && [ $verdict_rc -eq 0 ] && ok=1
  else
    # A control that shows its forbidden outcome makes jcstress exit non-zero; exit 0 would contradict the verdict.
    [ $rc -ne 0 ] && [ $verdict_rc -eq 0 ] && ok=1
  fi
  echo "   $name: jcstress exit $rc, verdict exit $verdict_rc, $(( $(date +%s) - t0 )) s -> $([ $ok -eq 1 ] && echo OK || echo FAILED)"
  if [ $ok -eq 1 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
}

if [ "$mode" != controls ]; then
  check real-concurrent pass "$real_concurrent" "${concurrent_opts[@]}"
  check real-termination pass "$real_termination" "${termination_opts[@]}"
fi
check controls-ordering show-forbidden "$controls_ordering" "${controls_opts[@]}"
check controls-stale show-forbidden "$controls_stale" "${stale_opts[@]}"
check controls-pairings show-forbidden "$controls_pairings" "${pairings_opts[@]}"

echo "== jcstress $mode finished in $(( $(date +%s) - start )) s; details in $out/*/verdict.txt and */report/index.html"
echo "jcstress: $passed passed, $failed failed"
[ $failed -eq 0 ]
