package io.lambda.query.layer;

import io.lambda.core.cell.SpeedAnswer;
import io.lambda.core.measure.Measure;
import io.lambda.core.time.BucketRange;
import io.lambda.core.view.ViewDefinition;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import tools.jackson.databind.json.JsonMapper;

/**
 * Engine {@code streams}: the speed cells live in speed-service's Kafka Streams stores, one store per
 * partition of the events topic on whichever instance runs that partition now. One call to any instance
 * (the speed Service) answers for every partition: that instance reads its own stores and asks the
 * instances holding the others (docs/speed.md, "Interactive queries"). Partitions no instance could
 * serve in time come back as {@code missingPartitions}, and the answer built on them is partial.
 *
 * <p>The calls carry query-service's own key ({@code lambda.query.speed.api-key}, scope
 * {@code internal}). A call that fails, times out or answers other than 200 fails the read, as a
 * Cassandra read fails under engine {@code writer}.
 */
public final class InteractiveSpeedReads implements SpeedReads, SpeedProgress {

    private static final String PATH = "/internal/v1/speed/";

    private final URI base;
    private final String apiKey;
    private final LayerGuard guard;
    private final Duration timeout;
    private final JsonMapper json;
    private final HttpClient http;

    public InteractiveSpeedReads(URI base, String apiKey, LayerGuard guard, Duration timeout, JsonMapper json) {
        this.base = base;
        this.apiKey = apiKey;
        this.guard = guard;
        this.timeout = timeout;
        this.json = json;
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(timeout).build();
    }

    @Override
    public CompletableFuture<Slice<Map<Long, Object>>> series(ViewDefinition view, String key, BucketRange range,
                                                              long fromEpoch) {
        Measure<Object> measure = view.cellMeasure();
        Map<String, String> query = new LinkedHashMap<>();
        query.put("view", view.name());
        query.put("key", key);
        range(query, range);
        query.put("fromEpoch", Long.toString(fromEpoch));
        return guard.readAsync(() -> call("series", query)).thenApply(answer -> {
            Map<Long, Object> cells = new HashMap<>();
            for (SpeedAnswer.Cell cell : answer.cells()) {
                cells.put(cell.bucket().toEpochMilli(), measure.decode(cell.value()));
            }
            return new Slice<>(cells, answer.missingPartitions());
        });
    }

    @Override
    public CompletableFuture<Slice<Map<String, Object>>> top(ViewDefinition view, BucketRange range, long fromEpoch) {
        Measure<Object> measure = view.cellMeasure();
        Map<String, String> query = new LinkedHashMap<>();
        query.put("view", view.name());
        range(query, range);
        query.put("fromEpoch", Long.toString(fromEpoch));
        return guard.readAsync(() -> call("bucket", query)).thenApply(answer -> {
            Map<String, Object> cells = new HashMap<>();
            for (SpeedAnswer.Cell cell : answer.cells()) {
                cells.put(cell.key(), measure.decode(cell.value()));
            }
            return new Slice<>(cells, answer.missingPartitions());
        });
    }

    @Override
    public CompletableFuture<Slice<List<String>>> keys(ViewDefinition view, BucketRange range, String from, int limit) {
        Map<String, String> query = new LinkedHashMap<>();
        query.put("view", view.name());
        range(query, range);
        query.put("fromKey", from);
        query.put("limit", Integer.toString(limit));
        return guard.readAsync(() -> call("keys", query))
                .thenApply(answer -> new Slice<>(answer.keys(), answer.missingPartitions()));
    }

    /**
     * The ingest time through which every partition's events are in the speed cells: the oldest of the
     * partitions' own. Empty when a partition did not answer or has applied nothing yet, or the call failed.
     */
    @Override
    public Optional<Instant> speedThrough() {
        try {
            SpeedAnswer answer = call("progress", Map.of()).get();
            if (!answer.missingPartitions().isEmpty() || answer.partitions().isEmpty()
                    || answer.partitions().stream().anyMatch(p -> p.through() == null)) {
                return Optional.empty();
            }
            return answer.partitions().stream().map(SpeedAnswer.Partition::through).min(Instant::compareTo);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        } catch (Exception e) {
            return Optional.empty();
        }
    }

    private static void range(Map<String, String> query, BucketRange range) {
        query.put("granularity", range.granularity().id());
        query.put("from", range.from().toString());
        query.put("to", range.to().toString());
    }

    private CompletableFuture<SpeedAnswer> call(String endpoint, Map<String, String> query) {
        String parameters = query.entrySet().stream()
                .map(e -> encode(e.getKey()) + "=" + encode(e.getValue()))
                .collect(Collectors.joining("&"));
        HttpRequest request = HttpRequest.newBuilder(base.resolve(PATH + endpoint + (parameters.isEmpty() ? "" : "?" + parameters)))
                .timeout(timeout)
                .header("X-API-Key", apiKey)
                .header("Accept", "application/json")
                .GET()
                .build();
        return http.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray()).thenApply(response -> {
            if (response.statusCode() != 200) {
                throw new IllegalStateException("speed-service answered HTTP " + response.statusCode() + " to "
                        + endpoint + ": " + new String(response.body(), StandardCharsets.UTF_8));
            }
            return json.readValue(response.body(), SpeedAnswer.class);
        });
    }

    private static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8);
    }
}
