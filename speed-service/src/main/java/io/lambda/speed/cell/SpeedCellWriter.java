package io.lambda.speed.cell;

import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import io.lambda.core.cell.Aggregator;
import io.lambda.core.cell.AppliedOffsets;
import io.lambda.core.cell.SpeedCellKey;
import io.lambda.core.event.Event;
import io.lambda.core.event.IngestedEvent;
import io.lambda.core.measure.Measure;
import io.lambda.core.time.IngestEpoch;
import io.lambda.core.view.ViewDefinition;
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
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.springframework.stereotype.Component;

/**
 * Folds a poll's records into speed cells through lambda-core and writes them to Cassandra as
 * absolute values with the highest offset applied (docs/architecture.md, invariant 4).
 *
 * <p>Why replay is harmless: all of a poll's records are folded before any cell is written, and
 * every cell written carries the poll's last offset of its partition. Kafka's committed offset
 * moves only after every write succeeded. After a crash, replay starts at the committed offset; a
 * replayed record at or below a cell's stored offset is skipped for that cell, and a record that
 * never touched the cell would not touch it now either. So each record lands in each cell once.
 *
 * <p>Which stored cells are read: only those this instance does not know of an epoch that had cells
 * written before this instance took their partition over. Any other cell it does not know is either
 * absent or was written only from records at or above the committed offset (by an owner that crashed
 * before committing); this instance replays all of those records, so writing the cell from its own
 * fold gives the same value. Records below the committed offset were written, with their epoch listed
 * first, before that offset was committed, hence before the takeover.
 *
 * <p>Nothing of a poll is remembered before all its writes are acknowledged: not the new cell
 * values, not the event ids for the dedup window. A poll whose writes fail (Cassandra unreachable)
 * can therefore be applied again, as often as needed, from the same state.
 */
@Component
@ConditionalOnProperty(name = SpeedProperties.ENGINE, havingValue = "writer", matchIfMissing = true)
public class SpeedCellWriter {

    /**
     * What this instance knows a stored cell holds, and whether the cell is listed for expiry. Updated
     * in place once a write of the cell is acknowledged, so a poll looks each cell up in the map once
     * (a second traversal of a map of a million cells was ~5 % of the service's CPU); only the consumer
     * thread reads or writes one. {@link #ABSENT} stands for "nothing stored" and is never updated.
     */
    private static final class Known {
        private Object value;
        private long highestOffset;
        private boolean indexed;

        Known(Object value, long highestOffset, boolean indexed) {
            this.value = value;
            this.highestOffset = highestOffset;
            this.indexed = indexed;
        }

        Object value() {
            return value;
        }

        long highestOffset() {
            return highestOffset;
        }

        boolean indexed() {
            return indexed;
        }
    }

    private static final Known ABSENT = new Known(null, -1, false);

    private final Aggregator aggregator;
    private final IngestEpoch epochs;
    private final SpeedCells cells;
    private final SpeedProperties.Dedup dedup;
    private final Map<SpeedCellKey, Known> known = new ConcurrentHashMap<>();
    private final Map<Integer, RecentEventIds> recentIds = new ConcurrentHashMap<>();
    /**
     * Per partition owned: the ingest epochs that had cells written when this instance took it over.
     * Only cells of these epochs can be stored without this instance knowing them.
     */
    private final Map<Integer, Set<Long>> epochsWrittenBefore = new ConcurrentHashMap<>();
    private final Set<Integer> assignedSinceLastRead = ConcurrentHashMap.newKeySet();
    /** Epochs below this are absorbed by the batch and expired: their records are not written again. */
    private volatile long expiredBelowEpoch = Long.MIN_VALUE;

    private final Counter applied;
    private final Counter duplicateEvents;
    private final Counter duplicates;
    private final Counter absorbed;
    private final Counter cellsWritten;
    private final Counter cellsRead;
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
        this.cellsRead = Counter.builder("lambda.speed.cells.read")
                .description("unknown cells read from Cassandra: after a takeover, of epochs that had cells written before it")
                .register(meters);
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
        // Fold without looking anything up per event: a record can already be in a cell only if an
        // earlier owner of its partition wrote that cell, and such cells are read (below) before any is used.
        Fold fold = fold(records, now, AppliedOffsets.NONE);
        Touched touched = lookUp(fold.delta());
        // Cells this instance does not know, of epochs that had cells written before it took their
        // partition over, are read from Cassandra all at once. When one is stored (after a restart or
        // a rebalance), the poll is folded again against what they hold.
        if (!touched.unread().isEmpty() && load(touched.unread())) {
            fold = fold(records, now, cell -> knownOf(cell).highestOffset());
            touched = lookUp(fold.delta());
        }
        if (!fold.delta().isEmpty()) {
            write(touched, fold.lastOffsetByPartition());
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

    /**
     * The cells of a fold with what this instance knows of each (one map lookup per cell, not per
     * event), and those it must read first: unknown here, yet possibly stored by an earlier owner.
     */
    private record Touched(List<Map.Entry<SpeedCellKey, Object>> cells, Known[] before, List<SpeedCellKey> unread) {
    }

    private Touched lookUp(Map<SpeedCellKey, Object> delta) {
        List<Map.Entry<SpeedCellKey, Object>> cellsTouched = new ArrayList<>(delta.entrySet());
        Known[] before = new Known[cellsTouched.size()];
        List<SpeedCellKey> unread = new ArrayList<>();
        for (int i = 0; i < before.length; i++) {
            SpeedCellKey key = cellsTouched.get(i).getKey();
            Known cached = known.get(key);
            if (cached == null) {
                cached = ABSENT;
                if (mayBeStored(key)) {
                    unread.add(key);
                }
            }
            before[i] = cached;
        }
        return new Touched(cellsTouched, before, unread);
    }

    /**
     * Whether a cell this instance does not know could be stored: only when its epoch had cells
     * written (in any view, by anyone) before this instance took its partition over. Those epochs are
     * the {@code speed_epochs} listing, where every writer lists an epoch before writing any cell of
     * it. It is read once per assignment, before anything is written for the partitions it assigned,
     * so the epochs this instance itself starts writing then do not count as written before.
     */
    private boolean mayBeStored(SpeedCellKey key) {
        Set<Long> epochs = epochsWrittenBefore.get(key.partition());
        if (epochs == null) {
            epochs = new HashSet<>();
            for (ViewDefinition view : aggregator.catalog().views()) {
                epochs.addAll(cells.epochs(view.name()));
            }
            epochsWrittenBefore.put(key.partition(), epochs);
            for (Integer partition : assignedSinceLastRead) {
                epochsWrittenBefore.putIfAbsent(partition, epochs);
            }
            assignedSinceLastRead.clear();
        }
        return epochs.contains(key.ingestEpoch());
    }

    /** Partitions this instance was just given: the next read of the listed epochs is theirs too. */
    public void assigned(Collection<Integer> partitions) {
        assignedSinceLastRead.addAll(partitions);
    }

    /** Reads the stored state of {@code keys} into memory; true when any of them exists. */
    private boolean load(List<SpeedCellKey> keys) {
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
        cellsRead.increment(keys.size());
        return anyStored;
    }

    private void write(Touched touched, Map<Integer, Long> lastOffsetByPartition) {
        long started = System.nanoTime();
        int n = touched.before().length;
        Object[] values = new Object[n];
        List<SpeedCellKey> unindexed = new ArrayList<>();
        List<SpeedCells.Stored> rows = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            SpeedCellKey key = touched.cells().get(i).getKey();
            Object delta = touched.cells().get(i).getValue();
            Known before = touched.before()[i];
            Measure<Object> measure = aggregator.measureOf(key.cell());
            Object value = before.value() == null ? delta : measure.plus(before.value(), delta);
            long offset = lastOffsetByPartition.get(key.partition());
            values[i] = value;
            rows.add(new SpeedCells.Stored(key, measure.encode(value), offset));
            if (!before.indexed()) {
                unindexed.add(key);
            }
        }
        // A cell is listed for expiry (and its epoch in speed_epochs) before it is first written, so no
        // cell escapes the sweep and no takeover skips reading it.
        if (!unindexed.isEmpty()) {
            cells.indexAll(unindexed).toCompletableFuture().join();
        }
        cells.writeAll(rows).toCompletableFuture().join();
        for (int i = 0; i < n; i++) {
            SpeedCells.Stored row = rows.get(i); // row i is cell i, with the offset it was written with
            Known before = touched.before()[i];
            if (before == ABSENT) {
                known.put(row.key(), new Known(values[i], row.highestOffset(), true));
            } else {
                before.value = values[i];
                before.highestOffset = row.highestOffset();
                before.indexed = true;
            }
        }
        flush.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
        flushCells.record(n);
        cellsWritten.increment(n);
    }

    /** Forgets the partitions this instance no longer owns: their new owner writes their cells now. */
    public void forget(Collection<Integer> partitions) {
        known.keySet().removeIf(key -> partitions.contains(key.partition()));
        partitions.forEach(recentIds::remove);
        partitions.forEach(epochsWrittenBefore::remove);
        assignedSinceLastRead.removeAll(partitions);
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
