#!/usr/bin/env bash
# Body reader benchmark (about 50 s, no servers needed): what EventBodyReader.readJson costs per event
# on one thread, against a plain Jackson tree parse of the same bodies in the same process.
# Usage: ingest-service/bench/reader.sh   (from anywhere; -Dbench.rounds=N may follow)
set -euo pipefail
cd "$(dirname "$0")/../.."
./mvnw -q -o test-compile dependency:build-classpath -pl ingest-service -am -Dmdep.outputFile=target/bench.classpath
cd ingest-service
exec java -Xmx512m -cp "target/test-classes:target/classes:$(cat target/bench.classpath)" "$@" \
  io.lambda.ingest.event.BodyReaderBenchmark
