package io.lambda.batch;

import static org.assertj.core.api.Assertions.assertThat;

import io.lambda.batch.recompute.BatchRuns;
import io.lambda.batch.system.BatchStore;
import io.lambda.batch.version.VersionPublisher;
import io.lambda.localservers.TestApiKeys;
import io.lambda.security.Scope;
import io.lambda.security.testing.RouteInventory;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.webmvc.test.autoconfigure.WebMvcTest;
import org.springframework.context.ApplicationContext;
import org.springframework.test.context.bean.override.mockito.MockitoBean;
import org.springframework.test.web.servlet.assertj.MockMvcTester;

/** Every route of the batch admin API needs a credential with scope {@code admin}. */
@WebMvcTest
class BatchRouteInventoryTests {

    @Autowired
    MockMvcTester mvc;

    @Autowired
    ApplicationContext context;

    @MockitoBean
    BatchRuns runs;

    @MockitoBean
    BatchStore store;

    @MockitoBean
    VersionPublisher publisher;

    @Test
    void everyRouteIs401WithoutACredentialAnd403WithoutScopeAdmin() {
        var routes = RouteInventory.routes(context);
        assertThat(routes).map(Object::toString).contains("POST /api/v1/batch/runs", "GET /api/v1/batch/runs/1",
                "GET /api/v1/batch/versions", "POST /api/v1/batch/versions/1/publish");
        RouteInventory.assertLockedDown(mvc, routes, route -> route.path().startsWith("/api/") ? Scope.ADMIN : null,
                Map.of(Scope.INGEST, TestApiKeys.INGEST, Scope.READ, TestApiKeys.READ, Scope.ADMIN, TestApiKeys.ADMIN));
    }
}
