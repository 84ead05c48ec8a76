package io.lambda.ingest.event;

import io.lambda.localservers.TestApiKeys;
import io.lambda.security.Scope;
import io.lambda.security.testing.RouteInventory;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.webmvc.test.autoconfigure.WebMvcTest;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.bean.override.mockito.MockitoBean;
import org.springframework.test.web.servlet.assertj.MockMvcTester;

/**
 * Every route of ingest-service's web layer needs a credential (401 without) with scope
 * {@code ingest} (403 with a read or admin key). The actuator's rules are lambda-security's tests.
 */
@WebMvcTest
@Import(IngestWebSlice.class)
class IngestRouteInventoryTests {

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
