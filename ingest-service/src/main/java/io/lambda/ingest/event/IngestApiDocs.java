package io.lambda.ingest.event;

import io.swagger.v3.oas.annotations.media.Schema;
import java.util.List;
import java.util.Map;

/**
 * The shapes of the ingest API as the OpenAPI document shows them. The controller reads and writes
 * bytes itself (one pass from the parser to the record, docs/ingest.md), so these records only
 * describe the wire format; the rules are {@link EventValidator}'s.
 */
final class IngestApiDocs {

    private IngestApiDocs() {
    }

    @Schema(name = "Event", description = "One event. Resending an event with the same eventId is safe: it is counted once.")
    record Event(
            @Schema(description = "1-128 of A-Z a-z 0-9 . _ : -; assigned (a UUID) when absent", example = "e-123",
                    maxLength = 128, pattern = "^[A-Za-z0-9._:-]{1,128}$")
            String eventId,
            @Schema(description = "1-64 of a-z 0-9 _ . -", example = "pageview", requiredMode = Schema.RequiredMode.REQUIRED,
                    maxLength = 64, pattern = "^[a-z0-9_.-]{1,64}$")
            String type,
            @Schema(description = "Event time: RFC 3339 with an offset, or epoch milliseconds as a number; not before "
                    + "2000-01-01, at most 5 minutes (configurable) in the future", example = "2026-11-26T10:15:30.123Z",
                    requiredMode = Schema.RequiredMode.REQUIRED, oneOf = {String.class, Long.class})
            Object timestamp,
            @Schema(description = "At most 64 entries; keys 1-64 of A-Z a-z 0-9 _; values a string (at most 1,024 "
                    + "characters), a number or a boolean",
                    example = "{\"url\": \"/home\", \"userId\": \"u42\"}")
            Map<String, Object> attributes) {
    }

    @Schema(name = "Accepted", description = "Every event of the request is durable: Kafka acknowledged it (acks=all)")
    record Accepted(
            @Schema(description = "How many events were stored", example = "1") int accepted,
            @Schema(description = "Their ids, in request order (assigned ones included)") List<String> eventIds) {
    }

    @Schema(name = "EventBatch", description = "One event, or an array of at most 1,000 events (a body of at most 1 MiB)",
            oneOf = {Event.class, Event[].class})
    record JsonBody() {
    }

    @Schema(name = "NdjsonBody", type = "string", description = "One event per line, for bulk loads and backfills",
            example = "{\"type\":\"pageview\",\"timestamp\":1764152130123,\"attributes\":{\"url\":\"/home\"}}\n"
                    + "{\"type\":\"pageview\",\"timestamp\":1764152131000,\"attributes\":{\"url\":\"/docs\"}}")
    record NdjsonBody() {
    }
}
