package io.lambda.ingest.event;

import io.lambda.core.event.EventCodec;
import io.lambda.ingest.system.IngestProperties;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;

/**
 * What a {@code @WebMvcTest} of {@link EventController} needs besides the controller: the codec, the
 * ingest settings, a registry and the service's metrics. The publisher is each test's own mock.
 */
@TestConfiguration(proxyBeanMethods = false)
@EnableConfigurationProperties(IngestProperties.class)
@Import(IngestMetrics.class)
class IngestWebSlice {

    @Bean
    EventCodec eventCodec() {
        return new EventCodec();
    }

    @Bean
    MeterRegistry meterRegistry() {
        return new SimpleMeterRegistry();
    }
}
