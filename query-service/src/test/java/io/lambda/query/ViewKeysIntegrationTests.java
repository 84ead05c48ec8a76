package io.lambda.query;

import static org.assertj.core.api.Assertions.assertThat;

import io.lambda.core.cell.CellKey;
import io.lambda.core.cell.SpeedCellKey;
import io.lambda.core.time.Granularity;
import io.lambda.core.view.ViewCatalog;
import io.lambda.core.view.ViewDefinition;
import io.lambda.store.LambdaStore;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
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
 * {@code GET /api/v1/views/{view}/keys} and GraphQL's {@code keys} on real Cassandra: the keys of
 * the published batch version and of the speed layer in the recent day buckets, each once, in code
 * point order, prefix-filtered and limited; keys only in an unpublished version or older than the
 * lookback are not listed. Cells are written directly, in today's bucket and a few days back.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@Import(RealCassandra.class)
@ActiveProfiles("it")
class ViewKeysIntegrationTests {

    private static final String KEYSPACE = "it_keys_" + Long.toHexString(System.nanoTime());
    private static final ViewCatalog VIEWS = SeededCells.views();
    /** Every key listed for pageviews, in code point order: U+FFFD before U+1F600, unlike String.compareTo. */
    private static final List<String> LISTED = List.of("/a", "/b", "/c", "/d", "/e", "/\ufffd", "/\ud83d\ude00");
    private static boolean seeded;

    @DynamicPropertySource
    static void ownKeyspace(DynamicPropertyRegistry registry) {
        registry.add("lambda.store.keyspace", () -> KEYSPACE);
    }

    @LocalServerPort
    int port;

    @Autowired
    LambdaStore store;

    ApiClient api;

    @BeforeEach
    void seedOnce() {
        api = new ApiClient(port);
        if (!seeded) {
            seed();
            seeded = true;
        }
    }

    /**
     * Batch version 1 (published): /b and /d today, /a ten days ago, /old 40 days ago (outside the
     * lookback), two keys beyond the BMP today. Version 2 (not published): /unpublished today. Speed:
     * /b and /c today, /c in three epochs on two partitions (six rows, one key), /e yesterday.
     */
    private void seed() {
        ViewDefinition view = VIEWS.get("pageviews");
        Instant today = Granularity.DAY.bucketStart(Instant.now());
        List<CompletableFuture<Void>> writes = new ArrayList<>();
        for (String key : List.of("/b", "/d", "/\ufffd", "/\ud83d\ude00")) {
            writes.add(batch(view, 1, key, today));
        }
        writes.add(batch(view, 1, "/a", today.minus(Duration.ofDays(10))));
        writes.add(batch(view, 1, "/old", today.minus(Duration.ofDays(40))));
        writes.add(batch(view, 2, "/unpublished", today));
        for (long epoch = 100; epoch < 103; epoch++) {
            for (int partition = 0; partition < 2; partition++) {
                writes.add(speed(view, "/c", today, epoch, partition));
            }
        }
        writes.add(speed(view, "/b", today, 100, 0));
        writes.add(speed(view, "/e", today.minus(Duration.ofDays(1)), 100, 1));
        CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).join();
        SeededCells.publish(store, 1, Instant.now().minus(Duration.ofHours(1)));
    }

    private CompletableFuture<Void> batch(ViewDefinition view, long version, String key, Instant day) {
        CellKey cell = new CellKey(view.name(), key, Granularity.DAY, day.toEpochMilli());
        return store.batchCells().write(version, cell, view.cellMeasure().encode(view.cellMeasure().zero()))
                .toCompletableFuture();
    }

    private CompletableFuture<Void> speed(ViewDefinition view, String key, Instant day, long epoch, int partition) {
        CellKey cell = new CellKey(view.name(), key, Granularity.DAY, day.toEpochMilli());
        return store.speedCells().write(new SpeedCellKey(cell, epoch, partition),
                view.cellMeasure().encode(view.cellMeasure().zero()), 0).toCompletableFuture();
    }

    @Test
    void keysOfThePublishedBatchAndTheSpeedLayerAreListedOnceInCodePointOrder() {
        JsonNode answer = keys("pageviews", null, null);

        assertThat(answer.get("view").asString()).isEqualTo("pageviews");
        assertThat(strings(answer.get("keys"))).isEqualTo(LISTED);
        assertThat(answer.get("provenance").get("batchVersion").asLong()).isEqualTo(1);
        assertThat(answer.get("provenance").get("partial").asBoolean()).isFalse();
    }

    @Test
    void aPrefixAndALimitTakeTheFirstMatchingKeysAcrossBucketsAndLayers() {
        // /a only ten days back in batch, /b today in both, /c only in speed
        assertThat(strings(keys("pageviews", "/", 3).get("keys"))).containsExactly("/a", "/b", "/c");
        assertThat(strings(keys("pageviews", "/d", 10).get("keys"))).containsExactly("/d");
        assertThat(strings(keys("pageviews", "/\ud83d\ude00", 10).get("keys"))).containsExactly("/\ud83d\ude00");
        assertThat(strings(keys("pageviews", "/\ufffd", 10).get("keys"))).containsExactly("/\ufffd");
        assertThat(strings(keys("pageviews", "/z", 10).get("keys"))).isEmpty();
        assertThat(strings(keys("pageviews", "", 1000).get("keys"))).isEqualTo(LISTED);
        assertThat(strings(keys("visitors", null, null).get("keys"))).isEmpty();
    }

    @Test
    void graphqlListsTheSameKeysAsRest() {
        for (Map<String, Object> variables : List.<Map<String, Object>>of(Map.of("view", "pageviews"),
                Map.of("view", "pageviews", "prefix", "/", "limit", 2),
                Map.of("view", "pageviews", "prefix", "/e"))) {
            ApiClient.Answer graphql = api.graphql("keys", variables);
            assertThat(graphql.body().has("errors")).as(graphql.body().toString()).isFalse();
            JsonNode listed = graphql.body().get("data").get("keys");
            JsonNode rest = keys("pageviews", (String) variables.get("prefix"), (Integer) variables.get("limit"));
            assertThat(strings(listed.get("keys"))).as(variables.toString()).isEqualTo(strings(rest.get("keys")));
            assertThat(listed.get("view").asString()).isEqualTo("pageviews");
        }
    }

    @Test
    void badParametersAreProblemDetails() {
        String base = "/api/v1/views/pageviews/keys";
        assertProblem(api.get(base + "?limit=0"), 400, "limit");
        assertProblem(api.get(base + "?limit=1001"), 400, "limit");
        assertProblem(api.get(base + "?limit=many"), 400, null);
        assertProblem(api.get(base + "?prefix=%ED%A0%80"), 400, null); // half a surrogate pair, as UTF-8
        assertProblem(api.get("/api/v1/views/nope/keys"), 404, null);
        assertThat(api.get("/api/v1/views/nope/keys").body().get("type").asString())
                .isEqualTo("urn:lambda:problem:unknown-view");
    }

    private JsonNode keys(String view, String prefix, Integer limit) {
        StringBuilder path = new StringBuilder("/api/v1/views/" + view + "/keys?");
        if (prefix != null) {
            path.append("prefix=").append(URLEncoder.encode(prefix, StandardCharsets.UTF_8)).append('&');
        }
        if (limit != null) {
            path.append("limit=").append(limit);
        }
        ApiClient.Answer answer = api.get(path.toString());
        assertThat(answer.status()).as(answer.body().toString()).isEqualTo(200);
        return answer.body();
    }

    private static void assertProblem(ApiClient.Answer answer, int status, String parameter) {
        assertThat(answer.status()).as(answer.body().toString()).isEqualTo(status);
        assertThat(answer.contentType()).startsWith("application/problem+json");
        assertThat(answer.body().get("detail").asString()).isNotBlank();
        if (parameter != null) {
            assertThat(answer.body().get("parameter").asString()).isEqualTo(parameter);
        }
    }

    private static List<String> strings(JsonNode array) {
        List<String> strings = new ArrayList<>();
        array.forEach(value -> strings.add(value.asString()));
        return strings;
    }
}
