#!/usr/bin/env bash
# Ingest benchmark, one run (about 95 s): raw Kafka producer baseline, then HTTP ingest through the
# service jar on port 28081 (closed loop, then open loop at 70 % of the closed-loop rate).
# Needs a Kafka at 127.0.0.1:19092 (the test layout); override with BENCH_BOOTSTRAP.
# Usage: ingest-service/bench/run.sh   (from anywhere; extra -Dbench.* options may follow)
set -euo pipefail
cd "$(dirname "$0")/../.."
# One reactor build: the service jar, the test classes, and a classpath whose sibling modules are
# their freshly built jars (nothing is installed into the local repository).
./mvnw -q -o package dependency:build-classpath -pl ingest-service -am -DskipTests -Dmdep.outputFile=target/bench.classpath
cd ingest-service
exec java -cp "target/test-classes:target/classes:$(cat target/bench.classpath)" \
  -Dlogback.configurationFile=bench/logback-bench.xml -Dbench.bootstrap="${BENCH_BOOTSTRAP:-127.0.0.1:19092}" "$@" io.lambda.ingest.bench.IngestBenchmark
