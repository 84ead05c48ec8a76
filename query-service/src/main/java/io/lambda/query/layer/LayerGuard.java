package io.lambda.query.layer;

import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadFullException;
import io.github.resilience4j.bulkhead.ThreadPoolBulkhead;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.timelimiter.TimeLimiter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * The reads of one layer, each run in that layer's bulkhead (its own bounded thread pool), under a
 * time limit, through a circuit breaker. A slow or broken layer then costs a query at most its
 * timeout, cannot starve the other layers' reads, and once it keeps failing is skipped at once
 * until it recovers. Every read is timed as {@code lambda.query.layer.reads} by layer and outcome.
 */
public final class LayerGuard {

    private final Layer layer;
    private final CircuitBreaker breaker;
    private final TimeLimiter limiter;
    private final ThreadPoolBulkhead bulkhead;
    private final Bulkhead inFlight;
    private final ScheduledExecutorService scheduler;
    private final MeterRegistry meters;
    private final Map<String, Timer> timers = new ConcurrentHashMap<>();

    public LayerGuard(Layer layer, CircuitBreaker breaker, TimeLimiter limiter, ThreadPoolBulkhead bulkhead,
                      Bulkhead inFlight, ScheduledExecutorService scheduler, MeterRegistry meters) {
        this.layer = layer;
        this.breaker = breaker;
        this.limiter = limiter;
        this.bulkhead = bulkhead;
        this.inFlight = inFlight;
        this.scheduler = scheduler;
        this.meters = meters;
    }

    public Layer layer() {
        return layer;
    }

    public CircuitBreaker breaker() {
        return breaker;
    }

    /** Starts {@code read}; the future fails with the reason when the layer could not be read. */
    public <T> CompletableFuture<T> read(Supplier<T> read) {
        return timed(() -> breaker.executeCompletionStage(() -> limiter.executeCompletionStage(scheduler,
                () -> bulkhead.executeSupplier(read))));
    }

    /** Times a guarded read by its outcome; a guard that throws at once is a failed read too. */
    private <T> CompletableFuture<T> timed(Supplier<CompletionStage<T>> guarded) {
        Timer.Sample sample = Timer.start(meters);
        CompletableFuture<T> result;
        try {
            result = guarded.get().toCompletableFuture();
        } catch (RuntimeException e) {
            result = CompletableFuture.failedFuture(e);
        }
        return result.whenComplete((value, failure) -> sample.stop(timer(outcome(failure))));
    }

    /** Registered once per outcome rather than looked up by id on every read. */
    private Timer timer(String outcome) {
        return timers.computeIfAbsent(outcome, o -> Timer.builder("lambda.query.layer.reads")
                .description("Reads of one storage layer")
                .tag("layer", layer.id())
                .tag("outcome", o)
                .publishPercentileHistogram() // per-layer p50/p99 in Prometheus (docs/metrics.md)
                .minimumExpectedValue(java.time.Duration.ofMillis(1))
                .maximumExpectedValue(java.time.Duration.ofSeconds(10))
                .register(meters));
    }

    /**
     * {@link #read} for a read the driver makes without a thread of ours ({@code executeAsync}): it
     * starts on the caller's thread and completes on the driver's, so an answer waits for Cassandra
     * alone, not also for a bulkhead thread to be scheduled, twice. The same breaker and time limit
     * apply; instead of a thread pool, the reads in flight are bounded (the pool's threads + queue)
     * and a read beyond that is rejected at once, as the pool rejects one.
     */
    public <T> CompletableFuture<T> readAsync(Supplier<CompletionStage<T>> read) {
        return timed(() -> breaker.executeCompletionStage(() -> limiter.executeCompletionStage(scheduler,
                () -> inFlight.executeCompletionStage(read))));
    }

    /** Waits for a read started by {@link #read}; its failure is unwrapped. */
    public static <T> T await(CompletableFuture<T> read) throws Throwable {
        try {
            return read.get();
        } catch (ExecutionException e) {
            throw e.getCause();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw e;
        }
    }

    /** A line for a warning or a log: why this layer was not read. */
    public String describe(Throwable failure) {
        Throwable cause = unwrap(failure);
        String why;
        if (cause instanceof CallNotPermittedException) {
            why = "circuit breaker open after repeated failures";
        } else if (cause instanceof TimeoutException) {
            why = "no answer within " + limiter.getTimeLimiterConfig().getTimeoutDuration();
        } else if (cause instanceof BulkheadFullException) {
            why = "too many reads in flight";
        } else {
            why = cause.getClass().getSimpleName() + ": " + cause.getMessage();
        }
        return layer.id() + " layer unreadable (" + why + ")";
    }

    private static String outcome(Throwable failure) {
        if (failure == null) {
            return "ok";
        }
        Throwable cause = unwrap(failure);
        if (cause instanceof CallNotPermittedException) {
            return "open";
        }
        if (cause instanceof TimeoutException) {
            return "timeout";
        }
        return cause instanceof BulkheadFullException ? "rejected" : "failed";
    }

    private static Throwable unwrap(Throwable failure) {
        Throwable cause = failure;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException)
                && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }
}
