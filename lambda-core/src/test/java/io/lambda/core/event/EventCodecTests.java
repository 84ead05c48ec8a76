package io.lambda.core.event;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class EventCodecTests {

	private final EventCodec codec = new EventCodec();

	private static byte[] utf8(String json) {
		return json.getBytes(StandardCharsets.UTF_8);
	}

	@Provide
	Arbitrary<Event> events() {
		Arbitrary<Object> values = Arbitraries.oneOf(Arbitraries.strings().ofMaxLength(20).map(s -> (Object) s),
				Arbitraries.longs().map(l -> (Object) l),
				Arbitraries.doubles().filter(Double::isFinite).map(d -> (Object) d),
				Arbitraries.of(0.0, -0.0, 12.0, 1e20, 5e-324, Double.MAX_VALUE).map(d -> (Object) d),
				Arbitraries.of(true, false).map(b -> (Object) b));
		Arbitrary<Map<String, Object>> attributes = Arbitraries.maps(
				Arbitraries.strings().withCharRange('a', 'z').withChars('_', 'Z', '0').ofMinLength(1).ofMaxLength(8), values)
				.ofMaxSize(6);
		return Combinators.combine(Arbitraries.strings().withCharRange('a', 'z').withChars('-', ':', '.').ofMinLength(1).ofMaxLength(20),
				Arbitraries.strings().withCharRange('a', 'z').ofMinLength(1).ofMaxLength(10),
				Arbitraries.longs().between(946_684_800_000L, 4_102_444_800_000L), attributes)
				.as((id, type, ts, attrs) -> new Event(id, type, Instant.ofEpochMilli(ts), attrs));
	}

	@Property
	void decodeReversesEncodeKeepingNumberTypes(@ForAll("events") Event event) {
		assertThat(codec.decode(codec.encode(event))).isEqualTo(event);
	}

	@Property
	void equalEventsEncodeToEqualBytes(@ForAll("events") Event event) {
		Map<String, Object> reordered = new java.util.TreeMap<>(java.util.Comparator.reverseOrder());
		reordered.putAll(event.attributes());
		Event same = new Event(event.eventId(), event.type(), event.timestamp(), reordered);
		assertThat(codec.encode(same)).isEqualTo(codec.encode(event));
	}

	/** Any text: control characters, quotes, backslashes, accents, CJK, emoji (surrogate pairs). */
	@Provide
	Arbitrary<Event> eventsWithAnyText() {
		Arbitrary<String> text = Arbitraries.oneOf(Arbitraries.strings().all().excludeChars(
						(char[]) java.util.stream.IntStream.rangeClosed(0xD800, 0xDFFF).mapToObj(c -> String.valueOf((char) c))
								.collect(java.util.stream.Collectors.joining()).toCharArray()).ofMaxLength(12),
				Arbitraries.of("\"", "\\", "/", "\b", "\f", "\n", "\r", "\t", "\u0000", "\u001f", "\u007f", "\u0080", "\u07ff",
						"\u0800", "\uffff", "é", "中", "😀", "a").list().ofMaxSize(12).map(parts -> String.join("", parts)));
		Arbitrary<Object> values = Arbitraries.oneOf(text.map(s -> (Object) s), Arbitraries.longs().map(l -> (Object) l),
				Arbitraries.doubles().map(d -> (Object) d),
				Arbitraries.of(Double.NaN, Double.POSITIVE_INFINITY, -0.0, 1e-7, 1e7, 123456789.125).map(d -> (Object) d),
				Arbitraries.of(true, false).map(b -> (Object) b));
		return Combinators.combine(text.filter(s -> !s.isEmpty()), text, Arbitraries.longs(),
				Arbitraries.maps(text, values).ofMaxSize(8))
				.as((id, type, ts, attrs) -> new Event(id, type, Instant.ofEpochMilli(ts), attrs));
	}

	@Property
	void writesTheBytesJacksonsGeneratorWrote(@ForAll("eventsWithAnyText") Event event) {
		assertThat(new String(codec.encode(event), StandardCharsets.UTF_8))
				.isEqualTo(new String(jacksonEncode(event), StandardCharsets.UTF_8));
	}

	/** The encoder this codec used before it wrote bytes itself: Jackson's generator, names in order. */
	private static byte[] jacksonEncode(Event event) {
		java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
		try (tools.jackson.core.JsonGenerator generator = new tools.jackson.core.json.JsonFactory()
				.createGenerator(tools.jackson.core.ObjectWriteContext.empty(), out)) {
			generator.writeStartObject();
			generator.writeNumberProperty("v", EventCodec.VERSION);
			generator.writeStringProperty("id", event.eventId());
			generator.writeStringProperty("type", event.type());
			generator.writeNumberProperty("ts", event.timestampMillis());
			if (!event.attributes().isEmpty()) {
				generator.writeName("attrs");
				generator.writeStartObject();
				for (String name : new java.util.TreeSet<>(event.attributes().keySet())) {
					generator.writeName(name);
					Object value = event.attributes().get(name);
					if (value instanceof String text) {
						generator.writeString(text);
					}
					else if (value instanceof Long number) {
						generator.writeNumber(number);
					}
					else if (value instanceof Double number) {
						generator.writeNumber(number);
					}
					else {
						generator.writeBoolean((Boolean) value);
					}
				}
				generator.writeEndObject();
			}
			generator.writeEndObject();
		}
		return out.toByteArray();
	}

	@Example
	void refusesALoneSurrogateAndANameTwice() {
		assertThat(EventCodec.isEncodable("x\uD800y")).isFalse();
		assertThat(EventCodec.isEncodable("x\uDC00")).isFalse();
		assertThat(EventCodec.isEncodable("é中😀")).isTrue();
		assertThatExceptionOfType(IllegalArgumentException.class)
				.isThrownBy(() -> codec.encode(new Event("e", "t", Instant.EPOCH, Map.of("a", "x\uD800y"))))
				.withMessageContaining("lone surrogate");
		assertThatExceptionOfType(IllegalArgumentException.class)
				.isThrownBy(() -> codec.encode("e", "t", 0, new String[] {"b", "a", "b"}, new Object[] {1L, 2L, 3L}, 3))
				.withMessageContaining("'b' appears twice");
	}

	@Example
	void encodesPartsAsTheSameEvent() {
		String[] names = {"url", "amount", "member"};
		Object[] values = {"/home", 12.5, true};
		assertThat(codec.encode("e-1", "pageview", 1764152130123L, names, values, 3)).isEqualTo(codec.encode(
				new Event("e-1", "pageview", Instant.ofEpochMilli(1764152130123L), Map.of("url", "/home", "amount", 12.5,
						"member", true))));
	}

	@Example
	void writesCompactVersionedJson() {
		Event event = new Event("e-1", "pageview", Instant.parse("2025-11-26T10:15:30.123Z"),
				Map.of("url", "/home", "amount", 12.5, "items", 3L, "member", true));
		assertThat(new String(codec.encode(event), StandardCharsets.UTF_8)).isEqualTo(
				"{\"v\":1,\"id\":\"e-1\",\"type\":\"pageview\",\"ts\":1764152130123,"
						+ "\"attrs\":{\"amount\":12.5,\"items\":3,\"member\":true,\"url\":\"/home\"}}");
	}

	@Example
	void numbersWithoutFractionAreLongsAndOthersDoubles() {
		Event event = codec.decode(utf8("{\"v\":1,\"id\":\"e\",\"type\":\"t\",\"ts\":0,"
				+ "\"attrs\":{\"a\":12,\"b\":12.0,\"c\":1e3,\"d\":-0,\"e\":123456789012345678901234567890}}"));
		assertThat(event.attributes()).containsExactlyInAnyOrderEntriesOf(
				Map.of("a", 12L, "b", 12.0, "c", 1000.0, "d", 0L, "e", 1.2345678901234568E29));
	}

	@Example
	void ignoresUnknownTopLevelFieldsAndAcceptsAnyFieldOrder() {
		Event event = codec.decode(utf8("{\"ts\":5,\"extra\":{\"x\":[1,2]},\"type\":\"t\",\"id\":\"e\",\"v\":1}"));
		assertThat(event).isEqualTo(new Event("e", "t", Instant.ofEpochMilli(5), Map.of()));
	}

	@Example
	void rejectsAnUnknownVersion() {
		assertThatExceptionOfType(EventDecodingException.class)
				.isThrownBy(() -> codec.decode(utf8("{\"v\":2,\"id\":\"e\",\"type\":\"t\",\"ts\":0}")))
				.withMessage("unknown event format version 2 (this reader understands version 1)");
	}

	@Example
	void rejectsGarbageAndSaysItIsNotJson() {
		assertThatExceptionOfType(EventDecodingException.class).isThrownBy(() -> codec.decode(utf8("{\"v\":1,\"id\":")))
				.withMessageStartingWith("event record is not valid JSON: ");
		assertThatExceptionOfType(EventDecodingException.class).isThrownBy(() -> codec.decode(new byte[] { (byte) 0xff, 0, 1 }))
				.withMessageStartingWith("event record is not valid JSON: ");
		assertThatExceptionOfType(EventDecodingException.class).isThrownBy(() -> codec.decode(utf8("[1,2]")))
				.withMessage("event record must be a JSON object");
		assertThatExceptionOfType(EventDecodingException.class).isThrownBy(() -> codec.decode(new byte[0]))
				.withMessage("empty event record");
		assertThatExceptionOfType(EventDecodingException.class)
				.isThrownBy(() -> codec.decode(utf8("{\"v\":1,\"id\":\"e\",\"type\":\"t\",\"ts\":0} {}")))
				.withMessage("unexpected content after the event object");
	}

	@Example
	void namesTheMissingOrMistypedField() {
		assertThatExceptionOfType(EventDecodingException.class)
				.isThrownBy(() -> codec.decode(utf8("{\"id\":\"e\",\"type\":\"t\",\"ts\":0}")))
				.withMessage("missing field 'v' (the format version)");
		assertThatExceptionOfType(EventDecodingException.class)
				.isThrownBy(() -> codec.decode(utf8("{\"v\":1,\"id\":\"e\",\"ts\":0}")))
				.withMessage("missing field 'type'");
		assertThatExceptionOfType(EventDecodingException.class)
				.isThrownBy(() -> codec.decode(utf8("{\"v\":1,\"id\":\"e\",\"type\":\"t\"}")))
				.withMessage("missing field 'ts'");
		assertThatExceptionOfType(EventDecodingException.class)
				.isThrownBy(() -> codec.decode(utf8("{\"v\":1,\"id\":\"e\",\"type\":\"t\",\"ts\":\"2026-01-01T00:00:00Z\"}")))
				.withMessage("field 'ts' must be an integer, was a string");
		assertThatExceptionOfType(EventDecodingException.class)
				.isThrownBy(() -> codec.decode(utf8("{\"v\":1,\"id\":\"e\",\"type\":\"t\",\"ts\":0,\"attrs\":{\"a\":[1]}}")))
				.withMessage("attribute 'a' must be a string, number or boolean, was an array");
		assertThatExceptionOfType(EventDecodingException.class)
				.isThrownBy(() -> codec.decode(utf8("{\"v\":1,\"id\":\"e\",\"type\":\"t\",\"ts\":0,\"attrs\":{\"a\":null}}")))
				.withMessage("attribute 'a' must be a string, number or boolean, was null");
	}

	@Example
	void eventsKeepMillisecondsAndCanonicalNumberTypes() {
		Map<String, Object> attributes = new HashMap<>();
		attributes.put("i", 3);
		attributes.put("f", 1.5f);
		Event event = new Event("e", "t", Instant.parse("2026-11-26T10:15:30.123456Z"), attributes);
		assertThat(event.timestamp()).isEqualTo(Instant.parse("2026-11-26T10:15:30.123Z"));
		assertThat(event.attributes()).containsExactlyInAnyOrderEntriesOf(Map.of("i", 3L, "f", 1.5));
		assertThat(codec.decode(codec.encode(event))).isEqualTo(event);
	}
}
