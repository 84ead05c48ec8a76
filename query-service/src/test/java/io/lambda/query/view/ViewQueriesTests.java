package io.lambda.query.view;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Reading from/to: the quick path for {@code ...Z} answers exactly what the general parser answers. */
class ViewQueriesTests {

    @Test
    void utcTimesReadTheSameAsWithTheGeneralParser() {
        for (String text : List.of("2026-11-20T00:00:00Z", "2026-02-28T23:59:59Z", "2024-02-29T12:00:00Z",
                "0000-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "2026-11-20T00:00:00+01:00", "2026-11-20t00:00:00z",
                "2026-11-20T00:00:00.5Z")) {
            assertThat(ViewQueries.rfc3339(text)).as(text).isEqualTo(OffsetDateTime.parse(text).toInstant());
        }
    }

    @Test
    void impossibleOrMalformedUtcTimesAreRefusedLikeTheGeneralParserRefusesThem() {
        for (String text : List.of("2026-02-29T00:00:00Z", "2026-04-31T00:00:00Z", "2026-11-20T24:00:00Z",
                "2026-11-20T00:60:00Z", "2026-11-20T00:00:60Z", "2026-13-01T00:00:00Z", "2026-00-10T00:00:00Z",
                "2026-11-2xT00:00:00Z", "+026-11-20T00:00:00Z", "2026-11-20T00:00:00", "2026-11-20 00:00:00Z")) {
            assertThatThrownBy(() -> OffsetDateTime.parse(text)).as(text).isInstanceOf(DateTimeParseException.class);
            assertThatThrownBy(() -> ViewQueries.rfc3339(text)).as(text).isInstanceOf(DateTimeParseException.class);
        }
    }
}
