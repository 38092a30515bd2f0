#!/usr/bin/env bash
# Builds the jcstress jar and runs the jcstress suite of completion-ring through the jar's main,
# io.completionring.stress.ProveIt, which holds the selections, the options and the pass/fail rules:
#
#   jcstress-tests/run.sh quick    # CI, every submission: about 11 minutes on 2 cores (docs/testing.md)
#   jcstress-tests/run.sh long     # before a release: roughly 85 minutes on 2 cores (docs/testing.md)
#   jcstress-tests/run.sh controls # only the control checks, with the quick settings (to measure reliability)
#   jcstress-tests/run.sh asymmetric # JDK 22+ on Linux x86-64/AArch64: only the checks of the asymmetric fence (CI's
#                                    # JDK 25 pass: about 3 minutes)
#
# It first installs the library from the root pom (mvn -q install -DskipTests), because this standalone project
# depends on the installed io.completionring:completion-ring; set SKIP_LIBRARY_INSTALL=1 when the caller has just
# installed it. Maven options go through MAVEN_OPTS, e.g. MAVEN_OPTS=-Dmaven.repo.local=/path/to/repository. Then it
# builds jcstress-tests/target/jcstress.jar and runs `java -jar jcstress-tests/target/jcstress.jar MODE`, the command
# users run on the installed jar, with its output in jcstress-tests/target/jcstress-MODE/ (one directory per jcstress
# run: console output, HTML report, jcstress's binary results file, verdict.txt). Exit status: the jar's (0 if every
# check holds, 1 otherwise, 2 on bad usage). It takes no CPU lock itself: on a shared machine wrap the whole script,
# e.g.
#   flock /tmp/completion-ring-cpu.lock jcstress-tests/run.sh quick
set -uo pipefail

mode=${1:-}
case "$mode" in
  quick|long|controls|asymmetric) ;;
  *)
    echo "usage: $0 quick|long|controls|asymmetric" >&2
    exit 2
    ;;
esac

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
start=$(date +%s)

if [ "${SKIP_LIBRARY_INSTALL:-0}" != 1 ]; then
  echo "== installing the library (mvn -q install -DskipTests in $root)"
  (cd "$root" && mvn -q -B install -DskipTests) || { echo "library install failed"; exit 1; }
fi
echo "== building jcstress-tests/target/jcstress.jar"
(cd "$here" && mvn -q -B package) || { echo "jcstress-tests build failed"; exit 1; }
echo "== built in $(( $(date +%s) - start )) s"

out="$here/target/jcstress-$mode"
rm -rf "$out"
exec java -jar "$here/target/jcstress.jar" "$mode" --out "$out"
