package io.lambda.core.time;

import java.time.Duration;

/**
 * Ingest epochs: ingest time (the broker's timestamp) cut into slices of length {@code E}.
 * Batch versions are cut on epoch boundaries and speed cells are kept per epoch, so that a
 * query can take the batch side up to a cut and the speed side from it (docs/architecture.md).
 * {@code E} divides one hour, so every hour (and every day) starts on an epoch boundary.
 *
 * @param length the epoch length {@code E}: positive, whole milliseconds, dividing one hour
 */
public record IngestEpoch(Duration length) {

	private static final long HOUR_MILLIS = 3_600_000L;

	public IngestEpoch {
		if (length == null) {
			throw new IllegalArgumentException("ingest epoch length must be set");
		}
		if (length.isNegative() || length.isZero()) {
			throw new IllegalArgumentException("ingest epoch length must be positive, was " + length);
		}
		if (length.compareTo(Duration.ofHours(1)) > 0) {
			throw new IllegalArgumentException("ingest epoch length must be at most one hour, was " + length);
		}
		if (length.getNano() % 1_000_000 != 0 || HOUR_MILLIS % length.toMillis() != 0) {
			throw new IllegalArgumentException("ingest epoch length must divide one hour evenly (e.g. 1, 5, 10, 15, 30 or 60 minutes), was "
					+ length);
		}
	}

	public static IngestEpoch ofMinutes(long minutes) {
		return new IngestEpoch(Duration.ofMinutes(minutes));
	}

	public long lengthMillis() {
		return length.toMillis();
	}

	/** {@code floor(ingestTime / E)}. */
	public long epochOf(long ingestTimeMillis) {
		return Math.floorDiv(ingestTimeMillis, lengthMillis());
	}

	/** The first ingest time (inclusive) of {@code epoch}. */
	public long startMillis(long epoch) {
		return Math.multiplyExact(epoch, lengthMillis());
	}

	/** The first ingest time after {@code epoch}, i.e. the start of the next epoch. */
	public long endMillis(long epoch) {
		return startMillis(epoch + 1);
	}

	/** The latest epoch boundary at or before {@code millis}: the cut a batch may take at that time. */
	public long cutAtOrBefore(long millis) {
		return startMillis(epochOf(millis));
	}

	public boolean isBoundary(long millis) {
		return Math.floorMod(millis, lengthMillis()) == 0;
	}

	/**
	 * The first epoch a query reads from the speed layer for a batch cut at {@code cutMillis}: every
	 * epoch {@code >= epochOf(cut)}. The cut must be a boundary, otherwise the epoch holding it would
	 * be counted by both sides.
	 */
	public long firstSpeedEpoch(long cutMillis) {
		if (!isBoundary(cutMillis)) {
			throw new IllegalArgumentException(
					"cut " + cutMillis + " is not on an ingest epoch boundary of " + length);
		}
		return epochOf(cutMillis);
	}
}
