package io.lambda.query.system;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * The query-service's settings ({@code lambda.query}); defaults in application.yaml.
 *
 * @param maxSeriesBuckets the longest series one request may ask for, in buckets
 * @param catalogMaxAge    queries within this long of a catalog read share it (0: every query reads it)
 * @param speedProgressMaxAge queries within this long of a read of the speed layer's progress share it
 * @param top              bounds of top-N
 * @param keys             what the keys listing reads and returns
 * @param speed            where the speed cells are read from under engine {@code streams}
 * @param layers           timeouts, circuit breakers and bulkheads of each storage layer
 * @param batchCache       the cache of batch reads (immutable per version)
 * @param graphql          limits on GraphQL documents
 */
@Validated
@ConfigurationProperties("lambda.query")
public record QueryProperties(@Min(1) int maxSeriesBuckets, @NotNull Duration catalogMaxAge,
                              @NotNull Duration speedProgressMaxAge,
                              @Valid @NotNull Top top, @Valid @NotNull Keys keys, @Valid @NotNull Speed speed,
                              @Valid @NotNull Layers layers,
                              @Valid @NotNull BatchCache batchCache, @Valid @NotNull Graphql graphql) {

    /**
     * Top-N folds every key of every bucket of the range: its cost is buckets × keys per bucket.
     *
     * @param maxBuckets   the most buckets one top-N request may fold (400 beyond)
     * @param maxKeys      the most distinct keys it folds before refusing (400, "narrow the range")
     * @param defaultLimit items when the request names no limit
     * @param maxLimit     the largest limit accepted
     */
    public record Top(@Min(1) int maxBuckets, @Min(1) int maxKeys, @Min(1) int defaultLimit, @Min(1) int maxLimit) {
    }

    /**
     * The keys listing reads the most recent buckets of the view's coarsest granularity, never the whole
     * history: its cost is a bounded number of partition slices of at most {@code limit} rows each.
     *
     * @param lookback     how far back from now keys are listed (rounded up to whole buckets)
     * @param maxBuckets   the most buckets read per layer, whatever the lookback
     * @param defaultLimit keys when the request names no limit
     * @param maxLimit     the largest limit accepted
     */
    public record Keys(@NotNull Duration lookback, @Min(1) @Max(1000) int maxBuckets, @Min(1) int defaultLimit,
                       @Min(1) int maxLimit) {
    }

    /**
     * Engine {@code streams} ({@code lambda.speed.engine}): speed cells are read from speed-service by
     * interactive queries.
     *
     * @param url    any speed-service instance (the Service in Kubernetes); it asks the others
     * @param apiKey a key speed-service accepts with scope {@code internal}
     */
    public record Speed(@NotNull java.net.URI url, String apiKey) {
    }

    public record Layers(@Valid @NotNull Layer catalog, @Valid @NotNull Layer batch, @Valid @NotNull Layer speed) {
    }

    /**
     * How one layer is protected.
     *
     * @param timeout              a read slower than this fails (the layer counts as unreadable for that answer)
     * @param threads              the bulkhead: reads of this layer run on at most this many threads...
     * @param queue                ...with at most this many waiting; beyond, a read is rejected at once
     * @param failureRateThreshold percent of failed reads in the window that opens the circuit breaker
     * @param slidingWindow        reads the failure rate is computed over
     * @param minimumReads         reads in the window before the rate counts
     * @param openFor              how long an open breaker rejects reads before letting a few through
     */
    public record Layer(@NotNull Duration timeout, @Min(1) @Max(256) int threads, @Min(1) int queue,
                        @Min(1) @Max(100) int failureRateThreshold, @Min(1) int slidingWindow, @Min(1) int minimumReads,
                        @NotNull Duration openFor) {
    }

    /** @param maxBytes the cache's bound, in bytes of encoded cell values held */
    public record BatchCache(@Min(0) long maxBytes) {
    }

    /**
     * @param maxDepth         deepest selection accepted
     * @param maxComplexity    most fields per document (aliases count)
     * @param maxOperations    most operations one document may define (one runs per request)
     * @param maxDocumentChars longest document accepted, checked before it is parsed
     */
    public record Graphql(@Min(1) int maxDepth, @Min(1) int maxComplexity, @Min(1) int maxOperations,
                          @Min(1) int maxDocumentChars) {
    }
}
