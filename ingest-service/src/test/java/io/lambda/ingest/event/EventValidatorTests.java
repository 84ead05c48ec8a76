package io.lambda.ingest.event;

import static org.assertj.core.api.Assertions.assertThat;

import io.lambda.core.event.Event;
import io.lambda.core.event.EventCodec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.core.JsonParser;

/** The field rules of docs/api.md, one event at a time, on a fixed clock. */
class EventValidatorTests {

    private static final Instant NOW = Instant.parse("2026-11-26T10:00:00Z");
    private final EventCodec codec = new EventCodec();
    private final EventValidator validator = new EventValidator(Clock.fixed(NOW, ZoneOffset.UTC), Duration.ofMinutes(5),
            codec);
    private final List<FieldError> errors = new ArrayList<>();

    /** The event as its record says it, or null if it was refused. */
    private Event validate(String json) {
        try (JsonParser parser = EventBodyReader.JSON.createParser(json)) {
            parser.nextToken();
            EncodedEvent event = validator.read(3, parser, errors);
            assertThat(parser.nextToken()).as("the whole event was read").isNull();
            if (event == null) {
                return null;
            }
            Event decoded = codec.decode(event.value());
            assertThat(decoded.eventId()).isEqualTo(event.eventId());
            return decoded;
        }
    }

    @Test
    void aCompleteEventIsAcceptedWithItsFieldsAndTypedAttributes() {
        Event event = validate("""
                {"eventId":"e-1.a:b_c","type":"page_view.v2-x","timestamp":"2026-11-26T10:58:30.123+01:00",
                 "attributes":{"url":"/home","n":12,"amount":12.5,"vip":true}}""");
        assertThat(errors).isEmpty();
        assertThat(event.eventId()).isEqualTo("e-1.a:b_c");
        assertThat(event.type()).isEqualTo("page_view.v2-x");
        assertThat(event.timestamp()).isEqualTo(Instant.parse("2026-11-26T09:58:30.123Z"));
        assertThat(event.attributes()).containsExactlyInAnyOrderEntriesOf(
                Map.of("url", "/home", "n", 12L, "amount", 12.5, "vip", true));
    }

    @Test
    void aMissingOrNullEventIdIsAssignedAUuid() {
        Event missing = validate("{\"type\":\"a\",\"timestamp\":1764150000000}");
        Event nulled = validate("{\"eventId\":null,\"type\":\"a\",\"timestamp\":1764150000000}");
        assertThat(errors).isEmpty();
        assertThat(UUID.fromString(missing.eventId())).isNotNull();
        assertThat(UUID.fromString(nulled.eventId())).isNotNull();
        assertThat(missing.eventId()).isNotEqualTo(nulled.eventId());
    }

    @Test
    void epochMillisecondsAndOffsetsGiveTheSameInstant() {
        Event millis = validate("{\"type\":\"a\",\"timestamp\":1795686930123}");
        Event text = validate("{\"type\":\"a\",\"timestamp\":\"2026-11-26T09:55:30.123Z\"}");
        assertThat(millis.timestamp()).isEqualTo(text.timestamp()).isEqualTo(Instant.ofEpochMilli(1795686930123L));
    }

    @Test
    void theBoundsOfTheTimestampAreInclusive() {
        assertThat(validate("{\"type\":\"a\",\"timestamp\":\"2000-01-01T00:00:00Z\"}")).isNotNull();
        assertThat(validate("{\"type\":\"a\",\"timestamp\":\"2026-11-26T10:05:00Z\"}")).isNotNull();
        assertThat(errors).isEmpty();
        assertThat(validate("{\"type\":\"a\",\"timestamp\":\"1999-12-31T23:59:59.999Z\"}")).isNull();
        assertThat(validate("{\"type\":\"a\",\"timestamp\":\"2026-11-26T10:05:00.001Z\"}")).isNull();
        assertThat(errors).extracting(FieldError::field).containsExactly("timestamp", "timestamp");
    }

    @Test
    void theLimitsOfIdsTypesKeysAndValuesAreInclusive() {
        String json = "{\"eventId\":\"" + "i".repeat(128) + "\",\"type\":\"" + "t".repeat(64)
                + "\",\"timestamp\":1764150000000,\"attributes\":{\"" + "k".repeat(64) + "\":\"" + "v".repeat(1024) + "\"}}";
        assertThat(validate(json)).isNotNull();
        assertThat(errors).isEmpty();
        StringBuilder attributes = new StringBuilder();
        for (int i = 0; i < 64; i++) {
            attributes.append(i == 0 ? "" : ",").append("\"a").append(i).append("\":").append(i);
        }
        assertThat(validate("{\"type\":\"a\",\"timestamp\":1764150000000,\"attributes\":{" + attributes + "}}"))
                .isNotNull();
        assertThat(errors).isEmpty();
    }

    @Test
    void everyProblemOfAnEventIsReportedWithTheEventsIndex() {
        Event event = validate("""
                {"eventId":"has space","type":"Upper","timestamp":"not a time","attributes":{"bad-key":1,"ok":{"x":1}},
                 "extra":1}""");
        assertThat(event).isNull();
        assertThat(errors).extracting(FieldError::index).containsOnly(3);
        assertThat(errors).extracting(FieldError::field).containsExactlyInAnyOrder(
                "extra", "eventId", "type", "timestamp", "attributes.bad-key", "attributes.ok");
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "{\"type\":\"a\",\"timestamp\":1764150000000,\"attributes\":{\"x\":null}}",
            "{\"type\":\"a\",\"timestamp\":1764150000000,\"attributes\":{\"x\":[1]}}",
            "{\"type\":\"a\",\"timestamp\":1764150000000,\"attributes\":{\"x\":1e400}}",
            "{\"type\":\"a\",\"timestamp\":1764150000000,\"attributes\":[]}",
            "{\"type\":\"a\",\"timestamp\":1764150000000,\"attributes\":\"x\"}",
            "{\"type\":\"a\",\"timestamp\":17641500000.5}",
            "{\"type\":\"a\",\"timestamp\":true}",
            "{\"type\":\"a\",\"timestamp\":\"2026-11-26T10:00:00\"}",
            "{\"type\":\"a\",\"timestamp\":\"2026-11-26\"}",
            "{\"type\":\"a\"}",
            "{\"timestamp\":1764150000000}",
            "{\"type\":\"\",\"timestamp\":1764150000000}",
            "{\"type\":7,\"timestamp\":1764150000000}",
            "{\"eventId\":\"\",\"type\":\"a\",\"timestamp\":1764150000000}",
            "{\"eventId\":7,\"type\":\"a\",\"timestamp\":1764150000000}",
            "{\"eventId\":\"a/b\",\"type\":\"a\",\"timestamp\":1764150000000}",
            "[]", "\"event\"", "42", "null"})
    void anEventBreakingARuleIsRefused(String json) {
        assertThat(validate(json)).isNull();
        assertThat(errors).isNotEmpty().allSatisfy(error -> {
            assertThat(error.index()).isEqualTo(3);
            assertThat(error.message()).isNotBlank();
        });
    }

    @Test
    void tooManyAttributesIsOneError() {
        StringBuilder attributes = new StringBuilder();
        for (int i = 0; i < 65; i++) {
            attributes.append(i == 0 ? "" : ",").append("\"a").append(i).append("\":").append(i);
        }
        assertThat(validate("{\"type\":\"a\",\"timestamp\":1764150000000,\"attributes\":{" + attributes + "}}")).isNull();
        assertThat(errors).singleElement().extracting(FieldError::field).isEqualTo("attributes");
    }

    @Test
    void tooLongValuesAndKeysAreNamedByTheirAttribute() {
        String json = "{\"type\":\"a\",\"timestamp\":1764150000000,\"attributes\":{\"v\":\"" + "x".repeat(1025)
                + "\",\"" + "k".repeat(65) + "\":1}}";
        assertThat(validate(json)).isNull();
        assertThat(errors).extracting(FieldError::field).containsExactlyInAnyOrder("attributes.v", "attributes." + "k".repeat(65));
    }
}
