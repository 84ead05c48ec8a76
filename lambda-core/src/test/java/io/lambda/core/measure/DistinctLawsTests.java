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
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.RandomDistribution;
import net.jqwik.api.constraints.IntRange;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.apache.datasketches.hll.HllSketch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class DistinctLawsTests extends MeasureLaws<HllSketch> {

	@Override
	Measure<HllSketch> measure() {
		return new Distinct("userId");
	}

	/** Sketch bytes carry history (e.g. the HIP estimate), so two folds of the same values agree on the answer, not the bytes. */
	@Override
	void assertSameValue(HllSketch actual, HllSketch expected) {
		assertThat(measure().result(actual)).isEqualTo(measure().result(expected));
	}

	@Override
	boolean storedFormIsCanonical() {
		return false;
	}

	/**
	 * Small sketches (exact lists of hashes) and large ones (HyperLogLog registers), so that the laws
	 * hold in every mode of the sketch and across modes.
	 */
	@Override
	@Provide
	Arbitrary<HllSketch> values() {
		return Arbitraries.oneOf(super.values(), largeSketches());
	}

	Arbitrary<HllSketch> largeSketches() {
		return Combinators.combine(uniform(0, 5_000), uniform(100, 20_000), Arbitraries.longs()).as((n, pool, seed) -> {
					Random random = new Random(seed);
					HllSketch sketch = measure().zero();
					for (int i = 0; i < n; i++) {
						sketch = measure().add(sketch, event("u" + random.nextInt(pool)));
					}
					return sketch;
				});
	}

	@Property(tries = 30, edgeCases = EdgeCasesMode.NONE)
	void largeFoldsInAnyPartitioningAgreeWithOneFold(@ForAll("upTo30000") int n, @ForAll @IntRange(min = 1, max = 8) int parts,
			@ForAll long seed) {
		Random random = new Random(seed);
		List<Event> events = new ArrayList<>();
		for (int i = 0; i < n; i++) {
			events.add(event("u" + random.nextInt(2 * n)));
		}
		List<HllSketch> partials = new ArrayList<>();
		for (int p = 0; p < parts; p++) {
			partials.add(measure().zero());
		}
		List<Event> shuffled = new ArrayList<>(events);
		Collections.shuffle(shuffled, random);
		for (Event event : shuffled) {
			int p = random.nextInt(parts);
			partials.set(p, measure().add(partials.get(p), event));
		}
		assertSameValue(measure().sum(partials), fold(events));
		HllSketch pairwise = measure().zero();
		for (HllSketch partial : partials) {
			pairwise = measure().plus(pairwise, partial);
		}
		assertSameValue(pairwise, fold(events));
	}

	@Example
	void anEmptyDistinctAnswersZero() {
		assertThat(measure().result(measure().zero())).isEqualTo(0.0);
	}

	@Example
	void countsTheTextOfAValueAndSkipsEmptyStrings() {
		Measure<HllSketch> distinct = measure();
		HllSketch sketch = distinct.zero();
		for (Object userId : new Object[] { "u1", "u1", 42L, "42", "u2" }) {
			sketch = distinct.add(sketch, event(userId));
		}
		assertThat(distinct.accepts(event(""))).isFalse();
		assertThat(distinct.result(sketch)).isEqualTo(3.0);
	}

	@Provide
	Arbitrary<Integer> upTo30000() {
		return uniform(1, 30_000);
	}

	/** Spread evenly: jqwik's default favours small numbers, and the large ones are the point here. */
	private static Arbitrary<Integer> uniform(int min, int max) {
		return Arbitraries.integers().between(min, max).withDistribution(RandomDistribution.uniform());
	}

	/**
	 * Fixed inputs, so that the check is repeatable: a random one at three standard errors would fail
	 * about once in 370 runs. The statistical claim itself is checked by the root-mean-square test.
	 */
	@ParameterizedTest
	@ValueSource(ints = { 1, 10, 100, 1_000, 5_000, 20_000, 60_000, 200_000 })
	void staysWithinThreeStandardErrorsOfTheExactCount(int distinctUsers) {
		Distinct distinct = new Distinct("userId");
		Random random = new Random(distinctUsers);
		HllSketch sketch = distinct.zero();
		for (int i = 0; i < distinctUsers; i++) {
			sketch = distinct.add(sketch, event("user-" + i));
			if (random.nextInt(4) == 0) {
				sketch = distinct.add(sketch, event("user-" + random.nextInt(i + 1))); // a repeat
			}
		}
		assertThat(distinct.result(sketch)).isCloseTo(distinctUsers, within(distinct.relativeError(3) * distinctUsers));
	}

	@Example
	void theRootMeanSquareErrorMatchesTheDocumentedStandardError() {
		Distinct distinct = new Distinct("userId");
		Random random = new Random(20261126);
		int runs = 200;
		double squares = 0;
		for (int run = 0; run < runs; run++) {
			int n = 5_000 + random.nextInt(20_000);
			String prefix = Long.toHexString(random.nextLong()) + "-";
			HllSketch sketch = distinct.zero();
			for (int i = 0; i < n; i++) {
				sketch = distinct.add(sketch, event(prefix + i));
			}
			double relativeError = (distinct.result(sketch) - n) / n;
			squares += relativeError * relativeError;
		}
		double rootMeanSquare = Math.sqrt(squares / runs);
		// documented: 1.6% at one standard deviation for lgK 12; the sample RMS of 200 runs is within 20% of it
		assertThat(rootMeanSquare).isLessThan(distinct.relativeError(1) * 1.2);
	}

	private static Event event(Object userId) {
		return new Event("e", "test", Instant.EPOCH, Map.of("userId", userId));
	}
}
