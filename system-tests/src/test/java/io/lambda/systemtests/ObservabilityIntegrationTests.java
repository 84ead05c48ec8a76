package io.lambda.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

import io.lambda.core.event.Event;
import io.lambda.localservers.PrometheusServer;
import io.lambda.localservers.ProjectHome;
import io.lambda.localservers.RealServers;
import io.lambda.localservers.StackLayout;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import tools.jackson.databind.JsonNode;

/**
 * The observability of the running stack, through a real Prometheus (Debian's package, started by
 * {@link PrometheusServer} as {@code ./lambda up --with-prometheus} does) scraping the four service
 * processes: the SLI series exist and move with traffic, every metric the dashboards and alert rules
 * use is really exported, and one trace id runs from an ingest request through Kafka into the speed
 * layer and the archiver.
 *
 * <p>Its own layout ({@code obs-live}: services on 26080-26083, Prometheus on 26090, below the ephemeral port range) so it runs beside
 * the other system tests; the shared test Kafka and Cassandra, with a keyspace and topic of its own.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class) // the name check needs the series a batch run registers
class ObservabilityIntegrationTests {

    private static final int PROMETHEUS_PORT = 26090;
    private static final Path CHART_FILES = ProjectHome.locate().root().resolve("helm/lambda/files");
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static final int EVENTS_PER_ROUND = 300;

    /**
     * Metric names the dashboards or rules use that a healthy run like this one does not export yet,
     * and why; everything else must be in Prometheus.
     */
    private static final Map<String, String> ABSENT_UNTIL_AN_EVENT = Map.of(
            "lambda_query_partial_answers_total", "registered on the first partial answer: needs a storage layer down");

    /** Metric series are lower_snake names with one of the prefixes our services and their binders use. */
    private static final Pattern METRIC = Pattern.compile(
            "\\b((?:lambda|jvm|http_server|cassandra|kafka|resilience4j|cache|process|system|tomcat|executor|hikaricp)_[a-z0-9_]+)\\b");

    /** Labels the scraping Prometheus adds (namespace: the operator's, in Kubernetes), or histograms carry. */
    private static final Set<String> LABELS_FROM_THE_SCRAPER = Set.of("le", "instance", "job", "namespace");

    private static final Pattern GROUPING = Pattern.compile("\\b(?:by|without)\\s*\\(([^)]*)\\)");
    private static final Pattern MATCHER = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)\\s*(?:=~|!~|!=|=)\\s*\"");

    private static RunningStack stack;
    private static LambdaClient client;
    private static PrometheusServer prometheus;

    @BeforeAll
    static void startStackAndPrometheus() throws Exception {
        if (!PrometheusServer.isInstalled()) {
            fail("Prometheus is not installed (Debian's prometheus package; .ci/run installs it when missing)");
        }
        ProjectHome home = ProjectHome.locate();
        RealServers servers = RealServers.get();
        Map<String, Integer> ports = new LinkedHashMap<>();
        ports.put("ingest-service", 26081);
        ports.put("speed-service", 26082);
        ports.put("batch-service", 26083);
        ports.put("query-service", 26080);
        StackLayout layout = new StackLayout("obs-live", home.stateDir().resolve("obs-live"),
                port(servers.kafkaBootstrapServers()), 0, port(servers.cassandraContactPoint()), 0, ports);
        // the consumers log each sampled trace they continue (ConsumedTraces), which the trace test reads
        stack = RunningStack.onSharedServers(Duration.ofSeconds(10), layout, Map.of("logging.level.io.lambda.store.trace", "debug"));
        client = new LambdaClient(stack);
        prometheus = new PrometheusServer(layout, PROMETHEUS_PORT);
        try {
            prometheus.start(Duration.ofSeconds(60));
        } catch (RuntimeException | IOException e) {
            stopAll();
            throw e;
        }
    }

    @AfterAll
    static void stopAll() {
        if (prometheus != null) {
            prometheus.stop();
        }
        if (stack != null) {
            stack.close();
        }
    }

    private static int port(String hostAndPort) {
        return Integer.parseInt(hostAndPort.substring(hostAndPort.lastIndexOf(':') + 1));
    }

    @Test
    @Order(1)
    void keySeriesExistAndMoveWithTraffic() throws Exception {
        await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() ->
                assertThat(labelValues("up{job=\"lambda\"} == 1", "instance")).containsExactlyInAnyOrderElementsOf(
                        stack.layout().servicePorts().values().stream().map(p -> "127.0.0.1:" + p).toList()));
        assertThat(labelValues("count by (application) (jvm_memory_used_bytes)", "application"))
                .containsExactlyInAnyOrder("ingest-service", "speed-service", "batch-service", "query-service");

        client.ingest(events("r1", EVENTS_PER_ROUND), 100);
        HttpResponse<String> rejected = client.post(stack.url("ingest-service", "/api/v1/events"),
                "[{\"eventId\":\"no-timestamp\",\"type\":\"pageview\",\"attributes\":{\"url\":\"/a\"}}]");
        assertThat(rejected.statusCode()).as(rejected.body()).isBetween(400, 499);
        query();

        awaitAtLeast("sum(lambda_ingest_events_total{outcome=\"accepted\"})", EVENTS_PER_ROUND);
        awaitAtLeast("sum(lambda_ingest_events_total{outcome=\"rejected\"})", 1);
        awaitAtLeast("sum(lambda_ingest_kafka_send_seconds_count{outcome=\"acknowledged\"})", 3);
        awaitAtLeast("sum(lambda_speed_events_total{outcome=\"applied\"})", EVENTS_PER_ROUND);
        awaitAtLeast("sum(lambda_speed_freshness_seconds_count)", EVENTS_PER_ROUND);
        awaitAtLeast("count(lambda_speed_freshness_seconds_bucket)", 10); // buckets for p50/p99
        awaitAtLeast("count(lambda_speed_lag)", 6); // one per partition
        awaitAtLeast("sum(lambda_batch_archiver_events_total{outcome=\"archived\"})", EVENTS_PER_ROUND);
        awaitAtLeast("count(lambda_batch_archiver_lag_seconds >= 0)", 1);
        awaitAtLeast("sum(lambda_query_requests_seconds_count{endpoint=\"series\", outcome=\"ok\"})", 1);
        awaitAtLeast("count(lambda_query_layer_reads_seconds_bucket{layer=\"speed\"})", 10);
        awaitAtLeast("count(resilience4j_circuitbreaker_state{state=\"closed\"} == 1)", 3);
        for (String service : List.of("speed-service", "batch-service", "query-service")) {
            awaitAtLeast("sum(cassandra_session_cql_requests_seconds_count{application=\"" + service + "\"})", 1);
        }
        awaitAtLeast("sum(kafka_producer_record_send_total{application=\"ingest-service\"})", EVENTS_PER_ROUND);
        awaitAtLeast("sum(kafka_consumer_fetch_manager_records_consumed_total{application=\"speed-service\"})",
                EVENTS_PER_ROUND);
        awaitAtLeast("sum(http_server_requests_seconds_count{application=\"ingest-service\", uri=\"/api/v1/events\"})", 4);
        // every series the services export carries the application tag (up and scrape_* are Prometheus's own)
        assertThat(value("count({job=\"lambda\", application=\"\", __name__!~\"up|scrape_.+\"})")).isNaN();

        // the series move: a second round of traffic shows up in Prometheus
        double accepted = value("sum(lambda_ingest_events_total{outcome=\"accepted\"})");
        double applied = value("sum(lambda_speed_events_total{outcome=\"applied\"})");
        double queries = value("sum(lambda_query_requests_seconds_count)");
        client.ingest(events("r2", EVENTS_PER_ROUND), 100);
        query();
        awaitAtLeast("sum(lambda_ingest_events_total{outcome=\"accepted\"})", accepted + EVENTS_PER_ROUND);
        awaitAtLeast("sum(lambda_speed_events_total{outcome=\"applied\"})", applied + EVENTS_PER_ROUND);
        awaitAtLeast("sum(lambda_query_requests_seconds_count)", queries + 2);

        // a batch run publishes, ages the cut from the new version, and compares the speed cells it absorbed
        Instant lastIngest = Instant.now();
        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(2)).untilAsserted(() -> {
            JsonNode run = client.batchRun("incremental");
            assertThat(run.path("cut").isNull() || run.path("cut").isMissingNode()).as(run.toString()).isFalse();
            assertThat(Instant.parse(run.get("cut").asString())).as(run.toString()).isAfter(lastIngest);
        });
        awaitAtLeast("sum(lambda_batch_run_duration_seconds_count{outcome=\"completed\"})", 1);
        awaitAtLeast("count(lambda_batch_cut_age_seconds >= 0)", 1);
        awaitAtLeast("count(lambda_batch_publish_last_seconds > 0)", 1);
        awaitAtLeast("sum(lambda_batch_drift_checks_total{outcome=\"compared\"})", 1);
        awaitAtLeast("sum(lambda_batch_drift_cells_total{outcome=\"agreeing\"})", 1);
        // no duplicates were sent, so batch and speed must agree on every absorbed cell
        assertThat(value("sum(lambda_batch_drift_cells_total{outcome=\"drifting\"})")).isZero();
    }

    @Test
    @Order(2)
    void dashboardsParseAndUseOnlyExportedMetrics() throws Exception {
        Map<String, Set<String>> used = new TreeMap<>();
        List<String> allExpressions = new ArrayList<>();
        try (Stream<Path> files = Files.list(CHART_FILES.resolve("dashboards"))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".json")).sorted().toList()) {
                JsonNode dashboard = LambdaClient.JSON.readTree(Files.readString(file));
                List<String> expressions = new ArrayList<>();
                for (JsonNode panel : dashboard.path("panels")) {
                    for (JsonNode target : panel.path("targets")) {
                        expressions.add(target.path("expr").asString());
                    }
                }
                assertThat(expressions).as(file + ": PromQL targets").isNotEmpty().doesNotContain("");
                allExpressions.addAll(expressions);
                expressions.forEach(expr -> metricsIn(expr).forEach(
                        name -> used.computeIfAbsent(name, n -> new TreeSet<>()).add(file.getFileName().toString())));
            }
        }
        for (String expr : ruleExpressions()) {
            allExpressions.add(expr);
            metricsIn(expr).forEach(name -> used.computeIfAbsent(name, n -> new TreeSet<>()).add("rules/lambda.yaml"));
        }
        assertThat(used).containsKeys("lambda_speed_freshness_seconds_bucket", "lambda_batch_cut_age_seconds");

        // what the stack exports once traffic has flowed and a batch run published (the first test)
        client.ingest(events("names", 20), 20);
        query();
        Set<String> missing = new TreeSet<>();
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(2)).untilAsserted(() -> {
            Set<String> exported = metricNames();
            missing.clear();
            used.keySet().stream().filter(name -> !exported.contains(name))
                    .filter(name -> !ABSENT_UNTIL_AN_EVENT.containsKey(name))
                    .forEach(name -> missing.add(name + " (used by " + used.get(name) + ")"));
            assertThat(missing).as("metrics the dashboards and rules use that no service exports").isEmpty();
        });
        assertThat(used).as("names listed as absent until an event must still be used somewhere")
                .containsKeys(ABSENT_UNTIL_AN_EVENT.keySet().toArray(String[]::new));

        // every expression is valid PromQL, and the labels it groups or filters by exist on its metrics
        List<String> wrong = new ArrayList<>();
        for (String expr : allExpressions) {
            String runnable = expr.replace("$__rate_interval", "1m").replace("$application", ".*");
            JsonNode answer = prometheusGet("/api/v1/query?query=" + URLEncoder.encode(runnable, StandardCharsets.UTF_8));
            assertThat(answer.path("status").asString()).as(expr).isEqualTo("success");
            Set<String> metrics = metricsIn(expr);
            metrics.removeAll(ABSENT_UNTIL_AN_EVENT.keySet());
            if (metrics.isEmpty()) {
                continue;
            }
            String names = String.join("|", metrics);
            for (String label : labelsIn(expr)) {
                if (!LABELS_FROM_THE_SCRAPER.contains(label)
                        && Double.isNaN(value("count({__name__=~\"" + names + "\", " + label + "!=\"\"})"))) {
                    wrong.add(label + " on " + metrics + " in: " + expr);
                }
            }
        }
        assertThat(wrong).as("labels no series of the expression's metrics has").isEmpty();
    }

    @Test
    @Order(3)
    void oneTraceIdRunsFromTheIngestRequestThroughKafkaIntoBothConsumers() throws Exception {
        String traceId = UUID.randomUUID().toString().replace("-", "");
        String traceparent = "00-" + traceId + "-" + traceId.substring(0, 16) + "-01";
        String eventId = "traced-" + traceId.substring(0, 8);
        String body = LambdaClient.JSON.writeValueAsString(List.of(LambdaClient.json(new Event(eventId, "pageview",
                Instant.now().truncatedTo(ChronoUnit.MILLIS), Map.of("url", "/traced", "userId", "u-traced")))));
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(stack.url("ingest-service",
                        "/api/v1/events"))).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json").header("X-API-Key", stack.apiKey())
                .header("traceparent", traceparent)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);

        // the record on the topic carries the request's trace (a child span of it)
        String recordTraceparent = recordTraceparent(eventId);
        assertThat(recordTraceparent).startsWith("00-" + traceId + "-").doesNotEndWith(traceId.substring(0, 16) + "-01");

        // the speed layer and the archiver continue it: their log line about the record carries the trace id
        for (String consumer : List.of("speed-service", "batch-service")) {
            Path log = stack.service(consumer).logFile();
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).untilAsserted(() ->
                    assertThat(Files.readAllLines(log)).as(consumer + " log " + log)
                            .anyMatch(line -> line.contains("[" + traceId + "-") && line.contains("ConsumedTraces")));
        }
    }

    private static List<Event> events(String prefix, int count) {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        List<Event> events = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            events.add(i % 3 == 0
                    ? new Event(prefix + "-" + i, "purchase", now, Map.of("country", "c" + (i % 4), "amount", 10 + i))
                    : new Event(prefix + "-" + i, "pageview", now, Map.of("url", "/p" + (i % 7), "userId", "u" + i)));
        }
        return events;
    }

    private static void query() throws Exception {
        Instant hour = Instant.now().truncatedTo(ChronoUnit.HOURS);
        LambdaClient.Answer series = client.series(LambdaClient.Api.REST, "pageviews", "/p1", hour.minus(Duration.ofHours(1)),
                hour.plus(Duration.ofHours(1)));
        assertThat(series.status()).as(series.body().toString()).isEqualTo(200);
        HttpResponse<String> freshness = client.get(stack.url("query-service", "/api/v1/freshness"));
        assertThat(freshness.statusCode()).as(freshness.body()).isEqualTo(200);
    }

    /** The traceparent header of the record of {@code eventId} on the stack's topic, read from the start. */
    private static String recordTraceparent(String eventId) {
        Properties config = new Properties();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, RealServers.get().kafkaBootstrapServers());
        config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        byte[] id = eventId.getBytes(StandardCharsets.UTF_8);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config)) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (PartitionInfo info : consumer.partitionsFor(stack.topic, Duration.ofSeconds(10))) {
                partitions.add(new TopicPartition(info.topic(), info.partition()));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    if (contains(record.value(), id)) {
                        Header header = record.headers().lastHeader("traceparent");
                        assertThat(header).as("traceparent header of " + eventId).isNotNull();
                        return new String(header.value(), StandardCharsets.UTF_8);
                    }
                }
            }
        }
        return fail("no record of " + eventId + " on " + stack.topic + " within 30 s");
    }

    private static boolean contains(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    @SuppressWarnings("unchecked")
    private static List<String> ruleExpressions() throws IOException {
        Map<String, Object> rules = new Yaml(new SafeConstructor(new LoaderOptions()))
                .load(Files.readString(CHART_FILES.resolve("rules/lambda.yaml")));
        List<String> expressions = new ArrayList<>();
        for (Map<String, Object> group : (List<Map<String, Object>>) rules.get("groups")) {
            for (Map<String, Object> rule : (List<Map<String, Object>>) group.get("rules")) {
                expressions.add(rule.get("expr").toString());
            }
        }
        assertThat(expressions).isNotEmpty();
        return expressions;
    }

    private static Set<String> metricsIn(String expr) {
        Set<String> names = new HashSet<>();
        Matcher matcher = METRIC.matcher(expr);
        while (matcher.find()) {
            names.add(matcher.group(1));
        }
        return names;
    }

    private static Set<String> labelsIn(String expr) {
        Set<String> labels = new TreeSet<>();
        Matcher grouping = GROUPING.matcher(expr);
        while (grouping.find()) {
            for (String label : grouping.group(1).split(",")) {
                if (!label.isBlank()) {
                    labels.add(label.trim());
                }
            }
        }
        Matcher matcher = MATCHER.matcher(expr);
        while (matcher.find()) {
            labels.add(matcher.group(1));
        }
        labels.remove("__name__");
        return labels;
    }

    private static void awaitAtLeast(String promql, double atLeast) {
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() ->
                assertThat(value(promql)).as(promql).isGreaterThanOrEqualTo(atLeast));
    }

    /** The sum of an instant query's values; NaN when it returns nothing. */
    private static double value(String promql) throws IOException, InterruptedException {
        double sum = Double.NaN;
        for (JsonNode sample : prometheusQuery(promql)) {
            double v = Double.parseDouble(sample.path("value").get(1).asString());
            sum = Double.isNaN(sum) ? v : sum + v;
        }
        return sum;
    }

    private static Set<String> labelValues(String promql, String label) throws IOException, InterruptedException {
        Set<String> values = new TreeSet<>();
        for (JsonNode sample : prometheusQuery(promql)) {
            values.add(sample.path("metric").path(label).asString());
        }
        return values;
    }

    private static JsonNode prometheusQuery(String promql) throws IOException, InterruptedException {
        JsonNode answer = prometheusGet("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
        return answer.path("data").path("result");
    }

    private static Set<String> metricNames() throws IOException, InterruptedException {
        Set<String> names = new TreeSet<>();
        for (JsonNode name : prometheusGet("/api/v1/label/__name__/values").path("data")) {
            names.add(name.asString());
        }
        return names;
    }

    private static JsonNode prometheusGet(String path) throws IOException, InterruptedException {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(prometheus.baseUrl() + path))
                .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(path + ": " + response.body()).isEqualTo(200);
        JsonNode answer = LambdaClient.JSON.readTree(response.body());
        assertThat(answer.path("status").asString()).as(response.body()).isEqualTo("success");
        return answer;
    }
}
