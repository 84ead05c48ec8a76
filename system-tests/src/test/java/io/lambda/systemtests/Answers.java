package io.lambda.systemtests;

import io.lambda.systemtests.LambdaClient.Answer;
import io.lambda.systemtests.LambdaClient.Api;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import tools.jackson.databind.JsonNode;

/**
 * The one comparison of answers with the ground truth that every scenario ends with, through REST
 * and GraphQL alike: every hour bucket and the total of every key's series, and each view's top
 * list (which also shows a key that should not exist at all, such as one of a refused request).
 *
 * <p>An expectation is a range per cell: {@link #exactly} the truth (count, sum, max equal; distinct
 * within the sketch's bound), or between a lower truth (what must be counted already) and an
 * upper one (everything that may be), for answers taken while events are still arriving or while
 * duplicates past the speed layer's window may still be counted.
 */
final class Answers {

    /** An upper truth of {@code null} means unbounded above. */
    record Expected(GroundTruth lower, GroundTruth upper) {

        /** The truth whose keys and range the answers are asked for: the wider one. */
        GroundTruth widest() {
            return upper != null ? upper : lower;
        }
    }

    static Expected exactly(GroundTruth truth) {
        return new Expected(truth, truth);
    }

    static Expected between(GroundTruth lower, GroundTruth upper) {
        return new Expected(lower, upper);
    }

    static Expected atLeast(GroundTruth lower) {
        return new Expected(lower, null);
    }

    private static final int TOP_LIMIT = 1000;

    private Answers() {
    }

    /** Every difference between the answers of both APIs and the expectation, as readable lines; empty when all match. */
    static List<String> diffs(LambdaClient client, SeededWorkload workload, Expected expected) throws Exception {
        List<String> diffs = new ArrayList<>();
        GroundTruth widest = expected.widest();
        for (Api api : Api.values()) {
            for (String view : widest.views()) {
                for (String key : widest.keys(view)) {
                    diffs.addAll(seriesDiffs(api, view, key,
                            client.series(api, view, key, widest.from(), widest.to()), expected));
                }
                diffs.addAll(topDiffs(api, view, client.top(api, view, widest.from(), widest.to(), TOP_LIMIT),
                        workload, expected));
            }
        }
        return diffs;
    }

    /** A failure message listing the first differences. */
    static String describe(List<String> diffs) {
        return diffs.size() + " answers differ from the ground truth:\n  "
                + String.join("\n  ", diffs.subList(0, Math.min(30, diffs.size())));
    }

    /** The differences of one series answer (hour buckets over the truth's range) from the expectation. */
    static List<String> seriesDiffs(Api api, String view, String key, Answer answer, Expected expected) {
        String what = api + " " + view + " " + key;
        if (answer.status() != 200 || answer.partial()) {
            return List.of(what + ": not a whole answer: " + answer.status() + " " + answer.body());
        }
        List<String> diffs = new ArrayList<>();
        Map<Instant, Double> lower = expected.lower().hourCells(view, key);
        Map<Instant, Double> upper = expected.upper() == null ? null : expected.upper().hourCells(view, key);
        Set<Instant> seen = new TreeSet<>();
        for (JsonNode point : answer.body().path("points")) {
            Instant start = Instant.parse(point.get("start").asString());
            seen.add(start);
            check(diffs, what + " " + start, view, value(point.get("value")), lower.get(start),
                    upper == null ? null : upper.get(start), upper == null);
        }
        Set<Instant> expectedBuckets = new TreeSet<>(upper != null ? upper.keySet() : lower.keySet());
        expectedBuckets.removeAll(seen);
        if (!expectedBuckets.isEmpty()) {
            diffs.add(what + ": buckets missing from the answer: " + expectedBuckets);
        }
        check(diffs, what + " total", view, value(answer.body().get("total")),
                expected.lower().totals(view).get(key),
                expected.upper() == null ? null : expected.upper().totals(view).get(key), expected.upper() == null);
        return diffs;
    }

    /** The differences of one top-N answer, restricted to the workload's keys, from the expectation. */
    static List<String> topDiffs(Api api, String view, Answer answer, SeededWorkload workload, Expected expected) {
        String what = api + " top " + view;
        if (answer.status() != 200 || answer.partial()) {
            return List.of(what + ": not a whole answer: " + answer.status() + " " + answer.body());
        }
        Map<String, Double> actual = new TreeMap<>();
        for (JsonNode item : answer.body().path("items")) {
            String key = item.get("key").asString();
            if (workload.owns(key)) {
                actual.put(key, value(item.get("value")));
            }
        }
        List<String> diffs = new ArrayList<>();
        Set<String> keys = new TreeSet<>(actual.keySet());
        keys.addAll(expected.lower().totals(view).keySet());
        for (String key : keys) {
            Double upper = expected.upper() == null ? null : expected.upper().totals(view).get(key);
            if (!actual.containsKey(key) && expected.lower().totals(view).containsKey(key)) {
                diffs.add(what + " " + key + ": missing, expected " + expected.lower().totals(view).get(key));
            } else if (expected.upper() != null && !expected.upper().totals(view).containsKey(key)) {
                diffs.add(what + " " + key + ": a key no accepted event has, valued " + actual.get(key));
            } else {
                check(diffs, what + " " + key, view, actual.get(key), expected.lower().totals(view).get(key), upper,
                        expected.upper() == null);
            }
        }
        return diffs;
    }

    /** Absent and null values are the measure's zero (count, sum, distinct) or no value (max), both 0 here: amounts are positive. */
    private static double value(JsonNode node) {
        return node == null || node.isNull() ? 0 : node.asDouble();
    }

    private static void check(List<String> diffs, String what, String view, Double actual, Double lower, Double upper,
                              boolean unboundedAbove) {
        double a = actual == null ? 0 : actual;
        double low = lower == null ? 0 : lower;
        double high = unboundedAbove ? Double.POSITIVE_INFINITY : upper == null ? 0 : upper;
        boolean distinct = GroundTruth.isDistinct(view);
        double lowSlack = distinct ? GroundTruth.sketchBound(view, low) : 1e-6 * Math.max(1, Math.abs(low));
        double highSlack = distinct ? GroundTruth.sketchBound(view, high) : 1e-6 * Math.max(1, Math.abs(high));
        if (a < low - lowSlack || a > high + highSlack) {
            diffs.add(what + ": expected " + (low == high ? String.valueOf(low) : "[" + low + ", " + high + "]")
                    + ", got " + a);
        }
    }
}
