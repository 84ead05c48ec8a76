package io.lambda.speed.streams;

import io.lambda.core.cell.Aggregator;
import io.lambda.core.event.EventCodec;
import io.lambda.store.trace.ConsumedTraces;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.WindowStore;

/**
 * The speed layer as a Kafka Streams topology: the events topic, one processor ({@link CellFolder}),
 * its five stores, and the dead-letter topic. No repartition: the topic is keyed by {@code eventId},
 * so one task (= one partition of the events topic) owns its events, their repeats and their cells.
 * Every store is changelogged, so under {@code exactly_once_v2} the stores, the dead letters and the
 * input offsets of a task commit in one transaction.
 */
public final class SpeedTopology {

    static final String SOURCE = "events";
    static final String PROCESSOR = "cells";
    static final String DEAD_LETTERS = "dead-letters";

    /** Recent event ids (window store by ingest time): the dedup window. */
    public static final String EVENT_IDS = "speed-event-ids";
    /** Cells by {@code view, granularity, key, bucket, epoch}: series. */
    public static final String CELLS_BY_SERIES = "speed-cells-by-series";
    /** Cells by {@code view, granularity, bucket, key, epoch}: the keys and top-N of a bucket. */
    public static final String CELLS_BY_BUCKET = "speed-cells-by-bucket";
    /** Every cell under its ingest epoch: what expiry deletes. */
    public static final String CELLS_BY_EPOCH = "speed-cells-by-epoch";
    /** Per partition: ingest time applied through, next offset, the epoch below which cells are expired. */
    public static final String PROGRESS = "speed-progress";

    /** What the topology needs to be built. */
    public record Settings(String topic, Duration dedupMaxAge, Duration sweepInterval, boolean expiryEnabled) {
    }

    private SpeedTopology() {
    }

    public static Topology build(Settings settings, Aggregator aggregator, EventCodec codec, PublishedCuts cuts,
                                 MeterRegistry meters, ConsumedTraces traces) {
        CellFolder.Counters counters = new CellFolder.Counters(meters);
        Topology topology = new Topology();
        topology.addSource(SOURCE, Serdes.String().deserializer(), Serdes.ByteArray().deserializer(), settings.topic());
        topology.addProcessor(PROCESSOR, () -> new CellFolder(settings, aggregator, codec, cuts, counters, traces), SOURCE);
        // The window must hold ids for at least max-age; a segment is dropped whole, so ids may stay a little
        // longer. Not cached: every id is written once, so a cache coalesces nothing, and a cached window
        // fetch copies the cache's keys of the range into a TreeSet on every record (a tenth of the stream
        // thread's time in a profile of the integration test).
        Duration retention = settings.dedupMaxAge().compareTo(Duration.ofMinutes(1)) < 0
                ? Duration.ofMinutes(1) : settings.dedupMaxAge();
        StoreBuilder<WindowStore<String, Long>> ids = Stores.windowStoreBuilder(
                Stores.persistentWindowStore(EVENT_IDS, retention, Duration.ofMillis(1), false),
                Serdes.String(), Serdes.Long());
        topology.addStateStore(ids, PROCESSOR);
        topology.addStateStore(cached(CELLS_BY_SERIES), PROCESSOR);
        topology.addStateStore(cached(CELLS_BY_BUCKET), PROCESSOR);
        topology.addStateStore(cached(CELLS_BY_EPOCH), PROCESSOR);
        topology.addStateStore(cached(PROGRESS), PROCESSOR);
        topology.addSink(DEAD_LETTERS, deadLetterTopic(settings.topic()), Serdes.String().serializer(),
                Serdes.ByteArray().serializer(), PROCESSOR);
        return topology;
    }

    /** Where undecodable records go: the same topic as engine {@code writer} uses. */
    public static String deadLetterTopic(String topic) {
        return topic + ".dlt";
    }

    /** Changelogged (the default) and cached: a hot cell is written to RocksDB and its changelog once per commit. */
    private static StoreBuilder<KeyValueStore<Bytes, byte[]>> cached(String name) {
        return Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(name), Serdes.Bytes(), Serdes.ByteArray())
                .withCachingEnabled();
    }
}
