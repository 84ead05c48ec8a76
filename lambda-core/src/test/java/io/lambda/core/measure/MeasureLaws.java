package io.lambda.core.measure;

import io.lambda.core.event.Event;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The laws every measure obeys, so that batch and speed can fold in any grouping and order and
 * still agree: a commutative monoid whose values survive storage. A new measure gets all of them by
 * subclassing and naming the measure; values are built by folding random events, so the laws also
 * cover how events enter the measure.
 *
 * @param <V> the measure's value type
 */
abstract class MeasureLaws<V> {

	/** The measure under test; a new instance per call is fine. */
	abstract Measure<V> measure();

	/** Asserts that two values are the same element of the monoid; by default their stored bytes are equal. */
	void assertSameValue(V actual, V expected) {
		assertThat(measure().encode(actual)).as("stored form").isEqualTo(measure().encode(expected));
		assertThat(measure().result(actual)).as("result").isEqualTo(measure().result(expected));
	}

	/** Whether equal values always encode to equal bytes (not so for sketches, whose bytes carry history). */
	boolean storedFormIsCanonical() {
		return true;
	}

	/** Random events, some without the measure's field or with unusable values in it. */
	@Provide
	Arbitrary<Event> events() {
		String field = measure().field() == null ? "amount" : measure().field();
		Arbitrary<Object> usable = Arbitraries.oneOf(Arbitraries.longs().between(-1_000_000, 1_000_000).map(l -> (Object) l),
				Arbitraries.doubles().between(-1e6, 1e6).ofScale(2).map(d -> (Object) d),
				// full 53-bit mantissas over thirty orders of magnitude: where plain double sums drift
				Arbitraries.randomValue(random -> (Object) ((random.nextDouble() - 0.5) * Math.pow(10, random.nextInt(31) - 15))),
				Arbitraries.of(0.0, -0.0, 0.1, 0.2, 0.3, 1e16, -1e16, 1.0, 3.0).map(d -> (Object) d),
				Arbitraries.strings().alpha().numeric().ofMinLength(1).ofMaxLength(3).map(s -> (Object) ("u" + s)));
		Arbitrary<Object> unusable = Arbitraries.of("", "12.5", true, false, Double.NaN, Double.POSITIVE_INFINITY);
		Arbitrary<Map<String, Object>> attributes = Arbitraries.frequencyOf(
				Tuple.of(8, usable.map(value -> Map.of(field, value))),
				Tuple.of(1, unusable.map(value -> Map.of(field, value))),
				Tuple.of(1, Arbitraries.just(Map.of("other", 1L))));
		return Combinators.combine(Arbitraries.longs().between(0, 1_000_000), attributes)
				.as((n, attrs) -> new Event("e-" + n, "test", Instant.ofEpochMilli(1_764_000_000_000L + n), attrs));
	}

	@Provide
	Arbitrary<List<Event>> eventLists() {
		return events().list().ofMaxSize(40);
	}

	@Provide
	Arbitrary<V> values() {
		return eventLists().map(this::fold);
	}

	V fold(List<Event> events) {
		Measure<V> measure = measure();
		V acc = measure.zero();
		for (Event event : events) {
			acc = measure.add(acc, event);
		}
		return acc;
	}

	@Property
	void zeroIsALeftAndRightIdentity(@ForAll("values") V a) {
		assertSameValue(measure().plus(measure().zero(), a), a);
		assertSameValue(measure().plus(a, measure().zero()), a);
	}

	@Property
	void plusIsCommutative(@ForAll("values") V a, @ForAll("values") V b) {
		assertSameValue(measure().plus(a, b), measure().plus(b, a));
	}

	@Property
	void plusIsAssociative(@ForAll("values") V a, @ForAll("values") V b, @ForAll("values") V c) {
		Measure<V> m = measure();
		assertSameValue(m.plus(m.plus(a, b), c), m.plus(a, m.plus(b, c)));
	}

	@Property
	void plusLeavesItsArgumentsUnchanged(@ForAll("values") V a, @ForAll("values") V b) {
		byte[] aBefore = measure().encode(a);
		byte[] bBefore = measure().encode(b);
		measure().plus(a, b);
		assertThat(measure().encode(a)).isEqualTo(aBefore);
		assertThat(measure().encode(b)).isEqualTo(bBefore);
	}

	@Property
	void plusIntoAgreesWithPlusAndLeavesTheOtherUnchanged(@ForAll("values") V a, @ForAll("values") V b) {
		V expected = measure().plus(a, b);
		byte[] bBefore = measure().encode(b);
		assertSameValue(measure().plusInto(measure().copy(a), b), expected);
		assertThat(measure().encode(b)).isEqualTo(bBefore);
	}

	@Property
	void copyIsIndependentOfTheOriginal(@ForAll("values") V a, @ForAll("eventLists") List<Event> more) {
		byte[] before = measure().encode(a);
		V copy = measure().copy(a);
		for (Event event : more) {
			copy = measure().add(copy, event);
		}
		assertThat(measure().encode(a)).isEqualTo(before);
	}

	@Property
	void foldingConcatenatedEventsIsPlusOfTheFolds(@ForAll("eventLists") List<Event> first,
			@ForAll("eventLists") List<Event> second) {
		List<Event> all = new ArrayList<>(first);
		all.addAll(second);
		assertSameValue(fold(all), measure().plus(fold(first), fold(second)));
	}

	@Property
	void foldingIgnoresTheOrderOfEvents(@ForAll("eventLists") List<Event> events, @ForAll long seed) {
		List<Event> shuffled = new ArrayList<>(events);
		Collections.shuffle(shuffled, new Random(seed));
		assertSameValue(fold(shuffled), fold(events));
	}

	@Property
	void sumIsTheFoldOfPlus(@ForAll("valueLists") List<V> values) {
		V expected = measure().zero();
		for (V value : values) {
			expected = measure().plus(expected, value);
		}
		assertSameValue(measure().sum(values), expected);
	}

	@Provide
	Arbitrary<List<V>> valueLists() {
		return values().list().ofMaxSize(6);
	}

	@Property
	void addLeavesTheValueUnchangedForEventsItDoesNotAccept(@ForAll("values") V a, @ForAll("events") Event event) {
		V expected = measure().copy(a);
		V actual = measure().add(measure().copy(a), event);
		if (!measure().accepts(event)) {
			assertSameValue(actual, expected);
		}
	}

	@Property
	void encodeThenDecodeGivesTheSameValue(@ForAll("values") V a) {
		byte[] stored = measure().encode(a);
		V decoded = measure().decode(stored);
		assertSameValue(decoded, a);
		if (storedFormIsCanonical()) {
			assertThat(measure().encode(decoded)).isEqualTo(stored);
		}
	}

	@Property
	void aDecodedValueKeepsAccumulating(@ForAll("values") V a, @ForAll("eventLists") List<Event> more) {
		V decoded = measure().decode(measure().encode(a));
		V expected = measure().copy(a);
		for (Event event : more) {
			decoded = measure().add(decoded, event);
			expected = measure().add(expected, event);
		}
		assertSameValue(decoded, expected);
	}

	@Example
	void theStoredFormStartsWithTheMeasureTagAndVersion() {
		byte[] stored = measure().encode(measure().zero());
		assertThat(stored[0] & 0x0F).isEqualTo(MeasureKind.VERSION);
		assertThat(stored[0] >>> 4 & 0x0F).isEqualTo(measure().spec().kind().ordinal() + 1);
	}

	@Example
	void decodeRejectsAnUnknownFormatVersion() {
		byte[] stored = measure().encode(measure().zero());
		stored[0] = (byte) (stored[0] & 0xF0 | 0x0F);
		assertThatThrownBy(() -> measure().decode(stored)).isInstanceOf(CellValueDecodingException.class)
				.hasMessageContaining("unknown " + measure().spec().kind().id() + " value format version 15");
	}

	@Example
	void decodeRejectsAnotherMeasuresValue() {
		Measure<?> other = measure().spec().kind() == MeasureKind.COUNT ? new Sum("amount") : new Count();
		byte[] stored = encodeZero(other);
		assertThatThrownBy(() -> measure().decode(stored)).isInstanceOf(CellValueDecodingException.class)
				.hasMessageContaining("not a " + measure().spec().kind().id() + " value");
	}

	@Example
	void decodeRejectsEmptyAndTruncatedBytes() {
		assertThatThrownBy(() -> measure().decode(new byte[0])).isInstanceOf(CellValueDecodingException.class);
		byte[] stored = measure().encode(fold(List.of(new Event("e", "test", Instant.EPOCH, Map.of("amount", 2L, "userId", "u1")))));
		byte[] truncated = java.util.Arrays.copyOf(stored, stored.length - 1);
		assertThatThrownBy(() -> measure().decode(truncated)).isInstanceOf(CellValueDecodingException.class);
	}

	private static <T> byte[] encodeZero(Measure<T> measure) {
		return measure.encode(measure.zero());
	}
}
