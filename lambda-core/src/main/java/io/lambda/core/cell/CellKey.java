package io.lambda.core.cell;

import io.lambda.core.time.Granularity;

import java.time.Instant;

/**
 * The address of a cell: {@code (view, key, granularity, eventBucket)}. The bucket is the start of
 * the event-time bucket in epoch milliseconds (UTC).
 */
public record CellKey(String view, String key, Granularity granularity, long bucketStartMillis) {

	public CellKey {
		if (view == null || key == null || granularity == null) {
			throw new IllegalArgumentException("cell key needs a view, a key and a granularity: " + view + ", " + key
					+ ", " + granularity);
		}
	}

	public Instant bucketStart() {
		return Instant.ofEpochMilli(bucketStartMillis);
	}
}
