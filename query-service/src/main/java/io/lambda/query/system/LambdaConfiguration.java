package io.lambda.query.system;

import com.datastax.oss.driver.api.core.CqlSession;
import io.lambda.core.time.IngestEpoch;
import io.lambda.core.view.ViewCatalog;
import io.lambda.core.view.ViewConfig;
import io.lambda.store.LambdaStore;
import io.lambda.store.StoreSettings;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import org.springframework.boot.cassandra.autoconfigure.CqlSessionBuilderCustomizer;
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

    /** The driver's metrics (lambda-cassandra-driver.conf) go to this service's registry, with its common tags. */
    @Bean
    CqlSessionBuilderCustomizer cassandraDriverMetrics(MeterRegistry meters) {
        return builder -> builder.withMetricRegistry(meters);
    }

    @Bean
    LambdaStore lambdaStore(CqlSession session, Environment environment) {
        StoreSettings settings = Binder.get(environment).bind("lambda.store", StoreSettings.class)
                .orElseThrow(() -> new IllegalStateException("lambda.store is not configured"));
        return LambdaStore.open(session, settings);
    }
}
