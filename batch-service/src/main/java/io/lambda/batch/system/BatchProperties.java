package io.lambda.batch.system;

import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * Configuration of the batch service, under {@code lambda.batch}; defaults in application.yaml.
 *
 * @param clockSkewMargin how far the broker's clock may be ahead of ours: a caught-up partition
 *                        counts as complete through now minus this margin
 */
@Validated
@ConfigurationProperties("lambda.batch")
public record BatchProperties(@NotNull Duration clockSkewMargin) {
}
