package io.lambda.query.view;

import io.lambda.core.measure.Measure;
import io.lambda.core.time.BucketRange;
import io.lambda.core.time.IngestEpoch;
import io.lambda.core.view.ViewDefinition;
import io.lambda.core.view.ViewKey;
import io.lambda.query.layer.Layer;
import io.lambda.query.layer.LayerGuard;
import io.lambda.query.layer.LayerReads;
import io.lambda.query.layer.LayerUnavailableException;
import io.lambda.query.layer.SpeedReads.Slice;
import io.lambda.query.layer.SpeedProgress;
import io.lambda.store.PublishedVersion;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * The merge rule of docs/architecture.md, and the only place it lives.
 *
 * <p>A query reads the catalog <em>once</em>, getting the published version {@code v} and its cut
 * {@code H}. Version {@code v} holds exactly the events ingested before {@code H}; the speed layer
 * keeps, per ingest epoch and Kafka partition, the events ingested since. So every cell is
 * {@code batch_v(cell) ⊕ speed(cell, every epoch ≥ epoch(H), every partition)}, with {@code ⊕}
 * the view's measure: each event counted by exactly one side. Speed cells of epochs before the
 * cut are still in the table for a while (for rollback and in-flight queries) and are ignored
 * here, which is what keeps a publish from double counting; because the cut and the version come
 * from the same catalog read, a publish between two reads of a query cannot make it mix versions.
 * A range folds its buckets with the same monoid: a distinct count over a range is the size of the
 * union of the sketches, and a top-N folds each key over every bucket of the range before ranking.
 *
 * <p>When a layer cannot be read the answer says so rather than showing its part as zero: speed
 * unreadable gives the batch side alone, batch unreadable the speed side alone, each with
 * {@code partial: true} and a warning naming the layer; so does a speed answer that lacks some Kafka
 * partitions (engine {@code streams}: restoring or moving). Without the catalog (or without any layer
 * holding cells) there is no answer: {@link LayerUnavailableException}, a 503 at the edge.
 */
public class BatchSpeedMerge {

    /** The merged values of one key's buckets (in order), their fold, and where they came from. */
    public record MergedSeries(Map<Instant, Object> buckets, Object total, Provenance provenance) {
    }

    /** One key of a top-N with its folded value over the range. */
    public record Ranked(String key, Double value) {
    }

    public record MergedTop(List<Ranked> items, Provenance provenance) {
    }

    public record MergedKeys(List<String> keys, Provenance provenance) {
    }

    /** The rows of both layers for one answer, and what could not be read. */
    private record Sides<B, S>(B batch, S speed, List<String> warnings) {
    }

    private static final Comparator<Ranked> BY_VALUE_THEN_KEY = Comparator
            .comparing(Ranked::value, Comparator.reverseOrder())
            .thenComparing(Ranked::key);

    private final LayerReads reads;
    private final IngestEpoch epochs;
    private final SpeedProgress speedProgress;
    private final MeterRegistry meters;

    public BatchSpeedMerge(LayerReads reads, IngestEpoch epochs, SpeedProgress speedProgress, MeterRegistry meters) {
        this.reads = reads;
        this.epochs = epochs;
        this.speedProgress = speedProgress;
        this.meters = meters;
    }

    public MergedSeries series(ViewDefinition view, String key, BucketRange range) {
        PublishedVersion published = reads.catalog();
        long firstSpeedEpoch = epochs.firstSpeedEpoch(published.cut().toEpochMilli());
        Measure<Object> measure = view.cellMeasure();

        CompletableFuture<Map<Long, byte[]>> batch = published.isNothing()
                ? CompletableFuture.completedFuture(Map.of())
                : reads.batchSeries(view.name(), published.version(), range.granularity(), key, range.from(), range.to());
        // speed(cell, every epoch >= epoch(H)): the speed read folds exactly those epochs
        CompletableFuture<Slice<Map<Long, Object>>> speed = reads.speed().series(view, key, range, firstSpeedEpoch);
        Sides<Map<Long, byte[]>, Map<Long, Object>> sides = await(view, published, batch, Map.of(), speed, Map.of());

        Map<Long, Object> cells = new HashMap<>();
        sides.batch().forEach((bucket, bytes) -> cells.put(bucket, measure.decode(bytes)));
        sides.speed().forEach((bucket, value) -> cells.merge(bucket, value, measure::plusInto));
        Map<Instant, Object> buckets = new LinkedHashMap<>(range.series(measure, cells::get));
        Object total = range.total(measure, cells::get);
        return new MergedSeries(buckets, total, provenance(published, sides.warnings()));
    }

    /**
     * Every key's value folded over the range, ranked by value descending then key ascending, the
     * first {@code limit}. Exact: it reads every key of every bucket (the by-bucket tables), so its
     * cost grows with buckets × keys; more than {@code maxKeys} distinct keys is refused.
     */
    public MergedTop top(ViewDefinition view, BucketRange range, int limit, int maxKeys) {
        PublishedVersion published = reads.catalog();
        long firstSpeedEpoch = epochs.firstSpeedEpoch(published.cut().toEpochMilli());
        Measure<Object> measure = view.cellMeasure();
        List<Instant> buckets = range.buckets();

        CompletableFuture<List<Map<String, byte[]>>> batch = published.isNothing()
                ? CompletableFuture.completedFuture(List.of())
                : all(buckets, bucket -> reads.batchBucket(view.name(), published.version(), range.granularity(), bucket));
        CompletableFuture<Slice<Map<String, Object>>> speed = reads.speed().top(view, range, firstSpeedEpoch);
        Sides<List<Map<String, byte[]>>, Map<String, Object>> sides = await(view, published, batch, List.of(), speed,
                Map.of());

        Map<String, Object> byKey = new HashMap<>();
        for (Map<String, byte[]> bucket : sides.batch()) {
            bucket.forEach((key, bytes) -> byKey.merge(key, measure.decode(bytes), measure::plusInto));
            requireAtMost(byKey, maxKeys);
        }
        sides.speed().forEach((key, value) -> byKey.merge(key, value, measure::plusInto));
        requireAtMost(byKey, maxKeys);
        List<Ranked> ranked = new ArrayList<>(byKey.size());
        byKey.forEach((key, value) -> {
            Double result = measure.result(value);
            if (result != null) {
                ranked.add(new Ranked(key, result));
            }
        });
        ranked.sort(BY_VALUE_THEN_KEY);
        return new MergedTop(List.copyOf(ranked.subList(0, Math.min(limit, ranked.size()))),
                provenance(published, sides.warnings()));
    }

    /**
     * The keys with a cell in any bucket of {@code range}, in the batch version published now or in the
     * speed layer (any epoch: a key the speed layer has seen is a key of the view), that start with
     * {@code prefix}: the first {@code limit} in code point order. Each bucket is read as one slice of
     * at most {@code limit} keys from {@code prefix} on; the keys of a prefix are contiguous in that
     * order, so the first {@code limit} of the union are among what the slices return.
     */
    public MergedKeys keys(ViewDefinition view, BucketRange range, String prefix, int limit) {
        PublishedVersion published = reads.catalog();
        List<Instant> buckets = range.buckets();
        CompletableFuture<List<List<String>>> batch = published.isNothing()
                ? CompletableFuture.completedFuture(List.of())
                : all(buckets, bucket -> reads.batchKeys(view.name(), published.version(), range.granularity(), bucket,
                        prefix, limit));
        CompletableFuture<Slice<List<String>>> speed = reads.speed().keys(view, range, prefix, limit);
        Sides<List<List<String>>, List<String>> sides = await(view, published, batch, List.of(), speed, List.of());

        TreeSet<String> keys = new TreeSet<>(ViewKey.ORDER);
        for (List<String> bucket : sides.batch()) {
            bucket.stream().filter(key -> key.startsWith(prefix)).forEach(keys::add);
        }
        sides.speed().stream().filter(key -> key.startsWith(prefix)).forEach(keys::add);
        return new MergedKeys(keys.stream().limit(limit).toList(), provenance(published, sides.warnings()));
    }

    /** The provenance of an answer merged at {@code published}, for answers that read no cells (freshness). */
    public Provenance provenance(PublishedVersion published, List<String> warnings) {
        return new Provenance(published.isNothing() ? null : published.version(),
                published.isNothing() ? null : published.cut(), speedProgress.speedThrough().orElse(null),
                !warnings.isEmpty(), warnings);
    }

    private <B, S> Sides<B, S> await(ViewDefinition view, PublishedVersion published, CompletableFuture<B> batch,
                                     B noBatch, CompletableFuture<Slice<S>> speed, S noSpeed) {
        List<String> warnings = new ArrayList<>(2);
        B batchRows = noBatch;
        S speedRows = noSpeed;
        Throwable batchFailure = null;
        Throwable speedFailure = null;
        try {
            batchRows = LayerGuard.await(batch);
        } catch (Throwable e) {
            batchFailure = e;
            warnings.add(reads.guard(Layer.BATCH).describe(e) + ": this answer counts only the speed layer, events "
                    + "ingested since " + published.cut() + " (batch version " + published.version() + " left out)");
        }
        List<Integer> missingPartitions = List.of();
        try {
            Slice<S> slice = LayerGuard.await(speed);
            speedRows = slice.cells();
            missingPartitions = slice.missingPartitions();
        } catch (Throwable e) {
            speedFailure = e;
            warnings.add(reads.guard(Layer.SPEED).describe(e) + ": this answer counts only batch version "
                    + published.version() + ", events ingested before " + published.cut()
                    + " (later events left out)");
        }
        if (speedFailure != null && (batchFailure != null || published.isNothing())) {
            throw new LayerUnavailableException(Layer.SPEED, "no layer holding cells could be read: "
                    + String.join("; ", warnings), speedFailure);
        }
        if (batchFailure != null) {
            partial(view, Layer.BATCH);
        }
        if (!missingPartitions.isEmpty()) {
            // never silently short: the partitions' cells are moving or restoring, and their events since the cut
            // are in neither layer's answer now
            warnings.add("speed layer partitions " + missingPartitions + " could not be read in time (restoring or "
                    + "moving between instances): this answer leaves out their events ingested since "
                    + published.cut());
        }
        if (speedFailure != null || !missingPartitions.isEmpty()) {
            partial(view, Layer.SPEED);
        }
        return new Sides<>(batchRows, speedRows, warnings);
    }

    private void partial(ViewDefinition view, Layer missing) {
        meters.counter("lambda.query.partial.answers", "view", view.name(), "missing", missing.id()).increment();
    }

    private static void requireAtMost(Map<String, Object> byKey, int maxKeys) {
        if (byKey.size() > maxKeys) {
            throw new BadQueryException("from/to", "the range holds more than " + maxKeys
                    + " keys, more than an exact top-N folds per request: narrow the range");
        }
    }

    /** Starts one read per bucket; the result fails as soon as any of them fails. */
    private static <T> CompletableFuture<List<T>> all(List<Instant> buckets,
                                                      Function<Instant, CompletableFuture<T>> read) {
        List<CompletableFuture<T>> reads = buckets.stream().map(read).toList();
        return CompletableFuture.allOf(reads.toArray(CompletableFuture[]::new))
                .thenApply(done -> reads.stream().map(CompletableFuture::join).toList());
    }
}
