package io.lambda.batch.recompute;

import io.lambda.core.cell.Aggregator;
import io.lambda.core.cell.CellKey;
import io.lambda.core.measure.Measure;
import io.lambda.core.view.ViewCatalog;
import io.lambda.store.BatchCellPages;
import io.lambda.store.BatchCells;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.batch.core.ExitStatus;
import org.springframework.batch.core.listener.StepExecutionListener;
import org.springframework.batch.core.scope.context.ChunkContext;
import org.springframework.batch.core.step.StepContribution;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.batch.core.step.tasklet.Tasklet;
import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.batch.infrastructure.repeat.RepeatStatus;

/**
 * The reduce step of a run, one partition per cell range: merges what every map partition folded
 * for the range (and, for an incremental run, the base version's cells of the range) with the
 * measure's monoid, sorts the cells, and writes them in chunks: each call writes one chunk of
 * batch cells and the matching page of the version, and the step commits how far it got. A
 * restart merges the same inputs again (they are immutable), skips the committed chunks and
 * writes the rest, so the version's content is the same as an uninterrupted run's.
 */
final class ReduceTasklet implements Tasklet, StepExecutionListener {

    static final String WRITTEN = "cellsWritten";

    private static final Comparator<BatchCellPages.Cell> ORDER = Comparator
            .comparing((BatchCellPages.Cell c) -> c.key().view())
            .thenComparing(c -> c.key().granularity())
            .thenComparing(c -> c.key().key())
            .thenComparingLong(c -> c.key().bucketStartMillis());

    private final BatchCellPages pages;
    private final BatchCells cells;
    private final Aggregator aggregator;
    private final int chunk;
    private final RecomputeMetrics metrics;
    /** The merged cells of each running partition, by step execution: built on its first call. */
    private final Map<Long, List<BatchCellPages.Cell>> merged = new ConcurrentHashMap<>();

    ReduceTasklet(BatchCellPages pages, BatchCells cells, Aggregator aggregator, int chunk, RecomputeMetrics metrics) {
        this.pages = pages;
        this.cells = cells;
        this.aggregator = aggregator;
        this.chunk = chunk;
        this.metrics = metrics;
    }

    @Override
    public RepeatStatus execute(StepContribution contribution, ChunkContext chunkContext) {
        StepExecution step = chunkContext.getStepContext().getStepExecution();
        ExecutionContext context = step.getExecutionContext();
        RunPlan plan = RunPlan.of(step.getJobExecution().getJobParameters());
        int range = RunPartition.of(step, BatchCellPages.RANGES).index(); // one partition per cell range
        List<BatchCellPages.Cell> all = merged.computeIfAbsent(step.getId(),
                id -> TransientRetry.run("merging range " + range, () -> merge(plan, range)));
        int from = context.getInt(WRITTEN, 0);
        int to = Math.min(all.size(), from + chunk);
        List<BatchCellPages.Cell> slice = all.subList(from, to);
        TransientRetry.run("writing cells " + from + ".." + to + " of range " + range, () -> {
            List<CompletableFuture<?>> writes = new ArrayList<>(slice.size() + 1);
            for (BatchCellPages.Cell cell : slice) {
                writes.add(cells.write(plan.version(), cell.key(), cell.value()).toCompletableFuture());
            }
            if (!slice.isEmpty()) {
                writes.add(pages.writeVersionPage(plan.version(), range, from / chunk, slice));
            }
            return CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).join();
        });
        context.putInt(WRITTEN, to);
        contribution.incrementWriteCount(slice.size());
        metrics.cellsWritten(slice.size());
        if (to >= all.size()) {
            merged.remove(step.getId());
            return RepeatStatus.FINISHED;
        }
        return RepeatStatus.CONTINUABLE;
    }

    private List<BatchCellPages.Cell> merge(RunPlan plan, int range) {
        Map<CellKey, Object> values = new HashMap<>();
        ViewCatalog views = aggregator.catalog();
        if (plan.incremental()) {
            // Cells of views no longer configured are dropped, as a full run would.
            pages.readVersion(plan.base().version(), range, cell -> {
                if (views.find(cell.key().view()).isPresent()) {
                    merge(values, cell);
                }
            });
        }
        pages.readPartials(plan.version(), range, cell -> merge(values, cell));
        List<BatchCellPages.Cell> sorted = new ArrayList<>(values.size());
        values.forEach((key, value) -> sorted.add(new BatchCellPages.Cell(key, aggregator.measureOf(key).encode(value))));
        sorted.sort(ORDER);
        return sorted;
    }

    private void merge(Map<CellKey, Object> values, BatchCellPages.Cell cell) {
        Measure<Object> measure = aggregator.measureOf(cell.key());
        Object value = measure.decode(cell.value());
        Object existing = values.get(cell.key());
        values.put(cell.key(), existing == null ? value : measure.plusInto(existing, value));
    }

    /** Forgets a partition's merged cells however its step ended (a failed one restarts as a new execution). */
    @Override
    public ExitStatus afterStep(StepExecution stepExecution) {
        merged.remove(stepExecution.getId());
        return null;
    }
}
