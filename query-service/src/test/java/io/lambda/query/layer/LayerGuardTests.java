package io.lambda.query.layer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.lambda.query.system.QueryProperties;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What a guard does to a layer's reads: times them out, stops calling a failing layer, and says why. */
class LayerGuardTests {

    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final LayerGuards guards = new LayerGuards(new QueryProperties.Layers(layer(), layer(), layer()), meters);
    private final LayerGuard speed = guards.get(Layer.SPEED);

    @AfterEach
    void close() {
        guards.close();
    }

    @Test
    void aSlowReadFailsAfterTheTimeoutAndIsDescribedAsSuch() {
        CountDownLatch never = new CountDownLatch(1);
        Throwable failure = catchFailure(() -> speed.read(() -> {
            try {
                never.await(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return "late";
        }));
        assertThat(failure).isInstanceOf(TimeoutException.class);
        assertThat(speed.describe(failure)).isEqualTo("speed layer unreadable (no answer within PT0.2S)");
        assertThat(meters.get("lambda.query.layer.reads").tags("layer", "speed", "outcome", "timeout").timer().count())
                .isEqualTo(1);
        never.countDown();
    }

    @Test
    void repeatedFailuresOpenTheBreakerAndLaterReadsAreNotAttempted() {
        for (int i = 0; i < 4; i++) {
            catchFailure(() -> speed.read(() -> {
                throw new IllegalStateException("unconfigured table speed_cells");
            }));
        }
        int[] attempted = {0};
        Throwable failure = catchFailure(() -> speed.read(() -> ++attempted[0]));
        assertThat(failure).isInstanceOf(CallNotPermittedException.class);
        assertThat(attempted[0]).isZero();
        assertThat(speed.describe(failure)).contains("circuit breaker open");
        // the other layers are not affected
        assertThat(guards.get(Layer.BATCH).read(() -> "fine").join()).isEqualTo("fine");
    }

    @Test
    void aFailureNamesTheLayerAndTheCause() {
        Throwable failure = catchFailure(() -> speed.read(() -> {
            throw new IllegalStateException("unconfigured table speed_cells");
        }));
        assertThat(speed.describe(failure))
                .isEqualTo("speed layer unreadable (IllegalStateException: unconfigured table speed_cells)");
    }

    @Test
    void aReadWithoutAThreadIsTimedOutAndBoundedLikeAPooledOne() {
        CompletableFuture<String> never = new CompletableFuture<>();
        Throwable late = catchFailure(() -> speed.readAsync(() -> never));
        assertThat(late).isInstanceOf(TimeoutException.class);
        assertThat(speed.describe(late)).isEqualTo("speed layer unreadable (no answer within PT0.2S)");

        // 2 threads + 10 queued in the pool: 12 reads may be in flight, the 13th is refused at once
        List<CompletableFuture<String>> pending = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            CompletableFuture<String> read = new CompletableFuture<>();
            pending.add(read);
            guards.get(Layer.BATCH).readAsync(() -> read);
        }
        Throwable refused = catchFailure(() -> guards.get(Layer.BATCH).readAsync(() -> CompletableFuture.completedFuture("x")));
        assertThat(guards.get(Layer.BATCH).describe(refused)).isEqualTo("batch layer unreadable (too many reads in flight)");
        pending.forEach(read -> read.complete("done"));
        assertThat(guards.get(Layer.BATCH).readAsync(() -> CompletableFuture.completedFuture("fine")).join())
                .isEqualTo("fine");
    }

    private static Throwable catchFailure(java.util.function.Supplier<java.util.concurrent.CompletableFuture<?>> read) {
        try {
            LayerGuard.await(read.get());
        } catch (Throwable e) {
            return e;
        }
        throw new AssertionError("the read did not fail");
    }

    private static QueryProperties.Layer layer() {
        return new QueryProperties.Layer(Duration.ofMillis(200), 2, 10, 50, 4, 4, Duration.ofMinutes(1));
    }
}
