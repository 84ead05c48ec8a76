package io.lambda.systemtests;

import io.lambda.core.cell.Aggregator;
import io.lambda.core.cell.CellKey;
import io.lambda.core.event.Event;
import io.lambda.core.time.Granularity;
import io.lambda.core.time.IngestEpoch;
import io.lambda.core.view.ViewCatalog;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What every cell must be: lambda-core's aggregation over the distinct events the test sent,
 * folded batch-style. The system must equal it exactly (distinct within the sketch's bound).
 */
final class GroundTruth {

    private final Map<CellKey, Double> results;

    GroundTruth(List<Event> distinct, Instant now) {
        Aggregator aggregator = new Aggregator(ViewCatalog.defaults(), new IngestEpoch(Duration.ofMinutes(5)));
        this.results = aggregator.results(aggregator.fold(distinct, now));
    }

    /** Hour cells of one view, by key and bucket. */
    Map<String, Map<Instant, Double>> hourCells(String view) {
        Map<String, Map<Instant, Double>> cells = new TreeMap<>();
        results.forEach((cell, value) -> {
            if (cell.view().equals(view) && cell.granularity() == Granularity.HOUR) {
                cells.computeIfAbsent(cell.key(), k -> new TreeMap<>()).put(cell.bucketStart(), value);
            }
        });
        return cells;
    }
}
