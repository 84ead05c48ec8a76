package io.lambda.core.measure;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The exact sum of a multiset of doubles, kept as a short list of non-overlapping partial sums
 * (Shewchuk's algorithm, the one behind Python's {@code math.fsum}).
 *
 * <p>Why not a plain {@code double}: floating-point addition is not associative, so batch (one
 * long fold) and speed (per-partition folds merged later) would disagree in the last bits, and an
 * answer would jump at a publish. Here the represented value is the exact mathematical sum, so every
 * fold order gives the same value and {@link #value()} rounds it once, correctly. It is cheap: adding
 * a number touches the two or three partials a sum of similar magnitudes needs, and allocates nothing.
 *
 * <p>A mutable accumulator, like a sketch: {@link Sum#add} and {@link Sum#plusInto} change it in place,
 * {@link Sum#plus} does not. Equality is equality of the exact values. Inputs must be finite and the
 * sum must stay within ±{@link Double#MAX_VALUE}.
 */
public final class ExactSum {

	private double[] partials;

	private int size;

	public ExactSum() {
		this.partials = new double[4];
	}

	private ExactSum(double[] partials, int size) {
		this.partials = partials;
		this.size = size;
	}

	public static ExactSum of(double... values) {
		ExactSum sum = new ExactSum();
		for (double value : values) {
			sum.add(value);
		}
		return sum;
	}

	/** Adds {@code x} exactly. */
	public void add(double x) {
		double[] p = partials;
		int kept = 0;
		for (int j = 0, n = size; j < n; j++) {
			double y = p[j];
			// Knuth's TwoSum: hi + lo == x + y exactly, whatever their magnitudes (no branch to order them)
			double hi = x + y;
			double yVirtual = hi - x;
			double lo = (x - (hi - yVirtual)) + (y - yVirtual);
			if (lo != 0.0) {
				p[kept++] = lo;
			}
			x = hi;
		}
		if (x != 0.0) {
			if (kept == p.length) {
				p = partials = Arrays.copyOf(p, p.length * 2);
			}
			p[kept++] = x;
		}
		size = kept;
	}

	/** Adds {@code other} exactly; {@code other} is not changed. */
	public void addAll(ExactSum other) {
		if (other == this) {
			addAll(other.copy());
			return;
		}
		for (int i = 0; i < other.size; i++) {
			add(other.partials[i]);
		}
	}

	public ExactSum copy() {
		return new ExactSum(Arrays.copyOf(partials, Math.max(4, size)), size);
	}

	public boolean isZero() {
		return size == 0;
	}

	/** The exact sum rounded to the nearest double (ties to even): the same for every order of additions. */
	public double value() {
		double[] p = partials;
		int n = size;
		if (n == 0) {
			return 0.0;
		}
		double hi = p[--n];
		double lo = 0.0;
		while (n > 0) {
			double x = hi;
			double y = p[--n];
			hi = x + y;
			double yr = hi - x;
			lo = y - yr;
			if (lo != 0.0) {
				break;
			}
		}
		// round half to even when the rest of the partials push past a tie (as in CPython's fsum)
		if (n > 0 && ((lo < 0.0 && p[n - 1] < 0.0) || (lo > 0.0 && p[n - 1] > 0.0))) {
			double y = lo * 2.0;
			double x = hi + y;
			double yr = x - hi;
			if (y == yr) {
				hi = x;
			}
		}
		return hi;
	}

	/** The exact sum as a decimal (slow; for checks and display, not for the hot path). */
	public BigDecimal exactValue() {
		BigDecimal exact = BigDecimal.ZERO;
		for (int i = 0; i < size; i++) {
			exact = exact.add(new BigDecimal(partials[i]));
		}
		return exact;
	}

	/**
	 * The canonical form of the exact value: the nearest double, then the nearest double to what is
	 * left, and so on until nothing is. Equal sums give equal components, so it is what gets stored.
	 */
	List<Double> canonicalComponents() {
		List<Double> components = new ArrayList<>(2);
		BigDecimal rest = exactValue();
		while (rest.signum() != 0) {
			double component = rest.doubleValue(); // correctly rounded, ties to even
			components.add(component);
			rest = rest.subtract(new BigDecimal(component));
		}
		return components;
	}

	@Override
	public boolean equals(Object other) {
		return other instanceof ExactSum sum && exactValue().compareTo(sum.exactValue()) == 0;
	}

	@Override
	public int hashCode() {
		return exactValue().stripTrailingZeros().hashCode();
	}

	@Override
	public String toString() {
		return Double.toString(value());
	}
}
