package io.lambda.core.time;

import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class GranularityTests {

	private static final Instant T = Instant.parse("2026-11-26T10:15:30.123Z");

	@Test
	void bucketsAreUtcFloors() {
		assertThat(Granularity.MINUTE.bucketStart(T)).isEqualTo(Instant.parse("2026-11-26T10:15:00Z"));
		assertThat(Granularity.HOUR.bucketStart(T)).isEqualTo(Instant.parse("2026-11-26T10:00:00Z"));
		assertThat(Granularity.DAY.bucketStart(T)).isEqualTo(Instant.parse("2026-11-26T00:00:00Z"));
		assertThat(Granularity.HOUR.bucketStartMillis(T.toEpochMilli()))
				.isEqualTo(Instant.parse("2026-11-26T10:00:00Z").toEpochMilli());
	}

	@Test
	void bucketsBeforeTheEpochFloorTowardsThePast() {
		Instant beforeEpoch = Instant.parse("1969-12-31T23:59:59.999Z");
		assertThat(Granularity.DAY.bucketStart(beforeEpoch)).isEqualTo(Instant.parse("1969-12-31T00:00:00Z"));
		assertThat(Granularity.MINUTE.bucketStartMillis(-1)).isEqualTo(-60_000);
	}

	@Test
	void nextIsTheFollowingBucketAndNeedsAnAlignedStart() {
		assertThat(Granularity.DAY.next(Instant.parse("2026-11-26T00:00:00Z"))).isEqualTo(Instant.parse("2026-11-27T00:00:00Z"));
		assertThat(Granularity.MINUTE.next(Instant.parse("2026-11-26T23:59:00Z"))).isEqualTo(Instant.parse("2026-11-27T00:00:00Z"));
		assertThatIllegalArgumentException().isThrownBy(() -> Granularity.HOUR.next(T))
				.withMessage("bucket start 2026-11-26T10:15:30.123Z is not aligned to the hour (expected 2026-11-26T10:00:00Z)");
	}

	@Test
	void alignmentLooksAtEveryDigitIncludingNanos() {
		assertThat(Granularity.HOUR.isAligned(Instant.parse("2026-11-26T10:00:00Z"))).isTrue();
		assertThat(Granularity.HOUR.isAligned(Instant.parse("2026-11-26T10:00:00.000000001Z"))).isFalse();
		assertThat(Granularity.DAY.isAligned(Instant.parse("2026-11-26T10:00:00Z"))).isFalse();
	}

	@Test
	void lengthsAndIds() {
		assertThat(Granularity.MINUTE.length()).isEqualTo(Duration.ofMinutes(1));
		assertThat(Granularity.DAY.length()).isEqualTo(Duration.ofDays(1));
		assertThat(Granularity.HOUR.id()).isEqualTo("hour");
		assertThat(Granularity.MINUTE.nestsIn(Granularity.DAY)).isTrue();
		assertThat(Granularity.DAY.nestsIn(Granularity.HOUR)).isFalse();
	}

	@Test
	void parsesAnyCaseAndRejectsOtherNamesClearly() {
		assertThat(Granularity.parse("minute")).isEqualTo(Granularity.MINUTE);
		assertThat(Granularity.parse("HOUR")).isEqualTo(Granularity.HOUR);
		assertThat(Granularity.parse(" Day ")).isEqualTo(Granularity.DAY);
		assertThatIllegalArgumentException().isThrownBy(() -> Granularity.parse("week"))
				.withMessage("unknown granularity 'week' (expected minute, hour or day)");
		assertThatIllegalArgumentException().isThrownBy(() -> Granularity.parse(null))
				.withMessage("unknown granularity 'null' (expected minute, hour or day)");
	}
}
