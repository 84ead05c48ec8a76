package io.lambda.query;

import io.lambda.core.cell.CellKey;
import io.lambda.core.cell.SpeedCellKey;
import io.lambda.core.event.Event;
import io.lambda.core.measure.Count;
import io.lambda.core.measure.Distinct;
import io.lambda.core.measure.Max;
import io.lambda.core.measure.Measure;
import io.lambda.core.measure.MeasureKind;
import io.lambda.core.measure.Min;
import io.lambda.core.measure.Sum;
import io.lambda.core.time.BucketRange;
import io.lambda.core.time.Granularity;
import io.lambda.core.time.IngestEpoch;
import io.lambda.core.view.ViewCatalog;
import io.lambda.core.view.ViewDefinition;
import io.lambda.store.LambdaStore;
import io.lambda.store.PublishedVersion;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * A fixed set of events, written as the batch and speed layers would have written their cells:
 * batch versions 1, 2, 3 with cuts 10:00, 10:30 and 11:00 (version 3 holds every event), and speed
 * cells of <em>every</em> event by (cell, ingest epoch, partition), the epochs before each cut
 * included, as they are until expiry. Whatever version is published, the merge must count each
 * event exactly once, so the expected answers are computed from the events alone, by hand (count
 * them, add them up, take the smallest, count distinct users), never through the measures.
 */
public final class SeededCells {

    public static final IngestEpoch EPOCHS = IngestEpoch.ofMinutes(5);
    public static final Instant DAY = Instant.parse("2026-11-20T00:00:00Z");
    public static final Instant FROM = DAY.plus(Duration.ofHours(6));
    public static final Instant TO = DAY.plus(Duration.ofHours(14));
    public static final List<String> KEYS = List.of("/home", "/a|b", "/cart", "/pricing", "/docs", "/blog");
    public static final Map<Long, Instant> CUTS = Map.of(
            1L, DAY.plus(Duration.ofHours(10)),
            2L, DAY.plus(Duration.ofMinutes(630)),
            3L, DAY.plus(Duration.ofHours(11)));

    /** One accepted event with where and when it was ingested. */
    public record TestEvent(Event event, String key, Instant ingestTime, int partition, long offset) {
        double amount() {
            return ((Number) event.attribute("amount")).doubleValue();
        }

        String userId() {
            return (String) event.attribute("userId");
        }
    }

    private SeededCells() {
    }

    /**
     * The views the tests query: the four of docs/api.md and {@code min_order}, so every measure is
     * covered; {@code application-it.yaml} configures the same for the Spring tests.
     */
    public static ViewCatalog views() {
        List<Granularity> all = List.of(Granularity.MINUTE, Granularity.HOUR, Granularity.DAY);
        Duration retention = Duration.ofDays(400);
        return ViewCatalog.of(
                new ViewDefinition("pageviews", "pageview", List.of("url"), new Count(), all, retention),
                new ViewDefinition("visitors", "pageview", List.of("url"), new Distinct("userId"), all, retention),
                new ViewDefinition("revenue", "purchase", List.of("country"), new Sum("amount"), all, retention),
                new ViewDefinition("max_order", "purchase", List.of("country"), new Max("amount"), all, retention),
                new ViewDefinition("min_order", "purchase", List.of("country"), new Min("amount"), all, retention));
    }

    /**
     * 600 events on three partitions, ingested 09:00-10:59 on {@link #DAY}, with event times from
     * 08:00 to 12:59 on that day, and one in ten late (event time the day before, 14:xx). Hours 06,
     * 07 and 13 stay empty. Users repeat across hours, so a range's distinct count is less than the
     * sum of its hours'. Amounts are in cents, so sums are exact decimals.
     */
    public static List<TestEvent> events() {
        Random random = new Random(20261120);
        List<TestEvent> events = new ArrayList<>();
        long[] offsets = new long[3];
        for (int i = 0; i < 600; i++) {
            String key = KEYS.get(i % 7 == 0 ? 0 : random.nextInt(KEYS.size()));
            Instant ingest = DAY.plus(Duration.ofHours(9)).plusMillis(random.nextInt(2 * 3_600_000));
            Instant eventTime = i % 10 == 9
                    ? DAY.minus(Duration.ofHours(10)).plusMillis(random.nextInt(3_600_000))
                    : DAY.plus(Duration.ofHours(8)).plusMillis(random.nextInt(5 * 3_600_000));
            double amount = (1 + random.nextInt(50_000)) / 100.0;
            String user = "u" + random.nextInt(40);
            int partition = random.nextInt(3);
            Event event = new Event("e-" + i, "pageview", eventTime,
                    Map.of("url", key, "country", key, "userId", user, "amount", amount));
            events.add(new TestEvent(event, key, ingest, partition, offsets[partition]++));
        }
        return List.copyOf(events);
    }

    /** Writes batch versions 1-3 and every speed cell, hour and day buckets; the catalog is left as it was. */
    public static void write(LambdaStore store, ViewCatalog views, List<TestEvent> events) {
        writeBatch(store, views, events, CUTS.keySet());
        writeSpeed(store, views, events);
    }

    /** The cells of these batch versions, as a batch run writes them. */
    public static void writeBatch(LambdaStore store, ViewCatalog views, List<TestEvent> events,
                                  java.util.Collection<Long> versions) {
        Map<Long, Instant> cuts = new HashMap<>();
        versions.forEach(version -> cuts.put(version, CUTS.get(version)));
        writeBatch(store, views, events, cuts);
    }

    /** The cells of batch versions with these cuts (events ingested before the cut), as a batch run writes them. */
    public static void writeBatch(LambdaStore store, ViewCatalog views, List<TestEvent> events,
                                  Map<Long, Instant> cuts) {
        List<CompletableFuture<Void>> writes = new ArrayList<>();
        for (ViewDefinition view : views.views()) {
            Measure<Object> measure = view.cellMeasure();
            for (Granularity g : List.of(Granularity.HOUR, Granularity.DAY)) {
                for (long version : cuts.keySet()) {
                    Instant cut = cuts.get(version);
                    Map<CellKey, Object> batch = new HashMap<>();
                    for (TestEvent e : events) {
                        if (e.ingestTime().isBefore(cut) && measure.accepts(e.event())) {
                            CellKey cell = new CellKey(view.name(), view.keyOf(e.event()), g,
                                    g.bucketStartMillis(e.event().timestampMillis()));
                            batch.put(cell, measure.add(batch.computeIfAbsent(cell, c -> measure.zero()), e.event()));
                        }
                    }
                    for (Map.Entry<CellKey, Object> cell : batch.entrySet()) {
                        writes.add(store.batchCells().write(version, cell.getKey(), measure.encode(cell.getValue()))
                                .toCompletableFuture());
                        drain(writes, IN_FLIGHT);
                    }
                }
            }
        }
        drain(writes, 0);
    }

    /** The speed cells of these events, as the speed layer writes them (all epochs). */
    public static void writeSpeed(LambdaStore store, ViewCatalog views, List<TestEvent> events) {
        List<CompletableFuture<Void>> writes = new ArrayList<>();
        for (ViewDefinition view : views.views()) {
            for (Granularity g : List.of(Granularity.HOUR, Granularity.DAY)) {
                writeSpeed(store, view, g, events, writes);
            }
        }
        drain(writes, 0);
    }

    private static void writeSpeed(LambdaStore store, ViewDefinition view, Granularity g, List<TestEvent> events,
                                   List<CompletableFuture<Void>> writes) {
        Measure<Object> measure = view.cellMeasure();
        Map<SpeedCellKey, Object> speed = new HashMap<>();
        Map<SpeedCellKey, Long> highest = new HashMap<>();
        for (TestEvent e : events) {
            if (measure.accepts(e.event())) {
                CellKey cell = new CellKey(view.name(), view.keyOf(e.event()), g,
                        g.bucketStartMillis(e.event().timestampMillis()));
                SpeedCellKey key = new SpeedCellKey(cell, EPOCHS.epochOf(e.ingestTime().toEpochMilli()), e.partition());
                speed.put(key, measure.add(speed.computeIfAbsent(key, k -> measure.zero()), e.event()));
                highest.merge(key, e.offset(), Math::max);
            }
        }
        for (Map.Entry<SpeedCellKey, Object> cell : speed.entrySet()) {
            writes.add(store.speedCells().write(cell.getKey(), measure.encode(cell.getValue()),
                    highest.get(cell.getKey())).toCompletableFuture());
            drain(writes, IN_FLIGHT);
        }
    }

    /** Writes in flight at once: small, the test Cassandra is shared and has a small heap. */
    private static final int IN_FLIGHT = 64;

    private static void drain(List<CompletableFuture<Void>> writes, int keep) {
        if (writes.size() > keep) {
            CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).join();
            writes.clear();
        }
    }

    /** Publishes {@code version} over whatever is published now. */
    public static void publish(LambdaStore store, long version) {
        publish(store, version, CUTS.get(version));
    }

    /** Publishes {@code version} with this cut over whatever is published now. */
    public static void publish(LambdaStore store, long version, Instant cut) {
        PublishedVersion current = store.catalog().current();
        PublishedVersion next = new PublishedVersion(version, cut);
        if (!store.catalog().compareAndSet(current, next)) {
            throw new IllegalStateException("could not publish " + next + " over " + current);
        }
    }

    // ---- the oracle: answers computed from the events by hand ----

    /** The expected value of a view's cell over events whose event time is in [from, to), for one key. */
    public static Double expected(ViewDefinition view, List<TestEvent> events, String key, Instant from, Instant to) {
        return expected(view.measure().spec().kind(), events.stream()
                .filter(e -> e.key().equals(key))
                .filter(inRange(from, to))
                .toList());
    }

    /** The expected series: every bucket of the range, in order. */
    public static Map<Instant, Double> expectedSeries(ViewDefinition view, List<TestEvent> events, String key,
                                                      BucketRange range) {
        Map<Instant, Double> series = new LinkedHashMap<>();
        for (Instant start : range.buckets()) {
            series.put(start, expected(view, events, key, start, start.plus(range.granularity().length())));
        }
        return series;
    }

    /** The expected top-N: every key folded over the range, value descending then key ascending. */
    public static List<Map.Entry<String, Double>> expectedTop(ViewDefinition view, List<TestEvent> events,
                                                               Instant from, Instant to, int limit) {
        Map<String, List<TestEvent>> byKey = events.stream().filter(inRange(from, to))
                .collect(Collectors.groupingBy(TestEvent::key, TreeMap::new, Collectors.toList()));
        MeasureKind kind = view.measure().spec().kind();
        return byKey.entrySet().stream()
                .map(e -> Map.entry(e.getKey(), expected(kind, e.getValue())))
                .sorted(Comparator.<Map.Entry<String, Double>, Double>comparing(Map.Entry::getValue,
                        Comparator.reverseOrder()).thenComparing(Map.Entry::getKey))
                .limit(limit)
                .toList();
    }

    private static Predicate<TestEvent> inRange(Instant from, Instant to) {
        return e -> !e.event().timestamp().isBefore(from) && e.event().timestamp().isBefore(to);
    }

    private static Double expected(MeasureKind kind, List<TestEvent> events) {
        return switch (kind) {
            case COUNT -> (double) events.size();
            case SUM -> events.stream().map(e -> new BigDecimal(e.amount())).reduce(BigDecimal.ZERO, BigDecimal::add)
                    .doubleValue();
            case MIN -> events.stream().mapToDouble(TestEvent::amount).min().stream().boxed().findFirst().orElse(null);
            case MAX -> events.stream().mapToDouble(TestEvent::amount).max().stream().boxed().findFirst().orElse(null);
            case DISTINCT -> (double) events.stream().map(TestEvent::userId).distinct().count();
        };
    }
}
