package io.lambda.query.layer;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.lambda.core.time.Granularity;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.cache.CaffeineCacheMetrics;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Batch reads, cached. The cells of a batch version never change once it is published, so a read
 * keyed by its version is valid for as long as anyone asks for that version: no expiry is needed
 * for correctness. The cache is bounded by the bytes it holds, and when a query sees a new
 * published version (a publish or a rollback), the entries of every other version are dropped,
 * since new queries will not ask for them again. Encoded bytes are kept, not decoded values:
 * sketches and exact sums are mutable, and each answer decodes its own.
 */
public final class BatchCellCache {

    /** What a cached read was: one key's buckets of a range, or every key of one bucket. */
    public sealed interface Read permits SeriesRead, BucketRead {
        long version();
    }

    public record SeriesRead(String view, long version, Granularity granularity, String key, long from, long to)
            implements Read {
    }

    public record BucketRead(String view, long version, Granularity granularity, long bucket) implements Read {
    }

    private static final int ENTRY_OVERHEAD = 64;

    private final Cache<Read, Map<?, byte[]>> cache;
    private final AtomicLong currentVersion = new AtomicLong(-1);

    public BatchCellCache(long maxBytes, MeterRegistry meters) {
        this.cache = Caffeine.newBuilder()
                .maximumWeight(maxBytes)
                .<Read, Map<?, byte[]>>weigher((read, cells) -> weight(cells))
                .recordStats()
                .build();
        CaffeineCacheMetrics.monitor(meters, cache, "lambda.query.batch-cells");
    }

    @SuppressWarnings("unchecked")
    public <K> Map<K, byte[]> get(Read read) {
        return (Map<K, byte[]>) cache.getIfPresent(read);
    }

    public void put(Read read, Map<?, byte[]> cells) {
        cache.put(read, Map.copyOf(cells));
    }

    /** Called with the version every query reads from the catalog: a different one drops the others. */
    public void published(long version) {
        long previous = currentVersion.getAndSet(version);
        if (previous != version) {
            cache.asMap().keySet().removeIf(read -> read.version() != version);
        }
    }

    public long size() {
        cache.cleanUp();
        return cache.estimatedSize();
    }

    private static int weight(Map<?, byte[]> cells) {
        long bytes = ENTRY_OVERHEAD;
        for (byte[] value : cells.values()) {
            bytes += ENTRY_OVERHEAD + value.length;
        }
        return (int) Math.min(Integer.MAX_VALUE, bytes);
    }
}
