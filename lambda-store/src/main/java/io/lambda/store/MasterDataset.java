package io.lambda.store;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.AsyncResultSet;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import java.nio.ByteBuffer;
import java.util.List;
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
 */
public final class MasterDataset {

    /** Events are spread over this many partitions so that a full scan is parallel and even. */
    public static final int SHARDS = 64;
    private static final long TIMESTAMP_BASE = 1L << 60;

    private final CqlSession session;
    private final PreparedStatement insert;
    private final PreparedStatement scanShard;

    public MasterDataset(CqlSession session, StoreSettings settings) {
        this.session = session;
        String table = settings.keyspace() + ".master_events";
        this.insert = session.prepare("INSERT INTO " + table + " (shard, event_id, type, event_time, ingest_time, "
                + "kafka_partition, kafka_offset, payload) VALUES (?, ?, ?, ?, ?, ?, ?, ?) USING TIMESTAMP ?");
        this.scanShard = session.prepare("SELECT event_id, type, event_time, ingest_time, kafka_partition, "
                + "kafka_offset, payload FROM " + table + " WHERE shard = ?");
    }

    public static int shardOf(String eventId) {
        return Math.floorMod(eventId.hashCode(), SHARDS);
    }

    /** Earlier ingest → larger write timestamp → wins. */
    static long writeTimestamp(ArchivedEvent event) {
        long micros = event.ingestTime().toEpochMilli() * 1000 + Math.floorMod(event.offset(), 1000);
        return TIMESTAMP_BASE - micros;
    }

    public CompletionStage<AsyncResultSet> archive(ArchivedEvent event) {
        return session.executeAsync(insert.bind(shardOf(event.eventId()), event.eventId(), event.type(),
                event.eventTime(), event.ingestTime(), event.partition(), event.offset(),
                ByteBuffer.wrap(event.payload()), writeTimestamp(event)));
    }

    /** Archives all, concurrently; completes when every write is acknowledged. */
    public CompletableFuture<Void> archiveAll(List<ArchivedEvent> events) {
        CompletableFuture<?>[] writes = events.stream()
                .map(e -> archive(e).toCompletableFuture())
                .toArray(CompletableFuture[]::new);
        return CompletableFuture.allOf(writes);
    }

    /** Reads one shard, row by row (paged by the driver). */
    public void scanShard(int shard, Consumer<ArchivedEvent> sink) {
        for (Row row : session.execute(scanShard.bind(shard).setPageSize(5000))) {
            ByteBuffer payload = row.getByteBuffer("payload");
            byte[] bytes = new byte[payload == null ? 0 : payload.remaining()];
            if (payload != null) {
                payload.duplicate().get(bytes);
            }
            sink.accept(new ArchivedEvent(row.getString("event_id"), row.getString("type"),
                    row.getInstant("event_time"), row.getInstant("ingest_time"), row.getInt("kafka_partition"),
                    row.getLong("kafka_offset"), bytes));
        }
    }
}
