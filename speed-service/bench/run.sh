#!/usr/bin/env bash
# Speed-layer benchmark, one run: throughput in events per CPU-second of the speed-service process
# against a raw KafkaConsumer reading the same records, then freshness at a steady rate.
# Needs the test Kafka at 127.0.0.1:19092; starts a Cassandra of its own on 29042 and stops it.
# Usage: speed-service/bench/run.sh [events [rate [seconds [workload]]]]   (defaults 200000 10000 20 uniform;
#        workload uniform: 1,000 urls alike, event times over 10 min; live: Zipf urls, events mostly seconds old)
set -euo pipefail
cd "$(dirname "$0")/../.."
./mvnw -q -o -pl speed-service -am package dependency:build-classpath -DskipTests \
  -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test
cd speed-service
# The service JVM as the container image runs it under the Helm chart's default limit (1 GiB): C2 on,
# heap at 75 % of the memory from the start (JAVA_TOOL_OPTIONS of the image), and the serial
# collector, which the JVM picks below 1792 MB; not the local stack's start-up-lean flags.
export LAMBDA_SERVICE_JAVA_OPTS="${LAMBDA_SERVICE_JAVA_OPTS:--XX:MaxRAM=1g -XX:MaxRAMPercentage=75.0 -XX:InitialRAMPercentage=75.0 -XX:+UseSerialGC}"
exec java -cp "target/test-classes:target/classes:$(cat target/bench.classpath)" \
  io.lambda.speed.bench.SpeedBenchmark "${1:-200000}" "${2:-10000}" "${3:-20}" "${4:-uniform}"
