package io.lambda.speed.streams;

import static org.assertj.core.api.Assertions.assertThat;

import io.lambda.core.cell.Aggregator;
import io.lambda.core.cell.CellKey;
import io.lambda.core.event.Event;
import io.lambda.core.event.EventCodec;
import io.lambda.store.trace.ConsumedTraces;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import io.lambda.core.measure.Measure;
import io.lambda.core.time.IngestEpoch;
import io.lambda.core.view.ViewCatalog;
import io.lambda.speed.SeededStream;
import io.lambda.store.PublishedVersion;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The engine-{@code streams} topology on Kafka Streams' test driver: cells equal lambda-core's fold of
 * the distinct events (repeats, late events, a repeat minutes after its original), poison goes to the
 * dead-letter topic without stopping the partition, and expiry deletes only absorbed epochs after grace.
 */
class SpeedTopologyTests {

    private static final String TOPIC = "lambda.events.v1";
    private static final IngestEpoch EPOCHS = IngestEpoch.ofMinutes(5);
    private static final Duration GRACE = Duration.ofHours(1);
    private static final Duration SWEEP = Duration.ofMinutes(1);

    @TempDir
    Path stateDir;

    private final ViewCatalog views = ViewCatalog.defaults();
    private final Aggregator aggregator = new Aggregator(views, EPOCHS);
    private final PublishedCuts cuts = new PublishedCuts(EPOCHS, GRACE);
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    /** The observations the topology starts (an ingest request's trace going on in the speed layer). */
    private final List<String> observed = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final ObservationRegistry observations = ObservationRegistry.create();
    private TopologyTestDriver driver;

    {
        observations.observationConfig().observationHandler(new ObservationHandler<>() {
            @Override
            public boolean supportsContext(Observation.Context context) {
                return true;
            }

            @Override
            public void onStart(Observation.Context context) {
                observed.add(context.getName());
            }
        });
    }

    private TopologyTestDriver driver(Instant wallClock) {
        Properties config = new Properties();
        config.put(StreamsConfig.APPLICATION_ID_CONFIG, "speed-topology-tests");
        config.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        config.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        config.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        SpeedTopology.Settings settings = new SpeedTopology.Settings(TOPIC, Duration.ofMinutes(10), SWEEP, true);
        driver = new TopologyTestDriver(SpeedTopology.build(settings, aggregator, new EventCodec(), cuts, meters,
                new ConsumedTraces(observations, "lambda.speed.apply")),
                config, wallClock);
        return driver;
    }

    @AfterEach
    void close() {
        if (driver != null) {
            driver.close();
        }
    }

    private TestInputTopic<String, byte[]> events() {
        return driver.createInputTopic(TOPIC, Serdes.String().serializer(), Serdes.ByteArray().serializer());
    }

    @Test
    void aSampledIngestTraceGoesOnWhereItsRecordIsAppliedAndUntracedRecordsStartNothing() {
        Instant now = Instant.now();
        driver(now);
        EventCodec codec = new EventCodec();
        SeededStream stream = new SeededStream(3, 4, 0, 0, now);
        List<Event> events = stream.distinctEvents();
        TestInputTopic<String, byte[]> input = events();
        input.pipeInput(new TestRecord<>(events.get(0).eventId(), codec.encode(events.get(0)), now));
        assertThat(observed).isEmpty();

        // ingest's EventPublisher writes the request's span as a W3C traceparent on every record
        RecordHeaders sampled = new RecordHeaders();
        sampled.add("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01".getBytes(StandardCharsets.UTF_8));
        input.pipeInput(new TestRecord<>(events.get(1).eventId(), codec.encode(events.get(1)), sampled, now));

        assertThat(observed).containsExactly("lambda.speed.apply");
        assertThat(counter("applied")).isEqualTo(2);
    }

    @Test
    void cellsEqualTheFoldOfTheDistinctEventsWithRepeatsAndLateEvents() {
        Instant now = Instant.now();
        driver(now);
        SeededStream stream = new SeededStream(7, 1200, 0.15, 0, now);
        TestInputTopic<String, byte[]> events = events();
        long ingest = now.toEpochMilli();
        Random random = new Random(7);
        EventCodec codec = new EventCodec();
        List<Event> distinct = stream.distinctEvents();
        for (SeededStream.Item item : stream.items()) {
            ingest += random.nextInt(400); // ingest times spread over several epochs
            events.pipeInput(new TestRecord<>(item.key(), item.value(), Instant.ofEpochMilli(ingest)));
        }
        // a repeat 8 minutes (of ingest time) after the last record, within max-age (10 min) of its original
        Event early = distinct.get(distinct.size() - 1);
        ingest += Duration.ofMinutes(8).toMillis();
        events.pipeInput(new TestRecord<>(early.eventId(), codec.encode(early), Instant.ofEpochMilli(ingest)));

        Map<CellKey, Double> expected = stream.expected(aggregator, now);
        assertThat(results(SpeedTopology.CELLS_BY_SERIES, true)).isEqualTo(expected);
        assertThat(results(SpeedTopology.CELLS_BY_BUCKET, false)).as("the bucket store agrees").isEqualTo(expected);
        assertThat(counter("duplicate")).isEqualTo(stream.repeats() + 1);
        assertThat(counter("applied")).isEqualTo(distinct.size());
        assertThat(epochsOf(SpeedTopology.CELLS_BY_SERIES).size()).as("cells of several ingest epochs").isGreaterThan(1);
    }

    @Test
    void poisonRecordsGoToTheDeadLetterTopicAndTheRecordsAfterThemAreApplied() {
        Instant now = Instant.now();
        driver(now);
        SeededStream stream = new SeededStream(11, 200, 0.0, 12, now);
        TestInputTopic<String, byte[]> events = events();
        TestOutputTopic<String, byte[]> deadLetters = driver.createOutputTopic(TOPIC + ".dlt",
                Serdes.String().deserializer(), Serdes.ByteArray().deserializer());
        long ingest = now.toEpochMilli();
        for (SeededStream.Item item : stream.items()) {
            events.pipeInput(new TestRecord<>(item.key(), item.value(), Instant.ofEpochMilli(ingest++)));
        }

        List<TestRecord<String, byte[]>> dead = deadLetters.readRecordsToList();
        assertThat(dead).extracting(TestRecord::key)
                .containsExactlyElementsOf(stream.poison().stream().map(SeededStream.Item::key).toList());
        assertThat(dead).allSatisfy(record -> {
            assertThat(header(record, CellFolder.REASON_HEADER)).isNotBlank();
            assertThat(header(record, "kafka_dlt-original-topic")).isEqualTo(TOPIC);
        });
        assertThat(dead).anySatisfy(record -> assertThat(header(record, CellFolder.REASON_HEADER))
                .contains("unknown event format version 2"));
        assertThat(results(SpeedTopology.CELLS_BY_SERIES, true)).isEqualTo(stream.expected(aggregator, now));
        assertThat(counter("dead_lettered")).isEqualTo(12);
    }

    @Test
    void expiryDeletesOnlyEpochsBelowTheCutAndOnlyAfterTheGrace() {
        Instant wall = Instant.parse("2026-12-07T10:00:00Z");
        driver(wall);
        TestInputTopic<String, byte[]> events = events();
        EventCodec codec = new EventCodec();
        long firstEpoch = EPOCHS.epochOf(wall.toEpochMilli()) - 3;
        for (int e = 0; e < 3; e++) { // one pageview in each of three epochs
            long ingest = EPOCHS.startMillis(firstEpoch + e) + 1000;
            Event event = new Event("x-" + e, "pageview", Instant.ofEpochMilli(ingest), Map.of("url", "/a", "userId", "u"));
            events.pipeInput(new TestRecord<>(event.eventId(), codec.encode(event), Instant.ofEpochMilli(ingest)));
        }
        assertThat(epochsOf(SpeedTopology.CELLS_BY_SERIES)).containsOnly(firstEpoch, firstEpoch + 1, firstEpoch + 2);

        // the batch publishes a cut at the start of the third epoch; this instance sees it now
        cuts.observe(new PublishedVersion(4, Instant.ofEpochMilli(EPOCHS.startMillis(firstEpoch + 2))), wall.toEpochMilli());
        driver.advanceWallClockTime(GRACE.minus(SWEEP));
        assertThat(epochsOf(SpeedTopology.CELLS_BY_SERIES)).as("within the grace nothing goes")
                .containsOnly(firstEpoch, firstEpoch + 1, firstEpoch + 2);

        driver.advanceWallClockTime(SWEEP.multipliedBy(2));
        assertThat(epochsOf(SpeedTopology.CELLS_BY_SERIES)).containsOnly(firstEpoch + 2);
        assertThat(epochsOf(SpeedTopology.CELLS_BY_BUCKET)).containsOnly(firstEpoch + 2);
        assertThat(count(SpeedTopology.CELLS_BY_EPOCH)).isEqualTo(count(SpeedTopology.CELLS_BY_SERIES));
        assertThat(meters.get("lambda.speed.expired.cells").counter().count()).isEqualTo(2 * 6); // 2 views × 3 granularities

        // a (replayed) record of an absorbed epoch is in the batch: not applied again
        long late = EPOCHS.startMillis(firstEpoch + 1) + 5000;
        Event replayed = new Event("x-late", "pageview", Instant.ofEpochMilli(late), Map.of("url", "/a", "userId", "u"));
        events.pipeInput(new TestRecord<>(replayed.eventId(), codec.encode(replayed), Instant.ofEpochMilli(late)));
        assertThat(counter("absorbed")).isEqualTo(1);
        assertThat(epochsOf(SpeedTopology.CELLS_BY_SERIES)).containsOnly(firstEpoch + 2);
    }

    /** Every cell of a cell store, folded over epochs, as the answers a query gives. */
    private Map<CellKey, Double> results(String storeName, boolean series) {
        Map<CellKey, Object> cells = new HashMap<>();
        KeyValueStore<Bytes, byte[]> store = driver.getKeyValueStore(storeName);
        try (KeyValueIterator<Bytes, byte[]> all = store.all()) {
            while (all.hasNext()) {
                KeyValue<Bytes, byte[]> row = all.next();
                StoreKeys.Parts parts = series ? StoreKeys.readSeries(row.key.get()) : StoreKeys.readBucket(row.key.get());
                CellKey cell = new CellKey(parts.view(), parts.key(), parts.granularity(), parts.bucketMillis());
                Measure<Object> measure = aggregator.measureOf(cell);
                cells.merge(cell, measure.decode(row.value), measure::plusInto);
            }
        }
        return aggregator.results(cells);
    }

    private List<Long> epochsOf(String storeName) {
        List<Long> epochs = new ArrayList<>();
        KeyValueStore<Bytes, byte[]> store = driver.getKeyValueStore(storeName);
        try (KeyValueIterator<Bytes, byte[]> all = store.all()) {
            all.forEachRemaining(row -> epochs.add(StoreKeys.epochOfCell(row.key.get())));
        }
        return epochs;
    }

    private long count(String storeName) {
        KeyValueStore<Bytes, byte[]> store = driver.getKeyValueStore(storeName);
        try (KeyValueIterator<Bytes, byte[]> all = store.all()) {
            long n = 0;
            while (all.hasNext()) {
                all.next();
                n++;
            }
            return n;
        }
    }

    private long counter(String outcome) {
        return (long) meters.get("lambda.speed.events").tag("outcome", outcome).counter().count();
    }

    private static String header(TestRecord<?, ?> record, String name) {
        var header = record.headers().lastHeader(name);
        return header == null ? "" : new String(header.value(), StandardCharsets.UTF_8);
    }
}
