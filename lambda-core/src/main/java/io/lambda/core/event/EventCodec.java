package io.lambda.core.event;

import java.io.ByteArrayOutputStream;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.ObjectWriteContext;
import tools.jackson.core.json.JsonFactory;

/**
 * The record format of the events topic {@code lambda.events.v1} and of the master dataset:
 * compact JSON with a format version,
 * <pre>{"v":1,"id":"e-1","type":"pageview","ts":1764152130123,"attrs":{"url":"/home","amount":12.5}}</pre>
 * {@code ts} is the event time in epoch milliseconds. Attributes are written in name order, so an
 * event always encodes to the same bytes.
 *
 * <p>Numbers: an attribute number written without fraction or exponent that fits a {@code long}
 * decodes as {@link Long}; every other number decodes as {@link Double}. {@code Double}s are written
 * with a fraction or exponent ({@code 12.0}), so both types survive a round trip.
 *
 * <p>Unknown top-level fields are ignored, so a reader of version 1 accepts records from a writer that
 * added optional fields; anything it cannot read safely carries a new version number and is rejected.
 * Thread-safe; uses Jackson's streaming API.
 */
public final class EventCodec {

	public static final int VERSION = 1;

	private final JsonFactory json = new JsonFactory();

	public byte[] encode(Event event) {
		ByteArrayOutputStream out = new ByteArrayOutputStream(128 + 32 * event.attributes().size());
		try (JsonGenerator generator = json.createGenerator(ObjectWriteContext.empty(), out)) {
			generator.writeStartObject();
			generator.writeName("v");
			generator.writeNumber(VERSION);
			generator.writeName("id");
			generator.writeString(event.eventId());
			generator.writeName("type");
			generator.writeString(event.type());
			generator.writeName("ts");
			generator.writeNumber(event.timestampMillis());
			if (!event.attributes().isEmpty()) {
				generator.writeName("attrs");
				generator.writeStartObject();
				String[] names = event.attributes().keySet().toArray(new String[0]);
				Arrays.sort(names);
				for (String name : names) {
					generator.writeName(name);
					writeAttribute(generator, event.attributes().get(name));
				}
				generator.writeEndObject();
			}
			generator.writeEndObject();
		}
		return out.toByteArray();
	}

	private static void writeAttribute(JsonGenerator generator, Object value) {
		if (value instanceof String s) {
			generator.writeString(s);
		}
		else if (value instanceof Long l) {
			generator.writeNumber(l);
		}
		else if (value instanceof Double d) {
			generator.writeNumber(d);
		}
		else {
			generator.writeBoolean((Boolean) value);
		}
	}

	/** Reads one record; throws {@link EventDecodingException} saying what is wrong with it. */
	public Event decode(byte[] bytes) {
		if (bytes == null || bytes.length == 0) {
			throw new EventDecodingException("empty event record");
		}
		try (JsonParser parser = json.createParser(ObjectReadContext.empty(), bytes)) {
			return read(parser);
		}
		catch (JacksonException e) {
			throw new EventDecodingException("event record is not valid JSON: " + e.getOriginalMessage(), e);
		}
		catch (IllegalArgumentException e) {
			throw new EventDecodingException("event record is invalid: " + e.getMessage(), e);
		}
	}

	private static Event read(JsonParser parser) {
		if (parser.nextToken() != JsonToken.START_OBJECT) {
			throw new EventDecodingException("event record must be a JSON object");
		}
		Long version = null;
		String id = null;
		String type = null;
		Long ts = null;
		Map<String, Object> attributes = Map.of();
		String name;
		while ((name = parser.nextName()) != null) {
			JsonToken token = parser.nextToken();
			switch (name) {
				case "v" -> version = readLong(parser, token, name);
				case "id" -> id = readString(parser, token, name);
				case "type" -> type = readString(parser, token, name);
				case "ts" -> ts = readLong(parser, token, name);
				case "attrs" -> attributes = readAttributes(parser, token);
				default -> parser.skipChildren();
			}
		}
		if (parser.currentToken() != JsonToken.END_OBJECT) {
			throw new EventDecodingException("event record is not a complete JSON object");
		}
		if (parser.nextToken() != null) {
			throw new EventDecodingException("unexpected content after the event object");
		}
		if (version == null) {
			throw new EventDecodingException("missing field 'v' (the format version)");
		}
		if (version != VERSION) {
			throw new EventDecodingException(
					"unknown event format version " + version + " (this reader understands version " + VERSION + ")");
		}
		if (id == null) {
			throw new EventDecodingException("missing field 'id'");
		}
		if (type == null) {
			throw new EventDecodingException("missing field 'type'");
		}
		if (ts == null) {
			throw new EventDecodingException("missing field 'ts'");
		}
		return new Event(id, type, Instant.ofEpochMilli(ts), attributes);
	}

	private static Map<String, Object> readAttributes(JsonParser parser, JsonToken token) {
		if (token == JsonToken.VALUE_NULL) {
			return Map.of();
		}
		if (token != JsonToken.START_OBJECT) {
			throw new EventDecodingException("field 'attrs' must be an object, was " + token.asString());
		}
		Map<String, Object> attributes = new HashMap<>();
		String name;
		while ((name = parser.nextName()) != null) {
			JsonToken value = parser.nextToken();
			Object previous = attributes.put(name, switch (value) {
				case VALUE_STRING -> parser.getString();
				case VALUE_NUMBER_INT -> parser.getNumberType() == JsonParser.NumberType.BIG_INTEGER
						? (Object) parser.getDoubleValue() : (Object) parser.getLongValue();
				case VALUE_NUMBER_FLOAT -> parser.getDoubleValue();
				case VALUE_TRUE -> Boolean.TRUE;
				case VALUE_FALSE -> Boolean.FALSE;
				default -> throw new EventDecodingException(
						"attribute '" + name + "' must be a string, number or boolean, was " + describe(value));
			});
			if (previous != null) {
				throw new EventDecodingException("attribute '" + name + "' appears twice");
			}
		}
		return attributes;
	}

	private static String readString(JsonParser parser, JsonToken token, String name) {
		if (token != JsonToken.VALUE_STRING) {
			throw new EventDecodingException("field '" + name + "' must be a string, was " + describe(token));
		}
		return parser.getString();
	}

	private static Long readLong(JsonParser parser, JsonToken token, String name) {
		if (token != JsonToken.VALUE_NUMBER_INT || parser.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
			throw new EventDecodingException("field '" + name + "' must be an integer, was " + describe(token));
		}
		return parser.getLongValue();
	}

	private static String describe(JsonToken token) {
		return switch (token) {
			case START_OBJECT -> "an object";
			case START_ARRAY -> "an array";
			case VALUE_NULL -> "null";
			case VALUE_STRING -> "a string";
			case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
			case VALUE_TRUE, VALUE_FALSE -> "a boolean";
			default -> token.name();
		};
	}
}
