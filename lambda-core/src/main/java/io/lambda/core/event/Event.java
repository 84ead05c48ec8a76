package io.lambda.core.event;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One accepted event, as every layer sees it after the ingest service validated it.
 *
 * <p>Attribute values are {@link String}, {@link Long}, {@link Double} or {@link Boolean}; other
 * integral numbers become {@code Long} and {@code Float} becomes {@code Double} (big numbers follow
 * the rule of {@link EventCodec}) so that equal
 * events compare equal whatever built them. The event time keeps millisecond precision, which is
 * what the events topic carries.
 *
 * @param eventId    the id that makes re-sending safe (the master dataset is keyed by it)
 * @param type       the event type, matched against {@code ViewDefinition.eventType}
 * @param timestamp  the event time, which decides the bucket
 * @param attributes the attributes, an immutable copy
 */
public record Event(String eventId, String type, Instant timestamp, Map<String, Object> attributes) {

	public Event {
		Objects.requireNonNull(eventId, "eventId");
		Objects.requireNonNull(type, "type");
		Objects.requireNonNull(timestamp, "timestamp");
		if (timestamp.getNano() % 1_000_000 != 0) {
			timestamp = timestamp.truncatedTo(ChronoUnit.MILLIS);
		}
		attributes = attributes == null ? Map.of() : immutableAttributes(attributes);
	}

	/** The event time in epoch milliseconds. */
	public long timestampMillis() {
		return timestamp.toEpochMilli();
	}

	/** The attribute, or {@code null} when absent. */
	public Object attribute(String name) {
		return name == null ? null : attributes.get(name);
	}

	private static Map<String, Object> immutableAttributes(Map<String, Object> attributes) {
		boolean canonical = true;
		for (Map.Entry<String, Object> entry : attributes.entrySet()) {
			Object value = entry.getValue();
			if (entry.getKey() == null || value == null) {
				throw new IllegalArgumentException("attribute names and values must not be null: " + entry);
			}
			if (!(value instanceof String || value instanceof Long || value instanceof Double || value instanceof Boolean)) {
				canonical = false;
			}
		}
		if (canonical) {
			return Map.copyOf(attributes);
		}
		Map<String, Object> copy = new HashMap<>();
		attributes.forEach((name, value) -> copy.put(name, canonicalValue(name, value)));
		return Map.copyOf(copy);
	}

	private static Object canonicalValue(String name, Object value) {
		if (value instanceof String || value instanceof Long || value instanceof Double || value instanceof Boolean) {
			return value;
		}
		if (value instanceof Integer || value instanceof Short || value instanceof Byte) {
			return ((Number) value).longValue();
		}
		if (value instanceof Float f) {
			return f.doubleValue();
		}
		if (value instanceof BigInteger big) {
			return big.bitLength() < 64 ? (Object) big.longValue() : (Object) big.doubleValue();
		}
		if (value instanceof BigDecimal decimal) {
			// same rule as the codec: written without a fraction and fits a long -> Long, else Double
			return decimal.scale() <= 0 && decimal.toBigInteger().bitLength() < 64
					? (Object) decimal.longValueExact() : (Object) decimal.doubleValue();
		}
		throw new IllegalArgumentException("attribute '" + name + "' must be a string, number or boolean, was "
				+ value.getClass().getName());
	}
}
