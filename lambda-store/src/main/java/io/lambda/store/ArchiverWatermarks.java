package io.lambda.store;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletionStage;

/**
 * Per Kafka partition, the ingest time through which the master dataset is complete (docs/architecture.md,
 * invariant 3): the batch cut may not pass the smallest of them.
 */
public final class ArchiverWatermarks {

    /** One partition's progress: complete through {@code completeThrough}, next offset to archive. */
    public record Watermark(Instant completeThrough, long nextOffset) {
    }

    private final CqlSession session;
    private final PreparedStatement write;
    private final PreparedStatement readAll;

    public ArchiverWatermarks(CqlSession session, StoreSettings settings) {
        this.session = session;
        String table = settings.keyspace() + ".archiver_watermarks";
        this.write = session.prepare("UPDATE " + table + " SET complete_through = ?, next_offset = ? "
                + "WHERE topic = ? AND kafka_partition = ?");
        this.readAll = session.prepare("SELECT kafka_partition, complete_through, next_offset FROM " + table
                + " WHERE topic = ?");
    }

    public void record(String topic, int partition, Watermark watermark) {
        recordAsync(topic, partition, watermark).toCompletableFuture().join();
    }

    /** Records a watermark; the archiver writes those of a poll's partitions at once and waits for all. */
    public CompletionStage<?> recordAsync(String topic, int partition, Watermark watermark) {
        return session.executeAsync(write.bind(watermark.completeThrough(), watermark.nextOffset(), topic, partition));
    }

    public Map<Integer, Watermark> all(String topic) {
        Map<Integer, Watermark> marks = new HashMap<>();
        for (Row row : session.execute(readAll.bind(topic))) {
            marks.put(row.getInt("kafka_partition"),
                    new Watermark(row.getInstant("complete_through"), row.getLong("next_offset")));
        }
        return marks;
    }
}
