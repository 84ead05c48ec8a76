package io.lambda.query;

import static org.assertj.core.api.Assertions.assertThat;

import com.datastax.oss.driver.api.core.CqlSession;
import io.lambda.core.time.BucketRange;
import io.lambda.core.time.Granularity;
import io.lambda.core.view.ViewCatalog;
import io.lambda.core.view.ViewDefinition;
import io.lambda.query.SeededCells.TestEvent;
import io.lambda.store.LambdaSchema;
import io.lambda.store.LambdaStore;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * Invariant 8 of docs/architecture.md, fail loudly: with a layer's tables dropped, the answer is
 * the other layer's part alone, flagged {@code partial} with a warning naming the missing layer,
 * and its numbers are exactly that part (never a silent zero, never a mix); without the catalog the
 * answer is a 503. Restored (tables recreated by LambdaSchema, cells rewritten), answers are whole
 * again.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "lambda.query.layers.speed.minimum-reads=2", "lambda.query.layers.speed.sliding-window=4",
        "lambda.query.layers.speed.open-for=500ms",
        "lambda.query.layers.batch.minimum-reads=2", "lambda.query.layers.batch.sliding-window=4",
        "lambda.query.layers.batch.open-for=500ms",
        "lambda.query.layers.catalog.minimum-reads=2", "lambda.query.layers.catalog.sliding-window=4",
        "lambda.query.layers.catalog.open-for=500ms", "lambda.query.catalog-max-age=0ms"})
@Import(RealCassandra.class)
@ActiveProfiles("it")
class DegradedModeIntegrationTests {

    private static final String KEYSPACE = "it_degraded_" + Long.toHexString(System.nanoTime());
    private static final ViewCatalog VIEWS = SeededCells.views();
    private static final List<TestEvent> EVENTS = SeededCells.events();
    private static final BucketRange HOURS = new BucketRange(Granularity.HOUR, SeededCells.FROM, SeededCells.TO);
    private static final Instant CUT = SeededCells.CUTS.get(2L);
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
    CqlSession session;

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
    void speedUnreadableGivesTheBatchPartAloneFlaggedThenWholeWhenRestored() {
        ViewDefinition pageviews = VIEWS.get("pageviews");
        List<TestEvent> batchPart = EVENTS.stream().filter(e -> e.ingestTime().isBefore(CUT)).toList();
        assertWhole("pageviews", "/home");

        session.execute("DROP TABLE " + KEYSPACE + ".speed_cells");
        session.execute("DROP TABLE " + KEYSPACE + ".speed_cells_by_bucket");
        try {
            for (int i = 0; i < 6; i++) { // past the breaker's window: open or not, still flagged
                JsonNode series = series("pageviews", "/home");
                assertThat(series.get("provenance").get("partial").asBoolean()).isTrue();
                assertThat(series.get("provenance").get("warnings").get(0).asString()).startsWith("speed layer unreadable");
                assertThat(QueryApiIntegrationTests.points(series))
                        .isEqualTo(SeededCells.expectedSeries(pageviews, batchPart, "/home", HOURS));
            }
            JsonNode top = top("revenue");
            assertThat(top.get("provenance").get("partial").asBoolean()).isTrue();
            assertThat(QueryApiIntegrationTests.items(top))
                    .isEqualTo(SeededCells.expectedTop(VIEWS.get("revenue"), batchPart, HOURS.from(), HOURS.to(), 5));
            ApiClient.Answer graphql = api.graphql("series", Map.of("view", "pageviews", "key", "/home",
                    "from", HOURS.from().toString(), "to", HOURS.to().toString(), "granularity", "HOUR"));
            assertThat(graphql.body().get("data").get("series").get("provenance").get("partial").asBoolean()).isTrue();
            assertThat(meters.get("lambda.query.partial.answers").tags("missing", "speed").counter().count())
                    .isPositive();
            assertThat(meters.get("lambda.query.requests").tags("endpoint", "series", "outcome", "partial")
                    .timer().count()).isPositive();
        } finally {
            LambdaSchema.apply(session, store.settings());
            SeededCells.writeSpeed(store, VIEWS, EVENTS);
        }
        // the breaker lets a few reads through once its open interval is over, and closes when they succeed
        Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .untilAsserted(() -> {
                    assertWhole("pageviews", "/home");
                    assertWhole("revenue", "/a|b");
                });
    }

    @Test
    void batchUnreadableGivesTheSpeedPartAloneFlaggedThenWholeWhenRestored() {
        List<TestEvent> speedPart = EVENTS.stream().filter(e -> !e.ingestTime().isBefore(CUT)).toList();
        ViewDefinition maxOrder = VIEWS.get("max_order");
        session.execute("DROP TABLE " + KEYSPACE + ".batch_cells");
        session.execute("DROP TABLE " + KEYSPACE + ".batch_cells_by_bucket");
        try {
            // a key no test has read yet: batch reads are cached per version, and a cached one would still answer
            JsonNode series = series("max_order", "/docs");
            assertThat(series.get("provenance").get("partial").asBoolean()).isTrue();
            assertThat(series.get("provenance").get("warnings").get(0).asString()).startsWith("batch layer unreadable");
            assertThat(QueryApiIntegrationTests.points(series))
                    .isEqualTo(SeededCells.expectedSeries(maxOrder, speedPart, "/docs", HOURS));
        } finally {
            LambdaSchema.apply(session, store.settings());
            SeededCells.writeBatch(store, VIEWS, EVENTS, List.of(2L));
        }
        Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .untilAsserted(() -> assertWhole("max_order", "/docs"));
    }

    @Test
    void catalogUnreadableIsA503NotAGuess() {
        session.execute("DROP TABLE " + KEYSPACE + ".batch_catalog");
        try {
            for (String path : List.of("/api/v1/views/pageviews/series?key=%2Fhome&from=" + HOURS.from() + "&to="
                    + HOURS.to(), "/api/v1/views/pageviews/top?from=" + HOURS.from() + "&to=" + HOURS.to(),
                    "/api/v1/freshness")) {
                ApiClient.Answer answer = api.get(path);
                assertThat(answer.status()).as(path).isEqualTo(503);
                assertThat(answer.contentType()).startsWith("application/problem+json");
                assertThat(answer.retryAfter()).isNotBlank();
                assertThat(answer.body().get("layer").asString()).isEqualTo("catalog");
                assertThat(answer.body().get("type").asString()).isEqualTo("urn:lambda:problem:layer-unavailable");
            }
            ApiClient.Answer graphql = api.graphql("seriesTotal", Map.of("view", "pageviews", "key", "/home",
                    "from", HOURS.from().toString(), "to", HOURS.to().toString(), "granularity", "HOUR"));
            assertThat(graphql.body().get("errors").get(0).get("extensions").get("classification").asString())
                    .isEqualTo("UNAVAILABLE");
        } finally {
            LambdaSchema.apply(session, store.settings());
            SeededCells.publish(store, 2);
        }
        Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .untilAsserted(() -> assertWhole("visitors", "/cart"));
    }

    private void assertWhole(String viewName, String key) {
        JsonNode series = series(viewName, key);
        assertThat(series.get("provenance").get("partial").asBoolean()).as(series.toString()).isFalse();
        assertThat(QueryApiIntegrationTests.points(series))
                .isEqualTo(SeededCells.expectedSeries(VIEWS.get(viewName), EVENTS, key, HOURS));
    }

    private JsonNode series(String view, String key) {
        ApiClient.Answer answer = api.get("/api/v1/views/" + view + "/series?key="
                + URLEncoder.encode(key, StandardCharsets.UTF_8) + "&from=" + HOURS.from() + "&to=" + HOURS.to());
        assertThat(answer.status()).as(answer.body().toString()).isEqualTo(200);
        return answer.body();
    }

    private JsonNode top(String view) {
        ApiClient.Answer answer = api.get("/api/v1/views/" + view + "/top?from=" + HOURS.from() + "&to="
                + HOURS.to() + "&limit=5");
        assertThat(answer.status()).as(answer.body().toString()).isEqualTo(200);
        return answer.body();
    }
}
