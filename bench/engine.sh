#!/bin/sh
# Engine benchmark: verifications per second against a loopback MX (see docs/BENCHMARKS.md).
# Usage: bench/engine.sh                       # the scenarios of docs/BENCHMARKS.md
#        bench/engine.sh NAME COUNT INFLIGHT REPLY_DELAY_MS
#        bench/engine.sh tls [COUNT INFLIGHT ROUNDS]  # clear text against STARTTLS (StartTlsBench)
#        bench/engine.sh pipelining [RUNS DELAY_MS]   # one verification pipelined and not (PipeliningBench)
set -e
cd "$(dirname "$0")/.."
mvn -B -q -DskipTests test-compile dependency:build-classpath \
    -Dmdep.outputFile=target/bench.cp -Dmdep.includeScope=test >&2
exec java -Xmx512m -cp "target/classes:target/test-classes:$(cat target/bench.cp)" \
    -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
    io.github.jamescbv.bench.EngineBench "$@"
