package io.lambda.batch.recompute;

import io.lambda.batch.system.BatchProperties;
import io.lambda.core.cell.Aggregator;
import io.lambda.core.cell.CellKey;
import io.lambda.core.event.EventCodec;
import io.lambda.core.time.IngestEpoch;
import io.lambda.store.ArchivedEvent;
import io.lambda.store.BatchCellPages;
import io.lambda.store.MasterDataset;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.springframework.batch.core.step.StepContribution;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.batch.core.scope.context.ChunkContext;
import org.springframework.batch.core.step.tasklet.Tasklet;
import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.batch.infrastructure.repeat.RepeatStatus;

/**
 * The map step of a run, one partition: folds the events of a range of master-dataset shards
 * through lambda-core's {@link Aggregator}, then hands the cells, split by cell range, to the
 * reduce step as partial pages. One partition is one commit: a partition interrupted by a crash
 * is folded again from its start, and replaces the partial pages of the attempt before.
 *
 * <p>Full run: every event of the shards ingested before the cut. Incremental run: the ingests
 * of the epochs in [H_prev, H) from the ingest index, each counted only if it is the event's
 * first ingest (the row the master dataset kept): a repeat of an event absorbed earlier, or
 * ingested again within the window, is a dedup hit and counted once, exactly.
 */
final class MapTasklet implements Tasklet {

    static final String EVENTS_READ = "eventsRead";
    static final String DEDUP_HITS = "dedupHits";

    private static final int PAGE_CELLS = 2000;
    private static final int PAGE_BYTES = 1 << 20;

    private final MasterDataset master;
    private final BatchCellPages pages;
    private final Aggregator aggregator;
    private final EventCodec codec;
    private final IngestEpoch epochs;
    private final BatchProperties.Recompute settings;
    private final RecomputeMetrics metrics;

    MapTasklet(MasterDataset master, BatchCellPages pages, Aggregator aggregator, EventCodec codec,
               IngestEpoch epochs, BatchProperties.Recompute settings, RecomputeMetrics metrics) {
        this.master = master;
        this.pages = pages;
        this.aggregator = aggregator;
        this.codec = codec;
        this.epochs = epochs;
        this.settings = settings;
        this.metrics = metrics;
    }

    @Override
    public RepeatStatus execute(StepContribution contribution, ChunkContext chunkContext) {
        StepExecution step = chunkContext.getStepContext().getStepExecution();
        ExecutionContext context = step.getExecutionContext();
        RunPlan plan = RunPlan.of(step.getJobExecution().getJobParameters());
        RunPartition partition = RunPartition.of(step,
                RunPartition.countFor(plan.mapPartitions(), MasterDataset.SHARDS));
        Fold fold = TransientRetry.run("map partition " + partition.index(), () -> fold(plan, partition));
        context.putLong(EVENTS_READ, fold.eventsRead);
        context.putLong(DEDUP_HITS, fold.dedupHits);
        contribution.incrementWriteCount(fold.eventsRead);
        metrics.eventsRead(plan.mode(), fold.eventsRead);
        metrics.dedupHits(fold.dedupHits);
        return RepeatStatus.FINISHED;
    }

    /** Folds the partition's shards and writes its partial pages; safe to repeat as a whole. */
    private Fold fold(RunPlan plan, RunPartition partition) {
        Fold fold = new Fold(plan.cut());
        int end = partition.end(MasterDataset.SHARDS);
        for (int shard = partition.first(MasterDataset.SHARDS); shard < end; shard++) {
            if (plan.incremental()) {
                foldIngests(plan, shard, fold);
            } else {
                int s = shard;
                master.scanShard(s, event -> {
                    if (event.ingestTime().isBefore(plan.cut())) {
                        fold.add(event);
                    }
                });
            }
        }
        writePartials(plan.version(), partition.index(), fold.cells);
        return fold;
    }

    /** The ingests of one shard in [H_prev, H), each checked against the event's first ingest. */
    private void foldIngests(RunPlan plan, int shard, Fold fold) {
        Deque<CompletableFuture<Runnable>> inFlight = new ArrayDeque<>();
        for (long start = plan.base().cut().toEpochMilli(); start < plan.cut().toEpochMilli();
             start += epochs.lengthMillis()) {
            master.scanIngests(Instant.ofEpochMilli(start), shard, ingest -> {
                inFlight.add(master.find(ingest.eventId()).toCompletableFuture()
                        .thenApply(stored -> () -> fold.addIfFirst(ingest, stored)));
                if (inFlight.size() >= settings.lookupsInFlight()) {
                    inFlight.poll().join().run();
                }
            });
        }
        while (!inFlight.isEmpty()) {
            inFlight.poll().join().run();
        }
    }

    private void writePartials(long version, int partition, Map<CellKey, Object> cells) {
        List<List<List<BatchCellPages.Cell>>> byRange = new ArrayList<>();
        int[] bytes = new int[BatchCellPages.RANGES];
        for (int range = 0; range < BatchCellPages.RANGES; range++) {
            List<List<BatchCellPages.Cell>> rangePages = new ArrayList<>();
            rangePages.add(new ArrayList<>());
            byRange.add(rangePages);
        }
        cells.forEach((cell, value) -> {
            int range = BatchCellPages.rangeOf(cell);
            List<List<BatchCellPages.Cell>> rangePages = byRange.get(range);
            List<BatchCellPages.Cell> page = rangePages.get(rangePages.size() - 1);
            if (page.size() >= PAGE_CELLS || bytes[range] >= PAGE_BYTES) {
                page = new ArrayList<>();
                rangePages.add(page);
                bytes[range] = 0;
            }
            byte[] encoded = aggregator.measureOf(cell).encode(value);
            bytes[range] += encoded.length + 64;
            page.add(new BatchCellPages.Cell(cell, encoded));
        });
        List<CompletableFuture<Void>> writes = new ArrayList<>();
        for (int range = 0; range < BatchCellPages.RANGES; range++) {
            writes.add(pages.replacePartials(version, range, partition, byRange.get(range)));
        }
        CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).join();
    }

    /** The cells of one partition, folded with the cut as "now" so that a rerun folds the same. */
    private final class Fold {
        final Map<CellKey, Object> cells = new HashMap<>();
        final Instant now;
        long eventsRead;
        long dedupHits;

        Fold(Instant cut) {
            this.now = cut;
        }

        void add(ArchivedEvent event) {
            aggregator.add(cells, codec.decode(event.payload()), now);
            eventsRead++;
        }

        void addIfFirst(MasterDataset.Ingest ingest, Optional<ArchivedEvent> stored) {
            if (stored.isEmpty()) {
                throw new IllegalStateException("event " + ingest.eventId() + " is in the ingest index but not in "
                        + "the master dataset; the archiver writes both before it moves its watermark");
            }
            if (stored.get().isIngest(ingest)) {
                add(stored.get());
            } else {
                dedupHits++;
            }
        }
    }

}
