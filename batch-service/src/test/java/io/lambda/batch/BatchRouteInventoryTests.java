package io.lambda.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.Mockito.when;

import com.datastax.oss.driver.api.core.DriverTimeoutException;
import com.datastax.oss.driver.api.core.NoNodeAvailableException;
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
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.test.context.bean.override.mockito.MockitoBean;
import org.springframework.test.web.servlet.assertj.MockMvcTester;

/**
 * Every route of the batch admin API needs a credential with scope {@code admin}; and while Cassandra
 * cannot answer, the routes say 503 with Retry-After rather than 500.
 */
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

    @Test
    void aStoreOutageIs503WithRetryAfterNot500() {
        when(runs.start(anyString())).thenThrow(new NoNodeAvailableException());
        when(store.catalog()).thenThrow(new DriverTimeoutException("Query timed out after PT2S"));

        assertThat(mvc.post().uri("/api/v1/batch/runs").header(TestApiKeys.HEADER, TestApiKeys.ADMIN)
                .contentType(MediaType.APPLICATION_JSON).content("{\"mode\":\"full\"}"))
                .hasStatus(HttpStatus.SERVICE_UNAVAILABLE).hasHeader(HttpHeaders.RETRY_AFTER, "5")
                .hasContentType(MediaType.APPLICATION_PROBLEM_JSON)
                .bodyJson().extractingPath("$.type").isEqualTo("urn:lambda:problem:store-unavailable");
        assertThat(mvc.get().uri("/api/v1/batch/versions").header(TestApiKeys.HEADER, TestApiKeys.ADMIN))
                .hasStatus(HttpStatus.SERVICE_UNAVAILABLE).hasHeader(HttpHeaders.RETRY_AFTER, "5");
    }
}
