package io.lambda.systemtests;

import io.lambda.core.event.Event;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A reproducible workload for one scenario, in a key namespace of its own ({@code /<ns>/...} URLs,
 * {@code <ns>-XX} countries) so that scenarios sharing a stack never see each other's numbers:
 * pageviews over skewed URLs with returning users, purchases over many countries, event times
 * spread over several days, late events (hours to days old), out-of-order delivery and duplicate
 * submissions of the same {@code eventId}. Besides the events it makes what must count for
 * nothing: malformed requests (each mixing events that would count with one that is invalid, so
 * the whole request must be refused) and poison records for the events topic.
 * {@link GroundTruth#of} of what was sent is what the system must count.
 */
final class SeededWorkload {

    private static final List<String> COUNTRIES = List.of("DE", "US", "FR", "GB", "NL", "IN", "BR", "JP", "ES",
            "IT", "PL", "SE", "CA", "AU", "MX", "ZA");
    private static final int URLS = 40;
    /** Share of events sent late: event time between an hour and four days before now. */
    private static final double LATE_SHARE = 0.3;
    private static final double PURCHASE_SHARE = 0.2;
    private static final double DUPLICATE_SHARE = 0.04;
    /**
     * A repeat is of one of the last this many submissions, so it reaches the speed layer well within
     * its duplicates window (10 min) at any size; repeats across a batch cut are {@link #resend}'s.
     */
    private static final int RECENT_REPEATS = 2000;
    /** Delivery is shuffled within windows of this many events: out of event-time order, and repeats may overtake their original. */
    private static final int REORDER_WINDOW = 64;

    final String namespace;
    private final long seed;
    private final Instant now;
    private final List<Event> sent = new ArrayList<>();

    SeededWorkload(long seed, String namespace, int events, Instant now) {
        this.seed = seed;
        this.namespace = namespace;
        this.now = now;
        Random random = new Random(seed);
        for (int i = 0; i < events; i++) {
            if (!sent.isEmpty() && random.nextDouble() < DUPLICATE_SHARE) {
                // the same event again, same id, soon after it, as a client's retry is
                sent.add(sent.get(sent.size() - 1 - random.nextInt(Math.min(sent.size(), RECENT_REPEATS))));
                continue;
            }
            Event event = event(random, namespace + "-" + seed + "-" + i);
            sent.add(event);
        }
        for (int from = 0; from < sent.size(); from += REORDER_WINDOW) {
            Collections.shuffle(sent.subList(from, Math.min(sent.size(), from + REORDER_WINDOW)), random);
        }
    }

    private Event event(Random random, String id) {
        Instant at = random.nextDouble() < LATE_SHARE
                ? now.minus(Duration.ofMinutes(60 + random.nextInt(4 * 24 * 60 - 60)))
                : now.minusMillis(random.nextInt(120_000));
        Map<String, Object> attributes = new LinkedHashMap<>();
        if (random.nextDouble() < PURCHASE_SHARE) {
            attributes.put("country", country(COUNTRIES.get(random.nextInt(COUNTRIES.size()))));
            attributes.put("userId", "u" + random.nextInt(2000));
            attributes.put("amount", (1 + random.nextInt(30000)) / 100.0);
            return new Event(id, "purchase", at, attributes);
        }
        int url = (int) Math.min(URLS - 1, Math.floor(-Math.log(1 - random.nextDouble()) * 8));
        attributes.put("url", url(url));
        attributes.put("userId", "u" + (random.nextDouble() < 0.7 ? random.nextInt(300) : random.nextInt(5000)));
        return new Event(id, "pageview", at, attributes);
    }

    /** URL 0 is the home page; URL 1 carries the key separator, which keys must escape and both APIs must carry. */
    private String url(int index) {
        return switch (index) {
            case 0 -> "/" + namespace + "/home";
            case 1 -> "/" + namespace + "/a|b";
            default -> "/" + namespace + "/page/" + index;
        };
    }

    private String country(String code) {
        return namespace + "-" + code;
    }

    /** Whether a view key belongs to this workload's namespace. */
    boolean owns(String key) {
        return key.startsWith("/" + namespace + "/") || key.startsWith(namespace + "-");
    }

    /** Every submission in delivery order, repeats included. */
    List<Event> sent() {
        return sent;
    }

    /**
     * Events of {@code from} to send once more, same ids: after a batch run absorbed them this is a
     * duplicate across a batch cut, which the batch must count once and the speed layer must not add.
     */
    List<Event> resend(List<Event> from, int count) {
        Random random = new Random(seed ^ 0x5EED);
        List<Event> again = new ArrayList<>(count);
        for (int i = 0; i < count && !from.isEmpty(); i++) {
            again.add(from.get(random.nextInt(from.size())));
        }
        return again;
    }

    /**
     * Request bodies ingest must refuse with 400 as a whole. Most carry events that would change
     * answers (ids {@code <ns>-refused-*}, this namespace's keys) next to a single invalid one, so a
     * service that wrote part of a refused request shows up in the comparison.
     */
    List<String> malformedRequests() {
        long ts = now.toEpochMilli();
        String valid = """
                {"eventId":"%1$s-refused-%%d","type":"pageview","timestamp":%2$d,"attributes":{"url":"/%1$s/home","userId":"u1"}},\
                {"eventId":"%1$s-refused-%%d-p","type":"purchase","timestamp":%2$d,"attributes":{"country":"%1$s-DE","amount":99.5}}"""
                .formatted(namespace, ts);
        List<String> invalid = List.of(
                "{\"eventId\":\"" + namespace + "-bad type\",\"type\":\"Page View\",\"timestamp\":" + ts + "}",
                "{\"type\":\"pageview\",\"timestamp\":" + (ts + Duration.ofDays(1).toMillis()) + "}", // far future
                "{\"type\":\"pageview\",\"timestamp\":\"1999-12-31T23:59:59Z\"}", // before 2000
                "{\"type\":\"pageview\"}", // no timestamp
                "{\"eventId\":\"has space\",\"type\":\"pageview\",\"timestamp\":" + ts + "}",
                "{\"type\":\"pageview\",\"timestamp\":" + ts + ",\"attributes\":{\"bad key\":1}}",
                "{\"type\":\"pageview\",\"timestamp\":" + ts + ",\"attributes\":{\"nested\":{\"a\":1}}}");
        List<String> bodies = new ArrayList<>();
        for (int i = 0; i < invalid.size(); i++) {
            bodies.add("[" + valid.formatted(i, i) + "," + invalid.get(i) + "]");
        }
        bodies.add("[" + valid.formatted(90, 90) + ","); // cut off mid-array
        bodies.add("{\"eventId\":\"" + namespace + "-refused-dup\",\"eventId\":\"x\",\"type\":\"pageview\",\"timestamp\":"
                + ts + "}"); // duplicate field
        bodies.add("not json at all");
        return bodies;
    }

    /**
     * Values for the events topic that no reader may count (speed dead-letters them, the batch
     * archiver skips them): not JSON, an unknown format version that would otherwise count for
     * this namespace's home page, missing and ill-typed fields, empty, and no value at all.
     */
    List<byte[]> poisonRecords() {
        long ts = now.toEpochMilli();
        List<String> texts = List.of(
                "this is not an event",
                "{\"v\":2,\"id\":\"" + namespace + "-poison-v2\",\"type\":\"pageview\",\"ts\":" + ts
                        + ",\"attrs\":{\"url\":\"/" + namespace + "/home\",\"userId\":\"u1\"}}",
                "{\"v\":1,\"id\":\"" + namespace + "-poison-nots\",\"type\":\"pageview\",\"attrs\":{\"url\":\"/"
                        + namespace + "/home\"}}",
                "{\"v\":1,\"id\":\"" + namespace + "-poison-badts\",\"type\":\"pageview\",\"ts\":\"yesterday\","
                        + "\"attrs\":{\"url\":\"/" + namespace + "/home\"}}",
                "{\"v\":1,\"id\":\"" + namespace + "-poison-cut\",\"type\":\"purch",
                "");
        List<byte[]> records = new ArrayList<>();
        texts.forEach(text -> records.add(text.getBytes(StandardCharsets.UTF_8)));
        records.add(null); // a record without a value (a tombstone)
        return records;
    }
}
