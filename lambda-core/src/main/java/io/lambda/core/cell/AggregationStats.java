package io.lambda.core.cell;

import java.util.EnumMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts of events an {@link Aggregator} skipped, by view and reason, for the services to publish
 * as metrics (e.g. {@code lambda.speed.skipped} tagged {@code view} and {@code outcome}). Skipping is
 * the rule for events a view cannot use; it is never an exception on the hot path. Thread-safe.
 */
public final class AggregationStats {

	private final Map<String, LongAdder[]> skipped = new ConcurrentHashMap<>();

	void record(String view, SkipReason reason) {
		skipped.computeIfAbsent(view, v -> newCounters())[reason.ordinal()].increment();
	}

	/** Events skipped for {@code view} for {@code reason} so far. */
	public long skipped(String view, SkipReason reason) {
		LongAdder[] counters = skipped.get(view);
		return counters == null ? 0 : counters[reason.ordinal()].sum();
	}

	/** Events skipped for {@code reason}, over all views. */
	public long skipped(SkipReason reason) {
		return skipped.values().stream().mapToLong(counters -> counters[reason.ordinal()].sum()).sum();
	}

	/** A snapshot: view, then reason, then count; only non-zero counts. */
	public Map<String, Map<SkipReason, Long>> snapshot() {
		Map<String, Map<SkipReason, Long>> snapshot = new TreeMap<>();
		skipped.forEach((view, counters) -> {
			Map<SkipReason, Long> byReason = new EnumMap<>(SkipReason.class);
			for (SkipReason reason : SkipReason.values()) {
				long count = counters[reason.ordinal()].sum();
				if (count > 0) {
					byReason.put(reason, count);
				}
			}
			if (!byReason.isEmpty()) {
				snapshot.put(view, byReason);
			}
		});
		return snapshot;
	}

	private static LongAdder[] newCounters() {
		LongAdder[] counters = new LongAdder[SkipReason.values().length];
		for (int i = 0; i < counters.length; i++) {
			counters[i] = new LongAdder();
		}
		return counters;
	}

	@Override
	public String toString() {
		return "AggregationStats" + snapshot();
	}
}
