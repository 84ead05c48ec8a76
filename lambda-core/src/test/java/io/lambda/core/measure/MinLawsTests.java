package io.lambda.core.measure;

import io.lambda.core.event.Event;

import java.time.Instant;
import java.util.Map;

import net.jqwik.api.Example;

import static org.assertj.core.api.Assertions.assertThat;

class MinLawsTests extends MeasureLaws<Double> {

	@Override
	Measure<Double> measure() {
		return new Min("amount");
	}

	@Example
	void findsTheExtremeOfLongsAndDoubles() {
		Double value = measure().zero();
		for (Object amount : new Object[] { 3L, -2.5, 7L, "100", 0.0 }) {
			value = measure().add(value, new Event("e", "test", Instant.EPOCH, Map.of("amount", amount)));
		}
		assertThat(measure().result(value)).isEqualTo(-2.5);
	}

	@Example
	void anEmptyMinAnswersNull() {
		assertThat(measure().result(measure().zero())).isNull();
		assertThat(measure().result(measure().decode(measure().encode(measure().zero())))).isNull();
	}
}
