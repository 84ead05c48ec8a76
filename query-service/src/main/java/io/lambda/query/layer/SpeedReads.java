package io.lambda.query.layer;

import io.lambda.core.time.BucketRange;
import io.lambda.core.view.ViewDefinition;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The speed side of every query, whichever engine keeps the speed cells: the Cassandra tables of engine
 * {@code writer} ({@link CassandraSpeedReads}) or speed-service's stores of engine {@code streams}, read
 * by interactive queries ({@link InteractiveSpeedReads}). Each read folds the cells over every Kafka
 * partition and every ingest epoch {@code >= fromEpoch}, with the view's measure, and says which
 * partitions it could not read. A failed future means the speed layer could not be read at all.
 */
public interface SpeedReads {

    /**
     * What the speed layer answered.
     *
     * @param cells             the folded cells
     * @param missingPartitions partitions of the events topic whose cells are not in {@code cells}
     *                          (restoring, moving between instances, instance unreachable): the answer is partial
     */
    record Slice<T>(T cells, List<Integer> missingPartitions) {

        public Slice {
            missingPartitions = List.copyOf(missingPartitions);
        }

        public static <T> Slice<T> complete(T cells) {
            return new Slice<>(cells, List.of());
        }
    }

    /** One key's cells of {@code range}, by bucket start (epoch millis). */
    CompletableFuture<Slice<Map<Long, Object>>> series(ViewDefinition view, String key, BucketRange range,
                                                       long fromEpoch);

    /** Every key's cell folded over the buckets of {@code range} (a top-N's range). */
    CompletableFuture<Slice<Map<String, Object>>> top(ViewDefinition view, BucketRange range, long fromEpoch);

    /**
     * Keys from {@code from} on with a cell in any bucket of {@code range}, any epoch: at least the first
     * {@code limit} of their union in code point order (possibly more, unsorted; the caller sorts and cuts).
     */
    CompletableFuture<Slice<List<String>>> keys(ViewDefinition view, BucketRange range, String from, int limit);
}
