package io.lambda.batch.recompute;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lambda.core.cell.CellKey;
import io.lambda.core.time.Granularity;
import io.lambda.store.BatchCellPages;
import io.lambda.store.MasterDataset;
import io.lambda.store.PublishedVersion;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.JobInstance;
import org.springframework.batch.core.job.parameters.JobParameters;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.batch.infrastructure.item.ExecutionContext;

/**
 * The pieces a restart relies on: the map partitions cover every shard exactly once, a run's plan
 * survives the trip through job parameters, and the cell pages (the shuffle and the version's
 * listing) read back exactly what was written, with a cell's range stable across JVMs.
 */
class RunPartitionsTests {

    @Test
    void mapPartitionsCoverEveryShardOnce() {
        for (int requested : new int[] {1, 5, 16, 64, 100}) {
            int count = RunPartition.countFor(requested, MasterDataset.SHARDS);
            Map<String, ExecutionContext> names = RunPartition.names(count);
            List<Integer> shards = new ArrayList<>();
            names.keySet().forEach(name -> {
                RunPartition partition = RunPartition.of(worker("mapWorker:" + name), count);
                for (int s = partition.first(MasterDataset.SHARDS); s < partition.end(MasterDataset.SHARDS); s++) {
                    shards.add(s);
                }
            });
            assertThat(shards).hasSize(MasterDataset.SHARDS).doesNotHaveDuplicates();
            assertThat(names).hasSize(Math.min(requested, MasterDataset.SHARDS));
        }
    }

    /**
     * A crash between Spring Batch creating a partition's step execution and writing its context
     * leaves that context empty, and a restart copies it: the partition is found from the name alone.
     */
    @Test
    void aPartitionIsFoundFromItsStepNameWithAnEmptyContext() {
        StepExecution reduce = worker("reduceWorker:p13");
        assertThat(reduce.getExecutionContext().isEmpty()).isTrue();
        assertThat(RunPartition.of(reduce, BatchCellPages.RANGES).index()).isEqualTo(13);

        RunPartition map = RunPartition.of(worker("mapWorker:p3"), 4);
        assertThat(map.first(MasterDataset.SHARDS)).isEqualTo(3 * MasterDataset.SHARDS / 4);
        assertThat(map.end(MasterDataset.SHARDS)).isEqualTo(MasterDataset.SHARDS);

        assertThatThrownBy(() -> RunPartition.of(worker("mapWorker:p4"), 4))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RunPartition.of(worker("prepare"), 4)).isInstanceOf(IllegalStateException.class);
    }

    private static StepExecution worker(String name) {
        JobExecution job = new JobExecution(1L, new JobInstance(1L, "recompute"), new JobParameters());
        return new StepExecution(2L, name, job);
    }

    @Test
    void planSurvivesTheJobParameters() {
        RunPlan plan = new RunPlan(7, Instant.parse("2026-11-26T10:05:00Z"), RunPlan.INCREMENTAL,
                new PublishedVersion(6, Instant.parse("2026-11-26T10:00:00Z")),
                new PublishedVersion(6, Instant.parse("2026-11-26T10:00:00Z")), 16);

        assertThat(RunPlan.of(plan.toJobParameters())).isEqualTo(plan);
    }

    @Test
    void cellPagesReadBackWhatWasWritten() {
        List<BatchCellPages.Cell> cells = List.of(
                new BatchCellPages.Cell(new CellKey("pageviews", "/home", Granularity.MINUTE, 1_764_152_100_000L),
                        new byte[] {1, 2, 3}),
                new BatchCellPages.Cell(new CellKey("revenue", "DE|x", Granularity.DAY, 0L), new byte[0]));
        List<BatchCellPages.Cell> read = new ArrayList<>();

        BatchCellPages.decode(BatchCellPages.encode(cells), read::add);

        assertThat(read).hasSize(2);
        assertThat(read.get(0).key()).isEqualTo(cells.get(0).key());
        assertThat(read.get(0).value()).containsExactly(1, 2, 3);
        assertThat(read.get(1).key()).isEqualTo(cells.get(1).key());
    }

    @Test
    void cellRangesAreStableAndSpread() {
        CellKey cell = new CellKey("pageviews", "/home", Granularity.HOUR, 1_764_151_200_000L);
        assertThat(BatchCellPages.rangeOf(cell)).isEqualTo(BatchCellPages.rangeOf(
                new CellKey("pageviews", "/home", Granularity.HOUR, 1_764_151_200_000L)));
        TreeSet<Integer> ranges = new TreeSet<>();
        for (int i = 0; i < 1000; i++) {
            ranges.add(BatchCellPages.rangeOf(new CellKey("pageviews", "/p" + i, Granularity.MINUTE, i * 60_000L)));
        }
        assertThat(ranges).hasSize(BatchCellPages.RANGES);
    }
}
