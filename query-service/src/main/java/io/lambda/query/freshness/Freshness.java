package io.lambda.query.freshness;

import java.time.Instant;
import java.util.List;

/**
 * How current the answers are: the published batch version, its cut and the cut's age (how far
 * behind now the batch layer is), and how far the speed layer has got with its lag. The ages are
 * seconds at {@code checkedAt}; anything unknown is {@code null} with a warning saying why.
 */
public record Freshness(Long batchVersion, Instant batchCut, Double batchAgeSeconds, Instant speedThrough,
                        Double speedLagSeconds, Instant checkedAt, List<String> warnings) {

    public Freshness {
        warnings = List.copyOf(warnings);
    }
}
