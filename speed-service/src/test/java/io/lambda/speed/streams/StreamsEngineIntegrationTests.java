package io.lambda.speed.streams;

import io.lambda.core.cell.SpeedAnswer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lambda.core.cell.Aggregator;
import io.lambda.core.cell.CellKey;
import io.lambda.core.event.Event;
import io.lambda.core.event.EventCodec;
import io.lambda.core.measure.Measure;
import io.lambda.core.time.Granularity;
import io.lambda.core.time.IngestEpoch;
import io.lambda.core.view.ViewCatalog;
import io.lambda.localservers.RealServers;
import io.lambda.localservers.RealServersConnections;
import io.lambda.localservers.TestApiKeys;
import io.lambda.speed.SeededStream;
import io.lambda.speed.SpeedFixture;
import io.lambda.speed.SpeedServiceApplication;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.json.JsonMapper;

/**
 * Engine {@code streams} on the real Kafka and Cassandra: the service (its own topic and application id)
 * folds a seeded stream with repeats, late events and poison; every series and bucket the internal
 * interactive-query endpoint answers equals lambda-core's fold of the distinct events. Then the instance
 * is closed and started again on the same state folder, and again on an empty one (everything restored
 * from the changelogs): the answers stay exact, repeats sent across the restarts are still dropped (the
 * dedup window is committed state), and events after the restarts are added once.
 */
class StreamsEngineIntegrationTests {

    private static final Logger log = LoggerFactory.getLogger(StreamsEngineIntegrationTests.class);
    private static final int PARTITIONS = 3;

    private final String bootstrap = RealServers.get().kafkaBootstrapServers();
    private final String topic = SpeedFixture.unique("it.streams.");
    private final String keyspace = SpeedFixture.unique("it_streams_");
    private final String applicationId = SpeedFixture.unique("it-speed-streams-");
    private final Instant now = Instant.now();
    private final ViewCatalog views = ViewCatalog.defaults();
    private final Aggregator aggregator = new Aggregator(views, IngestEpoch.ofMinutes(5));
    private final HttpClient http = HttpClient.newHttpClient();
    private final JsonMapper json = JsonMapper.builder().build();
    private ConfigurableApplicationContext app;
    private ConfigurableApplicationContext other;

    @TempDir
    Path state;

    @AfterEach
    void stop() {
        for (ConfigurableApplicationContext context : new ConfigurableApplicationContext[] {app, other}) {
            if (context != null && context.isActive()) {
                context.close();
            }
        }
    }

    @Test
    void withTwoInstancesEitherAnswersForEveryPartitionAndTheSurvivorTakesOver() throws Exception {
        SpeedFixture.createTopic(bootstrap, topic, PARTITIONS);
        SeededStream stream = new SeededStream(31, 6_000, 0.1, 4, now, "c");
        app = start(state.resolve("a"), applicationId + "-a", 1);
        other = start(state.resolve("b"), applicationId + "-b", 1);
        awaitReady(app, Duration.ofSeconds(60));
        awaitReady(other, Duration.ofSeconds(60));
        SpeedFixture.produce(bootstrap, topic, stream.items());

        awaitCaughtUp(app, Duration.ofSeconds(120));
        Set<String> hosts = get(app, keysOfToday()).partitions().stream().map(SpeedAnswer.Partition::host)
                .collect(Collectors.toSet());
        assertThat(hosts).as("the partitions are split between the two instances").hasSize(2);
        assertExact(app, stream.distinctEvents());
        assertExact(other, stream.distinctEvents());

        // the cells are query-service's to read (scope internal), not a dashboard key's
        HttpResponse<byte[]> byReader = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port(app)
                + keysOfToday())).header(TestApiKeys.HEADER, TestApiKeys.READ).GET().build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(byReader.statusCode()).isEqualTo(403);

        // the inner call answers only for the partitions it hosts; the others are missing, not empty
        SpeedAnswer inner = get(app, keysOfToday() + "&local=true&partitions=0,1,2");
        assertThat(inner.partitions()).isNotEmpty().hasSizeLessThan(PARTITIONS);
        assertThat(inner.missingPartitions()).hasSize(PARTITIONS - inner.partitions().size());

        // the second instance goes (a static member: the group waits for its session timeout before moving its
        // partitions); meanwhile the first answers for them from its standby replicas, as they were committed
        other.close();
        long closed = System.nanoTime();
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
            SpeedAnswer fromStandby = get(app, keysOfToday());
            assertThat(fromStandby.missingPartitions()).isEmpty();
            assertThat(fromStandby.partitions()).hasSize(PARTITIONS).anyMatch(SpeedAnswer.Partition::standby);
        });
        log.info("MEASURE engine streams: every partition answered again {} s after the other instance closed, "
                + "its partitions from standby replicas", fmt((System.nanoTime() - closed) / 1e9));
        assertExact(app, stream.distinctEvents());
        // then the first restores them from the changelogs and answers alone
        awaitCaughtUp(app, Duration.ofSeconds(120));
        assertThat(get(app, keysOfToday()).partitions()).extracting(SpeedAnswer.Partition::host).containsOnly(
                "127.0.0.1:" + port(app));
        assertExact(app, stream.distinctEvents());
    }

    @Test
    void answersEqualTheFoldAndStayExactAcrossARestartAndARestoreFromTheChangelog() throws Exception {
        SpeedFixture.createTopic(bootstrap, topic, PARTITIONS);
        // -Dlambda.it.streams.events=100000 for a longer measurement
        SeededStream first = new SeededStream(21, Integer.getInteger("lambda.it.streams.events", 20_000), 0.1, 12, now, "a");
        SeededStream second = new SeededStream(22, 3_000, 0.1, 0, now, "b");
        List<Event> distinct = new ArrayList<>(first.distinctEvents());

        app = start(state.resolve("one"), applicationId);
        awaitReady(app, Duration.ofSeconds(60));
        long produced = System.nanoTime();
        SpeedFixture.produce(bootstrap, topic, first.items());
        double producing = (System.nanoTime() - produced) / 1e9;
        awaitCaughtUp(app, Duration.ofSeconds(300));
        double seconds = (System.nanoTime() - produced) / 1e9;
        long rawStarted = System.nanoTime();
        int records = SpeedFixture.readAll(bootstrap, topic).size();
        double rawSeconds = (System.nanoTime() - rawStarted) / 1e9;
        log.info("MEASURE engine streams: {} records produced (in {} s) and applied (EOS v2, 3 partitions, one stream "
                + "thread, instance ready before) in {} s = {} records/s; a plain consumer read them in {} s = {} records/s",
                records, fmt(producing), fmt(seconds), fmt(records / seconds), fmt(rawSeconds), fmt(records / rawSeconds));
        assertExact(app, distinct);
        List<Long> freshness = freshness(20, distinct);
        log.info("MEASURE engine streams: freshness (broker's ingest time to the cell answered by the endpoint), "
                + "one event at a time, commit interval 100 ms: {} ms (sorted)", freshness);
        assertThat(freshness.get(freshness.size() / 2)).as("median freshness, ms").isLessThan(1000);

        // the same state folder: the stores are reused, nothing is applied twice
        app.close();
        long restarted = System.nanoTime();
        app = start(state.resolve("one"), applicationId);
        awaitCaughtUp(app, Duration.ofSeconds(120));
        log.info("MEASURE engine streams: restart on its state folder answered for every partition after {} s",
                fmt((System.nanoTime() - restarted) / 1e9));
        assertExact(app, distinct);

        // repeats of events applied before the restart (within max-age) are dropped; new events are added once
        List<SeededStream.Item> more = new ArrayList<>(second.items());
        EventCodec codec = new EventCodec();
        first.distinctEvents().subList(0, 200).forEach(e -> more.add(new SeededStream.Item(e.eventId(), codec.encode(e), false, true)));
        SpeedFixture.produce(bootstrap, topic, more);
        distinct.addAll(second.distinctEvents());
        awaitCaughtUp(app, Duration.ofSeconds(120));
        assertExact(app, distinct);

        // an empty state folder: every store restored from its changelog
        app.close();
        long restoring = System.nanoTime();
        app = start(state.resolve("two"), applicationId);
        awaitCaughtUp(app, Duration.ofSeconds(180));
        log.info("MEASURE engine streams: restore of every store from the changelogs ({} records applied) took {} s",
                records + more.size(), fmt((System.nanoTime() - restoring) / 1e9));
        first.distinctEvents().subList(200, 400).forEach(e -> more.add(new SeededStream.Item(e.eventId(), codec.encode(e), false, true)));
        SpeedFixture.produce(bootstrap, topic, more.subList(more.size() - 200, more.size()));
        awaitCaughtUp(app, Duration.ofSeconds(60));
        assertExact(app, distinct);
    }

    private ConfigurableApplicationContext start(Path stateDir, String instanceId) {
        return start(stateDir, instanceId, 0);
    }

    private ConfigurableApplicationContext start(Path stateDir, String instanceId, int standbyReplicas) {
        Map<String, Object> properties = new LinkedHashMap<>();
        properties.put("lambda.speed.streams.standby-replicas", standbyReplicas);
        properties.put("lambda.speed.engine", "streams");
        properties.put("lambda.store.keyspace", keyspace);
        properties.put("lambda.events.topic", topic);
        properties.put("lambda.events.partitions", PARTITIONS);
        properties.put("lambda.speed.state-dir", stateDir.toString());
        properties.put("lambda.speed.streams.application-id", applicationId);
        // static membership, as in production (HOSTNAME): a restart gets its partitions back without waiting
        // out the previous member's session
        properties.put("lambda.speed.streams.instance-id", instanceId);
        properties.put("server.port", 0);
        // for measurements: -Dlambda.it.app.<property>=<value> is passed to the service, e.g.
        // -Dlambda.it.app.lambda.speed.streams.cache-max-bytes=0
        System.getProperties().stringPropertyNames().stream().filter(name -> name.startsWith("lambda.it.app."))
                .forEach(name -> properties.put(name.substring("lambda.it.app.".length()), System.getProperty(name)));
        // as arguments: SpringApplicationBuilder.properties are defaults, below application.yaml
        return new SpringApplicationBuilder(SpeedServiceApplication.class, RealServersConnections.class)
                .run(properties.entrySet().stream().map(e -> "--" + e.getKey() + "=" + e.getValue()).toArray(String[]::new));
    }

    /**
     * Sends {@code count} events one at a time, each with a url of its own, and waits for each to be in
     * the answer of the series endpoint; the times from the broker's timestamp (ingest time) to the first
     * answer that holds the event, sorted. The events are added to {@code distinct}.
     */
    private List<Long> freshness(int count, List<Event> distinct) throws Exception {
        List<Long> millis = new ArrayList<>();
        EventCodec codec = new EventCodec();
        try (var producer = SpeedFixture.producer(bootstrap)) {
            for (int i = 0; i < count; i++) {
                String url = "/fresh/" + i;
                Event event = new Event("fresh-" + topic + "-" + i, "pageview", Instant.now(), Map.of("url", url, "userId", "u1"));
                distinct.add(event);
                long ingested = producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>(topic, event.eventId(),
                        codec.encode(event))).get().timestamp();
                Instant minute = Granularity.MINUTE.bucketStart(event.timestamp());
                String series = "/internal/v1/speed/series?view=pageviews&granularity=minute&key=" + encode(url)
                        + "&from=" + minute + "&to=" + minute.plus(Duration.ofMinutes(1));
                await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(5)).until(() ->
                        !get(app, series).cells().isEmpty());
                millis.add(System.currentTimeMillis() - ingested);
            }
        }
        millis.sort(null);
        return millis;
    }

    /** Until readiness (speedEngine: Kafka Streams RUNNING) says so. */
    private void awaitReady(ConfigurableApplicationContext context, Duration atMost) {
        await().atMost(atMost).pollInterval(Duration.ofMillis(100)).ignoreExceptions().until(() -> http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port(context) + "/actuator/health/readiness")).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode() == 200);
    }

    private static int port(ConfigurableApplicationContext context) {
        return ((WebServerApplicationContext) context).getWebServer().getPort();
    }

    private String keysOfToday() {
        Instant today = Granularity.DAY.bucketStart(now);
        return "/internal/v1/speed/keys?view=pageviews&granularity=day&from=" + today + "&to="
                + Granularity.DAY.next(today) + "&limit=1";
    }

    /** Until every partition answers, none is missing, and each has applied everything up to its log end. */
    private void awaitCaughtUp(ConfigurableApplicationContext context, Duration atMost) {
        await().atMost(atMost).pollInterval(Duration.ofMillis(200)).ignoreExceptions().untilAsserted(() -> {
            SpeedAnswer answer = get(context, keysOfToday());
            Map<Integer, Long> ends = endOffsets();
            assertThat(answer.missingPartitions()).isEmpty();
            assertThat(answer.partitions()).hasSize(PARTITIONS).allSatisfy(p -> {
                assertThat(p.nextOffset()).isEqualTo(ends.get(p.partition()));
                assertThat(p.lag()).as("lag as the consumer last fetched").isZero();
                // caught up: through is the time of the answer, so an idle partition does not hold speedThrough back
                assertThat(p.through()).isAfter(Instant.now().minusSeconds(5));
            });
        });
    }

    /** Every series and every day bucket the endpoint answers equals the fold of {@code distinct}. */
    private void assertExact(ConfigurableApplicationContext context, List<Event> distinct) throws Exception {
        Map<CellKey, Double> expected = aggregator.results(aggregator.fold(distinct, now));
        Map<CellKey, Double> answered = new HashMap<>();
        Map<List<Object>, List<CellKey>> series = expected.keySet().stream().collect(Collectors.groupingBy(
                c -> List.of(c.view(), c.key(), c.granularity())));
        for (List<CellKey> cells : series.values()) {
            CellKey any = cells.get(0);
            long from = cells.stream().mapToLong(CellKey::bucketStartMillis).min().orElseThrow();
            long to = cells.stream().mapToLong(CellKey::bucketStartMillis).max().orElseThrow()
                    + any.granularity().lengthMillis();
            SpeedAnswer answer = get(context, "/internal/v1/speed/series?view=" + any.view() + "&key=" + encode(any.key())
                    + "&granularity=" + any.granularity().id() + "&from=" + Instant.ofEpochMilli(from)
                    + "&to=" + Instant.ofEpochMilli(to));
            assertThat(answer.missingPartitions()).isEmpty();
            Measure<Object> measure = views.get(any.view()).cellMeasure();
            for (SpeedAnswer.Cell cell : answer.cells()) {
                answered.put(new CellKey(any.view(), any.key(), any.granularity(), cell.bucket().toEpochMilli()),
                        measure.result(measure.decode(cell.value())));
            }
        }
        assertThat(answered).isEqualTo(expected);

        Set<List<Object>> days = expected.keySet().stream().filter(c -> c.granularity() == Granularity.DAY)
                .map(c -> List.<Object>of(c.view(), c.bucketStartMillis())).collect(Collectors.toSet());
        for (List<Object> day : days) {
            String view = (String) day.get(0);
            long bucket = (Long) day.get(1);
            String oneDay = "&granularity=day&from=" + Instant.ofEpochMilli(bucket) + "&to="
                    + Instant.ofEpochMilli(bucket + Granularity.DAY.lengthMillis());
            SpeedAnswer answer = get(context, "/internal/v1/speed/bucket?view=" + view + oneDay);
            Measure<Object> measure = views.get(view).cellMeasure();
            Map<String, Double> byKey = new HashMap<>();
            answer.cells().forEach(cell -> byKey.put(cell.key(), measure.result(measure.decode(cell.value()))));
            Map<String, Double> wanted = new HashMap<>();
            expected.forEach((cell, value) -> {
                if (cell.view().equals(view) && cell.granularity() == Granularity.DAY && cell.bucketStartMillis() == bucket) {
                    wanted.put(cell.key(), value);
                }
            });
            assertThat(byKey).as("day %s of %s", Instant.ofEpochMilli(bucket), view).isEqualTo(wanted);
            TreeSet<String> keys = new TreeSet<>(wanted.keySet());
            SpeedAnswer page = get(context, "/internal/v1/speed/keys?view=" + view + oneDay + "&limit=3");
            assertThat(page.keys()).isEqualTo(keys.stream().limit(3).toList());
        }
    }

    private SpeedAnswer get(ConfigurableApplicationContext context, String pathAndQuery) throws Exception {
        HttpResponse<byte[]> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port(context) + pathAndQuery))
                .header(TestApiKeys.HEADER, TestApiKeys.INTERNAL).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(response.statusCode()).as(new String(response.body(), StandardCharsets.UTF_8)).isEqualTo(200);
        return json.readValue(response.body(), SpeedAnswer.class);
    }

    private Map<Integer, Long> endOffsets() throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            for (int p = 0; p < PARTITIONS; p++) {
                latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
            }
            Map<Integer, Long> ends = new HashMap<>();
            admin.listOffsets(latest).all().get().forEach((tp, info) -> ends.put(tp.partition(), info.offset()));
            return ends;
        }
    }

    private static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8);
    }

    private static String fmt(double value) {
        return String.format(java.util.Locale.ROOT, "%.1f", value);
    }
}
