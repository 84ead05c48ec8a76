package io.lambda.query.view;

import static org.assertj.core.api.Assertions.assertThat;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.config.DefaultDriverOption;
import com.datastax.oss.driver.api.core.config.DriverConfigLoader;
import io.lambda.core.measure.Measure;
import io.lambda.core.time.BucketRange;
import io.lambda.core.time.Granularity;
import io.lambda.core.view.ViewCatalog;
import io.lambda.core.view.ViewDefinition;
import io.lambda.localservers.RealServers;
import io.lambda.query.SeededCells;
import io.lambda.query.SeededCells.TestEvent;
import io.lambda.query.layer.BatchCellCache;
import io.lambda.query.layer.CassandraSpeedReads;
import io.lambda.query.layer.Layer;
import io.lambda.query.layer.LayerGuards;
import io.lambda.query.layer.LayerReads;
import io.lambda.query.layer.SpeedProgress;
import io.lambda.query.layer.SpeedReads;
import io.lambda.query.system.QueryProperties;
import io.lambda.store.LambdaStore;
import io.lambda.store.PublishedVersion;
import io.lambda.store.StoreSettings;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The merge rule on real Cassandra: whatever version is published, and while publishes move the cut
 * under running queries, every answer equals the hand-computed oracle (SeededCells): each event
 * counted once, never twice (the speed cells of epochs before the cut are still there) and never
 * not at all.
 */
class BatchSpeedMergeIntegrationTests {

    private static final String KEYSPACE = "it_merge_" + Long.toHexString(System.nanoTime());
    private static final ViewCatalog VIEWS = SeededCells.views();
    private static final List<TestEvent> EVENTS = SeededCells.events();
    private static final BucketRange HOURS = new BucketRange(Granularity.HOUR, SeededCells.FROM, SeededCells.TO);

    private static CqlSession session;
    private static LambdaStore store;
    private static LayerGuards guards;

    private SimpleMeterRegistry meters;
    private BatchCellCache cache;
    private BatchSpeedMerge merge;

    @BeforeAll
    static void seed() {
        RealServers servers = RealServers.get();
        session = CqlSession.builder()
                .addContactPoint(new InetSocketAddress(servers.cassandraHost(), servers.cassandraPort()))
                .withLocalDatacenter(servers.cassandraDatacenter())
                // schema changes on a shared, busy test server can take longer than the default 2 s
                .withConfigLoader(DriverConfigLoader.programmaticBuilder()
                        .withDuration(DefaultDriverOption.REQUEST_TIMEOUT, Duration.ofSeconds(30))
                        .build())
                .build();
        store = LambdaStore.open(session, new StoreSettings(KEYSPACE, 1, "default"));
        SeededCells.write(store, VIEWS, EVENTS);
        guards = new LayerGuards(layers(), new SimpleMeterRegistry());
    }

    @AfterAll
    static void close() {
        guards.close();
        session.execute("DROP KEYSPACE IF EXISTS " + KEYSPACE);
        session.close();
    }

    @BeforeEach
    void mergeOverAFreshCache() {
        merge = mergeOver(store);
    }

    private BatchSpeedMerge mergeOver(LambdaStore over) {
        return mergeOver(over, Duration.ZERO);
    }

    private BatchSpeedMerge mergeOver(LambdaStore over, Duration catalogMaxAge) {
        meters = new SimpleMeterRegistry();
        cache = new BatchCellCache(16 << 20, meters);
        LayerReads reads = new LayerReads(over, guards.get(Layer.CATALOG), guards.get(Layer.BATCH),
                guards.get(Layer.SPEED), new CassandraSpeedReads(over, guards.get(Layer.SPEED)), cache, catalogMaxAge);
        return new BatchSpeedMerge(reads, SeededCells.EPOCHS, SpeedProgress.UNKNOWN, meters);
    }

    @Test
    void everyMeasureEqualsTheOracleWhicheverVersionIsPublished() {
        for (long version = 1; version <= 3; version++) {
            SeededCells.publish(store, version);
            assertEveryViewMatchesTheOracle(store, version);
        }
    }

    @Test
    void beforeTheFirstPublishTheSpeedLayerAloneGivesTheWholeAnswer() {
        // another deployment's catalog over the same cells: nothing published there
        LambdaStore unpublished = LambdaStore.open(session, new StoreSettings(KEYSPACE, 1, "unpublished"));
        merge = mergeOver(unpublished);
        assertEveryViewMatchesTheOracle(unpublished, 0);
        assertThat(merge.series(VIEWS.get("pageviews"), "/home", HOURS).provenance().batchCut()).isNull();
    }

    @Test
    void aSpeedAnswerThatLacksPartitionsIsPartialAndNamesThemButStillCountsWhatItRead() {
        SeededCells.publish(store, 2);
        SpeedReads cassandra = new CassandraSpeedReads(store, guards.get(Layer.SPEED));
        // engine streams while partitions 1 and 4 restore: what answered is folded, the rest is named
        SpeedReads restoring = new SpeedReads() {
            @Override
            public CompletableFuture<Slice<Map<Long, Object>>> series(ViewDefinition view, String key,
                                                                     BucketRange range, long fromEpoch) {
                return cassandra.series(view, key, range, fromEpoch).thenApply(s -> new Slice<>(s.cells(), List.of(1, 4)));
            }

            @Override
            public CompletableFuture<Slice<Map<String, Object>>> top(ViewDefinition view, BucketRange range,
                                                                    long fromEpoch) {
                return cassandra.top(view, range, fromEpoch).thenApply(s -> new Slice<>(s.cells(), List.of(1, 4)));
            }

            @Override
            public CompletableFuture<Slice<List<String>>> keys(ViewDefinition view, BucketRange range, String from,
                                                              int limit) {
                return cassandra.keys(view, range, from, limit).thenApply(s -> new Slice<>(s.cells(), List.of(1, 4)));
            }
        };
        meters = new SimpleMeterRegistry();
        LayerReads reads = new LayerReads(store, guards.get(Layer.CATALOG), guards.get(Layer.BATCH),
                guards.get(Layer.SPEED), restoring, new BatchCellCache(16 << 20, meters), Duration.ZERO);
        BatchSpeedMerge restoringMerge = new BatchSpeedMerge(reads, SeededCells.EPOCHS, SpeedProgress.UNKNOWN, meters);
        ViewDefinition pageviews = VIEWS.get("pageviews");

        BatchSpeedMerge.MergedSeries series = restoringMerge.series(pageviews, "/home", HOURS);
        BatchSpeedMerge.MergedTop top = restoringMerge.top(pageviews, HOURS, 4, 1000);

        for (Provenance provenance : List.of(series.provenance(), top.provenance())) {
            assertThat(provenance.partial()).isTrue();
            assertThat(provenance.warnings()).singleElement().asString().contains("partitions [1, 4]");
        }
        // the cells that were read are still in it: the same values as the complete merge
        assertThat(results(pageviews, series)).isEqualTo(results(pageviews, merge.series(pageviews, "/home", HOURS)));
        assertThat(top.items()).isEqualTo(merge.top(pageviews, HOURS, 4, 1000).items());
        assertThat(meters.counter("lambda.query.partial.answers", "view", "pageviews", "missing", "speed").count())
                .isEqualTo(2);
    }

    @Test
    void emptyBucketsAreZeroForCountSumDistinctAndNullForMinMax() {
        SeededCells.publish(store, 2);
        for (String name : List.of("pageviews", "revenue", "visitors", "min_order", "max_order")) {
            ViewDefinition view = VIEWS.get(name);
            BatchSpeedMerge.MergedSeries merged = merge.series(view, "/home", HOURS);
            Object six = merged.buckets().get(SeededCells.FROM);
            Double expected = name.endsWith("_order") ? null : 0.0;
            assertThat(view.cellMeasure().result(six)).as(name).isEqualTo(expected);
            assertThat(merged.buckets()).hasSize(8);
        }
    }

    @Test
    void aDistinctTotalIsTheUnionOfTheBucketsNotTheSumOfTheirCounts() {
        SeededCells.publish(store, 1);
        ViewDefinition visitors = VIEWS.get("visitors");
        Measure<Object> measure = visitors.cellMeasure();
        BatchSpeedMerge.MergedSeries merged = merge.series(visitors, "/home", HOURS);

        double sumOfBuckets = merged.buckets().values().stream().mapToDouble(v -> measure.result(v)).sum();
        Double total = measure.result(merged.total());
        assertThat(total).isEqualTo(SeededCells.expected(visitors, EVENTS, "/home", HOURS.from(), HOURS.to()));
        assertThat(total).isLessThan(sumOfBuckets);
    }

    @Test
    void lateEventsAreCountedInTheirOwnOldBucket() {
        SeededCells.publish(store, 1);
        BucketRange dayBefore = new BucketRange(Granularity.DAY, SeededCells.DAY.minus(Duration.ofDays(1)),
                SeededCells.DAY.plus(Duration.ofDays(1)));
        ViewDefinition pageviews = VIEWS.get("pageviews");
        BatchSpeedMerge.MergedSeries merged = merge.series(pageviews, "/cart", dayBefore);
        Map<Instant, Double> expected = SeededCells.expectedSeries(pageviews, EVENTS, "/cart", dayBefore);
        assertThat(results(pageviews, merged)).isEqualTo(expected);
        assertThat(expected.get(dayBefore.from())).isPositive();
    }

    @Test
    void topNFoldsEachKeyOverTheRangeAndRanksByValueThenKey() {
        SeededCells.publish(store, 2);
        for (ViewDefinition view : VIEWS.views()) {
            BatchSpeedMerge.MergedTop top = merge.top(view, HOURS, 4, 1000);
            List<Map.Entry<String, Double>> expected = SeededCells.expectedTop(view, EVENTS, HOURS.from(), HOURS.to(), 4);
            assertThat(top.items()).as(view.name())
                    .extracting(BatchSpeedMerge.Ranked::key, BatchSpeedMerge.Ranked::value)
                    .containsExactlyElementsOf(expected.stream()
                            .map(e -> org.assertj.core.groups.Tuple.tuple(e.getKey(), e.getValue())).toList());
        }
        // a day folded from its hours, and the same day read as one day bucket, rank alike
        BucketRange day = new BucketRange(Granularity.DAY, SeededCells.DAY, SeededCells.DAY.plus(Duration.ofDays(1)));
        BucketRange dayInHours = new BucketRange(Granularity.HOUR, day.from(), day.to());
        ViewDefinition visitors = VIEWS.get("visitors");
        assertThat(merge.top(visitors, day, 6, 1000).items()).isEqualTo(merge.top(visitors, dayInHours, 6, 1000).items());
    }

    @Test
    void topNTiesAreBrokenByKeyAscending() {
        SeededCells.publish(store, 3);
        // max_order over the late hour: every key's single largest amount; equal counts in pageviews
        BucketRange oneHour = new BucketRange(Granularity.HOUR, SeededCells.DAY.minus(Duration.ofHours(10)),
                SeededCells.DAY.minus(Duration.ofHours(9)));
        ViewDefinition pageviews = VIEWS.get("pageviews");
        List<BatchSpeedMerge.Ranked> items = merge.top(pageviews, oneHour, 10, 1000).items();
        for (int i = 1; i < items.size(); i++) {
            BatchSpeedMerge.Ranked before = items.get(i - 1);
            BatchSpeedMerge.Ranked after = items.get(i);
            assertThat(before.value()).isGreaterThanOrEqualTo(after.value());
            if (before.value().equals(after.value())) {
                assertThat(before.key()).isLessThan(after.key());
            }
        }
        assertThat(items).extracting(BatchSpeedMerge.Ranked::key, BatchSpeedMerge.Ranked::value)
                .containsExactlyElementsOf(SeededCells.expectedTop(pageviews, EVENTS, oneHour.from(), oneHour.to(), 10)
                        .stream().map(e -> org.assertj.core.groups.Tuple.tuple(e.getKey(), e.getValue())).toList());
    }

    @Test
    void topNRefusesMoreKeysThanItFoldsExactly() {
        SeededCells.publish(store, 1);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> merge.top(VIEWS.get("pageviews"), HOURS, 3, 2))
                .isInstanceOf(BadQueryException.class)
                .hasMessageContaining("more than 2 keys");
    }

    @Test
    void answersStayExactWhilePublishesMoveTheCutUnderConcurrentQueries() throws Exception {
        publishUnderConcurrentQueries();
    }

    @Test
    void answersStayExactWhenQueriesShareACatalogRead() throws Exception {
        merge = mergeOver(store, Duration.ofMillis(250));
        publishUnderConcurrentQueries();
    }

    private void publishUnderConcurrentQueries() throws Exception {
        SeededCells.publish(store, 1);
        List<String> views = List.of("pageviews", "revenue", "visitors", "min_order", "max_order");
        Map<String, Map<Instant, Double>> expectedSeries = new ConcurrentHashMap<>();
        Map<String, List<Map.Entry<String, Double>>> expectedTop = new ConcurrentHashMap<>();
        for (String name : views) {
            for (String key : SeededCells.KEYS) {
                expectedSeries.put(name + key, SeededCells.expectedSeries(VIEWS.get(name), EVENTS, key, HOURS));
            }
            expectedTop.put(name, SeededCells.expectedTop(VIEWS.get(name), EVENTS, HOURS.from(), HOURS.to(), 6));
        }

        AtomicBoolean running = new AtomicBoolean(true);
        ConcurrentLinkedQueue<String> wrong = new ConcurrentLinkedQueue<>();
        Set<Long> versionsSeen = ConcurrentHashMap.newKeySet();
        // versions answered since the latest publish: each publish must become visible, even when the
        // catalog read is shared for a while and many answers still come from the version before
        AtomicReference<Set<Long>> versionsSinceLastPublish =
                new AtomicReference<>(ConcurrentHashMap.newKeySet());
        AtomicLong answers = new AtomicLong();
        ExecutorService queriers = Executors.newFixedThreadPool(4);
        List<Future<?>> loops = new ArrayList<>();
        for (int q = 0; q < 4; q++) {
            loops.add(queriers.submit(() -> {
                ThreadLocalRandom random = ThreadLocalRandom.current();
                while (running.get()) {
                    ViewDefinition view = VIEWS.get(views.get(random.nextInt(views.size())));
                    if (random.nextInt(4) == 0) {
                        BatchSpeedMerge.MergedTop top = merge.top(view, HOURS, 6, 1000);
                        List<Map.Entry<String, Double>> got = top.items().stream()
                                .map(r -> Map.entry(r.key(), r.value())).toList();
                        if (!got.equals(expectedTop.get(view.name()))) {
                            wrong.add("top " + view.name() + " at " + top.provenance() + ": " + got);
                        }
                        versionsSeen.add(top.provenance().batchVersion());
                        versionsSinceLastPublish.get().add(top.provenance().batchVersion());
                    } else {
                        String key = SeededCells.KEYS.get(random.nextInt(SeededCells.KEYS.size()));
                        BatchSpeedMerge.MergedSeries merged = merge.series(view, key, HOURS);
                        Map<Instant, Double> got = results(view, merged);
                        if (!got.equals(expectedSeries.get(view.name() + key))) {
                            wrong.add("series " + view.name() + " " + key + " at " + merged.provenance() + ": " + got);
                        }
                        versionsSeen.add(merged.provenance().batchVersion());
                        versionsSinceLastPublish.get().add(merged.provenance().batchVersion());
                    }
                    answers.incrementAndGet();
                }
                return null;
            }));
        }
        try {
            // publish forward and roll back, several times, each while queries are in flight
            long[] sequence = {2, 3, 1, 3, 2, 1, 2, 3};
            for (long version : sequence) {
                long before = answers.get();
                SeededCells.publish(store, version);
                versionsSinceLastPublish.set(ConcurrentHashMap.newKeySet());
                org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30))
                        .until(() -> answers.get() >= before + 40
                                && versionsSinceLastPublish.get().contains(version));
            }
        } finally {
            running.set(false);
            for (Future<?> loop : loops) {
                loop.get(30, TimeUnit.SECONDS);
            }
            queriers.shutdown();
        }
        assertThat(wrong).as("answers that differ from the oracle").isEmpty();
        assertThat(versionsSeen).containsExactlyInAnyOrder(1L, 2L, 3L);
        assertThat(answers.get()).isGreaterThan(300);
    }

    @Test
    void batchReadsAreCachedPerVersionAndDroppedWhenAnotherIsPublished() {
        SeededCells.publish(store, 1);
        ViewDefinition revenue = VIEWS.get("revenue");
        merge.series(revenue, "/home", HOURS);
        merge.series(revenue, "/home", HOURS);
        assertThat(meters.get("cache.gets").tag("cache", "lambda.query.batch-cells").tag("result", "hit")
                .functionCounter().count()).isEqualTo(1);
        assertThat(cache.size()).isEqualTo(1);

        SeededCells.publish(store, 2);
        merge.series(revenue, "/cart", HOURS);
        assertThat(cache.size()).as("only version 2's read is left").isEqualTo(1);
        assertThat(cache.<Long>get(new BatchCellCache.SeriesRead("revenue", 1, Granularity.HOUR, "/home",
                HOURS.from().toEpochMilli(), HOURS.to().toEpochMilli()))).isNull();
        assertThat(cache.<Long>get(new BatchCellCache.SeriesRead("revenue", 2, Granularity.HOUR, "/cart",
                HOURS.from().toEpochMilli(), HOURS.to().toEpochMilli()))).isNotNull();
    }

    private void assertEveryViewMatchesTheOracle(LambdaStore over, long version) {
        PublishedVersion published = over.catalog().current();
        assertThat(published.version()).isEqualTo(version);
        for (ViewDefinition view : VIEWS.views()) {
            for (String key : SeededCells.KEYS) {
                BatchSpeedMerge.MergedSeries merged = merge.series(view, key, HOURS);
                String what = view.name() + " " + key + " at version " + version;
                assertThat(results(view, merged)).as(what)
                        .isEqualTo(SeededCells.expectedSeries(view, EVENTS, key, HOURS));
                assertThat(view.cellMeasure().result(merged.total())).as(what + " total")
                        .isEqualTo(SeededCells.expected(view, EVENTS, key, HOURS.from(), HOURS.to()));
                assertThat(merged.provenance().batchVersion()).isEqualTo(version == 0 ? null : version);
                assertThat(merged.provenance().partial()).isFalse();
            }
        }
    }

    private static Map<Instant, Double> results(ViewDefinition view, BatchSpeedMerge.MergedSeries merged) {
        Map<Instant, Double> results = new java.util.LinkedHashMap<>();
        merged.buckets().forEach((start, value) -> results.put(start, view.cellMeasure().result(value)));
        return results;
    }

    static QueryProperties.Layers layers() {
        QueryProperties.Layer layer = new QueryProperties.Layer(Duration.ofSeconds(5), 8, 500, 50, 20, 10,
                Duration.ofSeconds(1));
        return new QueryProperties.Layers(layer, layer, layer);
    }
}
