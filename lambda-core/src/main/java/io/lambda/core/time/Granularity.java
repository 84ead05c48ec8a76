package io.lambda.core.time;

import java.time.Duration;
import java.time.Instant;
import java.util.Locale;

/**
 * The width of a view's time buckets. Buckets are UTC and aligned to the Unix epoch, which for
 * minutes, hours and days is the same as aligning them to UTC wall-clock minutes, hours and days.
 */
public enum Granularity {

	MINUTE(60_000L), HOUR(3_600_000L), DAY(86_400_000L);

	private final long lengthMillis;

	Granularity(long lengthMillis) {
		this.lengthMillis = lengthMillis;
	}

	/** Parses {@code minute}, {@code HOUR}, {@code Day}...; anything else is rejected with the accepted values. */
	public static Granularity parse(String text) {
		if (text != null) {
			String normalized = text.strip().toUpperCase(Locale.ROOT);
			for (Granularity granularity : values()) {
				if (granularity.name().equals(normalized)) {
					return granularity;
				}
			}
		}
		throw new IllegalArgumentException(
				"unknown granularity '" + text + "' (expected minute, hour or day)");
	}

	/** The lower-case name used in configuration and in the REST API: {@code minute}, {@code hour}, {@code day}. */
	public String id() {
		return name().toLowerCase(Locale.ROOT);
	}

	public Duration length() {
		return Duration.ofMillis(lengthMillis);
	}

	public long lengthMillis() {
		return lengthMillis;
	}

	/** The start of the bucket holding {@code epochMillis} (floor, also for times before 1970). */
	public long bucketStartMillis(long epochMillis) {
		return Math.floorDiv(epochMillis, lengthMillis) * lengthMillis;
	}

	/** The start of the bucket holding {@code t}. */
	public Instant bucketStart(Instant t) {
		// toEpochMilli is a floor here: Instant keeps its nanos non-negative
		return Instant.ofEpochMilli(bucketStartMillis(t.toEpochMilli()));
	}

	public boolean isAligned(Instant t) {
		return t.getNano() % 1_000_000 == 0 && isAligned(t.toEpochMilli());
	}

	public boolean isAligned(long epochMillis) {
		return Math.floorMod(epochMillis, lengthMillis) == 0;
	}

	/** The start of the bucket after the one starting at {@code bucketStart}. */
	public Instant next(Instant bucketStart) {
		requireAligned(bucketStart, "bucket start");
		return bucketStart.plusMillis(lengthMillis);
	}

	/** Whether every bucket of this granularity lies inside exactly one bucket of {@code coarser}. */
	public boolean nestsIn(Granularity coarser) {
		return coarser.lengthMillis % lengthMillis == 0;
	}

	void requireAligned(Instant t, String what) {
		if (!isAligned(t)) {
			throw new IllegalArgumentException(
					what + " " + t + " is not aligned to the " + id() + " (expected " + bucketStart(t) + ")");
		}
	}
}
