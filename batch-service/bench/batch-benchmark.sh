#!/usr/bin/env bash
# The batch layer's throughput against same-run baselines (see docs/performance.md, batch-service).
# Uses the test Kafka (19092) and Cassandra (19042) of local-servers, started if needed.
# Usage: batch-service/bench/batch-benchmark.sh [events]     (default 500000)
set -euo pipefail
cd "$(dirname "$0")/../.."
./mvnw -q -o test-compile -pl batch-service
./mvnw -q -o dependency:build-classpath -pl batch-service -Dmdep.includeScope=test \
  -Dmdep.outputFile="$PWD/batch-service/target/bench-classpath.txt"
exec java -Xmx2g -cp "batch-service/target/test-classes:batch-service/target/classes:$(cat batch-service/target/bench-classpath.txt)" \
  io.lambda.batch.bench.BatchBenchmark "${1:-500000}"
