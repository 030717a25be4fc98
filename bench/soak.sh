#!/bin/sh
# Soak run (issue 6): 20,000 messages from smtp-source at 50 connections through a real James
# 3.8.1 with the hook on, calling back real Postfix remotes found through a real dnsmasq; checks
# that nothing is lost, that the heap after is within 10% of before, and that James logged no
# ERROR (see docs/BENCHMARKS.md, "Soak"). Needs root, postfix and dnsmasq-base (as .ci/run
# installs them); uses the loopback addresses 127.0.0.40-47, port 53 and 25 there.
# Usage: bench/soak.sh [MESSAGES [WARM_UP [PER_SENDER [PROCESSES [SESSIONS_PER_PROCESS]]]]]
#        default 20000 2000 10 10 5 (10 smtp-source processes x 5 sessions = 50 connections)
set -e
cd "$(dirname "$0")/.."
# slf4j-simple is left out: James logs through logback, and two SLF4J providers would make
# SLF4J pick one at random.
mvn -B -q -DskipTests test-compile dependency:build-classpath \
    -Dmdep.outputFile=target/soak.cp -Dmdep.includeScope=test -DexcludeArtifactIds=slf4j-simple >&2
# James's log of the run (every WARN and ERROR, the handler's line per verification, one line
# per spooled mail) goes to target/soak/james.log; only warnings reach the terminal.
exec java -Xmx512m -cp "target/classes:target/test-classes:$(cat target/soak.cp)" \
    -Dlogback.configurationFile=src/test/resources/bench/logback-bench.xml \
    -Dcbv.bench.log=target/soak-boot.log \
    -Djames.exit.on.startup.error=false \
    ${SOAK_JAVA_OPTS:-} \
    io.github.jamescbv.bench.SoakBench "$@"
