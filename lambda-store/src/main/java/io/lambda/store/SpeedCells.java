package io.lambda.store;

import com.datastax.oss.driver.api.core.CqlIdentifier;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.ProtocolVersion;
import com.datastax.oss.driver.api.core.metadata.Node;
import com.datastax.oss.driver.api.core.metadata.TokenMap;
import com.datastax.oss.driver.api.core.cql.AsyncResultSet;
import com.datastax.oss.driver.api.core.cql.BatchStatement;
import com.datastax.oss.driver.api.core.cql.BoundStatement;
import com.datastax.oss.driver.api.core.cql.DefaultBatchType;
import com.datastax.oss.driver.api.core.cql.Statement;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.type.codec.TypeCodecs;
import io.lambda.core.cell.CellKey;
import io.lambda.core.cell.SpeedCellKey;
import io.lambda.core.time.BucketRange;
import io.lambda.core.time.Granularity;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Speed cells: per (cell, ingest epoch, Kafka partition) an absolute value and the highest offset
 * applied to it (docs/architecture.md, invariant 4). Written as whole values, never incremented.
 *
 * <p>Each cell is also listed under its view and ingest epoch ({@link #index}), so that the cells of
 * an epoch the published batch has absorbed can be found and deleted from every speed table
 * ({@link #expire}, docs/architecture.md, invariant 5).
 */
public final class SpeedCells {

    /** A stored speed cell: its encoded value and the highest Kafka offset folded into it. */
    public record Stored(SpeedCellKey key, byte[] value, long highestOffset) {
    }

    /**
     * The most rows, and estimated bytes, of one Cassandra partition in one request. A partition with
     * more goes in several requests, one after the other, never at the same time: Cassandra applies
     * concurrent updates of one partition by compare-and-swap on the partition's tree, and updates that
     * lose the race are merged again. With 200-row requests sent together, a flush of live traffic (a
     * few hundred rows in each current bucket) cost Cassandra ~10 % more CPU and 10-20 ms more per
     * flush (docs/performance.md, speed-service, "Fetches that wait for the flush, and one request per
     * partition").
     */
    private static final int ROWS_PER_BATCH = 2000;
    private static final int BYTES_PER_BATCH = 1 << 20;

    /**
     * Partitions per batch that spans partitions: Cassandra warns (in its log and to the client)
     * above {@code unlogged_batch_across_partitions_warn_threshold}, default 10.
     */
    private static final int PARTITIONS_PER_GROUPED_BATCH = 10;

    /**
     * Estimated bytes per batch that spans partitions: Cassandra warns above {@code batch_size_warn_threshold}
     * (default 5 KiB) and refuses above {@code batch_size_fail_threshold} (50 KiB); the estimate
     * ({@link #ROW_OVERHEAD_BYTES} per row plus its text and value) errs high.
     */
    private static final int BYTES_PER_GROUPED_BATCH = 3000;

    private static final int ROW_OVERHEAD_BYTES = 64;

    /**
     * The most buckets a series read since an epoch lists in one {@code IN}: each is one slice of the
     * partition that Cassandra seeks to. A longer range is read whole and filtered here.
     */
    private static final int MAX_BUCKETS_IN_LIST = 100;

    private final CqlSession session;
    private final CqlIdentifier keyspace;
    private final PreparedStatement upsert;
    private final PreparedStatement upsertByBucket;
    private final PreparedStatement bucket;
    private final PreparedStatement keysFrom;
    private final PreparedStatement readOne;
    private final PreparedStatement series;
    private final PreparedStatement seriesSince;
    private final PreparedStatement indexEpoch;
    private final PreparedStatement indexCell;
    private final PreparedStatement epochs;
    private final PreparedStatement cellsOfEpoch;
    private final PreparedStatement deleteCell;
    private final PreparedStatement deleteCellByBucket;
    private final PreparedStatement deleteCellsOfEpoch;
    private final PreparedStatement deleteEpoch;
    /** View and granularity names as the protocol encodes them: a handful of values, written in every row. */
    private final Map<String, ByteBuffer> encodedNames = new ConcurrentHashMap<>();

    public SpeedCells(CqlSession session, StoreSettings settings) {
        this.session = session;
        this.keyspace = CqlIdentifier.fromInternal(settings.keyspace());
        String table = settings.keyspace() + ".speed_cells";
        this.upsert = session.prepare("INSERT INTO " + table + " (view_name, granularity, view_key, bucket, ingest_epoch, "
                + "kafka_partition, value, highest_offset) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
        String byBucket = settings.keyspace() + ".speed_cells_by_bucket";
        this.upsertByBucket = session.prepare("INSERT INTO " + byBucket + " (view_name, granularity, bucket, view_key, "
                + "ingest_epoch, kafka_partition, value, highest_offset) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
        this.bucket = session.prepare("SELECT view_key, ingest_epoch, kafka_partition, value, highest_offset FROM "
                + byBucket + " WHERE view_name = ? AND granularity = ? AND bucket = ?");
        // one row per key: a key has a row per ingest epoch and partition in the bucket
        this.keysFrom = session.prepare("SELECT view_key FROM " + byBucket + " WHERE view_name = ? AND granularity = ? "
                + "AND bucket = ? AND view_key >= ? GROUP BY view_key LIMIT ?");
        this.readOne = session.prepare("SELECT value, highest_offset FROM " + table + " WHERE view_name = ? AND "
                + "granularity = ? AND view_key = ? AND bucket = ? AND ingest_epoch = ? AND kafka_partition = ?");
        this.series = session.prepare("SELECT bucket, ingest_epoch, kafka_partition, value, highest_offset FROM "
                + table + " WHERE view_name = ? AND granularity = ? AND view_key = ? AND bucket >= ? AND bucket < ?");
        this.seriesSince = session.prepare("SELECT bucket, ingest_epoch, kafka_partition, value, highest_offset FROM "
                + table + " WHERE view_name = ? AND granularity = ? AND view_key = ? AND bucket IN ? AND ingest_epoch >= ?");
        String epochTable = settings.keyspace() + ".speed_epochs";
        String byEpoch = settings.keyspace() + ".speed_cells_by_epoch";
        this.indexEpoch = session.prepare("INSERT INTO " + epochTable + " (view_name, ingest_epoch) VALUES (?, ?)");
        this.indexCell = session.prepare("INSERT INTO " + byEpoch + " (view_name, ingest_epoch, granularity, view_key, "
                + "bucket, kafka_partition) VALUES (?, ?, ?, ?, ?, ?)");
        this.epochs = session.prepare("SELECT ingest_epoch FROM " + epochTable + " WHERE view_name = ?");
        this.cellsOfEpoch = session.prepare("SELECT granularity, view_key, bucket, kafka_partition FROM " + byEpoch
                + " WHERE view_name = ? AND ingest_epoch = ?");
        this.deleteCell = session.prepare("DELETE FROM " + table + " WHERE view_name = ? AND granularity = ? AND "
                + "view_key = ? AND bucket = ? AND ingest_epoch = ? AND kafka_partition = ?");
        this.deleteCellByBucket = session.prepare("DELETE FROM " + byBucket + " WHERE view_name = ? AND granularity = ? "
                + "AND bucket = ? AND view_key = ? AND ingest_epoch = ? AND kafka_partition = ?");
        this.deleteCellsOfEpoch = session.prepare("DELETE FROM " + byEpoch + " WHERE view_name = ? AND ingest_epoch = ?");
        this.deleteEpoch = session.prepare("DELETE FROM " + epochTable + " WHERE view_name = ? AND ingest_epoch = ?");
    }

    /** Writes the cell in both layouts: by key (series) and by bucket (top-N). */
    public CompletionStage<Void> write(SpeedCellKey key, byte[] value, long highestOffset) {
        return writeAll(List.of(new Stored(key, value, highestOffset)));
    }

    /**
     * Writes many cells in both layouts as unlogged batches, never as one request per row:
     * <ul>
     * <li>by bucket: the rows of one Cassandra partition together (≤ {@value #ROWS_PER_BATCH} rows and
     * ~1 MiB per request; the requests of one partition one after the other). Such a batch is one
     * mutation, atomic, without the batch log, and no batch size limit applies to it (CASSANDRA-10876).
     * Live traffic puts most cells of a flush into few buckets.</li>
     * <li>by key: a flush touches thousands of key partitions with a row or two each. Those are sent
     * several partitions to a request, grouped by the node that owns them, within the limits under
     * which Cassandra neither warns nor refuses a batch that spans partitions
     * ({@value #PARTITIONS_PER_GROUPED_BATCH} partitions, {@value #BYTES_PER_GROUPED_BATCH} bytes of
     * values, below {@code unlogged_batch_across_partitions_warn_threshold} and
     * {@code batch_size_warn_threshold}).</li>
     * </ul>
     * Each row is an idempotent upsert, so a batch that fails part-way is simply written again.
     */
    public CompletionStage<Void> writeAll(Collection<Stored> stored) {
        Map<List<Object>, PartitionRows> byBucket = new HashMap<>();
        Map<List<Object>, PartitionRows> byKey = new HashMap<>();
        ProtocolVersion protocol = session.getContext().getProtocolVersion();
        for (Stored cellValue : stored) {
            SpeedCellKey key = cellValue.key();
            CellKey cell = key.cell();
            Instant bucketStart = Instant.ofEpochMilli(cell.bucketStartMillis());
            // Each value encoded once for both tables (the driver reads a bound buffer without moving
            // it), the few view and granularity names once per instance: the encoding was a fifth of
            // what a flush allocated.
            ByteBuffer view = encodedNames.computeIfAbsent(cell.view(), name -> TypeCodecs.TEXT.encode(name, protocol));
            ByteBuffer granularity = encodedNames.computeIfAbsent(cell.granularity().name(),
                    name -> TypeCodecs.TEXT.encode(name, protocol));
            ByteBuffer viewKey = TypeCodecs.TEXT.encode(cell.key(), protocol);
            ByteBuffer bucket = TypeCodecs.TIMESTAMP.encode(bucketStart, protocol);
            ByteBuffer epoch = TypeCodecs.BIGINT.encodePrimitive(key.ingestEpoch(), protocol);
            ByteBuffer partition = TypeCodecs.INT.encodePrimitive(key.partition(), protocol);
            ByteBuffer value = ByteBuffer.wrap(cellValue.value());
            ByteBuffer offset = TypeCodecs.BIGINT.encodePrimitive(cellValue.highestOffset(), protocol);
            int rowBytes = ROW_OVERHEAD_BYTES + cell.view().length() + cell.key().length() + cellValue.value().length;
            byKey.computeIfAbsent(List.of(cell.view(), cell.granularity(), cell.key()), k -> new PartitionRows())
                    .add(upsert.boundStatementBuilder()
                            .setBytesUnsafe(0, view).setBytesUnsafe(1, granularity).setBytesUnsafe(2, viewKey)
                            .setBytesUnsafe(3, bucket).setBytesUnsafe(4, epoch).setBytesUnsafe(5, partition)
                            .setBytesUnsafe(6, value).setBytesUnsafe(7, offset)
                            .build(), rowBytes);
            byBucket.computeIfAbsent(List.of(cell.view(), cell.granularity(), bucketStart), k -> new PartitionRows())
                    .add(upsertByBucket.boundStatementBuilder()
                            .setBytesUnsafe(0, view).setBytesUnsafe(1, granularity).setBytesUnsafe(2, bucket)
                            .setBytesUnsafe(3, viewKey).setBytesUnsafe(4, epoch).setBytesUnsafe(5, partition)
                            .setBytesUnsafe(6, value).setBytesUnsafe(7, offset)
                            .build(), rowBytes);
        }
        List<CompletableFuture<?>> requests = new ArrayList<>();
        sendInPartitionBatches(byBucket.values(), requests);
        sendGroupedByNode(byKey.values(), requests);
        return CompletableFuture.allOf(requests.toArray(CompletableFuture[]::new));
    }

    /** The rows of one Cassandra partition, with a generous estimate of their size, each and in all. */
    private static final class PartitionRows {
        final List<BoundStatement> rows = new ArrayList<>(2);
        int[] rowBytes = new int[2]; // unboxed: two of these per cell and flush
        int bytes;

        void add(BoundStatement row, int size) {
            if (rows.size() == rowBytes.length) {
                rowBytes = Arrays.copyOf(rowBytes, 2 * rowBytes.length);
            }
            rowBytes[rows.size()] = size;
            rows.add(row);
            bytes += size;
        }
    }

    /**
     * Sends small partitions several to a request: per owning node (so the coordinator holds them
     * itself), up to {@value #PARTITIONS_PER_GROUPED_BATCH} partitions and {@value #BYTES_PER_GROUPED_BATCH}
     * bytes. A partition too big for that goes alone, as its own single-partition batches.
     */
    private void sendGroupedByNode(Collection<PartitionRows> partitions, List<CompletableFuture<?>> requests) {
        Map<Object, List<PartitionRows>> open = new HashMap<>();
        Map<Object, Integer> openBytes = new HashMap<>();
        List<PartitionRows> alone = new ArrayList<>();
        for (PartitionRows partition : partitions) {
            if (partition.bytes > BYTES_PER_GROUPED_BATCH) {
                alone.add(partition);
                continue;
            }
            Object node = ownerOf(partition.rows.get(0));
            List<PartitionRows> batch = open.computeIfAbsent(node, n -> new ArrayList<>());
            int bytes = openBytes.getOrDefault(node, 0);
            if (batch.size() == PARTITIONS_PER_GROUPED_BATCH || bytes + partition.bytes > BYTES_PER_GROUPED_BATCH) {
                requests.add(send(batch));
                batch.clear();
                bytes = 0;
            }
            batch.add(partition);
            openBytes.put(node, bytes + partition.bytes);
        }
        for (List<PartitionRows> batch : open.values()) {
            if (!batch.isEmpty()) {
                requests.add(send(batch));
            }
        }
        sendInPartitionBatches(alone, requests);
    }

    private CompletableFuture<AsyncResultSet> send(List<PartitionRows> partitions) {
        List<BoundStatement> rows = new ArrayList<>();
        partitions.forEach(partition -> rows.addAll(partition.rows));
        Statement<?> request = rows.size() == 1 ? rows.get(0)
                : BatchStatement.newInstance(DefaultBatchType.UNLOGGED, rows.toArray(BoundStatement[]::new));
        return session.executeAsync(request).toCompletableFuture();
    }

    /** The first replica of the row's partition; one group for all when the cluster has a single node. */
    private Object ownerOf(BoundStatement row) {
        if (session.getMetadata().getNodes().size() <= 1) {
            return "the only node";
        }
        Optional<TokenMap> tokens = session.getMetadata().getTokenMap();
        if (tokens.isEmpty()) {
            return "unknown";
        }
        Set<Node> replicas = tokens.get().getReplicas(keyspace, row.getRoutingKey());
        return replicas.isEmpty() ? "unknown" : replicas.iterator().next();
    }

    /**
     * {@link #index} for many cells: the listing rows of one view and epoch share a partition and go
     * in batches of it; each epoch is listed once.
     */
    public CompletionStage<Void> indexAll(Collection<SpeedCellKey> keys) {
        Map<List<Object>, PartitionRows> byPartition = new HashMap<>();
        Set<List<Object>> epochsListed = new HashSet<>();
        for (SpeedCellKey key : keys) {
            CellKey cell = key.cell();
            List<Object> epochPartition = List.of(cell.view(), key.ingestEpoch());
            if (epochsListed.add(epochPartition)) {
                byPartition.computeIfAbsent(List.of("epochs", cell.view()), k -> new PartitionRows())
                        .add(indexEpoch.bind(cell.view(), key.ingestEpoch()), ROW_OVERHEAD_BYTES + cell.view().length());
            }
            byPartition.computeIfAbsent(epochPartition, k -> new PartitionRows()).add(indexCell.bind(cell.view(),
                    key.ingestEpoch(), cell.granularity().name(), cell.key(), Instant.ofEpochMilli(cell.bucketStartMillis()),
                    key.partition()), ROW_OVERHEAD_BYTES + cell.view().length() + cell.key().length());
        }
        List<CompletableFuture<?>> requests = new ArrayList<>();
        sendInPartitionBatches(byPartition.values(), requests);
        return CompletableFuture.allOf(requests.toArray(CompletableFuture[]::new));
    }

    /**
     * Sends each partition's rows as single-partition batches of at most {@value #ROWS_PER_BATCH} rows
     * and {@value #BYTES_PER_BATCH} estimated bytes; the partitions at the same time, the batches of one
     * partition one after the other (see {@link #ROWS_PER_BATCH}).
     */
    private void sendInPartitionBatches(Collection<PartitionRows> partitions, List<CompletableFuture<?>> requests) {
        for (PartitionRows partition : partitions) {
            CompletableFuture<?> previous = CompletableFuture.completedFuture(null);
            int from = 0;
            while (from < partition.rows.size()) {
                int to = from;
                int bytes = 0;
                while (to < partition.rows.size() && to - from < ROWS_PER_BATCH
                        && (to == from || bytes + partition.rowBytes[to] <= BYTES_PER_BATCH)) {
                    bytes += partition.rowBytes[to++];
                }
                List<BoundStatement> chunk = partition.rows.subList(from, to);
                Statement<?> request = chunk.size() == 1 ? chunk.get(0)
                        : BatchStatement.newInstance(DefaultBatchType.UNLOGGED, chunk.toArray(BoundStatement[]::new));
                previous = from == 0 ? session.executeAsync(request).toCompletableFuture()
                        : previous.thenCompose(done -> session.executeAsync(request));
                from = to;
            }
            requests.add(previous);
        }
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

    /**
     * The first {@code limit} keys of one bucket from {@code from} on, in Cassandra's order of text
     * (its UTF-8 bytes, the same as code point order), whatever their epochs: one slice of the bucket's partition.
     */
    public List<String> keys(String view, Granularity granularity, Instant bucketStart, String from, int limit) {
        List<String> keys = new ArrayList<>();
        for (Row row : session.execute(keysFrom.bind(view, granularity.name(), bucketStart, from, limit))) {
            keys.add(row.getString("view_key"));
        }
        return keys;
    }

    public Optional<Stored> read(SpeedCellKey key) {
        CellKey cell = key.cell();
        Row row = session.execute(readOne.bind(cell.view(), cell.granularity().name(), cell.key(),
                Instant.ofEpochMilli(cell.bucketStartMillis()), key.ingestEpoch(), key.partition())).one();
        return row == null ? Optional.empty()
                : Optional.of(new Stored(key, Bytes.of(row.getByteBuffer("value")), row.getLong("highest_offset")));
    }

    /** {@link #read}, without waiting: for many cells at once. */
    public CompletionStage<Optional<Stored>> readAsync(SpeedCellKey key) {
        CellKey cell = key.cell();
        return session.executeAsync(readOne.bind(cell.view(), cell.granularity().name(), cell.key(),
                Instant.ofEpochMilli(cell.bucketStartMillis()), key.ingestEpoch(), key.partition()))
                .thenApply(rows -> {
                    Row row = rows.one();
                    return row == null ? Optional.<Stored>empty()
                            : Optional.of(new Stored(key, Bytes.of(row.getByteBuffer("value")), row.getLong("highest_offset")));
                });
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

    /**
     * The speed cells of one key's buckets in {@code range} whose ingest epoch is {@code >= fromEpoch}:
     * what a merge at a cut reads. Cells of older epochs (absorbed by the batch, kept until expiry)
     * are not sent: with clustering order (bucket, ingest epoch) each bucket is read from its first
     * such epoch, one slice per bucket. A range of more than {@value #MAX_BUCKETS_IN_LIST} buckets is
     * read as one slice and filtered here. Without waiting: every page is read on the driver's threads.
     */
    public CompletionStage<List<Stored>> seriesAsync(String view, String key, BucketRange range, long fromEpoch) {
        Granularity granularity = range.granularity();
        boolean inList = range.size() <= MAX_BUCKETS_IN_LIST;
        Statement<?> read = inList
                ? seriesSince.bind(view, granularity.name(), key, range.buckets(), fromEpoch)
                : series.bind(view, granularity.name(), key, range.from(), range.to());
        List<Stored> cells = new ArrayList<>();
        return session.executeAsync(read).thenCompose(rows -> collectSeries(rows, view, key, granularity, cells))
                .thenApply(all -> {
                    if (!inList) {
                        all.removeIf(cell -> cell.key().ingestEpoch() < fromEpoch);
                    }
                    return all;
                });
    }

    private static CompletionStage<List<Stored>> collectSeries(AsyncResultSet rows, String view, String key,
                                                               Granularity granularity, List<Stored> cells) {
        for (Row row : rows.currentPage()) {
            CellKey cell = new CellKey(view, key, granularity, row.getInstant("bucket").toEpochMilli());
            cells.add(new Stored(new SpeedCellKey(cell, row.getLong("ingest_epoch"), row.getInt("kafka_partition")),
                    Bytes.of(row.getByteBuffer("value")), row.getLong("highest_offset")));
        }
        return rows.hasMorePages()
                ? rows.fetchNextPage().thenCompose(next -> collectSeries(next, view, key, granularity, cells))
                : CompletableFuture.completedFuture(cells);
    }

    /**
     * Lists the cell under its view and ingest epoch, for {@link #expire}. Idempotent; the writer
     * calls it before it first relies on a cell being written.
     */
    public CompletionStage<Void> index(SpeedCellKey key) {
        return indexAll(List.of(key));
    }

    /**
     * The ingest epochs of {@code view} that hold (or held, until an expiry finished) speed cells,
     * ascending. An epoch is listed before any of its cells is written ({@link #indexAll}), so a cell
     * of an epoch not listed here is not stored.
     */
    public List<Long> epochs(String view) {
        List<Long> found = new ArrayList<>();
        for (Row row : session.execute(epochs.bind(view))) {
            found.add(row.getLong("ingest_epoch"));
        }
        return found;
    }

    /**
     * The speed cells listed under {@code view} and ingest epoch {@code epoch} by {@link #index}, at
     * most {@code limit} of them: what a batch that absorbs the epoch compares its cells with.
     */
    public List<SpeedCellKey> cellsOf(String view, long epoch, int limit) {
        List<SpeedCellKey> keys = new ArrayList<>();
        for (Row row : session.execute(cellsOfEpoch.bind(view, epoch).setPageSize(5000))) {
            if (keys.size() >= limit) {
                break;
            }
            CellKey cell = new CellKey(view, row.getString("view_key"), Granularity.valueOf(row.getString("granularity")),
                    row.getInstant("bucket").toEpochMilli());
            keys.add(new SpeedCellKey(cell, epoch, row.getInt("kafka_partition")));
        }
        return keys;
    }

    /**
     * Deletes every speed cell of {@code view} in ingest epoch {@code epoch} from both cell tables,
     * then the epoch's listing; returns how many cells were deleted. Idempotent: an expiry cut short
     * is finished by the next call.
     */
    public int expire(String view, long epoch) {
        List<CompletableFuture<AsyncResultSet>> deletes = new ArrayList<>();
        int cells = 0;
        for (Row row : session.execute(cellsOfEpoch.bind(view, epoch).setPageSize(5000))) {
            String granularity = row.getString("granularity");
            String key = row.getString("view_key");
            Instant bucketStart = row.getInstant("bucket");
            int partition = row.getInt("kafka_partition");
            deletes.add(session.executeAsync(deleteCell.bind(view, granularity, key, bucketStart, epoch, partition))
                    .toCompletableFuture());
            deletes.add(session.executeAsync(deleteCellByBucket.bind(view, granularity, bucketStart, key, epoch,
                    partition)).toCompletableFuture());
            cells++;
            if (deletes.size() >= 512) {
                CompletableFuture.allOf(deletes.toArray(CompletableFuture[]::new)).join();
                deletes.clear();
            }
        }
        CompletableFuture.allOf(deletes.toArray(CompletableFuture[]::new)).join();
        session.execute(deleteCellsOfEpoch.bind(view, epoch));
        session.execute(deleteEpoch.bind(view, epoch));
        return cells;
    }
}
