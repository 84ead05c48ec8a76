package io.lambda.speed.streams;

import static org.assertj.core.api.Assertions.assertThat;

import io.lambda.core.cell.CellKey;
import io.lambda.core.time.Granularity;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The store keys sort as the range scans need them to (the stores compare unsigned bytes): seeded random
 * cells with awkward texts (prefixes of each other, U+0000, characters outside the BMP) and numbers
 * (negative buckets, epochs around zero) round-trip, and their byte order is the order of their parts.
 */
class StoreKeysTests {

    private static final Comparator<String> CODE_POINTS = (a, b) -> Arrays.compareUnsigned(
            a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));

    private static final Comparator<Cell> SERIES_ORDER = Comparator.comparing((Cell c) -> c.cell().view(), CODE_POINTS)
            .thenComparing(c -> c.cell().granularity())
            .thenComparing(c -> c.cell().key(), CODE_POINTS)
            .thenComparingLong(c -> c.cell().bucketStartMillis())
            .thenComparingLong(Cell::epoch);

    private static final Comparator<Cell> BUCKET_ORDER = Comparator.comparing((Cell c) -> c.cell().view(), CODE_POINTS)
            .thenComparing(c -> c.cell().granularity())
            .thenComparingLong(c -> c.cell().bucketStartMillis())
            .thenComparing(c -> c.cell().key(), CODE_POINTS)
            .thenComparingLong(Cell::epoch);

    private record Cell(CellKey cell, long epoch) {
    }

    @Test
    void seriesAndBucketKeysRoundTripAndSortAsTheirParts() {
        List<Cell> cells = randomCells(new Random(5), 3000);

        for (Cell cell : cells) {
            StoreKeys.Parts series = StoreKeys.readSeries(StoreKeys.series(cell.cell(), cell.epoch()));
            StoreKeys.Parts bucket = StoreKeys.readBucket(StoreKeys.bucket(cell.cell(), cell.epoch()));
            StoreKeys.Parts expected = new StoreKeys.Parts(cell.cell().view(), cell.cell().granularity(),
                    cell.cell().key(), cell.cell().bucketStartMillis(), cell.epoch());
            assertThat(series).isEqualTo(expected);
            assertThat(bucket).isEqualTo(expected);
            assertThat(StoreKeys.epochOfCell(StoreKeys.series(cell.cell(), cell.epoch()))).isEqualTo(cell.epoch());
        }
        assertThat(sortedByBytes(cells, true)).isEqualTo(cells.stream().sorted(SERIES_ORDER).toList());
        assertThat(sortedByBytes(cells, false)).isEqualTo(cells.stream().sorted(BUCKET_ORDER).toList());
    }

    @Test
    void aSeriesRangeHoldsExactlyTheKeysBucketsInItAndABucketRangeExactlyItsKeys() {
        List<Cell> cells = randomCells(new Random(6), 3000);
        Cell probe = cells.get(17);
        CellKey c = probe.cell();
        long from = c.bucketStartMillis() - c.granularity().lengthMillis() * 3;
        long to = c.bucketStartMillis() + c.granularity().lengthMillis() * 2;
        byte[] low = StoreKeys.seriesFrom(c.view(), c.granularity(), c.key(), from);
        byte[] high = StoreKeys.seriesFrom(c.view(), c.granularity(), c.key(), to);
        for (Cell cell : cells) {
            byte[] key = StoreKeys.series(cell.cell(), cell.epoch());
            boolean inRange = Arrays.compareUnsigned(key, low) >= 0 && Arrays.compareUnsigned(key, high) < 0;
            boolean wanted = cell.cell().view().equals(c.view()) && cell.cell().granularity() == c.granularity()
                    && cell.cell().key().equals(c.key()) && cell.cell().bucketStartMillis() >= from
                    && cell.cell().bucketStartMillis() < to;
            assertThat(inRange).as("%s", cell).isEqualTo(wanted);
        }
        byte[] start = StoreKeys.bucketFrom(c.view(), c.granularity(), c.bucketStartMillis(), "");
        byte[] end = StoreKeys.bucketEnd(c.view(), c.granularity(), c.bucketStartMillis());
        byte[] fromKey = StoreKeys.bucketFrom(c.view(), c.granularity(), c.bucketStartMillis(), c.key());
        for (Cell cell : cells) {
            byte[] key = StoreKeys.bucket(cell.cell(), cell.epoch());
            boolean sameBucket = cell.cell().view().equals(c.view()) && cell.cell().granularity() == c.granularity()
                    && cell.cell().bucketStartMillis() == c.bucketStartMillis();
            assertThat(Arrays.compareUnsigned(key, start) >= 0 && Arrays.compareUnsigned(key, end) < 0)
                    .as("%s", cell).isEqualTo(sameBucket);
            assertThat(Arrays.compareUnsigned(key, fromKey) >= 0 && Arrays.compareUnsigned(key, end) < 0).as("%s", cell)
                    .isEqualTo(sameBucket && CODE_POINTS.compare(cell.cell().key(), c.key()) >= 0);
        }
    }

    @Test
    void theEpochIndexSortsByEpochFirstAndPointsBackAtTheSeriesKey() {
        List<Cell> cells = randomCells(new Random(7), 500);
        List<byte[]> index = new ArrayList<>();
        for (Cell cell : cells) {
            byte[] series = StoreKeys.series(cell.cell(), cell.epoch());
            byte[] entry = StoreKeys.epochIndex(cell.epoch(), series);
            assertThat(StoreKeys.seriesOfIndex(entry)).isEqualTo(series);
            assertThat(StoreKeys.epochOfIndex(entry)).isEqualTo(cell.epoch());
            index.add(entry);
        }
        index.sort(Arrays::compareUnsigned);
        for (int i = 1; i < index.size(); i++) {
            assertThat(StoreKeys.epochOfIndex(index.get(i))).isGreaterThanOrEqualTo(StoreKeys.epochOfIndex(index.get(i - 1)));
        }
        long below = cells.get(0).epoch();
        assertThat(index.stream().filter(e -> Arrays.compareUnsigned(e, StoreKeys.epochStart(below)) < 0).count())
                .isEqualTo(cells.stream().filter(c -> c.epoch() < below).count());
    }

    private static List<Cell> sortedByBytes(List<Cell> cells, boolean series) {
        List<Cell> sorted = new ArrayList<>(cells);
        sorted.sort((a, b) -> Arrays.compareUnsigned(
                series ? StoreKeys.series(a.cell(), a.epoch()) : StoreKeys.bucket(a.cell(), a.epoch()),
                series ? StoreKeys.series(b.cell(), b.epoch()) : StoreKeys.bucket(b.cell(), b.epoch())));
        return sorted;
    }

    private static List<Cell> randomCells(Random random, int n) {
        String[] views = {"pageviews", "page", "pageviews2", "revenue", "a"};
        String[] pieces = {"", "a", "ab", "b", "\u0000", "a\u0000", "\u00e9", "\u20ac", "\ud83d\ude00", "/x", "~"};
        List<Cell> cells = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            StringBuilder key = new StringBuilder();
            for (int p = random.nextInt(4); p > 0; p--) {
                key.append(pieces[random.nextInt(pieces.length)]);
            }
            Granularity granularity = Granularity.values()[random.nextInt(3)];
            long bucket = granularity.bucketStartMillis(random.nextLong(-5_000_000_000L, 5_000_000_000L));
            long epoch = random.nextInt(10) - 5;
            cells.add(new Cell(new CellKey(views[random.nextInt(views.length)], key.toString(), granularity, bucket), epoch));
        }
        return cells;
    }
}
