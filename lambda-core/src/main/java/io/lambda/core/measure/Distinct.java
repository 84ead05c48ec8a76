package io.lambda.core.measure;

import io.lambda.core.event.Event;

import org.apache.datasketches.hll.HllSketch;
import org.apache.datasketches.hll.TgtHllType;
import org.apache.datasketches.hll.Union;
import org.apache.datasketches.memory.Memory;

/**
 * {@code distinct(field)}: the number of distinct values of an attribute, estimated with an Apache
 * DataSketches HyperLogLog sketch of {@code 2^lgK} registers (default {@code lgK = 12}).
 *
 * <p>Accuracy: the relative standard error is about {@code 1.04 / sqrt(2^lgK)}: for {@code lgK = 12}
 * 1.6% at one standard deviation, 3.3% at two, 5.0% at three ({@link #relativeError}); below a few
 * hundred values the sketch keeps the hashes themselves and is practically exact. Sketches merge by union, so a range's answer is the size of the
 * union of its buckets, never the sum of their estimates.
 *
 * <p>{@link #result} uses the sketch's composite estimator, which depends only on the sketch's
 * registers. The default (HIP) estimator of a sketch fed one value at a time is a little more
 * accurate (1.3% at one standard deviation) but depends on the order of the values and is lost in a
 * union, so batch and speed would differ; the composite one gives every fold order the same answer.
 * The estimate is rounded to a whole number.
 *
 * <p>A value is the attribute's text ({@code 42} and {@code "42"} are the same value); an empty
 * string is not accepted. Sketches are accumulated in place as {@code HLL_8} (fast updates) and
 * stored compact as {@code HLL_4} (half the bytes) after the header.
 */
public record Distinct(String field, int lgK) implements Measure<HllSketch> {

	public static final int DEFAULT_LG_K = 12;

	public Distinct {
		new MeasureSpec(MeasureKind.DISTINCT, field); // validates the field name
		if (lgK < 4 || lgK > 21) {
			throw new IllegalArgumentException("distinct(" + field + ") lgK must be within 4..21, was " + lgK);
		}
	}

	public Distinct(String field) {
		this(field, DEFAULT_LG_K);
	}

	@Override
	public MeasureSpec spec() {
		return new MeasureSpec(MeasureKind.DISTINCT, field);
	}

	/**
	 * The relative error bound of {@link #result} at {@code standardDeviations} (1 to 3) for this
	 * {@code lgK}, as DataSketches documents it for the composite estimator.
	 */
	public double relativeError(int standardDeviations) {
		return Math.max(HllSketch.getRelErr(true, true, lgK, standardDeviations),
				HllSketch.getRelErr(false, true, lgK, standardDeviations));
	}

	@Override
	public HllSketch zero() {
		return new HllSketch(lgK, TgtHllType.HLL_8);
	}

	@Override
	public HllSketch plus(HllSketch a, HllSketch b) {
		Union union = new Union(lgK);
		union.update(a);
		union.update(b);
		return union.getResult(TgtHllType.HLL_8);
	}

	@Override
	public HllSketch sum(Iterable<? extends HllSketch> values) {
		Union union = new Union(lgK);
		for (HllSketch value : values) {
			union.update(value);
		}
		return union.getResult(TgtHllType.HLL_8);
	}

	@Override
	public HllSketch copy(HllSketch value) {
		return value.copy();
	}

	@Override
	public boolean accepts(Event event) {
		Object value = event.attribute(field);
		return value != null && !"".equals(value);
	}

	@Override
	public HllSketch add(HllSketch acc, Event event) {
		Object value = event.attribute(field);
		if (value != null) {
			acc.update(value.toString()); // the sketch ignores the empty string
		}
		return acc;
	}

	@Override
	public Double result(HllSketch value) {
		return (double) Math.round(value.getCompositeEstimate());
	}

	@Override
	public byte[] encode(HllSketch value) {
		byte[] sketch = value.copyAs(TgtHllType.HLL_4).toCompactByteArray();
		return MeasureKind.DISTINCT.newValue(sketch.length).put(sketch).array();
	}

	@Override
	public HllSketch decode(byte[] bytes) {
		return MeasureKind.DISTINCT.read(bytes, payload -> {
			byte[] sketch = new byte[payload.remaining()];
			payload.get(sketch);
			HllSketch decoded;
			try {
				decoded = HllSketch.heapify(Memory.wrap(sketch));
			}
			catch (RuntimeException e) {
				throw new CellValueDecodingException("distinct value holds a damaged sketch: " + e.getMessage(), e);
			}
			if (decoded.getLgConfigK() != lgK) {
				throw new CellValueDecodingException(
						"distinct value has lgK " + decoded.getLgConfigK() + ", this view uses " + lgK);
			}
			return decoded;
		});
	}
}
