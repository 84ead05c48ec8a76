package io.lambda.batch.recompute;

import io.lambda.store.PublishedVersion;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;
import org.springframework.stereotype.Component;

/**
 * The recompute's meters: run duration by mode and outcome, events read, cells written, dedup
 * hits, the time of the last successful publish and the age of the published cut.
 */
@Component
public class RecomputeMetrics {

    private final MeterRegistry registry;
    private final Counter cellsWritten;
    private final Counter dedupHits;
    private final AtomicReference<Instant> lastPublish = new AtomicReference<>();
    private final AtomicReference<PublishedVersion> published = new AtomicReference<>(PublishedVersion.NOTHING);

    RecomputeMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.cellsWritten = registry.counter("lambda.batch.cells.written");
        this.dedupHits = registry.counter("lambda.batch.dedup.hits");
        Gauge.builder("lambda.batch.publish.last", lastPublish,
                        p -> p.get() == null ? Double.NaN : p.get().getEpochSecond())
                .description("when the last successful publish happened (epoch seconds)").baseUnit("seconds")
                .register(registry);
        Gauge.builder("lambda.batch.cut.age", published,
                        p -> p.get().isNothing() ? Double.NaN
                                : Duration.between(p.get().cut(), Instant.now()).toMillis() / 1000.0)
                .description("how far the published cut lags behind now").baseUnit("seconds").register(registry);
    }

    void eventsRead(String mode, long events) {
        registry.counter("lambda.batch.events.read", "mode", mode).increment(events);
    }

    void cellsWritten(long cells) {
        cellsWritten.increment(cells);
    }

    void dedupHits(long hits) {
        dedupHits.increment(hits);
    }

    void run(String mode, String outcome, Duration duration) {
        Timer.builder("lambda.batch.run.duration").tag("mode", mode).tag("outcome", outcome)
                .register(registry).record(duration);
    }

    /** What the catalog shows now; {@code publishedNow} when this instance just published it. */
    public void catalog(PublishedVersion current, boolean publishedNow) {
        published.set(current);
        if (publishedNow) {
            lastPublish.set(Instant.now());
        }
    }
}
