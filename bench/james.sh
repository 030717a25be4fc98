#!/bin/sh
# James benchmark: throughput and greeting latency of a real James 3.8.1 with 50 connections
# held on a tarpit (issue 3) and with every sender in the verdict cache (issue 4), against the
# same with the hook off (see docs/BENCHMARKS.md).
# Usage: bench/james.sh [SECONDS_PER_RUN [ROUNDS [CLIENT_THREADS]]]     # default 5 6 4
# BENCH_JAVA_OPTS passes system properties to the benchmark's JVM, e.g.
#   BENCH_JAVA_OPTS=-Dcbv.bench.modes=off,cached bench/james.sh 5 12    # issue 4's comparison alone
#   BENCH_JAVA_OPTS=-Dcbv.bench.logFlush=true bench/james.sh            # flush the log file per line
set -e
cd "$(dirname "$0")/.."
# slf4j-simple is left out: James logs through logback, and two SLF4J providers would make
# SLF4J pick one at random.
mvn -B -q -DskipTests test-compile dependency:build-classpath \
    -Dmdep.outputFile=target/bench-james.cp -Dmdep.includeScope=test -DexcludeArtifactIds=slf4j-simple >&2
# shellcheck disable=SC2086 # BENCH_JAVA_OPTS is a list of options
exec java -Xmx512m $BENCH_JAVA_OPTS -cp "target/classes:target/test-classes:$(cat target/bench-james.cp)" \
    -Dlogback.configurationFile=src/test/resources/bench/logback-bench.xml \
    -Dcbv.bench.log=target/james-bench.log \
    io.github.jamescbv.bench.JamesBench "$@"
