package io.lambda.speed;

import static org.assertj.core.api.Assertions.assertThat;

import com.datastax.oss.driver.api.core.CqlSession;
import io.lambda.core.cell.CellKey;
import io.lambda.core.cell.SpeedCellKey;
import io.lambda.core.time.Granularity;
import io.lambda.store.LambdaStore;
import io.lambda.store.SpeedCells;
import io.lambda.store.StoreSettings;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link SpeedCells#writeAll} and {@link SpeedCells#indexAll} on real Cassandra when one Cassandra
 * partition holds more rows, or more bytes, than one request takes: the partition goes in several
 * requests, one after the other, and every row arrives with its own value and offset.
 */
class SpeedCellsWriteAllIntegrationTests {

    private static final String KEYSPACE = SpeedFixture.unique("it_writeall_");
    private static final Instant BUCKET = Instant.parse("2026-12-06T18:00:00Z");
    private static final long EPOCH = 42;
    /** More rows than one request takes ({@code ROWS_PER_BATCH}, 2,000), all in one bucket. */
    private static final int CELLS = 2_500;
    /** Three values together above one request's bytes (1 MiB). */
    private static final int BIG_VALUE_BYTES = 400_000;

    private static CqlSession session;
    private static SpeedCells cells;

    @BeforeAll
    static void open() {
        session = SpeedFixture.session();
        cells = LambdaStore.open(session, new StoreSettings(KEYSPACE, 1, "it")).speedCells();
    }

    @AfterAll
    static void close() {
        session.execute("DROP KEYSPACE IF EXISTS " + KEYSPACE);
        session.close();
    }

    @Test
    void aBucketOfMoreRowsAndBytesThanOneRequestIsWrittenWholeAndRewrittenWhole() {
        Random random = new Random(7);
        List<SpeedCells.Stored> first = stored(random, 1_000);
        cells.writeAll(first).toCompletableFuture().join();
        assertStored(first);

        // written again over the stored rows, with new values and offsets: every row must hold the
        // second write once it completes (each is read right after the join, so a write reported
        // complete before its last request was acknowledged would show here)
        List<SpeedCells.Stored> second = stored(random, 2_000);
        cells.writeAll(second).toCompletableFuture().join();
        assertStored(second);
    }

    @Test
    void anEpochListingOfMoreRowsThanOneRequestListsEveryCell() {
        List<SpeedCellKey> keys = new ArrayList<>();
        for (int i = 0; i < CELLS; i++) {
            keys.add(key("visitors", "listed-" + i));
        }
        cells.indexAll(keys).toCompletableFuture().join();

        assertThat(cells.epochs("visitors")).contains(EPOCH);
        assertThat(new HashSet<>(cells.cellsOf("visitors", EPOCH, 10 * CELLS))).isEqualTo(new HashSet<>(keys));
    }

    private static List<SpeedCells.Stored> stored(Random random, long offsetBase) {
        List<SpeedCells.Stored> rows = new ArrayList<>();
        for (int i = 0; i < CELLS; i++) {
            byte[] value = new byte[i % 1_000 == 7 ? BIG_VALUE_BYTES : 1 + random.nextInt(300)];
            random.nextBytes(value);
            rows.add(new SpeedCells.Stored(key("pageviews", "url-" + i), value, offsetBase + i));
        }
        return rows;
    }

    private static SpeedCellKey key(String view, String key) {
        return new SpeedCellKey(new CellKey(view, key, Granularity.MINUTE, BUCKET.toEpochMilli()), EPOCH, 3);
    }

    private static void assertStored(List<SpeedCells.Stored> expected) {
        Map<SpeedCellKey, SpeedCells.Stored> read = cells.bucket("pageviews", Granularity.MINUTE, BUCKET).stream()
                .collect(Collectors.toMap(SpeedCells.Stored::key, Function.identity()));
        assertThat(read).hasSize(expected.size());
        for (SpeedCells.Stored cell : expected) {
            SpeedCells.Stored byBucket = read.get(cell.key());
            assertThat(byBucket.highestOffset()).as("offset of %s by bucket", cell.key()).isEqualTo(cell.highestOffset());
            assertThat(Arrays.equals(byBucket.value(), cell.value())).as("value of %s by bucket", cell.key()).isTrue();
            SpeedCells.Stored byKey = cells.read(cell.key()).orElseThrow();
            assertThat(byKey.highestOffset()).as("offset of %s by key", cell.key()).isEqualTo(cell.highestOffset());
            assertThat(Arrays.equals(byKey.value(), cell.value())).as("value of %s by key", cell.key()).isTrue();
        }
    }
}
