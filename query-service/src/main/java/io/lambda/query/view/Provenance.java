package io.lambda.query.view;

import java.time.Instant;
import java.util.List;

/**
 * Where an answer came from: the batch version and cut it was merged at (both {@code null} before
 * the first publish), how far the speed layer had got ({@code null} while not reported), and
 * whether a layer could not be read ({@code partial}, with a warning naming it).
 */
public record Provenance(Long batchVersion, Instant batchCut, Instant speedThrough, boolean partial,
                         List<String> warnings) {

    public Provenance {
        warnings = List.copyOf(warnings);
    }
}
