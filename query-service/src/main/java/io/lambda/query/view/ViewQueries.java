package io.lambda.query.view;

import io.lambda.core.event.EventCodec;
import io.lambda.core.measure.Measure;
import io.lambda.core.time.BucketRange;
import io.lambda.core.time.Granularity;
import io.lambda.core.view.ViewCatalog;
import io.lambda.core.view.ViewDefinition;
import io.lambda.core.view.ViewKey;
import io.lambda.query.system.QueryProperties;
import java.time.Clock;
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

    /** 9999-12-31T23:59:59.999Z */
    private static final long LAST_MILLI_OF_9999 = 253_402_300_799_999L;

    private final ViewCatalog views;
    private final BatchSpeedMerge merge;
    private final QueryProperties properties;
    private final Clock clock;

    public ViewQueries(ViewCatalog views, BatchSpeedMerge merge, QueryProperties properties, Clock clock) {
        this.views = views;
        this.merge = merge;
        this.properties = properties;
        this.clock = clock;
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
                Answers.number(measure.result(merged.total())), widened(merged.provenance(), range, from, to));
    }

    /**
     * The top {@code limit} keys over {@code [from, to)}. Without a granularity it folds the
     * coarsest buckets the view keeps that the range is aligned to (exact, fewest reads); a range
     * aligned to none (a dashboard's "last 24 hours") is widened to whole buckets of the finest
     * granularity that covers it in at most {@code top.max-buckets} buckets (the least widening).
     */
    public Answers.TopList top(String viewName, Instant from, Instant to, Integer limit, Granularity granularity) {
        ViewDefinition view = view(viewName);
        QueryProperties.Top bounds = properties.top();
        int n = limit == null ? bounds.defaultLimit() : limit;
        if (n < 1 || n > bounds.maxLimit()) {
            throw new BadQueryException("limit", "must be within 1.." + bounds.maxLimit() + ", was " + n);
        }
        Granularity g = granularity != null ? granularity : topGranularity(view, from, to, bounds.maxBuckets());
        requireKept(view, g);
        BucketRange range = range(g, from, to, bounds.maxBuckets());
        BatchSpeedMerge.MergedTop merged = merge.top(view, range, n, bounds.maxKeys());
        return new Answers.TopList(view.name(), g.id(), range.from(), range.to(), merged.items().stream()
                .map(item -> new Answers.TopItem(item.key(), Answers.number(item.value()))).toList(),
                widened(merged.provenance(), range, from, to));
    }

    /**
     * The keys seen in the view, batch and speed, that start with {@code prefix}: the first
     * {@code limit} in code point order. Read from the recent buckets of the view's coarsest
     * granularity ({@code keys.lookback}, at most {@code keys.max-buckets}), so its cost does not
     * grow with the history kept; a key with no cell in that time is not listed.
     */
    public Answers.KeyList keys(String viewName, String prefix, Integer limit) {
        ViewDefinition view = view(viewName);
        QueryProperties.Keys bounds = properties.keys();
        int n = limit == null ? bounds.defaultLimit() : limit;
        if (n < 1 || n > bounds.maxLimit()) {
            throw new BadQueryException("limit", "must be within 1.." + bounds.maxLimit() + ", was " + n);
        }
        String start = prefix == null ? "" : prefix;
        if (!EventCodec.isEncodable(start)) {
            throw new BadQueryException("prefix", "holds half of a surrogate pair, which no key can hold");
        }
        Granularity g = view.granularities().stream().max(Comparator.comparingLong(Granularity::lengthMillis))
                .orElseThrow();
        // the current bucket and enough before it to reach back the whole lookback
        long count = Math.min(bounds.maxBuckets(),
                -Math.floorDiv(-Math.max(0, bounds.lookback().toMillis()), g.lengthMillis()) + 1);
        Instant end = g.bucketStart(clock.instant()).plusMillis(g.lengthMillis());
        BucketRange recent = new BucketRange(g, end.minusMillis(count * g.lengthMillis()), end);
        BatchSpeedMerge.MergedKeys merged = merge.keys(view, recent, start, n);
        return new Answers.KeyList(view.name(), merged.keys(), merged.provenance());
    }

    public ViewDefinition view(String name) {
        return views.find(name).orElseThrow(() -> new UnknownViewException(name));
    }

    /**
     * {@code from} or {@code to} of REST: an RFC 3339 date-time with an offset, or epoch milliseconds
     * (what Grafana sends for {@code ${__from}}).
     */
    public static Instant instant(String parameter, String text) {
        if (text == null || text.isBlank()) {
            throw new BadQueryException(parameter, "is required");
        }
        try {
            return time(text);
        } catch (DateTimeParseException e) {
            throw new BadQueryException(parameter, "must be an RFC 3339 date-time with an offset, e.g. "
                    + "2026-11-26T10:00:00Z, or epoch milliseconds, e.g. 1795688100000, was '" + text + "'");
        }
    }

    /** An RFC 3339 date-time with an offset, or epoch milliseconds: a plain non-negative integer. */
    public static Instant time(String text) {
        return !text.isEmpty() && text.chars().allMatch(c -> c >= '0' && c <= '9') ? epochMillis(text) : rfc3339(text);
    }

    /**
     * Epoch milliseconds up to the end of year 9999, the same range RFC 3339's four-digit years give
     * (larger values overflow the bucket arithmetic).
     */
    public static Instant epochMillis(String digits) {
        if (digits.isEmpty() || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new DateTimeParseException("epoch milliseconds are a non-negative integer", digits, 0);
        }
        String significant = digits.replaceFirst("^0+(?=.)", "");
        if (significant.length() > 15 || Long.parseLong(significant) > LAST_MILLI_OF_9999) {
            throw new DateTimeParseException("epoch milliseconds after the year 9999", digits, 0);
        }
        return Instant.ofEpochMilli(Long.parseLong(significant));
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

    /**
     * The coarsest granularity the range is aligned to; else the finest whose whole buckets cover it
     * in at most {@code maxBuckets}; else the coarsest, which {@link #range} then refuses as too long.
     */
    private static Granularity topGranularity(ViewDefinition view, Instant from, Instant to, int maxBuckets) {
        Comparator<Granularity> byLength = Comparator.comparingLong(Granularity::lengthMillis);
        return view.granularities().stream()
                .filter(g -> g.isAligned(from) && g.isAligned(to))
                .max(byLength)
                .or(() -> view.granularities().stream()
                        .filter(g -> from.isBefore(to) && buckets(g, from, to) <= maxBuckets)
                        .min(byLength))
                .orElseGet(() -> view.granularities().stream().max(byLength).orElseThrow());
    }

    /**
     * Whole buckets of {@code g} covering {@code [from, to)}: {@code from} down to its bucket's start,
     * {@code to} up to the next bucket boundary; the answer's {@code from}/{@code to} say what was used.
     */
    private static BucketRange range(Granularity g, Instant from, Instant to, int maxBuckets) {
        if (!from.isBefore(to)) {
            throw new BadQueryException("from/to", "from must be before to (from " + from + ", to " + to + ")");
        }
        long buckets = buckets(g, from, to);
        if (buckets > maxBuckets) {
            throw new BadQueryException("from/to", "the range has " + buckets + " " + g.id()
                    + " buckets, at most " + maxBuckets + " are answered per request");
        }
        return new BucketRange(g, g.bucketStart(from), ceiling(g, to));
    }

    private static long buckets(Granularity g, Instant from, Instant to) {
        return (ceiling(g, to).toEpochMilli() - g.bucketStart(from).toEpochMilli()) / g.lengthMillis();
    }

    private static Instant ceiling(Granularity g, Instant t) {
        return g.isAligned(t) ? t : g.bucketStart(t).plusMillis(g.lengthMillis());
    }

    /** The provenance, with a warning when the range asked for was widened to whole buckets. */
    private static Provenance widened(Provenance provenance, BucketRange used, Instant from, Instant to) {
        if (used.from().equals(from) && used.to().equals(to)) {
            return provenance;
        }
        List<String> warnings = new ArrayList<>(provenance.warnings());
        warnings.add("from/to widened to whole " + used.granularity().id() + " buckets: " + UtcTimes.format(used.from())
                + " to " + UtcTimes.format(used.to()) + " (asked for " + from + " to " + to + ")");
        return new Provenance(provenance.batchVersion(), provenance.batchCut(), provenance.speedThrough(),
                provenance.partial(), warnings);
    }
}
