package io.lambda.query.view;

import io.lambda.core.measure.Measure;
import io.lambda.core.time.BucketRange;
import io.lambda.core.time.Granularity;
import io.lambda.core.view.ViewCatalog;
import io.lambda.core.view.ViewDefinition;
import io.lambda.store.PublishedVersion;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** {@code /api/v1/views}: the view definitions, and a key's series as batch ⊕ speed. */
@RestController
@RequestMapping("/api/v1/views")
class ViewController {

    /** The longest series one request may ask for, in buckets. */
    static final int MAX_BUCKETS = 10_000;

    private final ViewCatalog views;
    private final BatchSpeedMerge merge;

    ViewController(ViewCatalog views, BatchSpeedMerge merge) {
        this.views = views;
        this.merge = merge;
    }

    @GetMapping
    List<Map<String, Object>> views() {
        return views.views().stream().map(v -> {
            Map<String, Object> view = new LinkedHashMap<>();
            view.put("name", v.name());
            view.put("eventType", v.eventType());
            view.put("groupBy", v.groupBy());
            view.put("measure", v.measure().spec().toString());
            view.put("granularities", v.granularities().stream().map(Granularity::id).toList());
            return view;
        }).toList();
    }

    @GetMapping("/{view}/series")
    Map<String, Object> series(@PathVariable String view, @RequestParam(required = false) String key,
                               @RequestParam String from, @RequestParam String to,
                               @RequestParam(defaultValue = "hour") String granularity) {
        ViewDefinition definition = views.find(view).orElseThrow(() -> new UnknownViewException(view));
        if (key == null && !definition.groupBy().isEmpty()) {
            throw new BadQueryException("key", "is required: view '" + view + "' is grouped by "
                    + definition.groupBy());
        }
        Granularity g = granularity(definition, granularity);
        BucketRange range = range(g, instant("from", from), instant("to", to));
        BatchSpeedMerge.MergedSeries merged = merge.series(definition, key == null ? "" : key, range);

        Measure<Object> measure = definition.cellMeasure();
        List<Map<String, Object>> points = new ArrayList<>();
        merged.buckets().forEach((start, value) -> {
            Map<String, Object> point = new LinkedHashMap<>();
            point.put("start", start);
            point.put("value", measure.result(value));
            points.add(point);
        });
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("view", view);
        answer.put("key", key);
        answer.put("granularity", g.id());
        answer.put("from", range.from());
        answer.put("to", range.to());
        answer.put("points", points);
        answer.put("total", measure.result(merged.total()));
        answer.put("provenance", provenance(merged.version()));
        return answer;
    }

    private static Map<String, Object> provenance(PublishedVersion version) {
        Map<String, Object> provenance = new LinkedHashMap<>();
        provenance.put("batchVersion", version.isNothing() ? null : version.version());
        provenance.put("batchCut", version.isNothing() ? null : version.cut());
        provenance.put("speedThrough", null);
        provenance.put("partial", false);
        provenance.put("warnings", List.of());
        return provenance;
    }

    private static Granularity granularity(ViewDefinition view, String text) {
        Granularity g;
        try {
            g = Granularity.parse(text);
        } catch (IllegalArgumentException e) {
            throw new BadQueryException("granularity", "must be one of minute, hour, day");
        }
        if (!view.granularities().contains(g)) {
            throw new BadQueryException("granularity", "view '" + view.name() + "' keeps " + view.granularities());
        }
        return g;
    }

    private static BucketRange range(Granularity g, Instant from, Instant to) {
        if (!g.isAligned(from) || !g.isAligned(to)) {
            throw new BadQueryException("from/to", "must be aligned to the " + g.id() + " granularity");
        }
        if (!from.isBefore(to)) {
            throw new BadQueryException("from/to", "from must be before to");
        }
        BucketRange range = new BucketRange(g, from, to);
        if (range.size() > MAX_BUCKETS) {
            throw new BadQueryException("from/to", "at most " + MAX_BUCKETS + " buckets per request, this is "
                    + range.size());
        }
        return range;
    }

    private static Instant instant(String name, String text) {
        try {
            return OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException e) {
            throw new BadQueryException(name, "must be an RFC 3339 date-time with an offset, e.g. 2026-11-26T10:00:00Z");
        }
    }
}
