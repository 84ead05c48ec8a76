package io.lambda.core.time;

import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class IngestEpochTests {

	private final IngestEpoch fiveMinutes = IngestEpoch.ofMinutes(5);

	private static long millis(String instant) {
		return Instant.parse(instant).toEpochMilli();
	}

	@ParameterizedTest
	@ValueSource(strings = { "PT1S", "PT1M", "PT5M", "PT10M", "PT15M", "PT20M", "PT30M", "PT1H", "PT0.5S" })
	void acceptsLengthsThatDivideAnHour(String length) {
		assertThat(new IngestEpoch(Duration.parse(length)).length()).isEqualTo(Duration.parse(length));
	}

	@Test
	void rejectsSevenMinutesBecauseHoursWouldNotStartOnABoundary() {
		assertThatIllegalArgumentException().isThrownBy(() -> IngestEpoch.ofMinutes(7))
				.withMessage("ingest epoch length must divide one hour evenly (e.g. 1, 5, 10, 15, 30 or 60 minutes), was PT7M");
	}

	@Test
	void rejectsZeroNegativeLongerThanAnHourAndSubMillisecondLengths() {
		assertThatIllegalArgumentException().isThrownBy(() -> new IngestEpoch(Duration.ZERO))
				.withMessage("ingest epoch length must be positive, was PT0S");
		assertThatIllegalArgumentException().isThrownBy(() -> IngestEpoch.ofMinutes(-5))
				.withMessageContaining("must be positive");
		assertThatIllegalArgumentException().isThrownBy(() -> IngestEpoch.ofMinutes(120))
				.withMessage("ingest epoch length must be at most one hour, was PT2H");
		assertThatIllegalArgumentException().isThrownBy(() -> new IngestEpoch(Duration.ofNanos(1_000_500)))
				.withMessageContaining("must divide one hour");
		assertThatIllegalArgumentException().isThrownBy(() -> new IngestEpoch(null))
				.withMessage("ingest epoch length must be set");
	}

	@Test
	void anEpochIsTheFloorOfIngestTimeOverItsLength() {
		long t = millis("2026-11-26T10:04:59.999Z");
		assertThat(fiveMinutes.epochOf(t)).isEqualTo(t / 300_000);
		assertThat(fiveMinutes.startMillis(fiveMinutes.epochOf(t))).isEqualTo(millis("2026-11-26T10:00:00Z"));
		assertThat(fiveMinutes.endMillis(fiveMinutes.epochOf(t))).isEqualTo(millis("2026-11-26T10:05:00Z"));
		assertThat(fiveMinutes.epochOf(millis("2026-11-26T10:05:00Z"))).isEqualTo(fiveMinutes.epochOf(t) + 1);
		assertThat(fiveMinutes.epochOf(-1)).isEqualTo(-1);
	}

	@Test
	void cutsAreTheLatestBoundaryAtOrBefore() {
		assertThat(fiveMinutes.cutAtOrBefore(millis("2026-11-26T10:07:31Z"))).isEqualTo(millis("2026-11-26T10:05:00Z"));
		assertThat(fiveMinutes.cutAtOrBefore(millis("2026-11-26T10:05:00Z"))).isEqualTo(millis("2026-11-26T10:05:00Z"));
		assertThat(fiveMinutes.isBoundary(millis("2026-11-26T10:05:00Z"))).isTrue();
		assertThat(fiveMinutes.isBoundary(millis("2026-11-26T10:05:00.001Z"))).isFalse();
	}

	@Test
	void theSpeedSideOfACutStartsAtTheCutsEpoch() {
		long cut = millis("2026-11-26T10:00:00Z");
		assertThat(fiveMinutes.firstSpeedEpoch(cut)).isEqualTo(fiveMinutes.epochOf(cut));
		// an event ingested just before the cut belongs to the batch side, one at the cut to the speed side
		assertThat(fiveMinutes.epochOf(cut - 1)).isLessThan(fiveMinutes.firstSpeedEpoch(cut));
		assertThat(fiveMinutes.epochOf(cut)).isEqualTo(fiveMinutes.firstSpeedEpoch(cut));
		assertThatIllegalArgumentException().isThrownBy(() -> fiveMinutes.firstSpeedEpoch(cut + 1))
				.withMessageContaining("not on an ingest epoch boundary");
	}

	@Test
	void everyHourStartsOnAnEpochBoundary() {
		for (int minutes : new int[] { 1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30, 60 }) {
			IngestEpoch epoch = IngestEpoch.ofMinutes(minutes);
			assertThat(epoch.isBoundary(millis("2026-11-26T10:00:00Z"))).isTrue();
			assertThat(epoch.isBoundary(millis("2026-11-27T00:00:00Z"))).isTrue();
		}
	}
}
