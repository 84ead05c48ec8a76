package io.lambda.store;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.AsyncResultSet;
import com.datastax.oss.driver.api.core.cql.BatchStatementBuilder;
import com.datastax.oss.driver.api.core.cql.BatchType;
import com.datastax.oss.driver.api.core.cql.BoundStatement;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import io.lambda.core.time.IngestEpoch;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;

/**
 * The master dataset: every distinct event ever accepted, immutable, append-only.
 *
 * <p>Writing the same {@code eventId} again is a no-op in effect: each row is written with a
 * Cassandra write timestamp that <em>decreases</em> with its ingest time, so whichever order the
 * writes arrive in, the first ingest of an id wins, deterministically and without a lightweight
 * transaction. (Ties within one millisecond are broken by the Kafka offset.)
 *
 * <p>Next to it, {@code master_events_by_ingest} lists the ids archived in each ingest epoch, so
 * that an incremental batch run reads only the epochs since the previous cut.
 */
public final class MasterDataset {

    /** Events are spread over this many partitions so that a full scan is parallel and even. */
    public static final int SHARDS = 64;
    private static final long TIMESTAMP_BASE = 1L << 60;
    /** Index rows of one (epoch, shard) partition go in unlogged batches of at most this many. */
    private static final int INDEX_BATCH = 40;

    /** One row of the ingest index: an ingest of {@code eventId} (not necessarily its first). */
    public record Ingest(String eventId, Instant ingestTime, int partition, long offset) {
    }

    private final CqlSession session;
    private final PreparedStatement insert;
    private final PreparedStatement insertIndex;
    private final PreparedStatement scanShard;
    private final PreparedStatement findOne;
    private final PreparedStatement scanIndex;

    public MasterDataset(CqlSession session, StoreSettings settings) {
        this.session = session;
        String table = settings.keyspace() + ".master_events";
        String index = settings.keyspace() + ".master_events_by_ingest";
        String columns = "event_id, type, event_time, ingest_time, kafka_partition, kafka_offset, payload";
        this.insert = session.prepare("INSERT INTO " + table + " (shard, event_id, type, event_time, ingest_time, "
                + "kafka_partition, kafka_offset, payload) VALUES (?, ?, ?, ?, ?, ?, ?, ?) USING TIMESTAMP ?");
        this.insertIndex = session.prepare("INSERT INTO " + index + " (epoch_start, shard, event_id, ingest_time, "
                + "kafka_partition, kafka_offset) VALUES (?, ?, ?, ?, ?, ?) USING TIMESTAMP ?");
        this.scanShard = session.prepare("SELECT " + columns + " FROM " + table + " WHERE shard = ?");
        this.findOne = session.prepare("SELECT " + columns + " FROM " + table + " WHERE shard = ? AND event_id = ?");
        this.scanIndex = session.prepare("SELECT event_id, ingest_time, kafka_partition, kafka_offset FROM " + index
                + " WHERE epoch_start = ? AND shard = ?");
    }

    public static int shardOf(String eventId) {
        return Math.floorMod(eventId.hashCode(), SHARDS);
    }

    /** Earlier ingest → larger write timestamp → wins. */
    public static long writeTimestamp(ArchivedEvent event) {
        long micros = event.ingestTime().toEpochMilli() * 1000 + Math.floorMod(event.offset(), 1000);
        return TIMESTAMP_BASE - micros;
    }

    /** Writes one event's master row (not its ingest-index row: see {@link #archiveAll}). */
    public CompletionStage<AsyncResultSet> archive(ArchivedEvent event) {
        return session.executeAsync(insert.bind(shardOf(event.eventId()), event.eventId(), event.type(),
                event.eventTime(), event.ingestTime(), event.partition(), event.offset(),
                ByteBuffer.wrap(event.payload()), writeTimestamp(event)));
    }

    /**
     * Archives all, concurrently, with their rows in the ingest index of {@code epochs}; completes
     * when every write is acknowledged.
     */
    public CompletableFuture<Void> archiveAll(List<ArchivedEvent> events, IngestEpoch epochs) {
        List<CompletableFuture<?>> writes = new ArrayList<>(events.size() + events.size() / INDEX_BATCH + 1);
        Map<Long, List<BoundStatement>> indexByPartition = new LinkedHashMap<>();
        for (ArchivedEvent event : events) {
            writes.add(archive(event).toCompletableFuture());
            int shard = shardOf(event.eventId());
            long epochStart = epochs.cutAtOrBefore(event.ingestTime().toEpochMilli());
            indexByPartition.computeIfAbsent(epochStart * SHARDS + shard, k -> new ArrayList<>())
                    .add(insertIndex.bind(Instant.ofEpochMilli(epochStart), shard, event.eventId(),
                            event.ingestTime(), event.partition(), event.offset(), writeTimestamp(event)));
        }
        // One partition per batch: Cassandra applies it as one mutation, far cheaper than one request a row.
        for (List<BoundStatement> rows : indexByPartition.values()) {
            for (int from = 0; from < rows.size(); from += INDEX_BATCH) {
                BatchStatementBuilder batch = new BatchStatementBuilder(BatchType.UNLOGGED);
                rows.subList(from, Math.min(rows.size(), from + INDEX_BATCH)).forEach(batch::addStatement);
                writes.add(session.executeAsync(batch.build()).toCompletableFuture());
            }
        }
        return CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new));
    }

    /** The stored row of {@code eventId}: its first ingest, once archived. */
    public CompletionStage<Optional<ArchivedEvent>> find(String eventId) {
        return session.executeAsync(findOne.bind(shardOf(eventId), eventId))
                .thenApply(rows -> Optional.ofNullable(rows.one()).map(MasterDataset::archived));
    }

    /** Reads one shard, row by row (paged by the driver). */
    public void scanShard(int shard, Consumer<ArchivedEvent> sink) {
        for (Row row : session.execute(scanShard.bind(shard).setPageSize(5000))) {
            sink.accept(archived(row));
        }
    }

    /** The ingests of one shard archived in the epoch starting at {@code epochStart}. */
    public void scanIngests(Instant epochStart, int shard, Consumer<Ingest> sink) {
        for (Row row : session.execute(scanIndex.bind(epochStart, shard).setPageSize(5000))) {
            sink.accept(new Ingest(row.getString("event_id"), row.getInstant("ingest_time"),
                    row.getInt("kafka_partition"), row.getLong("kafka_offset")));
        }
    }

    private static ArchivedEvent archived(Row row) {
        return new ArchivedEvent(row.getString("event_id"), row.getString("type"), row.getInstant("event_time"),
                row.getInstant("ingest_time"), row.getInt("kafka_partition"), row.getLong("kafka_offset"),
                Bytes.of(row.getByteBuffer("payload")));
    }
}
