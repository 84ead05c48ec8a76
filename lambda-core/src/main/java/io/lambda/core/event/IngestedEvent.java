package io.lambda.core.event;

/**
 * An event as the speed layer reads it from the events topic: with the broker's ingest time, which
 * decides the ingest epoch, and the partition and offset, which make speed cells idempotent.
 */
public record IngestedEvent(Event event, long ingestTimeMillis, int partition, long offset) {

	public IngestedEvent {
		java.util.Objects.requireNonNull(event, "event");
	}
}
