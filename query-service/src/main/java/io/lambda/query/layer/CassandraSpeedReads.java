package io.lambda.query.layer;

import io.lambda.core.measure.Measure;
import io.lambda.core.time.BucketRange;
import io.lambda.core.view.ViewDefinition;
import io.lambda.store.LambdaStore;
import io.lambda.store.SpeedCells;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * Engine {@code writer}: the speed cells are rows of Cassandra's speed tables, one per (cell, ingest
 * epoch, Kafka partition). A read either returns every row asked for or fails, so no partition is
 * ever missing. Each bucket of a top-N or keys listing is its own read, in parallel.
 */
public final class CassandraSpeedReads implements SpeedReads {

    private final LambdaStore store;
    private final LayerGuard guard;

    public CassandraSpeedReads(LambdaStore store, LayerGuard guard) {
        this.store = store;
        this.guard = guard;
    }

    @Override
    public CompletableFuture<Slice<Map<Long, Object>>> series(ViewDefinition view, String key, BucketRange range,
                                                              long fromEpoch) {
        Measure<Object> measure = view.cellMeasure();
        return guard.readAsync(() -> store.speedCells().seriesAsync(view.name(), key, range, fromEpoch))
                .thenApply(rows -> {
                    Map<Long, Object> cells = new HashMap<>();
                    for (SpeedCells.Stored row : rows) {
                        if (row.key().ingestEpoch() >= fromEpoch) {
                            cells.merge(row.key().cell().bucketStartMillis(), measure.decode(row.value()),
                                    measure::plusInto);
                        }
                    }
                    return Slice.complete(cells);
                });
    }

    @Override
    public CompletableFuture<Slice<Map<String, Object>>> top(ViewDefinition view, BucketRange range, long fromEpoch) {
        Measure<Object> measure = view.cellMeasure();
        return all(range.buckets(), bucket -> guard.read(() -> store.speedCells().bucket(view.name(),
                range.granularity(), bucket)))
                .thenApply(perBucket -> {
                    Map<String, Object> cells = new HashMap<>();
                    for (List<SpeedCells.Stored> rows : perBucket) {
                        for (SpeedCells.Stored row : rows) {
                            if (row.key().ingestEpoch() >= fromEpoch) { // the table holds older epochs for a while
                                cells.merge(row.key().cell().key(), measure.decode(row.value()), measure::plusInto);
                            }
                        }
                    }
                    return Slice.complete(cells);
                });
    }

    @Override
    public CompletableFuture<Slice<List<String>>> keys(ViewDefinition view, BucketRange range, String from, int limit) {
        return all(range.buckets(), bucket -> guard.read(() -> store.speedCells().keys(view.name(),
                range.granularity(), bucket, from, limit))).thenApply(perBucket -> {
                    List<String> keys = new ArrayList<>();
                    perBucket.forEach(keys::addAll);
                    return Slice.complete(keys);
                });
    }

    /** Starts one read per bucket; the result fails as soon as any of them fails. */
    private static <T> CompletableFuture<List<T>> all(List<Instant> buckets,
                                                      Function<Instant, CompletableFuture<T>> read) {
        List<CompletableFuture<T>> reads = buckets.stream().map(read).toList();
        return CompletableFuture.allOf(reads.toArray(CompletableFuture[]::new))
                .thenApply(done -> reads.stream().map(CompletableFuture::join).toList());
    }
}
