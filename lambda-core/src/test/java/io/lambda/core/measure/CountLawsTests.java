package io.lambda.core.measure;

import io.lambda.core.event.Event;

import java.time.Instant;
import java.util.Map;

import net.jqwik.api.Example;

import static org.assertj.core.api.Assertions.assertThat;

class CountLawsTests extends MeasureLaws<Long> {

	@Override
	Measure<Long> measure() {
		return new Count();
	}

	@Example
	void countsEveryEventWhateverItsAttributes() {
		Long value = measure().add(measure().add(measure().zero(), event(Map.of())), event(Map.of("amount", "x")));
		assertThat(measure().result(value)).isEqualTo(2.0);
	}

	@Example
	void anEmptyCountAnswersZero() {
		assertThat(measure().result(measure().zero())).isEqualTo(0.0);
	}

	private static Event event(Map<String, Object> attributes) {
		return new Event("e", "test", Instant.EPOCH, attributes);
	}
}
