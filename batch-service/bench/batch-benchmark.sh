#!/usr/bin/env bash
# The batch layer's throughput against same-run baselines (see docs/performance.md, batch-service).
# Uses the test Kafka (19092) of local-servers, started if needed, and a Cassandra of its own
# (127.0.0.1:29142, started and stopped by the benchmark).
# Usage: batch-service/bench/batch-benchmark.sh [events]     (default 500000)
# BENCH_JAVA_OPTS adds JVM flags, e.g. -XX:StartFlightRecording=filename=/tmp/batch.jfr,settings=profile
set -euo pipefail
cd "$(dirname "$0")/../.."
# One reactor build, so the sibling modules resolve to their target/classes (nothing installed).
./mvnw -q -o test-compile dependency:build-classpath -pl batch-service -am -Dmdep.includeScope=test \
  -Dmdep.outputFile="$PWD/batch-service/target/bench-classpath.txt"
exec java -Xmx2g ${BENCH_JAVA_OPTS:-} -cp "batch-service/target/test-classes:batch-service/target/classes:$(cat batch-service/target/bench-classpath.txt)" \
  io.lambda.batch.bench.BatchBenchmark "${1:-500000}"
