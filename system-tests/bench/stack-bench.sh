#!/usr/bin/env bash
# The whole stack under the demo's traffic, once per speed engine, in one run (docs/performance.md,
# "Whole stack"): freshness through the query API at sustained rates, the stack's CPU per 1,000 events,
# REST series latency, and a 72 h burst with batch-service stopped. Each engine gets a fresh Kafka and
# Cassandra of its own (layout stack-bench, ports 26xxx, state in .lambda/stack-bench), stopped at the end.
# Builds the jars and test classes first (BUILD=0 skips that). Settings (Java system properties, defaults):
#   BENCH_OPTS="-Dbench.engines=writer,streams -Dbench.rates=5000,10000 -Dbench.seconds=60,180
#               -Dbench.warmup=45 -Dbench.query-rate=500 -Dbench.query-seconds=20 -Dbench.burst=60000"
# Usage: system-tests/bench/stack-bench.sh            (about 25 minutes on 2 cores)
set -euo pipefail
cd "$(dirname "$0")/../.."
WORK=system-tests/target/bench
mkdir -p "$WORK"
if [ "${BUILD:-1}" != 0 ] || [ ! -f "$WORK/classpath" ]; then
  ./mvnw -B -q install -DskipTests
  ./mvnw -B -q -pl system-tests dependency:build-classpath -Dmdep.includeScope=test \
    -Dmdep.outputFile=target/bench/classpath
fi
CP="system-tests/target/test-classes:$(cat "$WORK/classpath")"
# shellcheck disable=SC2086 # options are words
exec java ${BENCH_OPTS:-} -Dlambda.home="$PWD" -Dlogback.configurationFile=logback-cli.xml -cp "$CP" \
  io.lambda.systemtests.StackBenchmark
