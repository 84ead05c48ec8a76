package io.lambda.core.measure;

import io.lambda.core.event.Event;

/**
 * {@code min(field)}: the smallest value of a numeric attribute. Values are {@link Double}; the zero is
 * {@code Double.POSITIVE_INFINITY}, which no event can carry (inputs are finite), so it stands for
 * "no value yet" and {@link #result} turns it into {@code null}. Stored as 8 bytes after the header.
 */
public record Min(String field) implements Measure<Double> {

	private static final Double ZERO = Double.POSITIVE_INFINITY;

	public Min {
		new MeasureSpec(MeasureKind.MIN, field); // validates the field name
	}

	@Override
	public MeasureSpec spec() {
		return new MeasureSpec(MeasureKind.MIN, field);
	}

	@Override
	public Double zero() {
		return ZERO;
	}

	@Override
	public Double plus(Double a, Double b) {
		return Double.compare(a, b) < 0 ? a : b;
	}

	@Override
	public boolean accepts(Event event) {
		return !Double.isNaN(new NumericField(field).read(event));
	}

	@Override
	public Double add(Double acc, Event event) {
		double value = new NumericField(field).read(event);
		return !Double.isNaN(value) && Double.compare(value, acc) < 0 ? Double.valueOf(value) : acc;
	}

	@Override
	public Double result(Double value) {
		return value.isInfinite() ? null : value;
	}

	@Override
	public byte[] encode(Double value) {
		return MeasureKind.MIN.newValue(Double.BYTES).putDouble(value).array();
	}

	@Override
	public Double decode(byte[] bytes) {
		return MeasureKind.MIN.read(bytes, payload -> {
			double value = payload.getDouble();
			if (Double.isNaN(value)) {
				throw new CellValueDecodingException("min value is NaN");
			}
			return value;
		});
	}
}
