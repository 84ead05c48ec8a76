package io.lambda.store;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.AsyncResultSet;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import io.lambda.core.cell.CellKey;
import io.lambda.core.time.Granularity;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletionStage;

/** The cells of batch versions: immutable once their version is written. */
public final class BatchCells {

    private final CqlSession session;
    private final PreparedStatement insert;
    private final PreparedStatement insertByBucket;
    private final PreparedStatement series;
    private final PreparedStatement bucket;
    private final PreparedStatement keysFrom;
    private final PreparedStatement deleteSeries;
    private final PreparedStatement deleteBucket;

    public BatchCells(CqlSession session, StoreSettings settings) {
        this.session = session;
        String table = settings.keyspace() + ".batch_cells";
        this.insert = session.prepare("INSERT INTO " + table
                + " (view_name, version, granularity, view_key, bucket, value) VALUES (?, ?, ?, ?, ?, ?)");
        this.series = session.prepare("SELECT bucket, value FROM " + table + " WHERE view_name = ? AND version = ? "
                + "AND granularity = ? AND view_key = ? AND bucket >= ? AND bucket < ?");
        String byBucket = settings.keyspace() + ".batch_cells_by_bucket";
        this.insertByBucket = session.prepare("INSERT INTO " + byBucket
                + " (view_name, version, granularity, bucket, view_key, value) VALUES (?, ?, ?, ?, ?, ?)");
        this.bucket = session.prepare("SELECT view_key, value FROM " + byBucket
                + " WHERE view_name = ? AND version = ? AND granularity = ? AND bucket = ?");
        this.keysFrom = session.prepare("SELECT view_key FROM " + byBucket
                + " WHERE view_name = ? AND version = ? AND granularity = ? AND bucket = ? AND view_key >= ? LIMIT ?");
        this.deleteSeries = session.prepare("DELETE FROM " + table
                + " WHERE view_name = ? AND version = ? AND granularity = ? AND view_key = ?");
        this.deleteBucket = session.prepare("DELETE FROM " + byBucket
                + " WHERE view_name = ? AND version = ? AND granularity = ? AND bucket = ?");
    }

    /** Writes the cell in both layouts: by key (series) and by bucket (top-N). */
    public CompletionStage<Void> write(long version, CellKey cell, byte[] value) {
        Instant bucketStart = Instant.ofEpochMilli(cell.bucketStartMillis());
        CompletionStage<AsyncResultSet> byKey = session.executeAsync(insert.bind(cell.view(), version,
                cell.granularity().name(), cell.key(), bucketStart, ByteBuffer.wrap(value)));
        CompletionStage<AsyncResultSet> byBucket = session.executeAsync(insertByBucket.bind(cell.view(), version,
                cell.granularity().name(), bucketStart, cell.key(), ByteBuffer.wrap(value)));
        return byKey.thenCombine(byBucket, (a, b) -> null);
    }

    /** Deletes the partition of one key's series in {@code version} (every bucket of it). */
    public CompletionStage<AsyncResultSet> deleteSeries(String view, long version, Granularity granularity,
                                                         String key) {
        return session.executeAsync(deleteSeries.bind(view, version, granularity.name(), key));
    }

    /** Deletes the partition of one bucket in {@code version} (every key of it). */
    public CompletionStage<AsyncResultSet> deleteBucket(String view, long version, Granularity granularity,
                                                         Instant bucketStart) {
        return session.executeAsync(deleteBucket.bind(view, version, granularity.name(), bucketStart));
    }

    /** Encoded values of every key of one bucket. */
    public Map<String, byte[]> bucket(String view, long version, Granularity granularity, Instant bucketStart) {
        Map<String, byte[]> values = new TreeMap<>();
        for (Row row : session.execute(bucket.bind(view, version, granularity.name(), bucketStart).setPageSize(5000))) {
            values.put(row.getString("view_key"), Bytes.of(row.getByteBuffer("value")));
        }
        return values;
    }

    /**
     * The first {@code limit} keys of one bucket from {@code from} on, in Cassandra's order of text
     * (its UTF-8 bytes, the same as code point order): one slice of the bucket's partition, values not read.
     */
    public List<String> keys(String view, long version, Granularity granularity, Instant bucketStart, String from,
                             int limit) {
        List<String> keys = new ArrayList<>();
        for (Row row : session.execute(keysFrom.bind(view, version, granularity.name(), bucketStart, from, limit))) {
            keys.add(row.getString("view_key"));
        }
        return keys;
    }

    /** Encoded values of one key's buckets in [from, to), by bucket start (epoch millis). */
    public Map<Long, byte[]> series(String view, long version, Granularity granularity, String key,
                                    Instant from, Instant to) {
        Map<Long, byte[]> values = new TreeMap<>();
        for (Row row : session.execute(series.bind(view, version, granularity.name(), key, from, to))) {
            values.put(row.getInstant("bucket").toEpochMilli(), Bytes.of(row.getByteBuffer("value")));
        }
        return values;
    }
}
