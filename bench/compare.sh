#!/bin/sh
# The engine and warm-cache hook benchmarks of an earlier commit and of this tree, run
# alternately in one session so that both meet the same machine (docs/BENCHMARKS.md, "The
# reshape (issue 10)"). Usage: bench/compare.sh REV [ROUNDS]   e.g. bench/compare.sh 4dd2f9f 3
set -e
cd "$(dirname "$0")/.."
REV=${1:?usage: bench/compare.sh REV [ROUNDS]}
ROUNDS=${2:-3}
BASE=target/compare-base
git worktree remove --force "$BASE" 2>/dev/null || true
git worktree add --detach "$BASE" "$REV" >&2
# The classpaths of bench/engine.sh (slf4j-simple at WARN) and bench/hook.sh (logback, as James logs).
build() {
    (cd "$1" && mvn -B -q -DskipTests test-compile dependency:build-classpath \
        -Dmdep.outputFile=target/bench.cp -Dmdep.includeScope=test >&2 \
        && mvn -B -q dependency:build-classpath -Dmdep.outputFile=target/bench-james.cp \
        -Dmdep.includeScope=test -DexcludeArtifactIds=slf4j-simple >&2)
}
build "$BASE"
build .
engine() {
    (cd "$1" && java -Xmx512m -cp "target/classes:target/test-classes:$(cat target/bench.cp)" \
        -Dorg.slf4j.simpleLogger.defaultLogLevel=warn io.github.jamescbv.bench.EngineBench 2>&1 | grep -E '^(instant|slow)')
}
hook() {
    (cd "$1" && java -cp "target/classes:target/test-classes:$(cat target/bench-james.cp)" org.openjdk.jmh.Main \
        'io.github.jamescbv.bench.HookPathBench' -f 1 -wi 3 -w 2s -i 5 -r 2s -t 1 -prof gc \
        -jvmArgs "-Xmx512m -Dlogback.configurationFile=src/test/resources/bench/logback-bench.xml -Dcbv.bench.log=target/hook-bench.log -Dcbv.bench.logFlush=false" \
        2>&1 | grep -E '^HookPathBench.transactionWithWarmCache( |:gc.alloc.rate.norm)')
}
i=1
while [ "$i" -le "$ROUNDS" ]; do
    for tree in "$BASE" .; do
        echo "== round $i, $( [ "$tree" = . ] && echo this tree || echo "$REV" ), load $(cut -d' ' -f1 /proc/loadavg)"
        engine "$tree"
        hook "$tree"
    done
    i=$((i + 1))
done
git worktree remove --force "$BASE"
