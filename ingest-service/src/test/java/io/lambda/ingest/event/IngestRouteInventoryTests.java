package io.lambda.ingest.event;

import io.lambda.core.event.EventCodec;
import io.lambda.ingest.system.IngestProperties;
import io.lambda.localservers.TestApiKeys;
import io.lambda.security.Scope;
import io.lambda.security.testing.RouteInventory;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.webmvc.test.autoconfigure.WebMvcTest;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.bean.override.mockito.MockitoBean;
import org.springframework.test.web.servlet.assertj.MockMvcTester;

/**
 * Every route of ingest-service's web layer needs a credential (401 without) with scope
 * {@code ingest} (403 with a read or admin key). The actuator's rules are lambda-security's tests.
 */
@WebMvcTest
@Import({IngestMetrics.class, IngestRouteInventoryTests.Beans.class})
class IngestRouteInventoryTests {

    @TestConfiguration(proxyBeanMethods = false)
    @EnableConfigurationProperties(IngestProperties.class)
    static class Beans {
        @Bean
        EventCodec eventCodec() {
            return new EventCodec();
        }

        @Bean
        MeterRegistry meterRegistry() {
            return new SimpleMeterRegistry();
        }
    }

    @Autowired
    MockMvcTester mvc;

    @Autowired
    ApplicationContext context;

    @MockitoBean
    EventPublisher publisher;

    @Test
    void everyRouteIs401WithoutACredentialAnd403WithoutScopeIngest() {
        var routes = RouteInventory.routes(context);
        org.assertj.core.api.Assertions.assertThat(routes).map(Object::toString).contains("POST /api/v1/events");
        RouteInventory.assertLockedDown(mvc, routes, route -> route.path().startsWith("/api/") ? Scope.INGEST : null,
                Map.of(Scope.INGEST, TestApiKeys.INGEST, Scope.READ, TestApiKeys.READ, Scope.ADMIN, TestApiKeys.ADMIN));
    }
}
