package io.lambda.speed.streams;

import io.lambda.core.measure.Measure;
import io.lambda.core.time.Granularity;
import io.lambda.core.view.ViewCatalog;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.ThreadMetadata;
import org.apache.kafka.streams.TaskMetadata;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * Interactive queries on the stores of the partitions this instance runs as active tasks. Each read
 * is of one partition's store ({@code withPartition}) and folds that partition's cells over the epochs
 * {@code >= fromEpoch}; the caller folds partitions. A partition whose store cannot be read within
 * {@code restoreWait} (restoring, just migrated, rebalancing) is reported missing, never read as empty.
 */
public final class LocalSpeedState {

    /**
     * One partition's progress: from its store, and its lag behind the log end as last listed ({@link LogEnds}).
     *
     * @param through    the ingest time through which the partition's events are in the cells: when the log
     *                   ends were last listed if the partition had applied everything below its end (an idle
     *                   partition holds nothing back), else the ingest time of the latest record applied
     * @param nextOffset every record below it is applied
     * @param lag        records between {@code nextOffset} and the log end as last listed; null when unknown
     * @param standby    read from a standby replica (the active instance did not answer)
     */
    public record Progress(int partition, Instant through, long nextOffset, Long lag, boolean standby) {
    }

    /** What one partition answered: its cells (folded over epochs) and its progress. */
    public record PartitionRead<T>(T cells, Progress progress) {
    }

    private final SpeedStreams streams;
    private final LogEnds ends;
    private final ViewCatalog views;
    private final String topic;
    private final Duration restoreWait;

    public LocalSpeedState(SpeedStreams streams, LogEnds ends, ViewCatalog views, String topic, Duration restoreWait) {
        this.streams = streams;
        this.ends = ends;
        this.views = views;
        this.topic = topic;
        this.restoreWait = restoreWait;
    }

    /** The partitions of the events topic this instance runs as active tasks now. */
    public Set<Integer> activePartitions() {
        return partitions(false);
    }

    /** The partitions of the events topic this instance keeps a standby replica of now. */
    public Set<Integer> standbyPartitions() {
        return partitions(true);
    }

    private Set<Integer> partitions(boolean standby) {
        Set<Integer> partitions = new HashSet<>();
        Optional<KafkaStreams> instance = streams.streams();
        if (instance.isEmpty()) {
            return partitions;
        }
        for (ThreadMetadata thread : instance.get().metadataForLocalThreads()) {
            for (TaskMetadata task : standby ? thread.standbyTasks() : thread.activeTasks()) {
                for (TopicPartition tp : task.topicPartitions()) {
                    if (tp.topic().equals(topic)) {
                        partitions.add(tp.partition());
                    }
                }
            }
        }
        return partitions;
    }

    /** One key's cells of buckets {@code [from, to)}, by bucket start, epochs {@code >= fromEpoch}. */
    public Optional<PartitionRead<TreeMap<Long, Object>>> series(Deadline deadline, int partition, String view,
                                                                 Granularity granularity, String key, long from, long to,
                                                                 long fromEpoch) {
        Measure<Object> measure = views.get(view).cellMeasure();
        return read(deadline, partition, SpeedTopology.CELLS_BY_SERIES, store -> {
            TreeMap<Long, Object> cells = new TreeMap<>();
            try (KeyValueIterator<Bytes, byte[]> rows = store.range(
                    Bytes.wrap(StoreKeys.seriesFrom(view, granularity, key, from)),
                    Bytes.wrap(StoreKeys.seriesFrom(view, granularity, key, to)))) {
                while (rows.hasNext()) {
                    KeyValue<Bytes, byte[]> row = rows.next();
                    StoreKeys.Parts parts = StoreKeys.readSeries(row.key.get());
                    if (parts.epoch() >= fromEpoch && parts.bucketMillis() < to) {
                        cells.merge(parts.bucketMillis(), measure.decode(row.value), measure::plusInto);
                    }
                }
            }
            return cells;
        });
    }

    /** Every key's cell folded over the given buckets (a top-N's range), epochs {@code >= fromEpoch}. */
    public Optional<PartitionRead<Map<String, Object>>> buckets(Deadline deadline, int partition, String view,
                                                                Granularity granularity, List<Long> buckets,
                                                                long fromEpoch) {
        Measure<Object> measure = views.get(view).cellMeasure();
        return read(deadline, partition, SpeedTopology.CELLS_BY_BUCKET, store -> {
            Map<String, Object> cells = new java.util.HashMap<>();
            for (long bucket : buckets) {
                try (KeyValueIterator<Bytes, byte[]> rows = store.range(
                        Bytes.wrap(StoreKeys.bucketFrom(view, granularity, bucket, "")),
                        Bytes.wrap(StoreKeys.bucketEnd(view, granularity, bucket)))) {
                    while (rows.hasNext()) {
                        KeyValue<Bytes, byte[]> row = rows.next();
                        StoreKeys.Parts parts = StoreKeys.readBucket(row.key.get());
                        if (parts.epoch() >= fromEpoch && parts.bucketMillis() == bucket) {
                            cells.merge(parts.key(), measure.decode(row.value), measure::plusInto);
                        }
                    }
                }
            }
            return cells;
        });
    }

    /**
     * The first {@code limit} keys from {@code fromKey} on, in code point order, of each of the given
     * buckets (epochs {@code >= fromEpoch}); the caller takes the first {@code limit} of their union.
     */
    public Optional<PartitionRead<List<String>>> keys(Deadline deadline, int partition, String view, Granularity granularity,
                                                      List<Long> buckets, String fromKey, int limit, long fromEpoch) {
        return read(deadline, partition, SpeedTopology.CELLS_BY_BUCKET, store -> {
            List<String> keys = new java.util.ArrayList<>();
            for (long bucket : buckets) {
                int before = keys.size();
                try (KeyValueIterator<Bytes, byte[]> rows = store.range(
                        Bytes.wrap(StoreKeys.bucketFrom(view, granularity, bucket, fromKey)),
                        Bytes.wrap(StoreKeys.bucketEnd(view, granularity, bucket)))) {
                    while (rows.hasNext() && keys.size() - before < limit) {
                        StoreKeys.Parts parts = StoreKeys.readBucket(rows.next().key.get());
                        if (parts.epoch() >= fromEpoch && parts.bucketMillis() == bucket
                                && (keys.size() == before || !keys.get(keys.size() - 1).equals(parts.key()))) {
                            keys.add(parts.key());
                        }
                    }
                }
            }
            return keys;
        });
    }

    /** Only the partition's progress (how far its events are in the cells). */
    public Optional<PartitionRead<Void>> progress(Deadline deadline, int partition) {
        return read(deadline, partition, SpeedTopology.PROGRESS, store -> null);
    }

    /**
     * The deadline of one request's reads, {@code restoreWait} from now and shared by every partition it
     * reads, and whether it may read standby replicas (stale stores) where this instance runs no active task.
     */
    public record Deadline(long nanos, boolean standby) {
    }

    public Deadline deadline(boolean standby) {
        return new Deadline(System.nanoTime() + restoreWait.toNanos(), standby);
    }

    private interface StoreRead<T> {
        T read(ReadOnlyKeyValueStore<Bytes, byte[]> store);
    }

    /**
     * Reads one partition's store and its progress, waiting until the deadline for a store that is not
     * queryable yet; empty when it still is not (or the partition is not here). A standby replica is read
     * only when the deadline allows it and this instance runs no active task of the partition: it holds
     * what the active task had committed to the changelog, so its lag is unknown (null).
     */
    private <T> Optional<PartitionRead<T>> read(Deadline deadline, int partition, String storeName, StoreRead<T> read) {
        while (true) {
            Optional<KafkaStreams> instance = streams.streams();
            boolean active = instance.isPresent() && activePartitions().contains(partition);
            boolean standby = !active && deadline.standby() && instance.isPresent()
                    && standbyPartitions().contains(partition);
            if (active || standby) {
                try {
                    ReadOnlyKeyValueStore<Bytes, byte[]> store = instance.get().store(parameters(storeName, partition,
                            standby));
                    ReadOnlyKeyValueStore<Bytes, byte[]> progress = instance.get().store(parameters(
                            SpeedTopology.PROGRESS, partition, standby));
                    T cells = read.read(store);
                    return Optional.of(new PartitionRead<>(cells, progress(partition, progress.get(CellFolder.THROUGH),
                            ends.last(), standby)));
                } catch (InvalidStateStoreException e) {
                    // restoring, migrating or rebalancing: try again until the deadline
                }
            }
            if (System.nanoTime() >= deadline.nanos()) {
                return Optional.empty();
            }
            try {
                Thread.sleep(25); // a bounded wait for a restoring partition: until the request's deadline
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Optional.empty();
            }
        }
    }

    private static StoreQueryParameters<ReadOnlyKeyValueStore<Bytes, byte[]>> parameters(String store, int partition,
                                                                                   boolean standby) {
        StoreQueryParameters<ReadOnlyKeyValueStore<Bytes, byte[]>> parameters = StoreQueryParameters
                .fromNameAndType(store, QueryableStoreTypes.<Bytes, byte[]>keyValueStore()).withPartition(partition);
        return standby ? parameters.enableStaleStores() : parameters;
    }

    /**
     * A partition's progress against the last listing of the log ends: caught up with the end listed at
     * {@code t} means complete through {@code t} (records appended later are not in it yet), else through
     * the ingest time of the latest record applied. A standby's lag is not known (its copy is as last
     * committed), so it never claims more than what it applied.
     */
    private static Progress progress(int partition, byte[] stored, LogEnds.Listing listing, boolean standby) {
        Instant applied = null;
        long next = 0;
        if (stored != null) {
            ByteBuffer buffer = ByteBuffer.wrap(stored);
            applied = Instant.ofEpochMilli(buffer.getLong());
            next = buffer.getLong();
        }
        Long end = standby ? null : listing.ends().get(partition);
        Long lag = end == null ? null : Math.max(0, end - next);
        Instant through = applied;
        if (lag != null && lag == 0 && (applied == null || listing.listedAt().isAfter(applied))) {
            through = listing.listedAt();
        }
        return new Progress(partition, through, next, lag, standby);
    }
}
