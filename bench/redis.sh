#!/bin/sh
# The shared store's cost through a real James (issue 11, docs/BENCHMARKS.md "Redis"): the James
# benchmark's modes off (hook off), cached (every sender a cache hit) and on (a callback per
# transaction) with the handler's memory in this process, in Redis, and in Redis without the
# near-cache, one JVM each, in turn, PASSES times. Each JVM prints its rounds and a summary;
# with Redis each run also prints the commands Redis processed per transaction.
# First, what one cache hit costs through the protections with each store (JMH, SharedHitBench).
# Usage: bench/redis.sh [SECONDS_PER_RUN [ROUNDS [PASSES]]]     # default 5 4 2
#        bench/redis.sh hit                                      # only the cache-hit benchmark
set -e
cd "$(dirname "$0")/.."
mvn -B -q -DskipTests test-compile dependency:build-classpath \
    -Dmdep.outputFile=target/bench.cp -Dmdep.includeScope=test >&2
java -cp "target/classes:target/test-classes:$(cat target/bench.cp)" org.openjdk.jmh.Main \
    'io.github.jamescbv.bench.SharedHitBench' -f 1 -wi 3 -w 2s -i 5 -r 2s -t 1 -jvmArgs '-Xmx512m'
[ "$1" = hit ] && exit 0
seconds=${1:-5}
rounds=${2:-4}
passes=${3:-2}
modes=-Dcbv.bench.modes=off,cached,on
pass=1
while [ "$pass" -le "$passes" ]; do
    for store in memory redis redis-nonear; do
        case $store in
            memory) opts="-Dcbv.bench.store=memory" ;;
            redis) opts="-Dcbv.bench.store=redis" ;;
            redis-nonear) opts="-Dcbv.bench.store=redis -Dcbv.bench.nearCache=0" ;;
        esac
        echo "=== pass $pass, store $store"
        BENCH_JAVA_OPTS="$modes $opts" bench/james.sh "$seconds" "$rounds"
    done
    pass=$((pass + 1))
done
