#!/bin/sh
# The hook's own CPU cost per SMTP transaction with a warm cache, without James around it
# (see docs/BENCHMARKS.md, "James with a warm verdict cache"). Three runs of HookPathBench:
# the INFO line per verification written through logback's buffer, as James's sample
# configuration writes its log; flushed per line (logback's default); and logging off.
# Usage: bench/hook.sh
set -e
cd "$(dirname "$0")/.."
mvn -B -q -DskipTests test-compile dependency:build-classpath \
    -Dmdep.outputFile=target/bench-james.cp -Dmdep.includeScope=test -DexcludeArtifactIds=slf4j-simple >&2
CP="target/classes:target/test-classes:$(cat target/bench-james.cp)"
LOGBACK="-Dlogback.configurationFile=src/test/resources/bench/logback-bench.xml -Dcbv.bench.log=target/hook-bench.log"
for variant in "buffered:-Dcbv.bench.logFlush=false" "flushed:-Dcbv.bench.logFlush=true" \
        "logging-off:-Dlogback.configurationFile=src/test/resources/bench/logback-off.xml"; do
    name=${variant%%:*}
    props=${variant#*:}
    echo "== $name; load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
    java -cp "$CP" org.openjdk.jmh.Main 'io.github.jamescbv.bench.HookPathBench' \
        -f 1 -wi 3 -w 2s -i 5 -r 2s -t 1 -jvmArgs "-Xmx512m $LOGBACK $props" -prof gc
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
