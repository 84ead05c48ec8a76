package io.lambda.query;

import static org.assertj.core.api.Assertions.assertThat;

import io.lambda.localservers.TestApiKeys;
import io.lambda.query.freshness.FreshnessQuery;
import io.lambda.query.system.QueryMetrics;
import io.lambda.query.view.ViewQueries;
import io.lambda.security.Scope;
import io.lambda.security.testing.RouteInventory;
import java.util.ArrayList;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.webmvc.test.autoconfigure.WebMvcTest;
import org.springframework.context.ApplicationContext;
import org.springframework.http.HttpMethod;
import org.springframework.test.context.bean.override.mockito.MockitoBean;
import org.springframework.test.web.servlet.assertj.MockMvcTester;

/**
 * Every REST route and GraphQL need a credential with scope {@code read}. GraphQL is served by a
 * router function, not a request mapping, so its two methods are added to the inventory by hand.
 */
@WebMvcTest
class QueryRouteInventoryTests {

    @Autowired
    MockMvcTester mvc;

    @Autowired
    ApplicationContext context;

    @MockitoBean
    ViewQueries queries;

    @MockitoBean
    FreshnessQuery freshness;

    @MockitoBean
    QueryMetrics metrics;

    @Test
    void everyRouteIs401WithoutACredentialAnd403WithoutScopeRead() {
        var routes = new ArrayList<>(RouteInventory.routes(context));
        assertThat(routes).map(Object::toString).contains("GET /api/v1/views/1/series", "GET /api/v1/views/1/top",
                "GET /api/v1/freshness");
        routes.add(new RouteInventory.Route(HttpMethod.POST, "/graphql"));
        routes.add(new RouteInventory.Route(HttpMethod.GET, "/graphql"));
        RouteInventory.assertLockedDown(mvc, routes, route -> route.path().startsWith("/api/") || route.path().equals("/graphql") ? Scope.READ : null,
                Map.of(Scope.INGEST, TestApiKeys.INGEST, Scope.READ, TestApiKeys.READ, Scope.ADMIN, TestApiKeys.ADMIN));
    }
}
