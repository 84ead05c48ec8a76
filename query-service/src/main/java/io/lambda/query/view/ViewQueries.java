package io.lambda.query.view;

import io.lambda.core.measure.Measure;
import io.lambda.core.time.BucketRange;
import io.lambda.core.time.Granularity;
import io.lambda.core.view.ViewCatalog;
import io.lambda.core.view.ViewDefinition;
import io.lambda.core.view.ViewKey;
import io.lambda.query.system.QueryProperties;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.springframework.stereotype.Service;

/**
 * The questions the API answers, checked and then handed to the merge; REST and GraphQL both call
 * these methods, so they validate alike and return the same numbers. Every bad parameter is a
 * {@link BadQueryException} naming it, an unknown view an {@link UnknownViewException}.
 */
@Service
public class ViewQueries {

    private final ViewCatalog views;
    private final BatchSpeedMerge merge;
    private final QueryProperties properties;

    public ViewQueries(ViewCatalog views, BatchSpeedMerge merge, QueryProperties properties) {
        this.views = views;
        this.merge = merge;
        this.properties = properties;
    }

    public List<Answers.ViewInfo> views() {
        return views.views().stream().map(v -> new Answers.ViewInfo(v.name(), v.eventType(), v.groupBy(),
                v.measure().spec().toString(), v.granularities().stream().map(Granularity::id).toList())).toList();
    }

    public Answers.Series series(String viewName, String key, Instant from, Instant to, Granularity granularity) {
        ViewDefinition view = view(viewName);
        String cellKey = key(view, key);
        requireKept(view, granularity);
        BucketRange range = range(granularity, from, to, properties.maxSeriesBuckets());
        BatchSpeedMerge.MergedSeries merged = merge.series(view, cellKey, range);

        Measure<Object> measure = view.cellMeasure();
        List<Answers.Point> points = new ArrayList<>(merged.buckets().size());
        merged.buckets().forEach((start, value) -> points.add(
                new Answers.Point(start, Answers.number(measure.result(value)))));
        return new Answers.Series(view.name(), key, granularity.id(), range.from(), range.to(), points,
                Answers.number(measure.result(merged.total())), merged.provenance());
    }

    /**
     * The top {@code limit} keys over {@code [from, to)}. Without a granularity it folds the
     * coarsest buckets the view keeps that the range is aligned to (fewest reads).
     */
    public Answers.TopList top(String viewName, Instant from, Instant to, Integer limit, Granularity granularity) {
        ViewDefinition view = view(viewName);
        QueryProperties.Top bounds = properties.top();
        int n = limit == null ? bounds.defaultLimit() : limit;
        if (n < 1 || n > bounds.maxLimit()) {
            throw new BadQueryException("limit", "must be within 1.." + bounds.maxLimit() + ", was " + n);
        }
        Granularity g = granularity != null ? granularity : coarsestAligned(view, from, to);
        requireKept(view, g);
        BucketRange range = range(g, from, to, bounds.maxBuckets());
        BatchSpeedMerge.MergedTop merged = merge.top(view, range, n, bounds.maxKeys());
        return new Answers.TopList(view.name(), g.id(), range.from(), range.to(), merged.items().stream()
                .map(item -> new Answers.TopItem(item.key(), Answers.number(item.value()))).toList(),
                merged.provenance());
    }

    public ViewDefinition view(String name) {
        return views.find(name).orElseThrow(() -> new UnknownViewException(name));
    }

    /** An RFC 3339 date-time with an offset, as the REST API takes {@code from} and {@code to}. */
    public static Instant instant(String parameter, String text) {
        if (text == null || text.isBlank()) {
            throw new BadQueryException(parameter, "is required");
        }
        try {
            return rfc3339(text);
        } catch (DateTimeParseException e) {
            throw new BadQueryException(parameter,
                    "must be an RFC 3339 date-time with an offset, e.g. 2026-11-26T10:00:00Z, was '" + text + "'");
        }
    }

    /**
     * RFC 3339 (an offset is required). Its years have four digits; java.time would take years up to
     * ±999999999, whose epoch milliseconds overflow the bucket arithmetic, so they are refused here.
     */
    public static Instant rfc3339(String text) {
        Instant utc = utcSeconds(text);
        if (utc != null) {
            return utc;
        }
        OffsetDateTime time = OffsetDateTime.parse(text);
        if (time.getYear() < 0 || time.getYear() > 9999) {
            throw new DateTimeParseException("the year must have four digits", text, 0);
        }
        return time.toInstant();
    }

    /**
     * The common shape {@code yyyy-MM-ddTHH:mm:ssZ}, read without the general parser (which took half
     * of a REST series' own CPU); null for any other text, which the general parser then reads or
     * refuses. An impossible date or time here is refused exactly as the parser refuses it.
     */
    private static Instant utcSeconds(String text) {
        if (text.length() != 20 || text.charAt(4) != '-' || text.charAt(7) != '-' || text.charAt(10) != 'T'
                || text.charAt(13) != ':' || text.charAt(16) != ':' || text.charAt(19) != 'Z') {
            return null;
        }
        int year = digits(text, 0, 4);
        int month = digits(text, 5, 7);
        int day = digits(text, 8, 10);
        int hour = digits(text, 11, 13);
        int minute = digits(text, 14, 16);
        int second = digits(text, 17, 19);
        if ((year | month | day | hour | minute | second) < 0) {
            return null;
        }
        try {
            return LocalDateTime.of(year, month, day, hour, minute, second).toInstant(ZoneOffset.UTC);
        } catch (DateTimeException e) {
            throw new DateTimeParseException(e.getMessage(), text, 0, e);
        }
    }

    /** The number written in {@code text[from, to)}, or -1 unless every character is an ASCII digit. */
    private static int digits(String text, int from, int to) {
        int value = 0;
        for (int i = from; i < to; i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }

    public static Granularity granularity(String text) {
        try {
            return Granularity.parse(text);
        } catch (IllegalArgumentException e) {
            throw new BadQueryException("granularity", "must be one of minute, hour, day, was '" + text + "'");
        }
    }

    private static String key(ViewDefinition view, String key) {
        int dimensions = view.groupBy().size();
        if (key == null) {
            if (dimensions == 0) {
                return "";
            }
            throw new BadQueryException("key", "is required: view '" + view.name() + "' is grouped by "
                    + view.groupBy());
        }
        try {
            ViewKey.decode(key, dimensions);
        } catch (IllegalArgumentException e) {
            throw new BadQueryException("key", "is not a key of view '" + view.name() + "': " + e.getMessage());
        }
        return key;
    }

    private static void requireKept(ViewDefinition view, Granularity g) {
        if (!view.granularities().contains(g)) {
            throw new BadQueryException("granularity", "view '" + view.name() + "' keeps only "
                    + view.granularities().stream().map(Granularity::id).toList());
        }
    }

    private static Granularity coarsestAligned(ViewDefinition view, Instant from, Instant to) {
        return view.granularities().stream()
                .filter(g -> g.isAligned(from) && g.isAligned(to))
                .max(Comparator.comparingLong(Granularity::lengthMillis))
                .orElseThrow(() -> new BadQueryException("from/to", "must be aligned to a granularity view '"
                        + view.name() + "' keeps: " + view.granularities().stream().map(Granularity::id).toList()));
    }

    private static BucketRange range(Granularity g, Instant from, Instant to, int maxBuckets) {
        if (!g.isAligned(from) || !g.isAligned(to)) {
            throw new BadQueryException("from/to", "must be aligned to the " + g.id() + " granularity (from "
                    + from + ", to " + to + ")");
        }
        if (!from.isBefore(to)) {
            throw new BadQueryException("from/to", "from must be before to (from " + from + ", to " + to + ")");
        }
        BucketRange range = new BucketRange(g, from, to);
        if (range.size() > maxBuckets) {
            throw new BadQueryException("from/to", "the range has " + range.size() + " " + g.id()
                    + " buckets, at most " + maxBuckets + " are answered per request");
        }
        return range;
    }
}
