package io.lambda.ingest.event;

import io.lambda.core.event.EventCodec;
import io.lambda.ingest.system.IngestProperties;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import tools.jackson.databind.json.JsonMapper;

/**
 * What reading a request body costs on one thread, without HTTP, Kafka or other processes in the
 * way (not a test; see docs/performance.md, ingest-service). Each round times
 * {@link EventBodyReader#readJson} (parse, check and encode every event) over the ingest benchmark's
 * 100-event bodies, then the baseline in the same process: a plain Jackson tree parse of the same
 * bytes, which checks and encodes nothing. Run by {@code ingest-service/bench/reader.sh}.
 */
public final class BodyReaderBenchmark {

    private static final int EVENTS_PER_BODY = 100;
    private static final long ROUND_NANOS = 3_000_000_000L;

    public static void main(String[] args) throws IOException {
        int rounds = Integer.getInteger("bench.rounds", 8);
        IngestProperties properties = new IngestProperties(new IngestProperties.Topic("bench", 6), Duration.ofSeconds(5),
                Duration.ofSeconds(5), 1000, 1_048_576, Duration.ofMinutes(5), 1000,
                new IngestProperties.Ndjson(200_000, 65_536, 67_108_864));
        EventBodyReader reader = new EventBodyReader(properties,
                new EventValidator(Clock.systemUTC(), properties.maxFutureSkew(), new EventCodec()));
        JsonMapper plain = JsonMapper.builder().build();
        List<byte[]> bodies = bodies(400);
        long sink = 0;
        for (int round = 1; round <= rounds; round++) {
            long events = 0;
            long start = System.nanoTime();
            while (System.nanoTime() - start < ROUND_NANOS) {
                for (byte[] body : bodies) {
                    sink += reader.readJson(new ByteArrayInputStream(body), body.length).size();
                    events += EVENTS_PER_BODY;
                }
            }
            double read = micros(start, events);
            events = 0;
            start = System.nanoTime();
            while (System.nanoTime() - start < ROUND_NANOS) {
                for (byte[] body : bodies) {
                    sink += plain.readTree(body).size();
                    events += EVENTS_PER_BODY;
                }
            }
            double parse = micros(start, events);
            // the first rounds measure the JIT compiler; the last ones are the figure
            System.out.printf(Locale.ROOT, "round %d: readJson %.2f us per event, plain tree parse %.2f us, ratio %.2f%n",
                    round, read, parse, read / parse);
        }
        if (sink == 42) {
            System.out.println(); // keeps the results live, so the JIT cannot drop the work
        }
    }

    private static double micros(long startNanos, long events) {
        return (System.nanoTime() - startNanos) / 1e3 / events;
    }

    /** The bodies of IngestBenchmark: 100 pageviews each, every event with its own id. */
    private static List<byte[]> bodies(int count) {
        long now = Instant.now().toEpochMilli();
        List<byte[]> bodies = new ArrayList<>(count);
        for (int r = 0; r < count; r++) {
            StringBuilder body = new StringBuilder(EVENTS_PER_BODY * 220).append('[');
            for (int e = 0; e < EVENTS_PER_BODY; e++) {
                int n = r * EVENTS_PER_BODY + e;
                body.append(e == 0 ? "" : ",").append("{\"eventId\":\"bench-reader-")
                        .append(String.format(Locale.ROOT, "%08d", n)).append("\",\"type\":\"pageview\",\"timestamp\":")
                        .append(now).append(",\"attributes\":{\"url\":\"/products/").append(n % 5000)
                        .append("\",\"userId\":\"u").append(n % 100_000)
                        .append("\",\"country\":\"DE\",\"referrer\":\"https://www.example.com/search?q=lambda\"}}");
            }
            bodies.add(body.append(']').toString().getBytes(StandardCharsets.UTF_8));
        }
        return bodies;
    }
}
