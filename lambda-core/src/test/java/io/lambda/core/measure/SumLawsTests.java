package io.lambda.core.measure;

import io.lambda.core.event.Event;

import java.time.Instant;
import java.util.Map;

import net.jqwik.api.Example;

import static org.assertj.core.api.Assertions.assertThat;

class SumLawsTests extends MeasureLaws<ExactSum> {

	@Override
	Measure<ExactSum> measure() {
		return new Sum("amount");
	}

	@Example
	void sumsExactlyWherePlainDoublesWouldDrift() {
		ExactSum sum = measure().zero();
		for (double amount : new double[] { 0.1, 0.2, 0.3, 1e16, 1.0, -1e16 }) {
			sum = measure().add(sum, event(Map.of("amount", amount)));
		}
		// 0.1 + 0.2 + 0.3 + 1e16 + 1 - 1e16 in doubles is 2.0 one way round and 1.6 another; exactly it is 1.6
		assertThat(measure().result(sum)).isEqualTo(1.6);
	}

	@Example
	void skipsMissingNonNumericAndNonFiniteAmounts() {
		Measure<ExactSum> sum = measure();
		for (Map<String, Object> attributes : java.util.List.<Map<String, Object>>of(Map.of(), Map.of("amount", "12.5"),
				Map.of("amount", true), Map.of("amount", Double.NaN), Map.of("amount", Double.NEGATIVE_INFINITY))) {
			assertThat(sum.accepts(event(attributes))).as(attributes.toString()).isFalse();
		}
		assertThat(sum.accepts(event(Map.of("amount", 3L)))).isTrue();
		assertThat(sum.result(sum.add(sum.zero(), event(Map.of("amount", 3L))))).isEqualTo(3.0);
	}

	@Example
	void anEmptySumAnswersZero() {
		assertThat(measure().result(measure().zero())).isEqualTo(0.0);
	}

	private static Event event(Map<String, Object> attributes) {
		return new Event("e", "test", Instant.EPOCH, attributes);
	}
}
