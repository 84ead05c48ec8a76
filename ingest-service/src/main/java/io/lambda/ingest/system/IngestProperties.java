package io.lambda.ingest.system;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * Configuration of the ingest service, under {@code lambda.ingest}; defaults in application.yaml.
 *
 * @param topic the events topic ({@code lambda.events.v1} by default) and how it is created
 * @param ackTimeout how long a request waits, after its last event was handed to the producer, for Kafka
 *                   to acknowledge every event before it answers 503
 * @param retryAfter what a 503 tells the client to wait before sending again
 * @param maxEventsPerRequest the most events in one JSON array
 * @param maxBodyBytes the largest JSON body accepted
 * @param maxFutureSkew how far in the future an event's timestamp may lie
 * @param maxReportedErrors the most field errors listed in one 400 answer (the answer also gives the total)
 * @param ndjson the limits of {@code application/x-ndjson} bulk requests
 */
@Validated
@ConfigurationProperties("lambda.ingest")
public record IngestProperties(@NotNull @Valid Topic topic, @NotNull Duration ackTimeout, @NotNull Duration retryAfter,
                               @Min(1) @Max(100_000) int maxEventsPerRequest, @Min(1024) long maxBodyBytes,
                               @NotNull Duration maxFutureSkew, @Min(1) int maxReportedErrors,
                               @NotNull @Valid Ndjson ndjson) {

    /** The events topic: its name and the partition count it is created with. */
    public record Topic(@NotBlank String name, @Min(1) int partitions) {
    }

    /**
     * Limits of one NDJSON request. The request is all or nothing, so its valid events are held
     * (encoded, never the raw body) until every line has been read and checked: these limits bound
     * that memory to roughly {@code maxBodyBytes} per request.
     *
     * @param maxLines the most lines (events) in one request
     * @param maxLineBytes the longest line, in bytes
     * @param maxBodyBytes the largest body, in bytes
     */
    public record Ndjson(@Min(1) int maxLines, @Min(256) int maxLineBytes, @Min(1024) long maxBodyBytes) {
    }
}
