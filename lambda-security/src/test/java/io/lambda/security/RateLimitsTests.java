package io.lambda.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The token buckets on a clock the test drives: exact counts, no timing luck. */
class RateLimitsTests {

    private final AtomicLong nanos = new AtomicLong();
    private final RateLimits limits = new RateLimits(
            Map.of(Scope.INGEST, new LambdaSecurityProperties.RateLimit(10, 20)), nanos::get);

    @Test
    void aBurstGetsTheBucketThenTheRate() {
        int accepted = 0;
        // 100 requests every 10 ms for 5 s: 20 (burst) + 10/s * 5 s
        for (int i = 0; i < 500; i++) {
            if (limits.tryAcquire("k", Scope.INGEST) == 0) {
                accepted++;
            }
            nanos.addAndGet(TimeUnit.MILLISECONDS.toNanos(10));
        }
        assertThat(accepted).isBetween(69, 71);
    }

    @Test
    void keysAndScopesHaveBucketsOfTheirOwnAndAScopeWithoutALimitIsUnlimited() {
        for (int i = 0; i < 20; i++) {
            assertThat(limits.tryAcquire("a", Scope.INGEST)).isZero();
        }
        assertThat(limits.tryAcquire("a", Scope.INGEST)).isPositive();
        assertThat(limits.tryAcquire("b", Scope.INGEST)).isZero();
        for (int i = 0; i < 1000; i++) {
            assertThat(limits.tryAcquire("a", Scope.READ)).isZero();
        }
    }

    @Test
    void theWaitIsTheTimeToTheNextTokenRoundedUpToWholeSecondsForRetryAfter() {
        for (int i = 0; i < 20; i++) {
            limits.tryAcquire("a", Scope.INGEST);
        }
        long wait = limits.tryAcquire("a", Scope.INGEST);
        assertThat(wait).isEqualTo(TimeUnit.MILLISECONDS.toNanos(100));
        assertThat(RateLimits.retryAfterSeconds(wait)).isEqualTo(1);
        assertThat(RateLimits.retryAfterSeconds(TimeUnit.MILLISECONDS.toNanos(1500))).isEqualTo(2);
    }

    @Test
    void unconfiguredScopesGetTheDefaultsAndAConfiguredOneReplacesOnlyItsOwn() {
        LambdaSecurityProperties properties = new LambdaSecurityProperties(true, LambdaSecurityProperties.Mode.API_KEY,
                null, null, java.time.Duration.ofSeconds(1),
                Map.of(Scope.READ, new LambdaSecurityProperties.RateLimit(7, 0)), null, 512);
        assertThat(properties.rateLimits().get(Scope.READ)).isEqualTo(new LambdaSecurityProperties.RateLimit(7, 7));
        assertThat(properties.rateLimits().get(Scope.INGEST))
                .isEqualTo(LambdaSecurityProperties.defaultRateLimits().get(Scope.INGEST));
    }
}
