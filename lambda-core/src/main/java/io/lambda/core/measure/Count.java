package io.lambda.core.measure;

import io.lambda.core.event.Event;

/** {@code count}: the number of events. Values are {@link Long}; stored as 8 bytes after the header. */
public record Count() implements Measure<Long> {

	private static final MeasureSpec SPEC = new MeasureSpec(MeasureKind.COUNT, null);

	@Override
	public MeasureSpec spec() {
		return SPEC;
	}

	@Override
	public Long zero() {
		return 0L;
	}

	@Override
	public Long plus(Long a, Long b) {
		return a + b;
	}

	@Override
	public boolean accepts(Event event) {
		return true;
	}

	@Override
	public Long add(Long acc, Event event) {
		return acc + 1;
	}

	@Override
	public Double result(Long value) {
		return value.doubleValue();
	}

	@Override
	public byte[] encode(Long value) {
		return MeasureKind.COUNT.newValue(Long.BYTES).putLong(value).array();
	}

	@Override
	public Long decode(byte[] bytes) {
		return MeasureKind.COUNT.read(bytes, payload -> payload.getLong());
	}
}
