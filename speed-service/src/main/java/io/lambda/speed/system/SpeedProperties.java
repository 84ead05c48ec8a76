package io.lambda.speed.system;

import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * Configuration of the speed service, under {@code lambda.speed}; defaults in application.yaml.
 *
 * @param pollTimeout the longest a poll waits for records; it bounds how stale a cell can be
 */
@Validated
@ConfigurationProperties("lambda.speed")
public record SpeedProperties(@NotNull Duration pollTimeout) {
}
