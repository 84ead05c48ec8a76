package io.lambda.systemtests;

import io.lambda.core.cell.Aggregator;
import io.lambda.core.event.Event;
import io.lambda.core.measure.Distinct;
import io.lambda.core.time.Granularity;
import io.lambda.core.time.IngestEpoch;
import io.lambda.core.view.ViewCatalog;
import io.lambda.core.view.ViewDefinition;
import io.lambda.core.view.ViewKey;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What every cell must be: lambda-core's aggregation over the events the test sent, folded
 * batch-style, except for distinct views, whose cells hold the <em>exact</em> number of distinct
 * values (counted with sets here), which the system's sketch must match within its bound.
 * Count, sum and max must be equal exactly. Also the whole range's total per key, which is what
 * {@code total} and the top-N answer fold.
 */
final class GroundTruth {

    static final ViewCatalog VIEWS = ViewCatalog.defaults();

    /** view -> key -> hour bucket -> value */
    private final Map<String, Map<String, Map<Instant, Double>>> hours = new TreeMap<>();
    /** view -> key -> value folded over every bucket */
    private final Map<String, Map<String, Double>> totals = new TreeMap<>();
    private final Instant from;
    private final Instant to;

    /** What the system must show after {@code submissions}: every {@code eventId} counted once. */
    static GroundTruth of(List<Event> submissions, Instant now) {
        Map<String, Event> distinct = new LinkedHashMap<>();
        submissions.forEach(event -> distinct.putIfAbsent(event.eventId(), event));
        return new GroundTruth(distinct.values(), now);
    }

    /**
     * The most any answer may show after {@code submissions}: every submission counted, repeats
     * included (what a speed layer shows when every repeat slipped past its duplicates window).
     */
    static GroundTruth everySubmission(List<Event> submissions, Instant now) {
        List<Event> each = new ArrayList<>(submissions.size());
        for (int i = 0; i < submissions.size(); i++) {
            Event event = submissions.get(i);
            each.add(new Event(event.eventId() + "#" + i, event.type(), event.timestamp(), event.attributes()));
        }
        return new GroundTruth(each, now);
    }

    private GroundTruth(Collection<Event> events, Instant now) {
        Aggregator aggregator = new Aggregator(VIEWS, new IngestEpoch(Duration.ofMinutes(5)));
        aggregator.results(aggregator.fold(List.copyOf(events), now)).forEach((cell, value) -> {
            if (cell.granularity() == Granularity.HOUR && !(VIEWS.get(cell.view()).measure() instanceof Distinct)) {
                cellsToFill(cell.view(), cell.key()).put(cell.bucketStart(), value);
            }
        });
        for (ViewDefinition view : VIEWS.views()) {
            if (view.measure() instanceof Distinct distinct) {
                countDistinct(view, distinct, events);
            } else {
                hours.getOrDefault(view.name(), Map.of()).forEach((key, cells) -> totals
                        .computeIfAbsent(view.name(), v -> new TreeMap<>())
                        .put(key, fold(view, cells.values())));
            }
        }
        Instant earliest = events.stream().map(Event::timestamp).min(Instant::compareTo).orElse(now);
        Instant latest = events.stream().map(Event::timestamp).max(Instant::compareTo).orElse(now);
        this.from = earliest.truncatedTo(ChronoUnit.DAYS);
        this.to = latest.truncatedTo(ChronoUnit.DAYS).plus(1, ChronoUnit.DAYS);
    }

    /** The views with at least one key in this truth. */
    Set<String> views() {
        return hours.keySet();
    }

    Set<String> keys(String view) {
        return hours.getOrDefault(view, Map.of()).keySet();
    }

    /** The hour cells of one key; a bucket that is absent is the measure's zero. */
    Map<Instant, Double> hourCells(String view, String key) {
        return hours.getOrDefault(view, Map.of()).getOrDefault(key, Map.of());
    }

    Map<String, Double> totals(String view) {
        return totals.getOrDefault(view, Map.of());
    }

    /** Day-aligned, so it suits both an hour series and a top-N over day buckets; holds every event time. */
    Instant from() {
        return from;
    }

    Instant to() {
        return to;
    }

    static boolean isDistinct(String view) {
        return VIEWS.get(view).measure() instanceof Distinct;
    }

    /** The sketch's bound for a distinct count: three standard errors, and at least 1 for tiny counts. */
    static double sketchBound(String view, double exact) {
        return Math.max(1, ((Distinct) VIEWS.get(view).measure()).relativeError(3) * exact);
    }

    private Map<Instant, Double> cellsToFill(String view, String key) {
        return hours.computeIfAbsent(view, v -> new TreeMap<>()).computeIfAbsent(key, k -> new TreeMap<>());
    }

    private void countDistinct(ViewDefinition view, Distinct distinct, Collection<Event> events) {
        Map<String, Map<Instant, Set<Object>>> perHour = new TreeMap<>();
        Map<String, Set<Object>> perKey = new TreeMap<>();
        for (Event event : events) {
            Object value = event.attribute(distinct.field());
            List<String> group = view.groupBy().stream().map(event::attribute)
                    .map(v -> v == null ? null : v.toString()).toList();
            if (!event.type().equals(view.eventType()) || value == null || group.contains(null)) {
                continue;
            }
            String key = ViewKey.encode(group);
            perHour.computeIfAbsent(key, k -> new TreeMap<>())
                    .computeIfAbsent(event.timestamp().truncatedTo(ChronoUnit.HOURS), h -> new HashSet<>()).add(value);
            perKey.computeIfAbsent(key, k -> new HashSet<>()).add(value);
        }
        perHour.forEach((key, buckets) -> buckets.forEach((hour, values) ->
                cellsToFill(view.name(), key).put(hour, (double) values.size())));
        perKey.forEach((key, values) -> totals.computeIfAbsent(view.name(), v -> new TreeMap<>())
                .put(key, (double) values.size()));
    }

    /** The range total of count, sum and max from their hour cells (distinct is counted from sets instead). */
    private static double fold(ViewDefinition view, Collection<Double> cells) {
        return switch (view.measure().spec().kind()) {
            case MAX -> cells.stream().mapToDouble(Double::doubleValue).max().orElse(0);
            case MIN -> cells.stream().mapToDouble(Double::doubleValue).min().orElse(0);
            default -> cells.stream().mapToDouble(Double::doubleValue).sum();
        };
    }
}
