package io.lambda.query.layer;

import io.lambda.core.time.Granularity;
import io.lambda.store.LambdaStore;
import io.lambda.store.PublishedVersion;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Every read a query makes, each through its layer's guard: the catalog and batch cells from the shared
 * tables (batch reads through the cache), speed cells from {@link SpeedReads}. The merge decides what a failed read means for the answer; here a failure is
 * just a failed future.
 *
 * <p>The catalog is read with a serial (Paxos) read, which costs far more than a cell read, so
 * queries arriving within {@code catalogMaxAge} of a catalog read share it, and at most one catalog
 * read is in flight. This keeps every answer exact: a query still takes one (version, cut) pair and
 * merges with it alone, and a pair that was published a moment ago is answered exactly, because its
 * batch cells and the speed cells from its cut on are kept for the grace period (docs/architecture.md,
 * invariant 5). It only delays when a new publish is first used, by at most {@code catalogMaxAge};
 * zero reads the catalog for every query.
 */
public final class LayerReads {

    private record CatalogRead(PublishedVersion published, long readAtNanos) {
    }

    private final LambdaStore store;
    private final LayerGuard catalog;
    private final LayerGuard batch;
    private final LayerGuard speed;
    private final SpeedReads speedReads;
    private final BatchCellCache cache;
    private final long catalogMaxAgeNanos;
    private volatile CatalogRead lastCatalogRead;
    private final AtomicReference<CompletableFuture<PublishedVersion>> catalogInFlight = new AtomicReference<>();

    public LayerReads(LambdaStore store, LayerGuard catalog, LayerGuard batch, LayerGuard speed, SpeedReads speedReads,
                      BatchCellCache cache, Duration catalogMaxAge) {
        this.store = store;
        this.catalog = catalog;
        this.batch = batch;
        this.speed = speed;
        this.speedReads = speedReads;
        this.cache = cache;
        this.catalogMaxAgeNanos = catalogMaxAge.toNanos();
    }

    public LayerGuard guard(Layer layer) {
        return switch (layer) {
            case CATALOG -> catalog;
            case BATCH -> batch;
            case SPEED -> speed;
        };
    }

    /** The published version and its cut; throws {@link LayerUnavailableException} when the catalog cannot be read. */
    public PublishedVersion catalog() {
        long now = System.nanoTime();
        CatalogRead last = lastCatalogRead;
        if (last != null && now - last.readAtNanos() < catalogMaxAgeNanos) {
            return last.published();
        }
        try {
            return LayerGuard.await(catalogRead());
        } catch (Throwable e) {
            throw new LayerUnavailableException(Layer.CATALOG, catalog.describe(e)
                    + ": without the published version and its cut no answer can be merged", e);
        }
    }

    /** The catalog read in flight, or a new one; a read started now is fresh for every waiting query. */
    private CompletableFuture<PublishedVersion> catalogRead() {
        if (catalogMaxAgeNanos <= 0) {
            return catalog.read(() -> store.catalog().current()).thenApply(this::published);
        }
        CompletableFuture<PublishedVersion> mine = new CompletableFuture<>();
        CompletableFuture<PublishedVersion> running = catalogInFlight.compareAndExchange(null, mine);
        if (running != null) {
            return running;
        }
        long startedAt = System.nanoTime();
        catalog.read(() -> store.catalog().current()).whenComplete((published, failure) -> {
            if (failure == null) {
                lastCatalogRead = new CatalogRead(published(published), startedAt);
            }
            catalogInFlight.set(null);
            if (failure == null) {
                mine.complete(published);
            } else {
                mine.completeExceptionally(failure);
            }
        });
        return mine;
    }

    private PublishedVersion published(PublishedVersion published) {
        cache.published(published.version());
        return published;
    }

    public CompletableFuture<Map<Long, byte[]>> batchSeries(String view, long version, Granularity granularity,
                                                            String key, Instant from, Instant to) {
        BatchCellCache.Read read = new BatchCellCache.SeriesRead(view, version, granularity, key,
                from.toEpochMilli(), to.toEpochMilli());
        Map<Long, byte[]> cached = cache.get(read);
        if (cached != null) {
            return CompletableFuture.completedFuture(cached);
        }
        return batch.read(() -> {
            Map<Long, byte[]> cells = store.batchCells().series(view, version, granularity, key, from, to);
            cache.put(read, cells);
            return cells;
        });
    }

    public CompletableFuture<Map<String, byte[]>> batchBucket(String view, long version, Granularity granularity,
                                                              Instant bucket) {
        BatchCellCache.Read read = new BatchCellCache.BucketRead(view, version, granularity, bucket.toEpochMilli());
        Map<String, byte[]> cached = cache.get(read);
        if (cached != null) {
            return CompletableFuture.completedFuture(cached);
        }
        return batch.read(() -> {
            Map<String, byte[]> cells = store.batchCells().bucket(view, version, granularity, bucket);
            cache.put(read, cells);
            return cells;
        });
    }

    /** The first {@code limit} keys from {@code from} on of one bucket of a batch version (not cached: few and small). */
    public CompletableFuture<List<String>> batchKeys(String view, long version, Granularity granularity,
                                                     Instant bucket, String from, int limit) {
        return batch.read(() -> store.batchCells().keys(view, version, granularity, bucket, from, limit));
    }

    /** The speed layer's cells, from whichever engine keeps them. */
    public SpeedReads speed() {
        return speedReads;
    }
}
