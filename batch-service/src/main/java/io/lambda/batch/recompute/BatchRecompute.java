package io.lambda.batch.recompute;

import io.lambda.core.cell.Aggregator;
import io.lambda.core.cell.CellKey;
import io.lambda.core.event.EventCodec;
import io.lambda.core.measure.Measure;
import io.lambda.store.LambdaStore;
import io.lambda.store.MasterDataset;
import io.lambda.store.PublishedVersion;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Recomputes every view from the master dataset up to a cut, writes the cells as a new version,
 * then publishes (version, cut) with one compare-and-set on the catalog (invariants 2 and 3).
 * Until the publish, queries keep reading the previous version: a half-written one is invisible.
 */
@Component
public class BatchRecompute {

    private static final Logger log = LoggerFactory.getLogger(BatchRecompute.class);

    private final LambdaStore store;
    private final Aggregator aggregator;
    private final EventCodec codec;
    private final BatchCut batchCut;

    BatchRecompute(LambdaStore store, Aggregator aggregator, EventCodec codec, BatchCut batchCut) {
        this.store = store;
        this.aggregator = aggregator;
        this.codec = codec;
        this.batchCut = batchCut;
    }

    BatchRun run(BatchRun run) {
        PublishedVersion published = store.catalog().current();
        Instant cut = batchCut.next();
        if (!cut.isAfter(published.cut())) {
            return run.ended("UNCHANGED", published.cut(), published.isNothing() ? null : published.version(), 0, 0,
                    null);
        }
        long version = published.version() + 1;
        long cutMillis = cut.toEpochMilli();
        Instant now = Instant.now();
        AtomicLong eventsRead = new AtomicLong();
        Map<CellKey, Object> cells = new HashMap<>();
        for (int shard = 0; shard < MasterDataset.SHARDS; shard++) {
            store.masterDataset().scanShard(shard, archived -> {
                if (archived.ingestTime().toEpochMilli() < cutMillis) {
                    aggregator.add(cells, codec.decode(archived.payload()), now);
                    eventsRead.incrementAndGet();
                }
            });
        }
        List<CompletableFuture<?>> writes = new ArrayList<>(cells.size());
        cells.forEach((cell, value) -> {
            Measure<Object> measure = aggregator.measureOf(cell);
            writes.add(store.batchCells().write(version, cell, measure.encode(value)).toCompletableFuture());
        });
        CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).join();

        PublishedVersion next = new PublishedVersion(version, cut);
        if (!store.catalog().compareAndSet(published, next)) {
            return run.ended("FAILED", cut, null, eventsRead.get(), cells.size(),
                    "another run published while this one ran; its version " + version + " was not published");
        }
        log.info("Published batch version {} with cut {}: {} events, {} cells", version, cut, eventsRead.get(),
                cells.size());
        return run.ended("PUBLISHED", cut, version, eventsRead.get(), cells.size(), null);
    }
}
