#!/bin/sh
# Verdict cache benchmarks (see docs/BENCHMARKS.md, "Verdict cache (issue 4)").
# Usage: bench/cache.sh            # lookups with 1 and 2 threads, then the heap measurement
#        bench/cache.sh lookup     # only the JMH lookup benchmark
#        bench/cache.sh heap [RUNS]
# A short JMH configuration for a 2-core machine: 1 fork, 3 x 2 s warm-up, 5 x 2 s measured.
# The load average is printed before and after: lookups on a cache larger than the CPU caches
# are very sensitive to other processes on the machine.
set -e
cd "$(dirname "$0")/.."
mvn -B -q -DskipTests test-compile dependency:build-classpath \
    -Dmdep.outputFile=target/bench.cp -Dmdep.includeScope=test >&2
CP="target/classes:target/test-classes:$(cat target/bench.cp)"
what=${1:-all}

if [ "$what" = all ] || [ "$what" = lookup ]; then
    for threads in 1 2; do
        echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
        java -cp "$CP" org.openjdk.jmh.Main 'io.github.jamescbv.bench.CacheLookupBench' \
            -f 1 -wi 3 -w 2s -i 5 -r 2s -t "$threads" -jvmArgs '-Xmx512m' -prof gc
        echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
    done
fi
if [ "$what" = all ] || [ "$what" = heap ]; then
    java -Xmx512m -cp "$CP" io.github.jamescbv.bench.CacheHeapBench ${2:-5}
fi
