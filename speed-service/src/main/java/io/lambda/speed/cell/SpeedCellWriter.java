package io.lambda.speed.cell;

import io.lambda.core.cell.Aggregator;
import io.lambda.core.cell.AppliedOffsets;
import io.lambda.core.cell.SpeedCellKey;
import io.lambda.core.event.Event;
import io.lambda.core.event.IngestedEvent;
import io.lambda.core.measure.Measure;
import io.lambda.core.time.IngestEpoch;
import io.lambda.speed.system.SpeedProperties;
import io.lambda.store.LambdaStore;
import io.lambda.store.SpeedCells;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.HashSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.springframework.stereotype.Component;

/**
 * Folds a poll's records into speed cells through lambda-core and writes them to Cassandra as
 * absolute values with the highest offset applied (SEMANTICS invariant 4).
 *
 * <p>Why replay is harmless: all of a poll's records are folded before any cell is written, and
 * every cell written carries the poll's last offset of its partition. Kafka's committed offset
 * moves only after every write succeeded. After a crash, replay starts at the committed offset; a
 * replayed record at or below a cell's stored offset is skipped for that cell, and a record that
 * never touched the cell would not touch it now either. So each record lands in each cell once.
 *
 * <p>Nothing of a poll is remembered before all its writes are acknowledged: not the new cell
 * values, not the event ids for the dedup window. A poll whose writes fail (Cassandra unreachable)
 * can therefore be applied again, as often as needed, from the same state.
 */
@Component
public class SpeedCellWriter {

    /** What this instance knows a stored cell holds, and whether the cell is listed for expiry. */
    private record Known(Object value, long highestOffset, boolean indexed) {
    }

    private static final Known ABSENT = new Known(null, -1, false);

    private final Aggregator aggregator;
    private final IngestEpoch epochs;
    private final SpeedCells cells;
    private final SpeedProperties.Dedup dedup;
    private final Map<SpeedCellKey, Known> known = new ConcurrentHashMap<>();
    private final Map<Integer, RecentEventIds> recentIds = new ConcurrentHashMap<>();
    /** Epochs below this are absorbed by the batch and expired: their records are not written again. */
    private volatile long expiredBelowEpoch = Long.MIN_VALUE;

    private final Counter applied;
    private final Counter duplicateEvents;
    private final Counter duplicates;
    private final Counter absorbed;
    private final Counter cellsWritten;
    private final Timer flush;
    private final DistributionSummary flushCells;
    private final Timer freshness;
    private final Timer lateness;

    public SpeedCellWriter(Aggregator aggregator, LambdaStore store, SpeedProperties properties, MeterRegistry meters) {
        this.aggregator = aggregator;
        this.epochs = aggregator.epochs();
        this.cells = store.speedCells();
        this.dedup = properties.dedup();
        this.applied = meters.counter("lambda.speed.events", "outcome", "applied");
        this.duplicateEvents = meters.counter("lambda.speed.events", "outcome", "duplicate");
        this.duplicates = Counter.builder("lambda.speed.duplicates")
                .description("events not applied because their id is in the partition's dedup window")
                .register(meters);
        this.absorbed = meters.counter("lambda.speed.events", "outcome", "absorbed");
        this.cellsWritten = Counter.builder("lambda.speed.cells.written").register(meters);
        this.flush = Timer.builder("lambda.speed.flush").description("time to write one poll's cells")
                .publishPercentileHistogram().register(meters);
        this.flushCells = DistributionSummary.builder("lambda.speed.flush.cells")
                .description("speed cells written per poll").register(meters);
        this.freshness = Timer.builder("lambda.speed.freshness")
                .description("ingest time (broker stamp) to the cell holding the event being acknowledged by Cassandra")
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofMinutes(10)).register(meters);
        this.lateness = Timer.builder("lambda.speed.lateness")
                .description("how late events arrive: ingest time minus event time")
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofDays(400)).register(meters);
    }

    /**
     * Folds and writes one poll of decodable records (in offset order per partition); returns only
     * when every write is acknowledged, and throws, leaving this writer as it was, when one fails.
     */
    public void apply(List<ConsumerRecord<String, Event>> records) {
        Instant now = Instant.now();
        Set<SpeedCellKey> unknown = new HashSet<>();
        Fold fold = fold(records, now, cell -> {
            Known cached = known.get(cell);
            if (cached == null) {
                unknown.add(cell);
                return -1;
            }
            return cached.highestOffset();
        });
        // Cells this instance has not seen yet are read from Cassandra all at once. Usually none
        // exists (a new bucket or epoch) and the fold stands; after a restart or a rebalance some
        // do, and the poll is folded again against what they hold.
        if (!unknown.isEmpty() && load(unknown)) {
            fold = fold(records, now, cell -> knownOf(cell).highestOffset());
        }
        if (!fold.delta().isEmpty()) {
            write(fold.delta(), fold.lastOffsetByPartition());
        }
        // Everything below happens only once the poll is durable.
        fold.newIds().forEach((partition, ids) -> recentIds
                .computeIfAbsent(partition, p -> new RecentEventIds(dedup.maxIdsPerPartition(), dedup.maxAge().toMillis()))
                .addAll(ids));
        long writtenAt = System.currentTimeMillis();
        BitSet folded = fold.folded();
        for (int i = folded.nextSetBit(0); i >= 0; i = folded.nextSetBit(i + 1)) {
            ConsumerRecord<String, Event> record = records.get(i);
            freshness.record(Math.max(0, writtenAt - record.timestamp()), TimeUnit.MILLISECONDS);
            lateness.record(Math.max(0, record.timestamp() - record.value().timestampMillis()), TimeUnit.MILLISECONDS);
        }
        applied.increment(folded.cardinality());
        duplicateEvents.increment(fold.duplicates());
        duplicates.increment(fold.duplicates());
        absorbed.increment(fold.absorbed());
    }

    /** A poll folded: the cell deltas, the records folded, the ids first seen, and what was left out. */
    private record Fold(Map<SpeedCellKey, Object> delta, Map<Integer, Long> lastOffsetByPartition,
                        Map<Integer, LinkedHashMap<String, Long>> newIds, BitSet folded, int duplicates, int absorbed) {
    }

    private Fold fold(List<ConsumerRecord<String, Event>> records, Instant now, AppliedOffsets appliedOffsets) {
        long horizon = expiredBelowEpoch;
        Map<SpeedCellKey, Object> delta = new HashMap<>();
        Map<Integer, Long> lastOffsetByPartition = new HashMap<>();
        Map<Integer, LinkedHashMap<String, Long>> newIds = new HashMap<>();
        BitSet folded = new BitSet(records.size());
        int duplicateCount = 0;
        int absorbedCount = 0;
        for (int i = 0, n = records.size(); i < n; i++) {
            ConsumerRecord<String, Event> record = records.get(i);
            int partition = record.partition();
            lastOffsetByPartition.put(partition, record.offset());
            Event event = record.value();
            LinkedHashMap<String, Long> pollIds = newIds.computeIfAbsent(partition, p -> new LinkedHashMap<>());
            RecentEventIds window = recentIds.get(partition);
            if (pollIds.containsKey(event.eventId()) || (window != null && window.contains(event.eventId()))) {
                duplicateCount++;
                continue;
            }
            pollIds.put(event.eventId(), record.timestamp());
            if (epochs.epochOf(record.timestamp()) < horizon) {
                absorbedCount++;
                continue;
            }
            aggregator.addSpeed(delta, new IngestedEvent(event, record.timestamp(), partition, record.offset()), now,
                    appliedOffsets);
            folded.set(i);
        }
        return new Fold(delta, lastOffsetByPartition, newIds, folded, duplicateCount, absorbedCount);
    }

    /** Reads the stored state of {@code keys} into memory; true when any of them exists. */
    private boolean load(Set<SpeedCellKey> keys) {
        List<CompletableFuture<Optional<SpeedCells.Stored>>> reads = new ArrayList<>(keys.size());
        for (SpeedCellKey key : keys) {
            reads.add(cells.readAsync(key).toCompletableFuture());
        }
        CompletableFuture.allOf(reads.toArray(CompletableFuture[]::new)).join();
        boolean anyStored = false;
        int i = 0;
        for (SpeedCellKey key : keys) {
            Optional<SpeedCells.Stored> stored = reads.get(i++).join();
            anyStored |= stored.isPresent();
            known.put(key, stored.map(s -> new Known(aggregator.measureOf(key.cell()).decode(s.value()),
                    s.highestOffset(), false)).orElse(ABSENT));
        }
        return anyStored;
    }

    private void write(Map<SpeedCellKey, Object> delta, Map<Integer, Long> lastOffsetByPartition) {
        long started = System.nanoTime();
        Map<SpeedCellKey, Known> next = new HashMap<>(delta.size() * 4 / 3 + 1);
        List<SpeedCellKey> unindexed = new ArrayList<>();
        List<SpeedCells.Stored> rows = new ArrayList<>(delta.size());
        for (Map.Entry<SpeedCellKey, Object> entry : delta.entrySet()) {
            SpeedCellKey key = entry.getKey();
            Measure<Object> measure = aggregator.measureOf(key.cell());
            Known before = knownOf(key);
            Object value = before.value() == null ? entry.getValue() : measure.plus(before.value(), entry.getValue());
            long offset = lastOffsetByPartition.get(key.partition());
            next.put(key, new Known(value, offset, true));
            rows.add(new SpeedCells.Stored(key, measure.encode(value), offset));
            if (!before.indexed()) {
                unindexed.add(key);
            }
        }
        // A cell is listed for expiry before it is first written, so no cell escapes the sweep.
        if (!unindexed.isEmpty()) {
            cells.indexAll(unindexed).toCompletableFuture().join();
        }
        cells.writeAll(rows).toCompletableFuture().join();
        known.putAll(next);
        flush.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
        flushCells.record(delta.size());
        cellsWritten.increment(delta.size());
    }

    /** Forgets the partitions this instance no longer owns: their new owner writes their cells now. */
    public void forget(Collection<Integer> partitions) {
        known.keySet().removeIf(key -> partitions.contains(key.partition()));
        partitions.forEach(recentIds::remove);
    }

    /**
     * From now on, records of epochs below {@code epoch} are not written: the published batch holds
     * them and their cells are (being) expired. Also drops those cells from memory.
     */
    public void expireBelow(long epoch) {
        if (epoch > expiredBelowEpoch) {
            expiredBelowEpoch = epoch;
        }
        known.keySet().removeIf(key -> key.ingestEpoch() < epoch);
    }

    /** The epoch below which nothing is written any more ({@link Long#MIN_VALUE} before any expiry). */
    public long expiredBelowEpoch() {
        return expiredBelowEpoch;
    }

    private Known knownOf(SpeedCellKey key) {
        return known.getOrDefault(key, ABSENT);
    }
}
