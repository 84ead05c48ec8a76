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
 * {@code internal}, docs/speed.md). The instance asked answers for every partition of the events topic:
 * its own from its stores, the others' by asking the instances that host them (Kafka Streams
 * metadata, {@code application.server}) with {@code local=true} and the partitions each should answer,
 * so that no partition is counted twice and no call recurses. A partition whose instance did not answer
 * within {@code fan-out-timeout} (killed or paused: the group moves its partitions only after its
 * session timeout) or that no instance runs now is asked of an instance keeping a standby replica of it
 * ({@code standby=true}: stale stores, the cells as last committed). What still has no answer, or is
 * restoring after {@code lambda.speed.streams.restore-wait}, is listed in {@code missingPartitions}.
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

    /** Reads one local partition by the request's deadline for a restoring store. */
    private interface PartitionRead {
        Optional<PartitionAnswer> read(LocalSpeedState.Deadline deadline, int partition);
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
        Answers answers = new Answers(new ArrayList<>(), new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        if (localOnly) {
            boolean standby = Boolean.parseBoolean(request.getParameter("standby"));
            TreeSet<Integer> missing = new TreeSet<>();
            readLocally(asked == null ? List.of() : asked, this.local.deadline(standby), read, self, answers, missing);
            answers.missing().addAll(missing);
            return answers;
        }
        // first the instances running each partition; then, for what they did not answer (an instance killed or
        // paused, whose partitions the group has not moved yet), the instances keeping a standby replica of it
        Owners owners = owners();
        TreeSet<Integer> unanswered = new TreeSet<>(owners.unowned());
        unanswered.addAll(ask(group(owners.active()), self, false, request, read, answers));
        Map<Integer, HostInfo> standbys = new TreeMap<>();
        for (int partition : unanswered) {
            HostInfo active = owners.active().get(partition);
            owners.standbys().getOrDefault(partition, List.of()).stream().filter(host -> !host.equals(active))
                    .findFirst().ifPresent(host -> standbys.put(partition, host));
        }
        TreeSet<Integer> missing = new TreeSet<>(unanswered);
        missing.removeAll(standbys.keySet());
        missing.addAll(ask(group(standbys), self, true, request, read, answers));
        answers.missing().addAll(missing);
        answers.partitions().sort(Comparator.comparingInt(SpeedAnswer.Partition::partition));
        return answers;
    }

    /** Asks every host for its partitions, itself from its stores, the others over HTTP; returns what none answered. */
    private Set<Integer> ask(Map<HostInfo, List<Integer>> byHost, HostInfo self, boolean standby,
                             HttpServletRequest request, PartitionRead read, Answers answers) {
        Set<Integer> missing = new TreeSet<>();
        List<CompletableFuture<Optional<SpeedAnswer>>> remote = new ArrayList<>();
        List<List<Integer>> remotePartitions = new ArrayList<>();
        for (Map.Entry<HostInfo, List<Integer>> host : byHost.entrySet()) {
            if (!host.getKey().equals(self)) {
                remote.add(ask(host.getKey(), host.getValue(), standby, request));
                remotePartitions.add(host.getValue());
            }
        }
        readLocally(byHost.getOrDefault(self, List.of()), this.local.deadline(standby), read, self, answers, missing);
        for (int i = 0; i < remote.size(); i++) {
            Optional<SpeedAnswer> answer = remote.get(i).join();
            if (answer.isEmpty()) {
                missing.addAll(remotePartitions.get(i));
                continue;
            }
            if (answer.get().cells() != null) {
                answers.cells().addAll(answer.get().cells());
            }
            if (answer.get().keys() != null) {
                answers.keys().addAll(answer.get().keys());
            }
            answers.partitions().addAll(answer.get().partitions());
            missing.addAll(answer.get().missingPartitions());
        }
        return missing;
    }

    private void readLocally(List<Integer> partitions, LocalSpeedState.Deadline deadline, PartitionRead read,
                             HostInfo self, Answers answers, Set<Integer> missing) {
        for (int partition : partitions) {
            Optional<PartitionAnswer> answer = read.read(deadline, partition);
            if (answer.isEmpty()) {
                missing.add(partition);
                continue;
            }
            if (answer.get().cells() != null) {
                answers.cells().addAll(answer.get().cells());
            }
            if (answer.get().keys() != null) {
                answers.keys().addAll(answer.get().keys());
            }
            LocalSpeedState.Progress progress = answer.get().progress();
            answers.partitions().add(new SpeedAnswer.Partition(partition, progress.through(), progress.nextOffset(),
                    progress.lag(), self.host() + ":" + self.port(), progress.standby()));
        }
    }

    /** Who runs each partition of the events topic now, who keeps standby replicas, and what nobody runs. */
    private record Owners(Map<Integer, HostInfo> active, Map<Integer, List<HostInfo>> standbys, Set<Integer> unowned) {
    }

    /**
     * Which instance hosts each partition of the events topic as an active task now, and which keep
     * standby replicas; partitions no instance runs (a rebalance in progress, Kafka Streams not running)
     * are {@code unowned}.
     */
    private Owners owners() {
        Map<Integer, HostInfo> active = new TreeMap<>();
        Map<Integer, List<HostInfo>> standbys = new TreeMap<>();
        Optional<KafkaStreams> instance = streams.streams();
        if (instance.isPresent()) {
            try {
                for (StreamsMetadata client : instance.get().metadataForAllStreamsClients()) {
                    for (TopicPartition tp : client.topicPartitions()) {
                        if (tp.topic().equals(topic)) {
                            active.putIfAbsent(tp.partition(), client.hostInfo());
                        }
                    }
                    for (TopicPartition tp : client.standbyTopicPartitions()) {
                        if (tp.topic().equals(topic)) {
                            standbys.computeIfAbsent(tp.partition(), p -> new ArrayList<>()).add(client.hostInfo());
                        }
                    }
                }
            } catch (RuntimeException e) {
                log.debug("No Kafka Streams metadata yet: {}", e.getMessage());
            }
        }
        int partitions = Math.max(partitionCount, active.keySet().stream().mapToInt(p -> p + 1).max().orElse(0));
        Set<Integer> unowned = new TreeSet<>();
        for (int p = 0; p < partitions; p++) {
            if (!active.containsKey(p)) {
                unowned.add(p);
            }
        }
        return new Owners(active, standbys, unowned);
    }

    private static Map<HostInfo, List<Integer>> group(Map<Integer, HostInfo> byPartition) {
        Map<HostInfo, List<Integer>> byHost = new LinkedHashMap<>();
        byPartition.forEach((partition, host) -> byHost.computeIfAbsent(host, h -> new ArrayList<>()).add(partition));
        return byHost;
    }

    /**
     * Asks another instance for its partitions ({@code local=true}), of its standby replicas when
     * {@code standby}; empty when it does not answer in time.
     */
    private CompletableFuture<Optional<SpeedAnswer>> ask(HostInfo host, List<Integer> partitions, boolean standby,
                                                         HttpServletRequest request) {
        String query = request.getParameterMap().entrySet().stream()
                .filter(e -> !Set.of("local", "partitions", "standby").contains(e.getKey()))
                .flatMap(e -> Arrays.stream(e.getValue()).map(v -> encode(e.getKey()) + "=" + encode(v)))
                .collect(Collectors.joining("&"));
        String partitionList = partitions.stream().map(String::valueOf).collect(Collectors.joining(","));
        URI uri = URI.create("http://" + host.host() + ":" + host.port() + request.getRequestURI() + "?" + query
                + (query.isEmpty() ? "" : "&") + "local=true&partitions=" + partitionList + (standby ? "&standby=true" : ""));
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
