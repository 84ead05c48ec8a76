#!/usr/bin/env bash
# Load benchmark of the query-service on loopback (docs/performance.md, query-service):
# seeds a keyspace on the test Cassandra, starts the service jar on a free port, runs
# QueryLoadBenchmark (open loop: raw Cassandra point read, REST series, GraphQL series), stops the
# service by the pid it recorded. Builds what it runs first (the service jar, the test classes and the
# classpath of the reactor's own modules) with package, never install: BUILD=0 skips that.
# JFR=path records a flight recording (settings=profile) of the service to path; SEED=0 skips writing
# the cells again (they are the same every run); JAR=path runs another build of the service;
# SERVICE_JAVA_OPTS replaces the service's JVM options (default: what the image runs under the chart's 1 GiB
# limit, heap 75 % of it from the start and the serial collector, which the JVM picks below 1792 MB of memory).
# Usage: query-service/bench/query-bench.sh [rate=500] [seconds=20] [warmup=60] [phase-warmup=5]
# Each phase prints the CPU time per request of the service, of the test Cassandra (its pid from
# .lambda/test/pids when the test layout runs it) and of the load generator itself.
set -euo pipefail
cd "$(dirname "$0")/.."
PORT=${PORT:-28080}
CASSANDRA=${CASSANDRA:-127.0.0.1:19042}
KEYSPACE=${KEYSPACE:-bench_query}
WORK=target/bench
mkdir -p "$WORK"

if [ "${BUILD:-1}" != 0 ] || [ ! -f "$WORK/classpath" ]; then
  # one reactor build: lambda-core, lambda-store, ... resolve to this checkout's jars, not to ~/.m2
  (cd .. && ./mvnw -o -q -pl query-service -am package dependency:build-classpath -DskipTests \
    -Dmdep.includeScope=test -Dmdep.outputFile=target/bench/classpath)
fi
CP="target/test-classes:target/classes:$(cat "$WORK/classpath")"
MAIN=io.lambda.query.bench.QueryLoadBenchmark

if [ "${SEED:-1}" != 0 ]; then
  java -cp "$CP" "$MAIN" seed=true cassandra="$CASSANDRA" keyspace="$KEYSPACE"
fi

if curl -s -o /dev/null "http://127.0.0.1:$PORT/"; then
  echo "port $PORT is in use; set PORT" >&2
  exit 1
fi
JFR_OPTS=()
if [ -n "${JFR:-}" ]; then
  JFR_OPTS=("-XX:StartFlightRecording=filename=$JFR,settings=profile,dumponexit=true")
fi
# shellcheck disable=SC2086 # options are words
java ${SERVICE_JAVA_OPTS:--XX:MaxRAM=1g -XX:MaxRAMPercentage=75.0 -XX:InitialRAMPercentage=75.0 -XX:+UseSerialGC} "${JFR_OPTS[@]}" -jar "${JAR:-target/query-service.jar}" --server.port="$PORT" \
  --spring.cassandra.contact-points="$CASSANDRA" --lambda.store.keyspace="$KEYSPACE" \
  `# TestApiKeys.READ, measured with security on but without a rate limit in the way` \
  '--lambda.security.api-keys[0].id=bench' \
  '--lambda.security.api-keys[0].sha256=8ecbe2c9c165b6862916260889ad1a537496190829d449c0cfdecdcef1cc7418' \
  '--lambda.security.api-keys[0].scopes=read' \
  --lambda.security.rate-limits.read.requests-per-second=1000000 --lambda.security.rate-limits.read.burst=1000000 \
  >"$WORK/service.log" 2>&1 &
SERVICE=$!
echo "$SERVICE" >"$WORK/service.pid"
trap 'kill "$SERVICE" 2>/dev/null; wait "$SERVICE" 2>/dev/null || true' EXIT

for _ in $(seq 1 120); do
  if curl -sf "http://127.0.0.1:$PORT/actuator/health/readiness" >/dev/null; then break; fi
  if ! kill -0 "$SERVICE" 2>/dev/null; then echo "the service exited; see $WORK/service.log" >&2; exit 1; fi
  sleep 0.5
done
curl -sf "http://127.0.0.1:$PORT/actuator/health/readiness" >/dev/null || { echo "not ready in 60 s" >&2; exit 1; }

CPU="service:$SERVICE"
if [ -f ../.lambda/test/pids/cassandra.pid ]; then
  CPU="$CPU,cassandra:$(cat ../.lambda/test/pids/cassandra.pid)"
fi
java -cp "$CP" "$MAIN" port="$PORT" cassandra="$CASSANDRA" keyspace="$KEYSPACE" cpu="$CPU" "$@"
