package io.lambda.query.view;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/** {@link UtcTimes} writes exactly what {@link Instant#toString()} writes, for every instant. */
class UtcTimesTests {

    @Test
    void writesWhatInstantToStringWrites() {
        SplittableRandom random = new SplittableRandom(42);
        for (int i = 0; i < 200_000; i++) {
            // whole seconds over 1970..9999 (the fast path), and some with nanos or outside it
            long seconds = random.nextLong(-1_000_000_000_000L, 300_000_000_000L);
            int nanos = i % 4 == 0 ? random.nextInt(1_000_000_000) : 0;
            Instant instant = Instant.ofEpochSecond(seconds, nanos);
            assertThat(UtcTimes.format(instant)).as("%s", instant).isEqualTo(instant.toString());
        }
    }

    @Test
    void theEdgesOfTheFastPath() {
        for (String text : new String[] {"1970-01-01T00:00:00Z", "1969-12-31T23:59:59Z", "2024-02-29T23:59:59Z",
                "2026-11-26T10:00:00Z", "9999-12-31T23:59:59Z", "+10000-01-01T00:00:00Z", "2026-11-26T10:00:00.001Z"}) {
            Instant instant = Instant.parse(text);
            assertThat(UtcTimes.format(instant)).isEqualTo(instant.toString()).isEqualTo(text);
        }
    }

    @Test
    void restWritesTimesThroughIt() {
        JsonMapper mapper = JsonMapper.builder().addModule(UtcTimes.jsonModule()).build();
        record Answer(Instant start) {
        }
        assertThat(mapper.writeValueAsString(new Answer(Instant.parse("2026-11-26T10:00:00Z"))))
                .isEqualTo("{\"start\":\"2026-11-26T10:00:00Z\"}");
    }
}
