package io.lambda.batch.recompute;

import static org.assertj.core.api.Assertions.assertThat;

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
import org.springframework.batch.infrastructure.item.ExecutionContext;

/**
 * The pieces a restart relies on: the map partitions cover every shard exactly once, a run's plan
 * survives the trip through job parameters, and the cell pages (the shuffle and the version's
 * listing) read back exactly what was written, with a cell's range stable across JVMs.
 */
class RunPartitionsTests {

    @Test
    void mapPartitionsCoverEveryShardOnce() {
        for (int count : new int[] {1, 5, 16, 64, 100}) {
            Map<String, ExecutionContext> partitions = RecomputeJobConfiguration.partitions(count, MasterDataset.SHARDS,
                    (context, first, end) -> {
                        context.putInt(MapTasklet.FIRST_SHARD, first);
                        context.putInt(MapTasklet.END_SHARD, end);
                    });
            List<Integer> shards = new ArrayList<>();
            partitions.values().forEach(c -> {
                for (int s = c.getInt(MapTasklet.FIRST_SHARD); s < c.getInt(MapTasklet.END_SHARD); s++) {
                    shards.add(s);
                }
            });
            assertThat(shards).hasSize(MasterDataset.SHARDS).doesNotHaveDuplicates();
            assertThat(partitions).hasSize(Math.min(count, MasterDataset.SHARDS));
        }
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
