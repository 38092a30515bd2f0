#!/usr/bin/env bash
# Runs a main class of this project's test sources on JDK 22+ with native access enabled for the class path:
#   uring/run.sh UringDemo [--direct] [--backend uring|async]      the newcomer's demo
#   uring/run.sh UringBench [flags]                                 the benchmark behind issue 18's targets
# Uses $JAVA_HOME if set, else the JDK 25 in /usr/lib/jvm if there is one, else java on PATH; needs the library
# installed (from the repository root: mvn -q install -DskipTests).
set -euo pipefail
cd "$(dirname "$0")"
if [ -z "${JAVA_HOME:-}" ]; then
  jdk=$(ls -d /usr/lib/jvm/temurin-25* 2>/dev/null | head -n 1 || true)
  if [ -n "$jdk" ]; then export JAVA_HOME="$jdk"; fi
fi
if [ -n "${JAVA_HOME:-}" ]; then export PATH="$JAVA_HOME/bin:$PATH"; fi
main=$1
shift
mvn -q -B -ntp test-compile dependency:build-classpath -Dmdep.outputFile=target/classpath.txt -Dmdep.includeScope=test \
  >/dev/null
exec java --enable-native-access=ALL-UNNAMED -cp "target/classes:target/test-classes:$(cat target/classpath.txt)" \
  "io.completionring.uring.$main" "$@"
