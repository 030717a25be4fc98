#!/bin/sh
# The cold flood through two James nodes (issue 11, docs/BENCHMARKS.md "Cold flood through two
# nodes"): forged senders of one domain, each sending several messages, spread over two nodes,
# (a) both with <redis> on one redis-server, (b) each with its own memory, against a scripted MX
# that waits before every reply; rounds take turns between (a) and (b). Prints each flood and a
# table; exits 1 when a sanity check fails, 2 without redis-server.
# Usage: bench/flood.sh [ROUNDS [SENDERS [PER_SENDER [CLIENTS [REPLY_DELAY_MS]]]]]   # default 3 40 10 20 50
# FLOOD_JAVA_OPTS passes system properties, e.g. -Dcbv.flood.perDomainConcurrent=2 (default 10).
set -e
cd "$(dirname "$0")/.."
# slf4j-simple is left out: James logs through logback, and two SLF4J providers would make
# SLF4J pick one at random.
mvn -B -q -DskipTests test-compile dependency:build-classpath \
    -Dmdep.outputFile=target/bench-james.cp -Dmdep.includeScope=test -DexcludeArtifactIds=slf4j-simple >&2
# Four James in one JVM: twice the heap of bench/james.sh's one. Their log (the handler's line
# per verification, every WARN) goes to target/flood-bench.log; warnings reach the terminal too.
# shellcheck disable=SC2086 # FLOOD_JAVA_OPTS is a list of options
exec java -Xmx1g ${FLOOD_JAVA_OPTS:-} -cp "target/classes:target/test-classes:$(cat target/bench-james.cp)" \
    -Dlogback.configurationFile=src/test/resources/bench/logback-bench.xml \
    -Dcbv.bench.log=target/flood-bench.log \
    -Djames.exit.on.startup.error=false \
    io.github.jamescbv.bench.TwoNodeFloodBench "$@"
