package io.lambda.core.event;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
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
		Map<String, Object> attributes = event.attributes();
		String[] names = attributes.keySet().toArray(new String[0]);
		Object[] values = new Object[names.length];
		for (int i = 0; i < names.length; i++) {
			values[i] = attributes.get(names[i]);
		}
		return encode(event.eventId(), event.type(), event.timestampMillis(), names, values, names.length);
	}

	/**
	 * Encodes an event given as its parts, without building an {@link Event}: the ingest service
	 * writes each request's events this way. The first {@code count} names and values are the
	 * attributes (values as in {@link Event}); both arrays are sorted by name in place. The bytes are
	 * those of {@link #encode(Event)} for the same event.
	 * @throws IllegalArgumentException if a name appears twice or a value is of another type
	 */
	public byte[] encode(String eventId, String type, long timestampMillis, String[] names, Object[] values, int count) {
		sortByName(names, values, count);
		RecordWriter out = new RecordWriter(64 + eventId.length() + type.length() + 24 * count);
		out.ascii("{\"v\":").number(VERSION).ascii(",\"id\":").string(eventId).ascii(",\"type\":").string(type)
				.ascii(",\"ts\":").number(timestampMillis);
		if (count > 0) {
			out.ascii(",\"attrs\":{");
			for (int i = 0; i < count; i++) {
				if (i > 0) {
					if (names[i].equals(names[i - 1])) {
						throw new IllegalArgumentException("attribute '" + names[i] + "' appears twice");
					}
					out.ascii(",");
				}
				out.string(names[i]).ascii(":");
				writeAttribute(out, names[i], values[i]);
			}
			out.ascii("}");
		}
		return out.ascii("}").toByteArray();
	}

	/**
	 * Whether every character of {@code text} has a UTF-8 form, so that it can be written: false when it
	 * holds half of a surrogate pair, which a JSON escape ({@code "\\ud800"}) can produce. The ingest
	 * service checks attribute values with this before it encodes them.
	 */
	public static boolean isEncodable(String text) {
		for (int i = 0; i < text.length(); i++) {
			char c = text.charAt(i);
			if (Character.isSurrogate(c)) {
				if (!Character.isHighSurrogate(c) || i + 1 == text.length() || !Character.isLowSurrogate(text.charAt(i + 1))) {
					return false;
				}
				i++;
			}
		}
		return true;
	}

	/** Insertion sort of the parallel arrays: an event has at most a few dozen attributes. */
	private static void sortByName(String[] names, Object[] values, int count) {
		for (int i = 1; i < count; i++) {
			String name = names[i];
			Object value = values[i];
			int j = i - 1;
			while (j >= 0 && names[j].compareTo(name) > 0) {
				names[j + 1] = names[j];
				values[j + 1] = values[j];
				j--;
			}
			names[j + 1] = name;
			values[j + 1] = value;
		}
	}

	private static void writeAttribute(RecordWriter out, String name, Object value) {
		if (value instanceof String s) {
			out.string(s);
		}
		else if (value instanceof Long l) {
			out.number(l);
		}
		else if (value instanceof Double d) {
			// Double.toString always writes a fraction or an exponent (12.0), so the type survives;
			// a non-finite value (not valid JSON) is written as a string, as Jackson does
			out.ascii(Double.isFinite(d) ? d.toString() : "\"" + d + "\"");
		}
		else if (value instanceof Boolean b) {
			out.ascii(b ? "true" : "false");
		}
		else {
			throw new IllegalArgumentException("attribute '" + name + "' must be a string, number or boolean, was "
					+ (value == null ? "null" : value.getClass().getName()));
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

	/**
	 * The record's bytes, written directly: a Jackson generator per event was a fifth of the ingest
	 * service's request CPU (docs/performance.md, ingest). Strings are escaped as Jackson escapes
	 * them (EventCodecTests compares the two): the quote, the backslash and the control characters get
	 * a backslash escape (the short one where JSON has one, else u00XX); everything else is UTF-8.
	 */
	private static final class RecordWriter {

		private static final byte[] HEX = "0123456789ABCDEF".getBytes(StandardCharsets.US_ASCII);

		/** For each ASCII character: 0 written as is, -1 as a u00XX escape, else the letter after a backslash. */
		private static final int[] ESCAPES = new int[128];

		static {
			for (int c = 0; c < 0x20; c++) {
				ESCAPES[c] = -1;
			}
			ESCAPES['"'] = '"';
			ESCAPES['\\'] = '\\';
			ESCAPES['\b'] = 'b';
			ESCAPES['\t'] = 't';
			ESCAPES['\n'] = 'n';
			ESCAPES['\f'] = 'f';
			ESCAPES['\r'] = 'r';
		}

		private byte[] bytes;
		private int length;

		RecordWriter(int capacity) {
			bytes = new byte[capacity];
		}

		private void ensure(int more) {
			if (length + more > bytes.length) {
				bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, length + more));
			}
		}

		/** Text known to be ASCII and to need no escaping (punctuation, numbers, literals). */
		RecordWriter ascii(String text) {
			int n = text.length();
			ensure(n);
			for (int i = 0; i < n; i++) {
				bytes[length++] = (byte) text.charAt(i);
			}
			return this;
		}

		RecordWriter number(long value) {
			return ascii(Long.toString(value));
		}

		RecordWriter string(String text) {
			int n = text.length();
			ensure(2 + 6 * n); // at most 6 bytes per char (an escape), 4 per surrogate pair
			byte[] b = bytes;
			int at = length;
			b[at++] = '"';
			for (int i = 0; i < n; i++) {
				char c = text.charAt(i);
				if (c < 0x80) {
					int escape = ESCAPES[c];
					if (escape == 0) {
						b[at++] = (byte) c;
					}
					else if (escape > 0) {
						b[at++] = '\\';
						b[at++] = (byte) escape;
					}
					else {
						b[at++] = '\\';
						b[at++] = 'u';
						b[at++] = '0';
						b[at++] = '0';
						b[at++] = HEX[c >> 4];
						b[at++] = HEX[c & 0xF];
					}
				}
				else if (c < 0x800) {
					b[at++] = (byte) (0xC0 | (c >> 6));
					b[at++] = (byte) (0x80 | (c & 0x3F));
				}
				else if (Character.isSurrogate(c)) {
					if (!Character.isHighSurrogate(c) || i + 1 >= n || !Character.isLowSurrogate(text.charAt(i + 1))) {
						throw new IllegalArgumentException("a string holds a lone surrogate (U+"
								+ Integer.toHexString(c).toUpperCase(java.util.Locale.ROOT) + "), which UTF-8 cannot encode");
					}
					int cp = Character.toCodePoint(c, text.charAt(++i));
					b[at++] = (byte) (0xF0 | (cp >> 18));
					b[at++] = (byte) (0x80 | ((cp >> 12) & 0x3F));
					b[at++] = (byte) (0x80 | ((cp >> 6) & 0x3F));
					b[at++] = (byte) (0x80 | (cp & 0x3F));
				}
				else {
					b[at++] = (byte) (0xE0 | (c >> 12));
					b[at++] = (byte) (0x80 | ((c >> 6) & 0x3F));
					b[at++] = (byte) (0x80 | (c & 0x3F));
				}
			}
			b[at++] = '"';
			length = at;
			return this;
		}

		byte[] toByteArray() {
			return Arrays.copyOf(bytes, length);
		}
	}
}
