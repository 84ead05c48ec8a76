package io.lambda.store;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.AsyncResultSet;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import io.lambda.core.cell.CellKey;
import io.lambda.core.cell.SpeedCellKey;
import io.lambda.core.time.Granularity;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * Speed cells: per (cell, ingest epoch, Kafka partition) an absolute value and the highest offset
 * applied to it (SEMANTICS invariant 4). Written as whole values, never incremented.
 */
public final class SpeedCells {

    /** A stored speed cell: its encoded value and the highest Kafka offset folded into it. */
    public record Stored(SpeedCellKey key, byte[] value, long highestOffset) {
    }

    private final CqlSession session;
    private final PreparedStatement upsert;
    private final PreparedStatement upsertByBucket;
    private final PreparedStatement bucket;
    private final PreparedStatement readOne;
    private final PreparedStatement series;

    public SpeedCells(CqlSession session, StoreSettings settings) {
        this.session = session;
        String table = settings.keyspace() + ".speed_cells";
        this.upsert = session.prepare("INSERT INTO " + table + " (view_name, granularity, view_key, bucket, ingest_epoch, "
                + "kafka_partition, value, highest_offset) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
        String byBucket = settings.keyspace() + ".speed_cells_by_bucket";
        this.upsertByBucket = session.prepare("INSERT INTO " + byBucket + " (view_name, granularity, bucket, view_key, "
                + "ingest_epoch, kafka_partition, value, highest_offset) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
        this.bucket = session.prepare("SELECT view_key, ingest_epoch, kafka_partition, value, highest_offset FROM "
                + byBucket + " WHERE view_name = ? AND granularity = ? AND bucket = ?");
        this.readOne = session.prepare("SELECT value, highest_offset FROM " + table + " WHERE view_name = ? AND "
                + "granularity = ? AND view_key = ? AND bucket = ? AND ingest_epoch = ? AND kafka_partition = ?");
        this.series = session.prepare("SELECT bucket, ingest_epoch, kafka_partition, value, highest_offset FROM "
                + table + " WHERE view_name = ? AND granularity = ? AND view_key = ? AND bucket >= ? AND bucket < ?");
    }

    /** Writes the cell in both layouts: by key (series) and by bucket (top-N). */
    public CompletionStage<Void> write(SpeedCellKey key, byte[] value, long highestOffset) {
        CellKey cell = key.cell();
        Instant bucketStart = Instant.ofEpochMilli(cell.bucketStartMillis());
        CompletionStage<AsyncResultSet> byKey = session.executeAsync(upsert.bind(cell.view(),
                cell.granularity().name(), cell.key(), bucketStart, key.ingestEpoch(), key.partition(),
                ByteBuffer.wrap(value), highestOffset));
        CompletionStage<AsyncResultSet> byBucket = session.executeAsync(upsertByBucket.bind(cell.view(),
                cell.granularity().name(), bucketStart, cell.key(), key.ingestEpoch(), key.partition(),
                ByteBuffer.wrap(value), highestOffset));
        return byKey.thenCombine(byBucket, (a, b) -> null);
    }

    /** Every speed cell of one bucket, all keys, epochs and partitions. */
    public List<Stored> bucket(String view, Granularity granularity, Instant bucketStart) {
        List<Stored> cells = new ArrayList<>();
        for (Row row : session.execute(bucket.bind(view, granularity.name(), bucketStart).setPageSize(5000))) {
            CellKey cell = new CellKey(view, row.getString("view_key"), granularity, bucketStart.toEpochMilli());
            cells.add(new Stored(new SpeedCellKey(cell, row.getLong("ingest_epoch"), row.getInt("kafka_partition")),
                    Bytes.of(row.getByteBuffer("value")), row.getLong("highest_offset")));
        }
        return cells;
    }

    public Optional<Stored> read(SpeedCellKey key) {
        CellKey cell = key.cell();
        Row row = session.execute(readOne.bind(cell.view(), cell.granularity().name(), cell.key(),
                Instant.ofEpochMilli(cell.bucketStartMillis()), key.ingestEpoch(), key.partition())).one();
        return row == null ? Optional.empty()
                : Optional.of(new Stored(key, Bytes.of(row.getByteBuffer("value")), row.getLong("highest_offset")));
    }

    /** Every speed cell of one key's buckets in [from, to), all epochs and partitions. */
    public List<Stored> series(String view, Granularity granularity, String key, Instant from, Instant to) {
        List<Stored> cells = new ArrayList<>();
        for (Row row : session.execute(series.bind(view, granularity.name(), key, from, to))) {
            CellKey cell = new CellKey(view, key, granularity, row.getInstant("bucket").toEpochMilli());
            cells.add(new Stored(new SpeedCellKey(cell, row.getLong("ingest_epoch"), row.getInt("kafka_partition")),
                    Bytes.of(row.getByteBuffer("value")), row.getLong("highest_offset")));
        }
        return cells;
    }
}
