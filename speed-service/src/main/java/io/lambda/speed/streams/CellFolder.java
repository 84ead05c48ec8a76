package io.lambda.speed.streams;

import io.lambda.core.cell.Aggregator;
import io.lambda.core.cell.SpeedCellKey;
import io.lambda.core.event.Event;
import io.lambda.core.event.EventCodec;
import io.lambda.core.event.EventDecodingException;
import io.lambda.core.event.IngestedEvent;
import io.lambda.core.measure.Measure;
import io.lambda.core.time.IngestEpoch;
import io.lambda.store.trace.ConsumedTraces;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.WindowStore;
import org.apache.kafka.streams.state.WindowStoreIterator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One task's speed layer: folds each record of its partition into the task's cell stores through
 * lambda-core's {@link Aggregator}, exactly once because the stores, the dead letters and the input
 * offset commit together ({@code exactly_once_v2}). Per record, in offset order:
 * <ol>
 * <li>not decodable by lambda-core's {@link EventCodec}: forwarded to the dead-letter topic with the reason
 *     (in the same transaction), and the partition moves on;</li>
 * <li>its {@code eventId} in the window of recent ids (ingest time within {@code lambda.speed.dedup.max-age}):
 *     a duplicate, not applied. The window is a changelogged store, so a crash does not reopen it;</li>
 * <li>its ingest epoch below the expiry horizon: absorbed by the batch, not applied;</li>
 * <li>else each cell it belongs to becomes {@code stored ⊕ delta}, written to the series store, the bucket
 *     store and (for a new cell) the epoch index: three stores of one task, one transaction, never disagreeing.</li>
 * </ol>
 * A wall-clock punctuator deletes the cells of epochs below {@link PublishedCuts#deleteBelow}.
 */
final class CellFolder implements Processor<String, byte[], String, byte[]> {

    private static final Logger log = LoggerFactory.getLogger(CellFolder.class);

    static final String REASON_HEADER = "lambda-dlt-reason";
    static final Bytes THROUGH = Bytes.wrap("through".getBytes(StandardCharsets.US_ASCII));
    static final Bytes EXPIRED_BELOW = Bytes.wrap("expired-below".getBytes(StandardCharsets.US_ASCII));
    private static final byte[] PRESENT = new byte[0];
    private static final int RECENT_CELLS = 20_000;

    /** The meters every task counts into. */
    record Counters(Counter applied, Counter duplicate, Counter duplicates, Counter absorbed, Counter deadLettered,
                    Counter expired, Timer freshness, Timer lateness) {
        Counters(MeterRegistry meters) {
            this(meters.counter("lambda.speed.events", "outcome", "applied"),
                    meters.counter("lambda.speed.events", "outcome", "duplicate"),
                    Counter.builder("lambda.speed.duplicates")
                            .description("events not applied because their id is in the partition's dedup window")
                            .register(meters),
                    meters.counter("lambda.speed.events", "outcome", "absorbed"),
                    meters.counter("lambda.speed.events", "outcome", "dead_lettered"),
                    Counter.builder("lambda.speed.expired.cells")
                            .description("speed cells deleted after the batch absorbed their epoch").register(meters),
                    // interactive queries read the stores as processed: applied is queryable
                    Timer.builder("lambda.speed.freshness")
                            .description("ingest time (broker stamp) to the event being applied to the stores, where "
                                    + "interactive queries read it")
                            .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1))
                            .maximumExpectedValue(Duration.ofMinutes(10)).register(meters),
                    Timer.builder("lambda.speed.lateness")
                            .description("how late events arrive: ingest time minus event time")
                            .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1))
                            .maximumExpectedValue(Duration.ofDays(400)).register(meters));
        }
    }

    private final SpeedTopology.Settings settings;
    private final Aggregator aggregator;
    private final IngestEpoch epochs;
    private final EventCodec codec;
    private final PublishedCuts cuts;
    private final Counters counters;
    private final long maxAgeMillis;

    private final ConsumedTraces traces;
    private ProcessorContext<String, byte[]> context;
    private WindowStore<String, Long> eventIds;
    private KeyValueStore<Bytes, byte[]> bySeries;
    private KeyValueStore<Bytes, byte[]> byBucket;
    private KeyValueStore<Bytes, byte[]> byEpoch;
    private KeyValueStore<Bytes, byte[]> progress;
    /**
     * The values of the cells written last, decoded: what the series store holds for them, since this
     * processor is the only writer of its task's stores (restoration happens before {@link #init}). Saves
     * the store read and the decode of a hot cell; emptied on init, close and expiry.
     */
    private final Map<Bytes, Object> recent = new java.util.LinkedHashMap<>(1024, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Bytes, Object> eldest) {
            return size() > RECENT_CELLS;
        }
    };
    /** Records of epochs below this are in the published batch and their cells expired: not applied. */
    private long expiredBelow = Long.MIN_VALUE;
    private long through = Long.MIN_VALUE;

    CellFolder(SpeedTopology.Settings settings, Aggregator aggregator, EventCodec codec, PublishedCuts cuts,
               Counters counters, ConsumedTraces traces) {
        this.traces = traces;
        this.settings = settings;
        this.aggregator = aggregator;
        this.epochs = aggregator.epochs();
        this.codec = codec;
        this.cuts = cuts;
        this.counters = counters;
        this.maxAgeMillis = settings.dedupMaxAge().toMillis();
    }

    @Override
    public void init(ProcessorContext<String, byte[]> context) {
        this.context = context;
        recent.clear();
        this.eventIds = context.getStateStore(SpeedTopology.EVENT_IDS);
        this.bySeries = context.getStateStore(SpeedTopology.CELLS_BY_SERIES);
        this.byBucket = context.getStateStore(SpeedTopology.CELLS_BY_BUCKET);
        this.byEpoch = context.getStateStore(SpeedTopology.CELLS_BY_EPOCH);
        this.progress = context.getStateStore(SpeedTopology.PROGRESS);
        byte[] horizon = progress.get(EXPIRED_BELOW);
        if (horizon != null) {
            expiredBelow = ByteBuffer.wrap(horizon).getLong();
        }
        byte[] applied = progress.get(THROUGH);
        if (applied != null) {
            through = ByteBuffer.wrap(applied).getLong();
        }
        if (settings.expiryEnabled()) {
            context.schedule(settings.sweepInterval(), PunctuationType.WALL_CLOCK_TIME, this::expire);
        }
    }

    @Override
    public void process(Record<String, byte[]> record) {
        RecordMetadata metadata = context.recordMetadata().orElseThrow();
        long ingestTime = record.timestamp();
        try {
            if (traces.continues(record.headers())) {
                // a sampled ingest request's trace goes on here, as in the writer's listener (ConsumedTraces);
                // ingest stamps every record, so only sampled ones are worth the wrapping
                traces.applying(List.of(consumerRecord(record, metadata)), () -> apply(record, metadata, ingestTime));
            } else {
                apply(record, metadata, ingestTime);
            }
        } finally {
            through = Math.max(through, ingestTime);
            progress.put(THROUGH, ByteBuffer.allocate(16).putLong(through).putLong(metadata.offset() + 1).array());
        }
    }

    private static ConsumerRecord<String, byte[]> consumerRecord(Record<String, byte[]> record, RecordMetadata metadata) {
        return new ConsumerRecord<>(metadata.topic(), metadata.partition(), metadata.offset(), record.timestamp(),
                TimestampType.LOG_APPEND_TIME, -1, -1, record.key(), record.value(), record.headers(), Optional.empty());
    }

    private void apply(Record<String, byte[]> record, RecordMetadata metadata, long ingestTime) {
        Event event;
        try {
            event = codec.decode(record.value());
        } catch (EventDecodingException e) {
            deadLetter(record, metadata, e.getMessage());
            return;
        }
        if (seenRecently(event.eventId(), ingestTime)) {
            counters.duplicate().increment();
            counters.duplicates().increment();
            return;
        }
        eventIds.put(event.eventId(), metadata.offset(), ingestTime);
        long epoch = epochs.epochOf(ingestTime);
        if (epoch < expiredBelow) {
            counters.absorbed().increment();
            return;
        }
        Map<SpeedCellKey, Object> delta = new HashMap<>();
        aggregator.addSpeed(delta, new IngestedEvent(event, ingestTime, metadata.partition(), metadata.offset()),
                Instant.now());
        for (Map.Entry<SpeedCellKey, Object> cell : delta.entrySet()) {
            SpeedCellKey key = cell.getKey();
            Measure<Object> measure = aggregator.measureOf(key.cell());
            Bytes seriesKey = Bytes.wrap(StoreKeys.series(key.cell(), epoch));
            Object current = recent.get(seriesKey);
            boolean isNew = false;
            if (current == null) {
                byte[] stored = bySeries.get(seriesKey);
                isNew = stored == null;
                current = isNew ? null : measure.decode(stored);
            }
            Object value = current == null ? cell.getValue() : measure.plusInto(current, cell.getValue());
            byte[] encoded = measure.encode(value);
            bySeries.put(seriesKey, encoded);
            byBucket.put(Bytes.wrap(StoreKeys.bucket(key.cell(), epoch)), encoded);
            if (isNew) {
                byEpoch.put(Bytes.wrap(StoreKeys.epochIndex(epoch, seriesKey.get())), PRESENT);
            }
            recent.put(seriesKey, value);
        }
        counters.applied().increment();
        counters.freshness().record(Math.max(0, System.currentTimeMillis() - ingestTime), TimeUnit.MILLISECONDS);
        counters.lateness().record(Math.max(0, ingestTime - event.timestampMillis()), TimeUnit.MILLISECONDS);
    }

    /** Whether an event with this id was applied (or dropped) within max-age of ingest time, either side. */
    private boolean seenRecently(String eventId, long ingestTime) {
        try (WindowStoreIterator<Long> seen = eventIds.fetch(eventId, ingestTime - maxAgeMillis, ingestTime + maxAgeMillis)) {
            return seen.hasNext();
        }
    }

    private void deadLetter(Record<String, byte[]> record, RecordMetadata metadata, String reason) {
        RecordHeaders headers = new RecordHeaders(record.headers().toArray());
        headers.add(REASON_HEADER, reason.getBytes(StandardCharsets.UTF_8));
        // the coordinates of the original, as spring-kafka's DeadLetterPublishingRecoverer writes them for engine writer
        headers.add("kafka_dlt-original-topic", metadata.topic().getBytes(StandardCharsets.UTF_8));
        headers.add("kafka_dlt-original-partition", ByteBuffer.allocate(4).putInt(metadata.partition()).array());
        headers.add("kafka_dlt-original-offset", ByteBuffer.allocate(8).putLong(metadata.offset()).array());
        context.forward(new Record<>(record.key(), record.value(), record.timestamp(), headers), SpeedTopology.DEAD_LETTERS);
        counters.deadLettered().increment();
        log.warn("Dead-lettered {}-{}@{} to {}: {}", metadata.topic(), metadata.partition(), metadata.offset(),
                SpeedTopology.deadLetterTopic(metadata.topic()), reason);
    }

    @Override
    public void close() {
        recent.clear();
    }

    /** The expiry punctuator: deletes every cell of the epochs below the horizon, from all three stores. */
    void expire(long nowMillis) {
        long below = cuts.deleteBelow(nowMillis);
        if (below == Long.MIN_VALUE || below <= expiredBelow) {
            return;
        }
        List<Bytes> index = new ArrayList<>();
        try (KeyValueIterator<Bytes, byte[]> cells = byEpoch.range(Bytes.wrap(StoreKeys.epochStart(Long.MIN_VALUE)),
                Bytes.wrap(StoreKeys.epochStart(below)))) {
            while (cells.hasNext()) {
                KeyValue<Bytes, byte[]> cell = cells.next();
                if (StoreKeys.epochOfIndex(cell.key.get()) < below) { // the range includes its upper end
                    index.add(cell.key);
                }
            }
        }
        for (Bytes entry : index) {
            byte[] seriesKey = StoreKeys.seriesOfIndex(entry.get());
            StoreKeys.Parts parts = StoreKeys.readSeries(seriesKey);
            bySeries.delete(Bytes.wrap(seriesKey));
            byBucket.delete(Bytes.wrap(StoreKeys.bucket(new io.lambda.core.cell.CellKey(parts.view(), parts.key(),
                    parts.granularity(), parts.bucketMillis()), parts.epoch())));
            byEpoch.delete(entry);
        }
        recent.clear();
        expiredBelow = below;
        progress.put(EXPIRED_BELOW, ByteBuffer.allocate(8).putLong(below).array());
        counters.expired().increment(index.size());
        if (!index.isEmpty()) {
            log.info("Expired {} speed cells of ingest epochs below {} on partition {}", index.size(), below,
                    context.taskId().partition());
        }
    }
}
