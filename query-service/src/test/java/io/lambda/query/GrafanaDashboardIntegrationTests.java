package io.lambda.query;

import static org.assertj.core.api.Assertions.assertThat;

import io.lambda.core.event.Event;
import io.lambda.core.view.ViewCatalog;
import io.lambda.localservers.ProjectHome;
import io.lambda.query.SeededCells.TestEvent;
import io.lambda.store.LambdaStore;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The shipped Grafana dashboard (helm/lambda/files/grafana/lambda-views.json) against the running
 * service, as Grafana's Infinity data source would send its requests: every variable's keys query and
 * every panel's query, with Grafana's variables substituted the way Grafana does it
 * ({@code ${__from}}/{@code ${__to}} as epoch milliseconds of "the last 24 hours", which is not on a
 * bucket boundary; a key variable as the first key its query lists; the query parameters
 * percent-encoded as the data source encodes them). Each must answer 200 with non-empty data that
 * has the fields the panel's columns select. The cells are written for events of the last 24 hours,
 * a batch version published 6 hours ago and the speed layer for the rest.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@Import(RealCassandra.class)
@ActiveProfiles("it")
class GrafanaDashboardIntegrationTests {

    private static final Logger log = LoggerFactory.getLogger(GrafanaDashboardIntegrationTests.class);
    private static final String KEYSPACE = "it_grafana_" + Long.toHexString(System.nanoTime());
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String INFINITY = "yesoreyeram-infinity-datasource";
    /** {@code $name}, {@code ${name}} or {@code ${name:format}}, as Grafana reads a variable reference. */
    private static final Pattern VARIABLE = Pattern.compile("\\$\\{([A-Za-z0-9_]+)(:[^}]*)?}|\\$([A-Za-z0-9_]+)");

    @DynamicPropertySource
    static void ownKeyspace(DynamicPropertyRegistry registry) {
        registry.add("lambda.store.keyspace", () -> KEYSPACE);
    }

    @LocalServerPort
    int port;

    @Autowired
    LambdaStore store;

    @Test
    void everyPanelAndVariableOfTheDashboardIsAnsweredWithDataOverAnUnalignedRange() throws IOException {
        Instant now = Instant.now();
        List<TestEvent> events = seedTheLast24Hours(now);
        Set<String> seededKeys = new TreeSet<>();
        events.forEach(e -> seededKeys.add(e.key()));
        ApiClient api = new ApiClient(port);
        JsonNode dashboard = JSON.readTree(Files.readString(dashboardFile()));

        // Grafana's time range "now-24h" to "now": epoch milliseconds, not on any bucket boundary
        Instant from = now.minus(Duration.ofHours(24));
        Map<String, String> values = new HashMap<>();
        values.put("__from", Long.toString(from.toEpochMilli()));
        values.put("__to", Long.toString(now.toEpochMilli()));

        int variables = 0;
        for (JsonNode variable : dashboard.get("templating").get("list")) {
            String name = variable.get("name").asString();
            switch (variable.get("type").asString()) {
                case "datasource" -> assertThat(variable.get("query").asString()).isEqualTo(INFINITY);
                case "custom" -> values.put(name, variable.get("current").get("value").asString());
                case "query" -> {
                    JsonNode query = variable.get("query").get("infinityQuery");
                    assertThat(variable.get("datasource").get("type").asString()).isEqualTo(INFINITY);
                    JsonNode listed = select(request(api, query, values), query);
                    assertThat(listed.isArray() && !listed.isEmpty()).as(name + ": " + listed).isTrue();
                    // Grafana selects the first option when nothing is selected yet
                    String first = listed.get(0).asString();
                    assertThat(seededKeys).as(name).contains(first);
                    values.put(name, first);
                    variables++;
                }
                default -> throw new AssertionError("a variable type this test does not substitute: " + variable);
            }
        }

        int panels = 0;
        Set<String> endpoints = new TreeSet<>();
        for (JsonNode panel : allPanels(dashboard.get("panels"))) {
            assertThat(panel.get("datasource").get("type").asString()).as(panel.get("title").asString())
                    .isEqualTo(INFINITY);
            assertThat(panel.get("targets")).isNotEmpty();
            for (JsonNode target : panel.get("targets")) {
                JsonNode answer = request(api, target, values);
                JsonNode rows = select(answer, target);
                String what = panel.get("title").asString() + ": " + answer;
                assertThat(rows.isArray() && !rows.isEmpty()).as(what).isTrue();
                for (JsonNode column : target.get("columns")) {
                    rows.forEach(row -> assertThat(row.has(column.get("selector").asString())).as(what).isTrue());
                }
                if (target.get("url").asString().endsWith("/series")) {
                    // widened to whole buckets around the unaligned range, with something counted in it
                    assertThat(Instant.parse(answer.get("from").asString())).isBeforeOrEqualTo(from);
                    assertThat(Instant.parse(answer.get("to").asString())).isAfterOrEqualTo(now);
                    assertThat(answer.get("provenance").get("warnings").toString()).contains("widened");
                    List<Double> counted = new ArrayList<>();
                    rows.forEach(point -> {
                        if (!point.get("value").isNull() && point.get("value").asDouble() > 0) {
                            counted.add(point.get("value").asDouble());
                        }
                    });
                    assertThat(counted).as(what).isNotEmpty();
                }
                endpoints.add(target.get("url").asString());
            }
            panels++;
        }

        log.info("Grafana dashboard {}: {} panels and {} key variables answered with data ({} endpoints)",
                dashboardFile().getFileName(), panels, variables, endpoints.size());
        assertThat(panels).isEqualTo(8);
        assertThat(variables).isEqualTo(4);
        for (String view : List.of("pageviews", "visitors", "revenue", "max_order")) {
            assertThat(endpoints).contains("/api/v1/views/" + view + "/series", "/api/v1/views/" + view + "/top");
        }
    }

    /**
     * The request the Infinity data source sends for a query: its URL on the data source's base URL
     * (query-service), the query parameters after variable substitution, percent-encoded.
     */
    private static JsonNode request(ApiClient api, JsonNode query, Map<String, String> values) {
        assertThat(query.get("source").asString()).isEqualTo("url");
        assertThat(query.get("url_options").get("method").asString()).isEqualTo("GET");
        String url = substitute(query.get("url").asString(), values);
        StringBuilder pathAndQuery = new StringBuilder(url);
        char separator = url.contains("?") ? '&' : '?';
        for (JsonNode param : query.get("url_options").get("params")) {
            pathAndQuery.append(separator)
                    .append(URLEncoder.encode(param.get("key").asString(), StandardCharsets.UTF_8)).append('=')
                    .append(URLEncoder.encode(substitute(param.get("value").asString(), values), StandardCharsets.UTF_8));
            separator = '&';
        }
        ApiClient.Answer answer = api.get(pathAndQuery.toString());
        assertThat(answer.status()).as(pathAndQuery + " -> " + answer.body()).isEqualTo(200);
        return answer.body();
    }

    /** Replaces every variable reference; one the test has no value for fails the test, as it would show nothing. */
    private static String substitute(String text, Map<String, String> values) {
        Matcher reference = VARIABLE.matcher(text);
        StringBuilder out = new StringBuilder();
        while (reference.find()) {
            String name = reference.group(1) != null ? reference.group(1) : reference.group(3);
            assertThat(reference.group(2)).as("a format in " + text + " (this test substitutes raw values only)")
                    .isNull();
            assertThat(values).as("a value for $" + name + " in " + text).containsKey(name);
            reference.appendReplacement(out, Matcher.quoteReplacement(values.get(name)));
        }
        reference.appendTail(out);
        return out.toString();
    }

    /** The rows a query's root selector picks: a plain field path of the answer. */
    private static JsonNode select(JsonNode answer, JsonNode query) {
        JsonNode rows = answer;
        for (String field : query.get("root_selector").asString().split("\\.")) {
            rows = rows.path(field);
        }
        return rows;
    }

    private static List<JsonNode> allPanels(JsonNode panels) {
        List<JsonNode> all = new ArrayList<>();
        for (JsonNode panel : panels) {
            if (panel.has("panels")) { // a row
                all.addAll(allPanels(panel.get("panels")));
            }
            if (panel.has("targets")) {
                all.add(panel);
            }
        }
        return all;
    }

    private static Path dashboardFile() {
        return ProjectHome.locate().root().resolve("helm/lambda/files/grafana/lambda-views.json");
    }

    /**
     * 400 events with event times over the last 23 hours, ingested within a minute of them; batch
     * version 1 holds those ingested before its cut (6 hours ago, on an ingest epoch boundary), the
     * speed layer every event.
     */
    private List<TestEvent> seedTheLast24Hours(Instant now) {
        Random random = new Random(20261207);
        List<TestEvent> events = new ArrayList<>();
        long[] offsets = new long[3];
        for (int i = 0; i < 400; i++) {
            String key = SeededCells.KEYS.get(i % SeededCells.KEYS.size());
            Instant eventTime = now.minus(Duration.ofHours(23)).plusMillis(random.nextInt(22 * 3_600_000));
            Instant ingest = eventTime.plusMillis(random.nextInt(60_000));
            int partition = random.nextInt(3);
            Map<String, Object> attributes = new LinkedHashMap<>(Map.of("url", key, "country", key,
                    "userId", "u" + random.nextInt(40), "amount", (1 + random.nextInt(50_000)) / 100.0));
            events.add(new TestEvent(new Event("g-" + i, "pageview", eventTime, attributes), key, ingest, partition,
                    offsets[partition]++));
        }
        ViewCatalog views = SeededCells.views();
        Instant cut = Instant.ofEpochMilli(SeededCells.EPOCHS.cutAtOrBefore(now.minus(Duration.ofHours(6)).toEpochMilli()));
        SeededCells.writeBatch(store, views, events, Map.of(1L, cut));
        SeededCells.writeSpeed(store, views, events);
        SeededCells.publish(store, 1, cut);
        return events;
    }
}
