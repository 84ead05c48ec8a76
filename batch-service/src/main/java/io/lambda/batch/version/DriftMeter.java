package io.lambda.batch.version;

import com.datastax.oss.driver.api.core.CqlSession;
import io.lambda.core.cell.CellKey;
import io.lambda.core.cell.SpeedCellKey;
import io.lambda.core.time.IngestEpoch;
import io.lambda.core.view.ViewCatalog;
import io.lambda.core.view.ViewDefinition;
import io.lambda.store.BatchCells;
import io.lambda.store.LambdaStore;
import io.lambda.store.PublishedVersion;
import io.lambda.store.SpeedCells;
import io.lambda.store.SpeedPartitionProgress;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * The drift meters: when a publish moves the cut forward, the speed cells of the epochs it absorbs
 * stop being read; for each such cell this compares what queries answered before the publish with
 * what they answer after it ({@link CellDrift}). Anything but 0 (apart from duplicates and HLL noise)
 * means batch and speed disagree about the same events: a bug signal.
 *
 * <ul>
 * <li>{@code lambda.batch.drift} (summary, {@code view}): |difference| per compared cell</li>
 * <li>{@code lambda.batch.drift.cells} (counter, {@code view}, {@code outcome} agreeing|drifting)</li>
 * <li>{@code lambda.batch.drift.checks} (counter, {@code outcome} compared|speed_behind|failed|not_compared):
 *     one per forward publish; {@code speed_behind} when the speed layer had not applied everything below the
 *     new cut (its lag would look like drift), {@code failed} when a read failed, {@code not_compared}
 *     under speed engine {@code streams}, whose cells are not in Cassandra (this reads the writer's
 *     tables; reading them from speed-service is not built yet)</li>
 * </ul>
 * At most {@code lambda.batch.drift.max-cells} cells are compared per publish, so a publish that
 * absorbs many epochs costs a bounded number of reads.
 */
@Component
public class DriftMeter {

    private static final Logger log = LoggerFactory.getLogger(DriftMeter.class);
    private static final int READS_IN_FLIGHT = 256;

    private final ViewCatalog views;
    private final IngestEpoch epochs;
    private final SpeedCells speedCells;
    private final BatchCells batchCells;
    private final SpeedPartitionProgress speedProgress;
    private final String topic;
    private final int partitions;
    private final int maxCells;
    private final MeterRegistry meters;
    private final boolean speedCellsInCassandra;

    DriftMeter(LambdaStore store, CqlSession session, ViewCatalog views, IngestEpoch epochs, MeterRegistry meters,
               @Value("${lambda.events.topic}") String topic, @Value("${lambda.events.partitions}") int partitions,
               @Value("${lambda.batch.drift.max-cells}") int maxCells, @Value("${lambda.speed.engine}") String engine) {
        this.speedCellsInCassandra = engine.equals("writer");
        this.views = views;
        this.epochs = epochs;
        this.speedCells = store.speedCells();
        this.batchCells = store.batchCells();
        this.speedProgress = new SpeedPartitionProgress(session, store.settings());
        this.topic = topic;
        this.partitions = partitions;
        this.maxCells = maxCells;
        this.meters = meters;
        for (String outcome : List.of("compared", "speed_behind", "failed", "not_compared")) {
            checks(outcome); // present from the start, so a rate over them is defined
        }
        for (ViewDefinition view : views.views()) {
            cells(view.name(), "agreeing");
            cells(view.name(), "drifting");
            summary(view.name());
        }
    }

    /** Compares the cells {@code after} absorbed that {@code before} left to the speed layer. Never throws. */
    void absorbed(PublishedVersion before, PublishedVersion after) {
        if (!after.cut().isAfter(before.cut())) {
            return; // a rollback or the same cut: nothing newly absorbed
        }
        if (!speedCellsInCassandra) {
            checks("not_compared").increment(); // empty speed tables would read as every absorbed event drifting
            return;
        }
        try {
            Optional<Instant> speedThrough = speedProgress.speedThrough(topic, partitions);
            if (speedThrough.isEmpty() || speedThrough.get().isBefore(after.cut())) {
                checks("speed_behind").increment();
                return;
            }
            long firstEpoch = before.isNothing() ? Long.MIN_VALUE : epochs.epochOf(before.cut().toEpochMilli());
            long endEpoch = epochs.epochOf(after.cut().toEpochMilli());
            int budget = maxCells;
            for (ViewDefinition view : views.views()) {
                Map<CellKey, List<SpeedCellKey>> absorbed = new LinkedHashMap<>();
                for (long epoch : speedCells.epochs(view.name())) {
                    if (epoch >= firstEpoch && epoch < endEpoch && budget > 0) {
                        for (SpeedCellKey key : speedCells.cellsOf(view.name(), epoch, budget)) {
                            absorbed.computeIfAbsent(key.cell(), c -> new ArrayList<>()).add(key);
                        }
                        budget = maxCells - absorbed.size();
                    }
                }
                compare(view, absorbed, before.version(), after.version());
            }
            checks("compared").increment();
        } catch (RuntimeException e) {
            checks("failed").increment();
            log.warn("Could not compare the absorbed speed cells with batch version {}: {}", after.version(),
                    e.toString());
        }
    }

    private void compare(ViewDefinition view, Map<CellKey, List<SpeedCellKey>> absorbed, long before, long after) {
        Map<CellKey, List<byte[]>> speedValues = readSpeed(absorbed);
        Map<List<Object>, Map<String, byte[]>> beforeBuckets = new LinkedHashMap<>();
        Map<List<Object>, Map<String, byte[]>> afterBuckets = new LinkedHashMap<>();
        int drifting = 0;
        for (Map.Entry<CellKey, List<byte[]>> entry : speedValues.entrySet()) {
            CellKey cell = entry.getKey();
            List<Object> bucket = List.of(cell.granularity(), cell.bucketStartMillis());
            byte[] batchBefore = before == 0 ? null : beforeBuckets.computeIfAbsent(bucket,
                    b -> batchCells.bucket(view.name(), before, cell.granularity(), cell.bucketStart())).get(cell.key());
            byte[] batchAfter = afterBuckets.computeIfAbsent(bucket,
                    b -> batchCells.bucket(view.name(), after, cell.granularity(), cell.bucketStart())).get(cell.key());
            CellDrift drift = CellDrift.of(view.cellMeasure(), batchBefore, entry.getValue(), batchAfter);
            summary(view.name()).record(Math.abs(drift.difference()));
            cells(view.name(), drift.drifting() ? "drifting" : "agreeing").increment();
            if (drift.drifting() && drifting++ < 3) {
                log.warn("Drift in view {}: cell {} answered {} more before batch version {} absorbed its speed "
                        + "cells than after", view.name(), cell, drift.difference(), after);
            }
        }
    }

    /** The absorbed speed values of each cell, every partition and epoch; a few hundred reads at a time. */
    private Map<CellKey, List<byte[]>> readSpeed(Map<CellKey, List<SpeedCellKey>> absorbed) {
        Map<CellKey, List<byte[]>> values = new LinkedHashMap<>();
        List<CompletableFuture<?>> reads = new ArrayList<>();
        for (Map.Entry<CellKey, List<SpeedCellKey>> entry : absorbed.entrySet()) {
            List<byte[]> cellValues = java.util.Collections.synchronizedList(new ArrayList<>());
            values.put(entry.getKey(), cellValues);
            for (SpeedCellKey key : entry.getValue()) {
                reads.add(speedCells.readAsync(key).thenAccept(stored -> stored.ifPresent(s -> cellValues.add(s.value())))
                        .toCompletableFuture());
                if (reads.size() >= READS_IN_FLIGHT) {
                    CompletableFuture.allOf(reads.toArray(CompletableFuture[]::new)).join();
                    reads.clear();
                }
            }
        }
        CompletableFuture.allOf(reads.toArray(CompletableFuture[]::new)).join();
        return values;
    }

    private Counter checks(String outcome) {
        return Counter.builder("lambda.batch.drift.checks").description("Drift comparisons by outcome, one per forward publish")
                .tag("outcome", outcome).register(meters);
    }

    private Counter cells(String view, String outcome) {
        return Counter.builder("lambda.batch.drift.cells")
                .description("Cells whose speed cells a publish absorbed, by whether the answer moved")
                .tag("view", view).tag("outcome", outcome).register(meters);
    }

    private DistributionSummary summary(String view) {
        return DistributionSummary.builder("lambda.batch.drift")
                .description("|speed-side answer - batch answer| per cell a publish absorbed")
                .tag("view", view).register(meters);
    }
}
