package io.lambda.store;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * How far the speed layer has applied each partition of the events topic (table {@code speed_progress}).
 * The speed-service writes a partition's row only after the cells of the records it reports are
 * written; the query side reads it to answer {@code speedThrough}.
 */
public final class SpeedPartitionProgress {

    /**
     * One partition's progress.
     *
     * @param appliedThrough ingest time (broker timestamp) of the last record applied, null before the first
     * @param nextOffset     the next offset to apply: every record below it is in the speed cells
     * @param lag            records between {@code nextOffset} and the log end, as the consumer saw it
     * @param writtenAt      when the speed-service wrote this row (its clock)
     */
    public record Partition(int partition, Instant appliedThrough, long nextOffset, long lag, Instant writtenAt) {

        /**
         * The ingest time through which this partition's events are in the speed cells: the time the
         * row was written when the partition was caught up then (an idle partition holds nothing back),
         * else the ingest time of the last record applied.
         */
        public Optional<Instant> through() {
            if (lag == 0) {
                return Optional.of(appliedThrough == null || writtenAt.isAfter(appliedThrough) ? writtenAt : appliedThrough);
            }
            return Optional.ofNullable(appliedThrough);
        }
    }

    private final CqlSession session;
    private final PreparedStatement upsert;
    private final PreparedStatement read;

    public SpeedPartitionProgress(CqlSession session, StoreSettings settings) {
        this.session = session;
        String table = settings.keyspace() + ".speed_progress";
        this.upsert = session.prepare("INSERT INTO " + table
                + " (topic, kafka_partition, applied_through, next_offset, lag, written_at) VALUES (?, ?, ?, ?, ?, ?)");
        this.read = session.prepare("SELECT kafka_partition, applied_through, next_offset, lag, written_at FROM "
                + table + " WHERE topic = ?");
    }

    public CompletionStage<Void> write(String topic, Collection<Partition> partitions) {
        CompletableFuture<?>[] writes = partitions.stream()
                .map(p -> session.executeAsync(upsert.bind(topic, p.partition(), p.appliedThrough(), p.nextOffset(),
                        p.lag(), p.writtenAt())).toCompletableFuture())
                .toArray(CompletableFuture[]::new);
        return CompletableFuture.allOf(writes);
    }

    /** Every partition of {@code topic} the speed layer has reported on, by partition. */
    public List<Partition> read(String topic) {
        List<Partition> partitions = new ArrayList<>();
        for (Row row : session.execute(read.bind(topic))) {
            partitions.add(new Partition(row.getInt("kafka_partition"), row.getInstant("applied_through"),
                    row.getLong("next_offset"), row.getLong("lag"), row.getInstant("written_at")));
        }
        return partitions;
    }

    /**
     * {@code speedThrough}: the earliest {@link Partition#through()} over every partition reported,
     * or empty when none is (the speed layer has not reported yet, or a partition has no known
     * position). {@code partitionCount} is the topic's partition count: a partition without a row
     * makes the answer unknown rather than too optimistic.
     */
    public Optional<Instant> speedThrough(String topic, int partitionCount) {
        List<Partition> partitions = read(topic);
        if (partitions.size() < partitionCount) {
            return Optional.empty();
        }
        Instant min = null;
        for (Partition partition : partitions) {
            Optional<Instant> through = partition.through();
            if (through.isEmpty()) {
                return Optional.empty();
            }
            if (min == null || through.get().isBefore(min)) {
                min = through.get();
            }
        }
        return Optional.ofNullable(min);
    }
}
