package io.lambda.query.layer;

import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.github.resilience4j.bulkhead.BulkheadRegistry;
import io.github.resilience4j.bulkhead.ThreadPoolBulkhead;
import io.github.resilience4j.bulkhead.ThreadPoolBulkheadConfig;
import io.github.resilience4j.bulkhead.ThreadPoolBulkheadRegistry;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.micrometer.tagged.TaggedBulkheadMetrics;
import io.github.resilience4j.micrometer.tagged.TaggedCircuitBreakerMetrics;
import io.github.resilience4j.micrometer.tagged.TaggedThreadPoolBulkheadMetrics;
import io.github.resilience4j.micrometer.tagged.TaggedTimeLimiterMetrics;
import io.github.resilience4j.timelimiter.TimeLimiter;
import io.github.resilience4j.timelimiter.TimeLimiterConfig;
import io.github.resilience4j.timelimiter.TimeLimiterRegistry;
import io.lambda.query.system.QueryProperties;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/**
 * The three layer guards, built from {@code lambda.query.layers} with Resilience4j's core modules
 * (its Spring Boot 3 starter refuses to run on Boot 4), their state published to Micrometer as
 * {@code resilience4j.circuitbreaker.state}, {@code resilience4j.bulkhead.*} and
 * {@code resilience4j.timelimiter.calls}, tagged with the layer's name. Each layer bounds its reads
 * twice: those run on its thread pool, and those the driver runs without one ({@code
 * resilience4j.bulkhead.available.concurrent.calls}).
 */
public final class LayerGuards implements AutoCloseable {

    private final Map<Layer, LayerGuard> guards = new EnumMap<>(Layer.class);
    private final Map<Layer, ThreadPoolBulkhead> bulkheads = new EnumMap<>(Layer.class);
    private final ScheduledExecutorService scheduler;

    public LayerGuards(QueryProperties.Layers settings, MeterRegistry meters) {
        this.scheduler = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "layer-timeouts");
            thread.setDaemon(true);
            return thread;
        });
        CircuitBreakerRegistry breakers = CircuitBreakerRegistry.ofDefaults();
        TimeLimiterRegistry limiters = TimeLimiterRegistry.ofDefaults();
        ThreadPoolBulkheadRegistry pools = ThreadPoolBulkheadRegistry.ofDefaults();
        BulkheadRegistry inFlightBounds = BulkheadRegistry.ofDefaults();
        for (Layer layer : Layer.values()) {
            QueryProperties.Layer s = switch (layer) {
                case CATALOG -> settings.catalog();
                case BATCH -> settings.batch();
                case SPEED -> settings.speed();
            };
            CircuitBreaker breaker = breakers.circuitBreaker(layer.id(), CircuitBreakerConfig.custom()
                    .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                    .slidingWindowSize(s.slidingWindow())
                    .minimumNumberOfCalls(s.minimumReads())
                    .failureRateThreshold(s.failureRateThreshold())
                    .waitDurationInOpenState(s.openFor())
                    .permittedNumberOfCallsInHalfOpenState(2)
                    .build());
            TimeLimiter limiter = limiters.timeLimiter(layer.id(), TimeLimiterConfig.custom()
                    .timeoutDuration(s.timeout())
                    .cancelRunningFuture(true)
                    .build());
            ThreadPoolBulkhead bulkhead = pools.bulkhead(layer.id(), ThreadPoolBulkheadConfig.custom()
                    .coreThreadPoolSize(s.threads())
                    .maxThreadPoolSize(s.threads())
                    .queueCapacity(s.queue())
                    .build());
            // reads without a thread of ours (LayerGuard.readAsync): as many in flight as the pool holds
            Bulkhead inFlight = inFlightBounds.bulkhead(layer.id(), BulkheadConfig.custom()
                    .maxConcurrentCalls(s.threads() + s.queue())
                    .maxWaitDuration(java.time.Duration.ZERO)
                    .build());
            bulkheads.put(layer, bulkhead);
            guards.put(layer, new LayerGuard(layer, breaker, limiter, bulkhead, inFlight, scheduler, meters));
        }
        TaggedCircuitBreakerMetrics.ofCircuitBreakerRegistry(breakers).bindTo(meters);
        TaggedTimeLimiterMetrics.ofTimeLimiterRegistry(limiters).bindTo(meters);
        TaggedThreadPoolBulkheadMetrics.ofThreadPoolBulkheadRegistry(pools).bindTo(meters);
        TaggedBulkheadMetrics.ofBulkheadRegistry(inFlightBounds).bindTo(meters);
    }

    public LayerGuard get(Layer layer) {
        return guards.get(layer);
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
        bulkheads.values().forEach(bulkhead -> {
            try {
                bulkhead.close();
            } catch (Exception e) {
                throw new IllegalStateException("could not stop the " + bulkhead.getName() + " bulkhead", e);
            }
        });
    }
}
