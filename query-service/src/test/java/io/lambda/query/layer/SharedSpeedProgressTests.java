package io.lambda.query.layer;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The speed layer's progress is read once per max age and shared, and a new read is taken after it. */
class SharedSpeedProgressTests {

    private final AtomicInteger reads = new AtomicInteger();
    private final SpeedProgress source = () -> Optional.of(Instant.ofEpochSecond(reads.incrementAndGet()));

    @Test
    void queriesWithinTheMaxAgeShareOneReadOfTheProgress() {
        SharedSpeedProgress shared = new SharedSpeedProgress(source, Duration.ofMinutes(1));
        for (int i = 0; i < 100; i++) {
            assertThat(shared.speedThrough()).contains(Instant.ofEpochSecond(1));
        }
        assertThat(reads).hasValue(1);
    }

    @Test
    void aZeroMaxAgeReadsTheProgressForEveryQuery() {
        SharedSpeedProgress shared = new SharedSpeedProgress(source, Duration.ZERO);
        assertThat(shared.speedThrough()).contains(Instant.ofEpochSecond(1));
        assertThat(shared.speedThrough()).contains(Instant.ofEpochSecond(2));
        assertThat(reads).hasValue(2);
    }

    @Test
    void anUnknownProgressIsSharedAsUnknownNeverAsAGuess() {
        AtomicInteger unknownReads = new AtomicInteger();
        SharedSpeedProgress shared = new SharedSpeedProgress(() -> {
            unknownReads.incrementAndGet();
            return Optional.empty();
        }, Duration.ofMinutes(1));
        assertThat(shared.speedThrough()).isEmpty();
        assertThat(shared.speedThrough()).isEmpty();
        assertThat(unknownReads).hasValue(1);
    }
}
