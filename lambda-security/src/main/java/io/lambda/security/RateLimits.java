package io.lambda.security;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * One token bucket per credential and scope, sized by {@code lambda.security.rate-limits.<scope>}.
 * Buckets that have refilled are dropped when there are many, so JWT subjects cannot grow it unbounded.
 */
public final class RateLimits {

    private static final int PRUNE_ABOVE = 10_000;

    private final Map<Scope, LambdaSecurityProperties.RateLimit> limits;
    private final LongSupplier nanoTime;
    private final Map<String, TokenBucket> buckets = new ConcurrentHashMap<>();

    public RateLimits(Map<Scope, LambdaSecurityProperties.RateLimit> limits, LongSupplier nanoTime) {
        this.limits = Map.copyOf(limits);
        this.nanoTime = nanoTime;
    }

    /** 0 when the request may go on, else how long (ns) until the credential may send the next one. */
    public long tryAcquire(String credential, Scope scope) {
        LambdaSecurityProperties.RateLimit limit = limits.get(scope);
        if (limit == null) {
            return 0;
        }
        long now = nanoTime.getAsLong();
        if (buckets.size() > PRUNE_ABOVE) {
            buckets.values().removeIf(bucket -> bucket.isFull(now));
        }
        return buckets.computeIfAbsent(scope.id() + "/" + credential,
                        k -> new TokenBucket(limit.requestsPerSecond(), limit.burst(), now))
                .tryTake(now);
    }

    /** Whole seconds for Retry-After, rounded up and at least 1. */
    static long retryAfterSeconds(long nanos) {
        return Math.max(1, TimeUnit.NANOSECONDS.toSeconds(nanos + 999_999_999L));
    }
}
