package io.lambda.speed.system;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.config.DefaultDriverOption;
import io.lambda.core.cell.Aggregator;
import io.lambda.core.cell.SkipReason;
import io.lambda.core.event.EventCodec;
import io.lambda.core.time.IngestEpoch;
import io.lambda.core.view.ViewCatalog;
import io.lambda.core.view.ViewConfig;
import io.lambda.core.view.ViewDefinition;
import io.lambda.store.LambdaStore;
import io.lambda.store.SpeedPartitionProgress;
import io.lambda.store.StoreSettings;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Duration;
import java.util.Locale;
import org.springframework.boot.cassandra.autoconfigure.CqlSessionBuilderCustomizer;
import org.springframework.boot.cassandra.autoconfigure.DriverConfigLoaderBuilderCustomizer;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * The shared pieces of the deployment, bound from lambda-views.yaml and lambda-shared.yaml: the
 * view definitions, the ingest epoch, the record format and the shared tables.
 */
@Configuration(proxyBeanMethods = false)
class LambdaConfiguration {

    @Bean
    ViewCatalog viewCatalog(Environment environment) {
        return ViewCatalog.fromConfig(Binder.get(environment)
                .bind("lambda.views", Bindable.listOf(ViewConfig.class))
                .orElseThrow(() -> new IllegalStateException("no views configured under lambda.views")));
    }

    @Bean
    IngestEpoch ingestEpoch(Environment environment) {
        return new IngestEpoch(environment.getRequiredProperty("lambda.events.epoch-length", Duration.class));
    }

    @Bean
    Aggregator aggregator(ViewCatalog views, IngestEpoch epochs) {
        return new Aggregator(views, epochs);
    }

    @Bean
    EventCodec eventCodec() {
        return new EventCodec();
    }

    /** The driver's metrics (lambda-cassandra-driver.conf) go to this service's registry, with its common tags. */
    @Bean
    CqlSessionBuilderCustomizer cassandraDriverMetrics(MeterRegistry meters) {
        return builder -> builder.withMetricRegistry(meters);
    }

    @Bean
    LambdaStore lambdaStore(CqlSession session, Environment environment) {
        return LambdaStore.open(session, storeSettings(environment));
    }

    @Bean
    SpeedPartitionProgress speedPartitionProgress(CqlSession session, LambdaStore store) {
        return new SpeedPartitionProgress(session, store.settings());
    }

    /**
     * Reconnect to Cassandra within seconds when it comes back (the driver's default waits up to a
     * minute), so that a paused stream resumes soon after an outage.
     */
    @Bean
    DriverConfigLoaderBuilderCustomizer quickReconnect() {
        return builder -> builder
                .withDuration(DefaultDriverOption.RECONNECTION_BASE_DELAY, Duration.ofMillis(500))
                .withDuration(DefaultDriverOption.RECONNECTION_MAX_DELAY, Duration.ofSeconds(2));
    }

    /**
     * What the aggregator skipped, by view and reason ({@code lambda.speed.skipped}), and events
     * dropped for being older than a view's retention ({@code lambda.speed.events}, outcome
     * {@code beyond_retention}; one per view that dropped it).
     */
    @Bean
    MeterBinder skippedEventsMetrics(Aggregator aggregator) {
        return registry -> {
            for (ViewDefinition view : aggregator.catalog().views()) {
                for (SkipReason reason : SkipReason.values()) {
                    FunctionCounter.builder("lambda.speed.skipped", aggregator.stats(), s -> s.skipped(view.name(), reason))
                            .tag("view", view.name()).tag("outcome", reason.name().toLowerCase(Locale.ROOT))
                            .register(registry);
                }
            }
            FunctionCounter.builder("lambda.speed.events", aggregator.stats(), s -> s.skipped(SkipReason.BEYOND_RETENTION))
                    .tag("outcome", "beyond_retention").register(registry);
        };
    }

    private static StoreSettings storeSettings(Environment environment) {
        return Binder.get(environment).bind("lambda.store", StoreSettings.class)
                .orElseThrow(() -> new IllegalStateException("lambda.store is not configured"));
    }
}
