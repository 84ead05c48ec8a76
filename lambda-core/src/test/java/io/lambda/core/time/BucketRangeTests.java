package io.lambda.core.time;

import io.lambda.core.measure.Count;
import io.lambda.core.measure.Distinct;
import io.lambda.core.measure.Max;
import io.lambda.core.event.Event;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.datasketches.hll.HllSketch;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class BucketRangeTests {

	private static final Instant DAY = Instant.parse("2026-11-26T00:00:00Z");

	@Test
	void listsTheBucketsFromInclusiveToExclusive() {
		BucketRange range = new BucketRange(Granularity.HOUR, Instant.parse("2026-11-26T10:00:00Z"),
				Instant.parse("2026-11-26T13:00:00Z"));
		assertThat(range.size()).isEqualTo(3);
		assertThat(range.buckets()).containsExactly(Instant.parse("2026-11-26T10:00:00Z"),
				Instant.parse("2026-11-26T11:00:00Z"), Instant.parse("2026-11-26T12:00:00Z"));
	}

	@Test
	void rejectsUnalignedAndEmptyRanges() {
		assertThatIllegalArgumentException()
				.isThrownBy(() -> new BucketRange(Granularity.HOUR, Instant.parse("2026-11-26T10:30:00Z"), DAY.plusSeconds(86400)))
				.withMessage("from 2026-11-26T10:30:00Z is not aligned to the hour (expected 2026-11-26T10:00:00Z)");
		assertThatIllegalArgumentException()
				.isThrownBy(() -> new BucketRange(Granularity.DAY, DAY, Instant.parse("2026-11-26T10:00:00Z")))
				.withMessageStartingWith("to 2026-11-26T10:00:00Z is not aligned to the day");
		assertThatIllegalArgumentException().isThrownBy(() -> new BucketRange(Granularity.DAY, DAY, DAY))
				.withMessage("from 2026-11-26T00:00:00Z must be before to 2026-11-26T00:00:00Z");
	}

	@Test
	void aSeriesHasEveryBucketWithTheZeroWhereThereIsNoValue() {
		BucketRange range = new BucketRange(Granularity.HOUR, DAY, DAY.plusSeconds(3 * 3600));
		Map<Long, Double> values = Map.of(DAY.plusSeconds(3600).toEpochMilli(), 4.0);
		Max max = new Max("amount");
		Map<Instant, Double> series = range.series(max, values::get);
		assertThat(series).hasSize(3);
		assertThat(series.values().stream().map(max::result).toList()).containsExactly(null, 4.0, null);
		assertThat(max.result(range.total(max, values::get))).isEqualTo(4.0);
	}

	@Test
	void hoursRollUpIntoTheirDayAndTotalsFoldTheRange() {
		Count count = new Count();
		Map<Long, Long> hours = new HashMap<>();
		for (int hour = 0; hour < 48; hour++) {
			hours.put(DAY.plusSeconds(hour * 3600L).toEpochMilli(), (long) hour);
		}
		Map<Long, Long> days = BucketRange.rollUp(count, Granularity.DAY, hours);
		assertThat(days).containsExactly(Map.entry(DAY.toEpochMilli(), 276L), Map.entry(DAY.plusSeconds(86400).toEpochMilli(), 852L));
		BucketRange twoDays = new BucketRange(Granularity.DAY, DAY, DAY.plusSeconds(2 * 86400));
		assertThat(twoDays.total(count, days::get)).isEqualTo(276L + 852L);
	}

	@Test
	void aDistinctTotalIsTheUnionOfTheBucketsNotTheSumOfTheirEstimates() {
		Distinct distinct = new Distinct("userId");
		Map<Long, HllSketch> hours = new HashMap<>();
		for (int hour = 0; hour < 3; hour++) {
			HllSketch sketch = distinct.zero();
			for (String user : List.of("u1", "u2", "u" + (10 + hour))) {
				sketch = distinct.add(sketch, new Event("e", "pageview", DAY, Map.of("userId", user)));
			}
			hours.put(DAY.plusSeconds(hour * 3600L).toEpochMilli(), sketch);
		}
		BucketRange range = new BucketRange(Granularity.HOUR, DAY, DAY.plusSeconds(3 * 3600));
		assertThat(distinct.result(range.total(distinct, hours::get))).isEqualTo(5.0); // u1, u2, u10, u11, u12
		assertThat(hours.values().stream().mapToDouble(distinct::result).sum()).isEqualTo(9.0);
	}
}
