package io.lambda.query.view;

import java.time.Instant;
import java.util.List;

/**
 * The answers of the query API, the same records for REST (as JSON) and GraphQL. Values are
 * numbers as the measure gives them: whole numbers without a fraction, {@code null} for an empty
 * min or max.
 */
public final class Answers {

    private static final double EXACT_INTEGERS = 0x1p53;

    private Answers() {
    }

    public record ViewInfo(String name, String eventType, List<String> groupBy, String measure,
                           List<String> granularities) {
    }

    public record Point(Instant start, Number value) {
    }

    public record Series(String view, String key, String granularity, Instant from, Instant to, List<Point> points,
                         Number total, Provenance provenance) {
    }

    public record TopItem(String key, Number value) {
    }

    public record TopList(String view, String granularity, Instant from, Instant to, List<TopItem> items,
                          Provenance provenance) {
    }

    public record KeyList(String view, List<String> keys, Provenance provenance) {
    }

    /** A measure's result as a JSON number: {@code 42} rather than {@code 42.0} when it is whole. */
    public static Number number(Double value) {
        if (value == null) {
            return null;
        }
        double v = value;
        if (v == Math.rint(v) && Math.abs(v) <= EXACT_INTEGERS) {
            return (long) v;
        }
        return v;
    }
}
