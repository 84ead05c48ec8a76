package io.lambda.core.time;

import io.lambda.core.measure.Measure;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.LongFunction;

/**
 * The buckets of a granularity in {@code [from, to)}, as a query asks for them, and the folds over
 * them: a range's total is the measure's sum of its buckets, and coarser buckets are folded from
 * finer ones (hours into a day) with the same monoid. For distinct that is the union of sketches,
 * never a sum of estimates.
 *
 * @param granularity the bucket width
 * @param from        the first bucket's start, inclusive, aligned to the granularity
 * @param to          the end, exclusive, aligned to the granularity, after {@code from}
 */
public record BucketRange(Granularity granularity, Instant from, Instant to) {

	public BucketRange {
		if (granularity == null || from == null || to == null) {
			throw new IllegalArgumentException("a bucket range needs a granularity, from and to");
		}
		granularity.requireAligned(from, "from");
		granularity.requireAligned(to, "to");
		if (!from.isBefore(to)) {
			throw new IllegalArgumentException("from " + from + " must be before to " + to);
		}
	}

	/** The number of buckets. */
	public long size() {
		return (to.toEpochMilli() - from.toEpochMilli()) / granularity.lengthMillis();
	}

	/** The start of every bucket, in order. */
	public List<Instant> buckets() {
		List<Instant> buckets = new ArrayList<>((int) Math.min(size(), 1 << 16));
		for (long start = from.toEpochMilli(); start < to.toEpochMilli(); start += granularity.lengthMillis()) {
			buckets.add(Instant.ofEpochMilli(start));
		}
		return buckets;
	}

	/**
	 * The value of every bucket, in order, keyed by bucket start; a bucket that {@code valueAt}
	 * (given the bucket start in epoch milliseconds) has no value for ({@code null}) gets the zero.
	 */
	public <V> Map<Instant, V> series(Measure<V> measure, LongFunction<? extends V> valueAt) {
		Map<Instant, V> series = new TreeMap<>();
		for (long start = from.toEpochMilli(); start < to.toEpochMilli(); start += granularity.lengthMillis()) {
			V value = valueAt.apply(start);
			series.put(Instant.ofEpochMilli(start), value == null ? measure.zero() : value);
		}
		return series;
	}

	/** The fold of every bucket's value (missing buckets count as zero); the values are not changed. */
	public <V> V total(Measure<V> measure, LongFunction<? extends V> valueAt) {
		List<V> values = new ArrayList<>();
		for (long start = from.toEpochMilli(); start < to.toEpochMilli(); start += granularity.lengthMillis()) {
			V value = valueAt.apply(start);
			if (value != null) {
				values.add(value);
			}
		}
		return measure.sum(values);
	}

	/**
	 * Folds values of finer buckets (keyed by bucket start in epoch milliseconds) into the buckets of
	 * {@code coarser} that hold them, e.g. hours into days; the inputs are not changed.
	 */
	public static <V> Map<Long, V> rollUp(Measure<V> measure, Granularity coarser, Map<Long, ? extends V> finer) {
		Map<Long, List<V>> grouped = new HashMap<>();
		finer.forEach((start, value) -> grouped.computeIfAbsent(coarser.bucketStartMillis(start), s -> new ArrayList<>())
				.add(value));
		Map<Long, V> rolled = new TreeMap<>();
		grouped.forEach((start, values) -> rolled.put(start, measure.sum(values)));
		return rolled;
	}
}
