package io.lambda.ingest.system;

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
 * @param topic the events topic (CONTRACT: lambda.events.v1) and how it is created
 * @param ackTimeout how long a request waits for Kafka to acknowledge every event before it answers 503
 * @param maxEventsPerRequest the most events in one JSON array
 * @param maxBodyBytes the largest JSON body accepted
 * @param maxFutureSkew how far in the future an event's timestamp may lie
 */
@Validated
@ConfigurationProperties("lambda.ingest")
public record IngestProperties(@NotNull Topic topic, @NotNull Duration ackTimeout,
                               @Min(1) @Max(100_000) int maxEventsPerRequest, @Min(1024) long maxBodyBytes,
                               @NotNull Duration maxFutureSkew) {

    /** The events topic: its name and the partition count it is created with. */
    public record Topic(@NotBlank String name, @Min(1) int partitions) {
    }
}
