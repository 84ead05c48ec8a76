package io.lambda.query;

import static org.assertj.core.api.Assertions.assertThat;

import io.lambda.core.time.BucketRange;
import io.lambda.core.time.Granularity;
import io.lambda.core.view.ViewCatalog;
import io.lambda.core.view.ViewDefinition;
import io.lambda.query.SeededCells.TestEvent;
import io.lambda.store.LambdaStore;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.graphql.test.autoconfigure.tester.AutoConfigureGraphQlTester;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.graphql.test.tester.GraphQlTester;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * The query API over HTTP on real Cassandra, with the cells of SeededCells and version 2 (cut
 * 10:30) published: REST and GraphQL give the oracle's numbers, and the same numbers as each other.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@Import(RealCassandra.class)
@ActiveProfiles("it")
@AutoConfigureGraphQlTester
class QueryApiIntegrationTests {

    private static final String KEYSPACE = "it_api_" + Long.toHexString(System.nanoTime());
    private static final ViewCatalog VIEWS = SeededCells.views();
    private static final List<TestEvent> EVENTS = SeededCells.events();
    private static final BucketRange HOURS = new BucketRange(Granularity.HOUR, SeededCells.FROM, SeededCells.TO);
    private static boolean seeded;

    @DynamicPropertySource
    static void ownKeyspace(DynamicPropertyRegistry registry) {
        registry.add("lambda.store.keyspace", () -> KEYSPACE);
    }

    @LocalServerPort
    int port;

    @Autowired
    LambdaStore store;

    @Autowired
    GraphQlTester graphQl;

    @Autowired
    MeterRegistry meters;

    ApiClient api;

    @BeforeEach
    void seedOnce() {
        api = new ApiClient(port);
        if (!seeded) {
            SeededCells.write(store, VIEWS, EVENTS);
            SeededCells.publish(store, 2);
            seeded = true;
        }
    }

    @Test
    void viewsListsTheConfiguredViews() {
        ApiClient.Answer answer = api.get("/api/v1/views");
        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.body().findValuesAsString("name"))
                .containsExactly("pageviews", "visitors", "revenue", "max_order", "min_order");
        JsonNode revenue = answer.body().get(2);
        assertThat(revenue.get("measure").asString()).isEqualTo("sum(amount)");
        assertThat(revenue.get("groupBy").get(0).asString()).isEqualTo("country");
        assertThat(revenue.get("granularities").toString()).isEqualTo("[\"minute\",\"hour\",\"day\"]");
    }

    @Test
    void seriesHasEveryBucketTheOraclesValuesItsTotalAndProvenance() {
        for (ViewDefinition view : VIEWS.views()) {
            for (String key : List.of("/home", "/a|b")) {
                JsonNode series = rest(view.name(), key);
                Map<Instant, Double> expected = SeededCells.expectedSeries(view, EVENTS, key, HOURS);
                assertThat(points(series)).as(view.name() + " " + key).isEqualTo(expected);
                assertThat(number(series.get("total")))
                        .isEqualTo(SeededCells.expected(view, EVENTS, key, HOURS.from(), HOURS.to()));
                assertThat(series.get("key").asString()).isEqualTo(key);
                assertThat(series.get("granularity").asString()).isEqualTo("hour");
                JsonNode provenance = series.get("provenance");
                assertThat(provenance.get("batchVersion").asLong()).isEqualTo(2);
                assertThat(provenance.get("batchCut").asString()).isEqualTo("2026-11-20T10:30:00Z");
                assertThat(provenance.get("partial").asBoolean()).isFalse();
                assertThat(provenance.get("warnings").isEmpty()).isTrue();
                assertThat(provenance.has("speedThrough")).isTrue();
            }
        }
        // empty buckets: 0 for count, null for min
        assertThat(rest("pageviews", "/home").get("points").get(0).get("value").asLong()).isZero();
        assertThat(rest("min_order", "/home").get("points").get(0).get("value").isNull()).isTrue();
    }

    @Test
    void topRanksKeysByValueThenKey() {
        for (ViewDefinition view : VIEWS.views()) {
            ApiClient.Answer answer = api.get("/api/v1/views/" + view.name() + "/top?from=" + HOURS.from()
                    + "&to=" + HOURS.to() + "&limit=4");
            assertThat(answer.status()).isEqualTo(200);
            List<Map.Entry<String, Double>> items = new ArrayList<>();
            answer.body().get("items").forEach(item -> items.add(Map.entry(item.get("key").asString(),
                    item.get("value").asDouble())));
            assertThat(items).as(view.name())
                    .isEqualTo(SeededCells.expectedTop(view, EVENTS, HOURS.from(), HOURS.to(), 4));
            assertThat(answer.body().get("provenance").get("batchVersion").asLong()).isEqualTo(2);
        }
    }

    @Test
    void freshnessGivesTheVersionItsCutAndAge() {
        ApiClient.Answer answer = api.get("/api/v1/freshness");
        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.body().get("batchVersion").asLong()).isEqualTo(2);
        assertThat(answer.body().get("batchCut").asString()).isEqualTo("2026-11-20T10:30:00Z");
        assertThat(answer.body().get("batchAgeSeconds").asDouble()).isPositive();
        assertThat(answer.body().get("speedLagSeconds").isNull()).isTrue();
        assertThat(answer.body().get("warnings").toString()).contains("speed layer does not report its progress");

        graphQl.documentName("freshness").execute()
                .path("freshness.batchVersion").entity(Long.class).isEqualTo(2L)
                .path("freshness.batchCut").entity(String.class).isEqualTo("2026-11-20T10:30:00Z");
    }

    @Test
    void graphqlSeriesAndTopGiveTheOraclesNumbers() {
        ViewDefinition revenue = VIEWS.get("revenue");
        GraphQlTester.Response response = graphQl.documentName("series")
                .variable("view", "revenue").variable("key", "/cart")
                .variable("from", HOURS.from().toString()).variable("to", HOURS.to().toString())
                .variable("granularity", "HOUR")
                .execute();
        response.path("series.granularity").entity(String.class).isEqualTo("HOUR");
        response.path("series.points[*].value").entityList(Double.class)
                .containsExactly(SeededCells.expectedSeries(revenue, EVENTS, "/cart", HOURS).values()
                        .stream().map(v -> v).toArray(Double[]::new));
        response.path("series.total").entity(Double.class)
                .isEqualTo(SeededCells.expected(revenue, EVENTS, "/cart", HOURS.from(), HOURS.to()));
        response.path("series.provenance.batchVersion").entity(Long.class).isEqualTo(2L);

        graphQl.documentName("top").variable("view", "visitors")
                .variable("from", HOURS.from().toString()).variable("to", HOURS.to().toString())
                .execute()
                .path("top.items[*].key").entityList(String.class)
                .containsExactly(SeededCells.expectedTop(VIEWS.get("visitors"), EVENTS, HOURS.from(), HOURS.to(), 10)
                        .stream().map(Map.Entry::getKey).toArray(String[]::new));

        graphQl.documentName("views").execute()
                .path("views[0].granularities").entityList(String.class).containsExactly("MINUTE", "HOUR", "DAY");
    }

    @Test
    void restAndGraphqlAnswerTheSameQuestionWithTheSameNumbers() {
        for (ViewDefinition view : VIEWS.views()) {
            for (String key : SeededCells.KEYS) {
                JsonNode rest = rest(view.name(), key);
                ApiClient.Answer graphql = api.graphql("series", Map.of("view", view.name(), "key", key,
                        "from", HOURS.from().toString(), "to", HOURS.to().toString(), "granularity", "HOUR"));
                assertThat(graphql.body().has("errors")).as(graphql.body().toString()).isFalse();
                JsonNode series = graphql.body().get("data").get("series");
                assertThat(points(series)).as(view.name() + " " + key).isEqualTo(points(rest));
                assertThat(number(series.get("total"))).isEqualTo(number(rest.get("total")));
                assertThat(series.get("provenance").toString()).isEqualTo(rest.get("provenance").toString());
            }
            JsonNode restTop = api.get("/api/v1/views/" + view.name() + "/top?from=" + HOURS.from() + "&to="
                    + HOURS.to() + "&limit=5").body();
            JsonNode graphqlTop = api.graphql("top", Map.of("view", view.name(), "from", HOURS.from().toString(),
                    "to", HOURS.to().toString(), "limit", 5)).body().get("data").get("top");
            assertThat(items(graphqlTop)).as(view.name() + " top").isEqualTo(items(restTop));
        }
    }

    @Test
    void aRangeInsideBucketsInEpochMillisecondsIsWidenedAndAnsweredAsTheWholeBuckets() {
        // 06:30:00.001 to 13:00:00.001 as Grafana sends them: the hours 06:00 to 14:00, the oracle's numbers
        long from = HOURS.from().toEpochMilli() + 1_800_001;
        long to = HOURS.to().toEpochMilli() - 3_599_999;
        ApiClient.Answer answer = api.get("/api/v1/views/revenue/series?key=%2Fcart&granularity=hour&from=" + from
                + "&to=" + to);
        assertThat(answer.status()).as(answer.body().toString()).isEqualTo(200);
        assertThat(answer.body().get("from").asString()).isEqualTo(HOURS.from().toString());
        assertThat(answer.body().get("to").asString()).isEqualTo(HOURS.to().toString());
        assertThat(points(answer.body())).isEqualTo(SeededCells.expectedSeries(VIEWS.get("revenue"), EVENTS, "/cart", HOURS));
        assertThat(answer.body().get("provenance").get("warnings").toString()).contains("widened to whole hour buckets");

        // GraphQL reads the same instants as integer variables and answers the same buckets
        ApiClient.Answer graphql = api.graphql("seriesRange", Map.of("view", "revenue", "key", "/cart",
                "from", from, "to", to, "granularity", "HOUR"));
        assertThat(graphql.body().has("errors")).as(graphql.body().toString()).isFalse();
        JsonNode series = graphql.body().get("data").get("series");
        assertThat(series.get("from").asString()).isEqualTo(HOURS.from().toString());
        assertThat(series.get("to").asString()).isEqualTo(HOURS.to().toString());
        assertThat(points(series)).isEqualTo(points(answer.body()));

        // 06:00:00.001 to 13:00:00.001: 421 minute buckets are more than top.max-buckets, so whole hours
        ApiClient.Answer top = api.get("/api/v1/views/visitors/top?limit=3&from=" + (HOURS.from().toEpochMilli() + 1)
                + "&to=" + to);
        assertThat(top.status()).isEqualTo(200);
        assertThat(top.body().get("granularity").asString()).isEqualTo("hour");
        assertThat(items(top.body())).isEqualTo(SeededCells.expectedTop(VIEWS.get("visitors"), EVENTS, HOURS.from(),
                HOURS.to(), 3));
    }

    @Test
    void openApiDocumentAndSwaggerUiAreServed() {
        ApiClient.Answer docs = api.get("/v3/api-docs");
        assertThat(docs.status()).isEqualTo(200);
        assertThat(docs.body().get("paths").propertyNames())
                .contains("/api/v1/views", "/api/v1/views/{view}/series", "/api/v1/views/{view}/top",
                        "/api/v1/views/{view}/keys", "/api/v1/freshness");
        JsonNode keys = docs.body().get("paths").get("/api/v1/views/{view}/keys").get("get");
        assertThat(keys.get("parameters").findValuesAsString("name")).contains("view", "prefix", "limit");
        assertThat(docs.body().get("paths").get("/api/v1/views/{view}/series").get("get").get("parameters").toString())
                .contains("epoch milliseconds");
        assertThat(api.get("/swagger-ui/index.html").status()).isEqualTo(200);
    }

    @Test
    void requestsAreTimedByEndpointApiAndOutcome() {
        rest("pageviews", "/home");
        api.graphql("series", Map.of("view", "pageviews", "key", "/home", "from", HOURS.from().toString(),
                "to", HOURS.to().toString(), "granularity", "HOUR"));
        api.get("/api/v1/views/nope/series?key=x&from=" + HOURS.from() + "&to=" + HOURS.to());
        assertThat(meters.get("lambda.query.requests").tags("endpoint", "series", "api", "rest", "outcome", "ok")
                .timer().count()).isPositive();
        assertThat(meters.get("lambda.query.requests").tags("endpoint", "series", "api", "graphql", "outcome", "ok")
                .timer().count()).isPositive();
        assertThat(meters.get("lambda.query.requests").tags("endpoint", "series", "outcome", "not_found")
                .timer().count()).isPositive();
        assertThat(meters.get("lambda.query.layer.reads").tags("layer", "catalog", "outcome", "ok").timer().count())
                .isPositive();
        assertThat(meters.get("resilience4j.circuitbreaker.state").tags("name", "speed", "state", "closed")
                .gauge().value()).isEqualTo(1.0);
        assertThat(meters.find("cache.gets").tags("cache", "lambda.query.batch-cells").functionCounters()).isNotEmpty();
    }

    private JsonNode rest(String view, String key) {
        ApiClient.Answer answer = api.get("/api/v1/views/" + view + "/series?key="
                + URLEncoder.encode(key, StandardCharsets.UTF_8) + "&from=" + HOURS.from() + "&to=" + HOURS.to()
                + "&granularity=hour");
        assertThat(answer.status()).as(answer.body().toString()).isEqualTo(200);
        return answer.body();
    }

    static Map<Instant, Double> points(JsonNode series) {
        Map<Instant, Double> points = new LinkedHashMap<>();
        series.get("points").forEach(p -> points.put(Instant.parse(p.get("start").asString()), number(p.get("value"))));
        return points;
    }

    static List<Map.Entry<String, Double>> items(JsonNode top) {
        List<Map.Entry<String, Double>> items = new ArrayList<>();
        top.get("items").forEach(item -> items.add(Map.entry(item.get("key").asString(), item.get("value").asDouble())));
        return items;
    }

    static Double number(JsonNode value) {
        return value == null || value.isNull() ? null : value.asDouble();
    }
}
