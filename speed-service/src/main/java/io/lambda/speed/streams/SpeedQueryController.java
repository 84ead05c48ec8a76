package io.lambda.speed.streams;

import io.lambda.core.cell.SpeedAnswer;

import io.lambda.core.measure.Measure;
import io.lambda.core.time.BucketRange;
import io.lambda.core.time.Granularity;
import io.lambda.core.view.ViewCatalog;
import io.lambda.core.view.ViewDefinition;
import io.lambda.core.view.ViewKey;
import jakarta.servlet.http.HttpServletRequest;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsMetadata;
import org.apache.kafka.streams.state.HostInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import io.lambda.speed.system.SpeedProperties;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;
import tools.jackson.databind.json.JsonMapper;

/**
 * Interactive queries over the speed cells of engine {@code streams}, for query-service (scope
 * {@code read}, docs/speed.md). The instance asked answers for every partition of the events topic:
 * its own from its stores, the others' by asking the instances that host them (Kafka Streams
 * metadata, {@code application.server}) with {@code local=true} and the partitions each should answer,
 * so that no partition is counted twice and no call recurses. Partitions that no instance hosts now,
 * that are still restoring after {@code lambda.speed.streams.restore-wait}, or whose instance did not answer
 * within {@code fan-out-timeout}, are listed in {@code missingPartitions}.
 */
@RestController
@RequestMapping("/internal/v1/speed")
@ConditionalOnProperty(name = SpeedProperties.ENGINE, havingValue = "streams")
class SpeedQueryController {

    private static final Logger log = LoggerFactory.getLogger(SpeedQueryController.class);

    /** The caller's credential goes along to the other instances: they check it as this one did. */
    private static final List<String> CREDENTIAL_HEADERS = List.of("Authorization", "X-API-Key");

    private final LocalSpeedState local;
    private final SpeedStreams streams;
    private final ViewCatalog views;
    private final String topic;
    private final int partitionCount;
    private final Duration fanOutTimeout;
    private final JsonMapper json;
    private final HttpClient http;

    SpeedQueryController(LocalSpeedState local, SpeedStreams streams, ViewCatalog views,
                         @Value("${lambda.events.topic}") String topic, @Value("${lambda.events.partitions}") int partitionCount,
                         SpeedProperties properties, JsonMapper json) {
        this.local = local;
        this.streams = streams;
        this.views = views;
        this.topic = topic;
        this.partitionCount = partitionCount;
        this.fanOutTimeout = properties.streams().fanOutTimeout();
        this.json = json;
        this.http = HttpClient.newBuilder().connectTimeout(fanOutTimeout).build();
    }

    /** One key's cells of the buckets {@code [from, to)} of a granularity, folded over epochs {@code >= fromEpoch}. */
    @GetMapping("/series")
    SpeedAnswer series(@RequestParam String view, @RequestParam String key, @RequestParam String granularity,
                       @RequestParam Instant from, @RequestParam Instant to,
                       @RequestParam(defaultValue = "" + Long.MIN_VALUE) long fromEpoch,
                       @RequestParam(defaultValue = "false") boolean local,
                       @RequestParam(required = false) List<Integer> partitions, HttpServletRequest request) {
        Measure<Object> measure = measureOf(view);
        Granularity g = granularity(granularity);
        Answers answers = answer(request, local, partitions, (deadline, p) -> this.local.series(deadline, p, view, g, key,
                from.toEpochMilli(), to.toEpochMilli(), fromEpoch).map(read -> {
                    List<SpeedAnswer.Cell> cells = new ArrayList<>();
                    read.cells().forEach((bucket, value) -> cells.add(
                            new SpeedAnswer.Cell(Instant.ofEpochMilli(bucket), null, measure.encode(value))));
                    return new PartitionAnswer(cells, null, read.progress());
                }));
        TreeMap<Instant, Object> folded = new TreeMap<>();
        answers.cells().forEach(cell -> folded.merge(cell.bucket(), measure.decode(cell.value()), measure::plusInto));
        List<SpeedAnswer.Cell> cells = new ArrayList<>();
        folded.forEach((bucket, value) -> cells.add(new SpeedAnswer.Cell(bucket, null, measure.encode(value))));
        return new SpeedAnswer(cells, null, answers.partitions(), answers.missing());
    }

    /**
     * Every key's cell folded over the buckets {@code [from, to)} (a top-N's range, one call however many
     * buckets) and over epochs {@code >= fromEpoch}.
     */
    @GetMapping("/bucket")
    SpeedAnswer bucket(@RequestParam String view, @RequestParam String granularity, @RequestParam Instant from,
                       @RequestParam Instant to,
                       @RequestParam(defaultValue = "" + Long.MIN_VALUE) long fromEpoch,
                       @RequestParam(defaultValue = "false") boolean local,
                       @RequestParam(required = false) List<Integer> partitions, HttpServletRequest request) {
        Measure<Object> measure = measureOf(view);
        Granularity g = granularity(granularity);
        List<Long> buckets = buckets(g, from, to);
        Answers answers = answer(request, local, partitions, (deadline, p) -> this.local.buckets(deadline, p, view, g,
                buckets, fromEpoch).map(read -> {
                    List<SpeedAnswer.Cell> cells = new ArrayList<>();
                    read.cells().forEach((key, value) -> cells.add(new SpeedAnswer.Cell(null, key, measure.encode(value))));
                    return new PartitionAnswer(cells, null, read.progress());
                }));
        Map<String, Object> folded = new TreeMap<>(ViewKey.ORDER);
        answers.cells().forEach(cell -> folded.merge(cell.key(), measure.decode(cell.value()), measure::plusInto));
        List<SpeedAnswer.Cell> cells = new ArrayList<>();
        folded.forEach((key, value) -> cells.add(new SpeedAnswer.Cell(null, key, measure.encode(value))));
        return new SpeedAnswer(cells, null, answers.partitions(), answers.missing());
    }

    /**
     * The first {@code limit} keys from {@code fromKey} on (code point order) with a cell in any bucket of
     * {@code [from, to)}, epochs {@code >= fromEpoch}.
     */
    @GetMapping("/keys")
    SpeedAnswer keys(@RequestParam String view, @RequestParam String granularity, @RequestParam Instant from,
                     @RequestParam Instant to,
                     @RequestParam(defaultValue = "") String fromKey, @RequestParam(defaultValue = "100") int limit,
                     @RequestParam(defaultValue = "" + Long.MIN_VALUE) long fromEpoch,
                     @RequestParam(defaultValue = "false") boolean local,
                     @RequestParam(required = false) List<Integer> partitions, HttpServletRequest request) {
        measureOf(view);
        Granularity g = granularity(granularity);
        if (limit < 1 || limit > 10_000) {
            throw new ResponseStatusException(HttpStatus.BAD_REQUEST, "limit must be 1-10000, was " + limit);
        }
        List<Long> buckets = buckets(g, from, to);
        Answers answers = answer(request, local, partitions, (deadline, p) -> this.local.keys(deadline, p, view, g,
                buckets, fromKey, limit, fromEpoch).map(read -> new PartitionAnswer(null, read.cells(), read.progress())));
        TreeSet<String> keys = new TreeSet<>(ViewKey.ORDER);
        keys.addAll(answers.keys());
        return new SpeedAnswer(null, keys.stream().limit(limit).toList(), answers.partitions(), answers.missing());
    }

    /** How far every partition's events are in the cells: query-service's {@code speedThrough} and speed lag. */
    @GetMapping("/progress")
    SpeedAnswer progress(@RequestParam(defaultValue = "false") boolean local,
                         @RequestParam(required = false) List<Integer> partitions, HttpServletRequest request) {
        Answers answers = answer(request, local, partitions, (deadline, p) -> this.local.progress(deadline, p)
                .map(read -> new PartitionAnswer(null, null, read.progress())));
        return new SpeedAnswer(null, null, answers.partitions(), answers.missing());
    }

    /** The bucket starts of {@code [from, to)}; 400 for a range that is not whole buckets or longer than 10,000. */
    private static List<Long> buckets(Granularity granularity, Instant from, Instant to) {
        BucketRange range;
        try {
            range = new BucketRange(granularity, from, to);
        } catch (IllegalArgumentException e) {
            throw new ResponseStatusException(HttpStatus.BAD_REQUEST, e.getMessage());
        }
        if (range.size() > 10_000) {
            throw new ResponseStatusException(HttpStatus.BAD_REQUEST, "at most 10000 buckets, not " + range.size());
        }
        return range.buckets().stream().map(Instant::toEpochMilli).toList();
    }

    /** Reads one local partition by the request's deadline for a restoring store (nano time). */
    private interface PartitionRead {
        Optional<PartitionAnswer> read(long deadline, int partition);
    }

    /** What one partition answered locally. */
    private record PartitionAnswer(List<SpeedAnswer.Cell> cells, List<String> keys, LocalSpeedState.Progress progress) {
    }

    /** Every partition's cells and keys, not folded yet, and who answered or did not. */
    private record Answers(List<SpeedAnswer.Cell> cells, List<String> keys, List<SpeedAnswer.Partition> partitions,
                           List<Integer> missing) {
    }

    private Answers answer(HttpServletRequest request, boolean localOnly, List<Integer> asked,
                           PartitionRead read) {
        HostInfo self = streams.hostInfo();
        long deadline = this.local.deadline();
        List<SpeedAnswer.Cell> cells = new ArrayList<>();
        List<String> keys = new ArrayList<>();
        List<SpeedAnswer.Partition> answered = new ArrayList<>();
        TreeSet<Integer> missing = new TreeSet<>();
        Map<HostInfo, List<Integer>> byHost = localOnly ? Map.of(self, asked == null ? List.of() : asked) : owners(missing);
        List<CompletableFuture<Optional<SpeedAnswer>>> remote = new ArrayList<>();
        List<List<Integer>> remotePartitions = new ArrayList<>();
        for (Map.Entry<HostInfo, List<Integer>> host : byHost.entrySet()) {
            if (!host.getKey().equals(self)) {
                remote.add(ask(host.getKey(), host.getValue(), request));
                remotePartitions.add(host.getValue());
            }
        }
        for (int partition : byHost.getOrDefault(self, List.of())) {
            Optional<PartitionAnswer> answer = read.read(deadline, partition);
            if (answer.isEmpty()) {
                missing.add(partition);
                continue;
            }
            if (answer.get().cells() != null) {
                cells.addAll(answer.get().cells());
            }
            if (answer.get().keys() != null) {
                keys.addAll(answer.get().keys());
            }
            LocalSpeedState.Progress progress = answer.get().progress();
            answered.add(new SpeedAnswer.Partition(partition, progress.through(), progress.nextOffset(),
                    progress.lag(), self.host() + ":" + self.port()));
        }
        for (int i = 0; i < remote.size(); i++) {
            Optional<SpeedAnswer> answer = remote.get(i).join();
            if (answer.isEmpty()) {
                missing.addAll(remotePartitions.get(i));
                continue;
            }
            if (answer.get().cells() != null) {
                cells.addAll(answer.get().cells());
            }
            if (answer.get().keys() != null) {
                keys.addAll(answer.get().keys());
            }
            answered.addAll(answer.get().partitions());
            missing.addAll(answer.get().missingPartitions());
        }
        answered.sort(Comparator.comparingInt(SpeedAnswer.Partition::partition));
        return new Answers(cells, keys, answered, List.copyOf(missing));
    }

    /**
     * Which instance hosts each partition of the events topic as an active task now; partitions no
     * instance hosts (a rebalance in progress, Kafka Streams not running) go to {@code missing}.
     */
    private Map<HostInfo, List<Integer>> owners(Set<Integer> missing) {
        Map<Integer, HostInfo> owner = new TreeMap<>();
        Optional<KafkaStreams> instance = streams.streams();
        if (instance.isPresent()) {
            try {
                for (StreamsMetadata client : instance.get().metadataForAllStreamsClients()) {
                    for (TopicPartition tp : client.topicPartitions()) {
                        if (tp.topic().equals(topic)) {
                            owner.putIfAbsent(tp.partition(), client.hostInfo());
                        }
                    }
                }
            } catch (RuntimeException e) {
                log.debug("No Kafka Streams metadata yet: {}", e.getMessage());
            }
        }
        int partitions = Math.max(partitionCount, owner.keySet().stream().mapToInt(p -> p + 1).max().orElse(0));
        Map<HostInfo, List<Integer>> byHost = new LinkedHashMap<>();
        for (int p = 0; p < partitions; p++) {
            HostInfo host = owner.get(p);
            if (host == null) {
                missing.add(p);
            } else {
                byHost.computeIfAbsent(host, h -> new ArrayList<>()).add(p);
            }
        }
        return byHost;
    }

    /** Asks another instance for its partitions ({@code local=true}); empty when it does not answer in time. */
    private CompletableFuture<Optional<SpeedAnswer>> ask(HostInfo host, List<Integer> partitions, HttpServletRequest request) {
        String query = request.getParameterMap().entrySet().stream()
                .filter(e -> !e.getKey().equals("local") && !e.getKey().equals("partitions"))
                .flatMap(e -> Arrays.stream(e.getValue()).map(v -> encode(e.getKey()) + "=" + encode(v)))
                .collect(Collectors.joining("&"));
        String partitionList = partitions.stream().map(String::valueOf).collect(Collectors.joining(","));
        URI uri = URI.create("http://" + host.host() + ":" + host.port() + request.getRequestURI() + "?" + query
                + (query.isEmpty() ? "" : "&") + "local=true&partitions=" + partitionList);
        HttpRequest.Builder call = HttpRequest.newBuilder(uri).timeout(fanOutTimeout).GET();
        for (String header : CREDENTIAL_HEADERS) {
            String value = request.getHeader(header);
            if (value != null) {
                call.header(header, value);
            }
        }
        return http.sendAsync(call.build(), HttpResponse.BodyHandlers.ofByteArray()).handle((response, failure) -> {
            if (failure != null || response.statusCode() != 200) {
                log.warn("Instance {} did not answer for partitions {}: {}", host, partitions,
                        failure != null ? failure.toString() : "HTTP " + response.statusCode());
                return Optional.empty();
            }
            return Optional.of(json.readValue(response.body(), SpeedAnswer.class));
        });
    }

    private static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8);
    }

    private Measure<Object> measureOf(String view) {
        ViewDefinition definition = views.find(view).orElseThrow(() ->
                new ResponseStatusException(HttpStatus.NOT_FOUND, "no view named '" + view + "'"));
        return definition.cellMeasure();
    }

    private static Granularity granularity(String text) {
        try {
            return Granularity.parse(text);
        } catch (IllegalArgumentException e) {
            throw new ResponseStatusException(HttpStatus.BAD_REQUEST, e.getMessage());
        }
    }
}
