package io.lambda.core.measure;

import io.lambda.core.event.Event;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * {@code sum(field)}: the sum of a numeric attribute, kept exactly (see {@link ExactSum}) so that
 * batch and speed agree to the last bit. Events without a usable number are not accepted.
 *
 * <p>Stored as the header, a count {@code n} (one unsigned byte) and {@code n} doubles: the canonical
 * components of the exact sum, largest first; for most sums {@code n} is 1 or 2.
 */
public record Sum(String field) implements Measure<ExactSum> {

	public Sum {
		new MeasureSpec(MeasureKind.SUM, field); // validates the field name
	}

	@Override
	public MeasureSpec spec() {
		return new MeasureSpec(MeasureKind.SUM, field);
	}

	@Override
	public ExactSum zero() {
		return new ExactSum();
	}

	@Override
	public ExactSum plus(ExactSum a, ExactSum b) {
		ExactSum sum = a.copy();
		sum.addAll(b);
		return sum;
	}

	@Override
	public ExactSum plusInto(ExactSum acc, ExactSum other) {
		acc.addAll(other);
		return acc;
	}

	@Override
	public ExactSum copy(ExactSum value) {
		return value.copy();
	}

	@Override
	public boolean accepts(Event event) {
		return !Double.isNaN(new NumericField(field).read(event));
	}

	@Override
	public ExactSum add(ExactSum acc, Event event) {
		double value = new NumericField(field).read(event);
		if (!Double.isNaN(value)) {
			acc.add(value);
		}
		return acc;
	}

	@Override
	public Double result(ExactSum value) {
		return value.value();
	}

	@Override
	public byte[] encode(ExactSum value) {
		List<Double> components = value.canonicalComponents();
		ByteBuffer out = MeasureKind.SUM.newValue(1 + Double.BYTES * components.size());
		out.put((byte) components.size());
		for (double component : components) {
			out.putDouble(component);
		}
		return out.array();
	}

	@Override
	public ExactSum decode(byte[] bytes) {
		return MeasureKind.SUM.read(bytes, payload -> {
			int n = Byte.toUnsignedInt(payload.get());
			ExactSum sum = new ExactSum();
			for (int i = 0; i < n; i++) {
				double component = payload.getDouble();
				if (!Double.isFinite(component)) {
					throw new CellValueDecodingException("sum value holds a non-finite component " + component);
				}
				sum.add(component);
			}
			return sum;
		});
	}
}
