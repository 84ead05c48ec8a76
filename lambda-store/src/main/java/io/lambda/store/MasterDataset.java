package io.lambda.store;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.AsyncResultSet;
import com.datastax.oss.driver.api.core.cql.BatchStatementBuilder;
import com.datastax.oss.driver.api.core.cql.BatchType;
import com.datastax.oss.driver.api.core.cql.BoundStatement;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.cql.Statement;
import io.lambda.core.time.IngestEpoch;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
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

    private static final String COLUMNS = "event_id, type, event_time, ingest_time, kafka_partition, kafka_offset, payload";
    private static final int SCAN_PAGE = 5000;
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
        this.insert = session.prepare("INSERT INTO " + table + " (shard, event_id, type, event_time, ingest_time, "
                + "kafka_partition, kafka_offset, payload) VALUES (?, ?, ?, ?, ?, ?, ?, ?) USING TIMESTAMP ?");
        this.insertIndex = session.prepare("INSERT INTO " + index + " (epoch_start, shard, event_id, ingest_time, "
                + "kafka_partition, kafka_offset) VALUES (?, ?, ?, ?, ?, ?) USING TIMESTAMP ?");
        this.scanShard = session.prepare("SELECT " + COLUMNS + " FROM " + table + " WHERE shard = ?");
        this.findOne = session.prepare("SELECT " + COLUMNS + " FROM " + table + " WHERE shard = ? AND event_id = ?");
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

    /** Reads one shard, row by row; the next page is on its way while this one is folded. */
    public void scanShard(int shard, Consumer<ArchivedEvent> sink) {
        forEachRow(scanShard.bind(shard).setPageSize(SCAN_PAGE), row -> sink.accept(archived(row)));
    }

    /** The ingests of one shard archived in the epoch starting at {@code epochStart}. */
    public void scanIngests(Instant epochStart, int shard, Consumer<Ingest> sink) {
        forEachRow(scanIndex.bind(epochStart, shard).setPageSize(SCAN_PAGE), row -> sink.accept(
                new Ingest(row.getString(0), row.getInstant(1), row.getInt(2), row.getLong(3))));
    }

    /**
     * Pages through a scan, asking for page n + 1 before handing out the rows of page n: the
     * driver's synchronous iteration would ask only once page n is used up, leaving the reader idle
     * while Cassandra reads and the node idle while the reader folds.
     */
    private void forEachRow(Statement<?> scan, Consumer<Row> sink) {
        AsyncResultSet page = await(session.executeAsync(scan));
        while (true) {
            CompletionStage<AsyncResultSet> next = page.hasMorePages() ? page.fetchNextPage() : null;
            for (Row row : page.currentPage()) {
                sink.accept(row);
            }
            if (next == null) {
                return;
            }
            page = await(next);
        }
    }

    /** Waits for a page; a failure surfaces as the driver's own exception, as a synchronous read's would. */
    private static AsyncResultSet await(CompletionStage<AsyncResultSet> page) {
        try {
            return page.toCompletableFuture().join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException cause) {
                throw cause;
            }
            throw e;
        }
    }

    /** A row of {@code COLUMNS}, read by position (by name costs a lookup per column and row). */
    private static ArchivedEvent archived(Row row) {
        return new ArchivedEvent(row.getString(0), row.getString(1), row.getInstant(2), row.getInstant(3),
                row.getInt(4), row.getLong(5), Bytes.of(row.getByteBuffer(6)));
    }
}
