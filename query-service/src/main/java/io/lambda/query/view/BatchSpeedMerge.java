package io.lambda.query.view;

import io.lambda.core.cell.CellKey;
import io.lambda.core.measure.Measure;
import io.lambda.core.time.BucketRange;
import io.lambda.core.time.IngestEpoch;
import io.lambda.core.view.ViewDefinition;
import io.lambda.store.LambdaStore;
import io.lambda.store.PublishedVersion;
import io.lambda.store.SpeedCells;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.stereotype.Component;

/**
 * The merge rule of SEMANTICS.md, and the only place it lives.
 *
 * <p>A query reads the catalog <em>once</em>, getting the published version {@code v} and its cut
 * {@code H}. Version {@code v} holds exactly the events ingested before {@code H}; the speed layer
 * keeps, per ingest epoch and Kafka partition, the events ingested since. So every cell is
 * {@code batch_v(cell) ⊕ speed(cell, every epoch ≥ epoch(H), every partition)}, with {@code ⊕}
 * the view's measure: each event counted by exactly one side. Speed cells of epochs before the
 * cut are still in the table for a while (for rollback and in-flight queries) and are ignored
 * here, which is what keeps a publish from double counting. A range folds its buckets with the
 * same monoid: a distinct count over a range is the size of the union of the sketches.
 */
@Component
public class BatchSpeedMerge {

    /** The merged values of one key's buckets, their fold, and where they came from. */
    public record MergedSeries(Map<Instant, Object> buckets, Object total, PublishedVersion version) {
    }

    private final LambdaStore store;
    private final IngestEpoch epochs;

    public BatchSpeedMerge(LambdaStore store, IngestEpoch epochs) {
        this.store = store;
        this.epochs = epochs;
    }

    public MergedSeries series(ViewDefinition view, String key, BucketRange range) {
        PublishedVersion published = store.catalog().current();
        Measure<Object> measure = view.cellMeasure();
        Map<Long, Object> cells = new HashMap<>();

        if (!published.isNothing()) {
            store.batchCells().series(view.name(), published.version(), range.granularity(), key, range.from(),
                    range.to()).forEach((bucket, bytes) -> cells.put(bucket, measure.decode(bytes)));
        }
        long firstSpeedEpoch = epochs.firstSpeedEpoch(published.cut().toEpochMilli());
        List<SpeedCells.Stored> speed = store.speedCells().series(view.name(), range.granularity(), key,
                range.from(), range.to());
        for (SpeedCells.Stored cell : speed) {
            if (cell.key().ingestEpoch() >= firstSpeedEpoch) {
                CellKey at = cell.key().cell();
                cells.merge(at.bucketStartMillis(), measure.decode(cell.value()), measure::plus);
            }
        }
        Map<Instant, Object> buckets = new LinkedHashMap<>(range.series(measure, cells::get));
        Object total = range.total(measure, cells::get);
        return new MergedSeries(buckets, total, published);
    }
}
