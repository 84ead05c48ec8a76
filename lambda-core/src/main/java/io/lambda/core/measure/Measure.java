package io.lambda.core.measure;

import io.lambda.core.event.Event;

/**
 * What a view computes per cell: a commutative monoid over cell values, plus how one event enters
 * it and how a value is stored. Batch and speed both fold through this interface, so a measure is
 * written once. The laws (associativity, commutativity, identity, encoding round trip) are checked
 * for every implementation by the {@code MeasureLaws} tests.
 *
 * <p>Two kinds of methods: the pure ones ({@link #zero}, {@link #plus}, {@link #result}, {@link #encode})
 * never change their arguments; the accumulating ones ({@link #add}, {@link #plusInto}) may change
 * and return the accumulator they are given, which is how sketches stay fast. An accumulator is a
 * value that the caller owns: one from {@link #zero}, {@link #copy}, {@link #decode} or a previous
 * accumulating call, never one that is also held elsewhere.
 *
 * @param <V> the cell value
 */
public interface Measure<V> {

	/** The parsed form of this measure, e.g. {@code sum(amount)}; its {@code toString} is the configured text. */
	MeasureSpec spec();

	/** The attribute this measure reads, or {@code null} (count). */
	default String field() {
		return spec().field();
	}

	/** The identity: {@code plus(zero(), v)} equals {@code v}. A fresh value for mutable types. */
	V zero();

	/** {@code a ⊕ b}, without changing either. */
	V plus(V a, V b);

	/** {@code acc ⊕ other}, possibly reusing {@code acc}; {@code other} is never changed. */
	default V plusInto(V acc, V other) {
		return plus(acc, other);
	}

	/** The fold of all {@code values} ({@link #zero} when there are none); the values are not changed. */
	default V sum(Iterable<? extends V> values) {
		V acc = zero();
		for (V value : values) {
			acc = plusInto(acc, value);
		}
		return acc;
	}

	/** A value equal to {@code value} that the caller may accumulate into; immutable values return themselves. */
	default V copy(V value) {
		return value;
	}

	/**
	 * Whether {@code event} carries what this measure needs (for a field measure: the field, with a
	 * usable value). Events that are not accepted are skipped for this measure and counted by the caller.
	 */
	boolean accepts(Event event);

	/**
	 * Folds an accepted event into {@code acc} and returns the new accumulator (possibly {@code acc}
	 * itself). Calling it with an event that {@link #accepts} rejects leaves the value unchanged.
	 */
	V add(V acc, Event event);

	/** The number a query returns: {@code 0} for an empty count, sum or distinct, {@code null} for an empty min or max. */
	Double result(V value);

	/**
	 * The stored form: one header byte (measure tag in the high nibble, format version in the low
	 * nibble, see {@link MeasureKind}) followed by the measure's payload. Equal values encode to
	 * equal bytes for every measure but distinct, whose sketch bytes may depend on history.
	 */
	byte[] encode(V value);

	/** Reads what {@link #encode} wrote; throws {@link CellValueDecodingException} for another measure, an unknown version or damaged bytes. */
	V decode(byte[] bytes);
}
