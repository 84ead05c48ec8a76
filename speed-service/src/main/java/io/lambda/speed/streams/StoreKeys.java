package io.lambda.speed.streams;

import io.lambda.core.cell.CellKey;
import io.lambda.core.time.Granularity;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The byte keys of the cell stores, ordered so that the reads are range scans. The stores compare
 * keys as unsigned bytes (RocksDB's default comparator and Kafka Streams' {@code Bytes}), so:
 * <ul>
 * <li>a text is its UTF-8 bytes with {@code 0x00} escaped as {@code 0x00 0xFF}, ended by {@code 0x00 0x01}: texts
 *     sort in code point order (Cassandra's order of text) and one is never mistaken for a prefix of another;</li>
 * <li>a number (bucket start, ingest epoch) is 8 bytes big-endian with the sign bit flipped: numeric order,
 *     also before 1970.</li>
 * </ul>
 * Series store: {@code view, granularity, key, bucket, epoch}. Bucket store: {@code view, granularity,
 * bucket, key, epoch}. Epoch index: {@code epoch,} then the series key. The Kafka partition is not in
 * the key: every store belongs to one task, i.e. one partition.
 */
final class StoreKeys {

    private static final byte[] END = {0x00, 0x01};

    private StoreKeys() {
    }

    static byte[] series(CellKey cell, long epoch) {
        return new Writer().text(cell.view()).granularity(cell.granularity()).text(cell.key())
                .number(cell.bucketStartMillis()).number(epoch).bytes();
    }

    static byte[] bucket(CellKey cell, long epoch) {
        return new Writer().text(cell.view()).granularity(cell.granularity()).number(cell.bucketStartMillis())
                .text(cell.key()).number(epoch).bytes();
    }

    static byte[] epochIndex(long epoch, byte[] seriesKey) {
        byte[] key = Arrays.copyOf(number(epoch), 8 + seriesKey.length);
        System.arraycopy(seriesKey, 0, key, 8, seriesKey.length);
        return key;
    }

    /** The first key of a series range: the bucket {@code fromMillis} of one key, any epoch. */
    static byte[] seriesFrom(String view, Granularity granularity, String key, long fromMillis) {
        return new Writer().text(view).granularity(granularity).text(key).number(fromMillis).bytes();
    }

    /** The first key of one bucket of a view, from {@code fromKey} on (empty: every key). */
    static byte[] bucketFrom(String view, Granularity granularity, long bucketMillis, String fromKey) {
        Writer writer = new Writer().text(view).granularity(granularity).number(bucketMillis);
        return fromKey.isEmpty() ? writer.bytes() : writer.text(fromKey).bytes();
    }

    /** The first key after every key of one bucket of a view. */
    static byte[] bucketEnd(String view, Granularity granularity, long bucketMillis) {
        return new Writer().text(view).granularity(granularity).number(bucketMillis + 1).bytes();
    }

    /** The first key of the epoch index at or after {@code epoch}. */
    static byte[] epochStart(long epoch) {
        return number(epoch);
    }

    /** The series key an epoch index entry points at. */
    static byte[] seriesOfIndex(byte[] indexKey) {
        return Arrays.copyOfRange(indexKey, 8, indexKey.length);
    }

    /** The ingest epoch of a series, bucket or index key: series and bucket keys end with it, an index key starts with it. */
    static long epochOfCell(byte[] cellKey) {
        return readNumber(cellKey, cellKey.length - 8);
    }

    static long epochOfIndex(byte[] indexKey) {
        return readNumber(indexKey, 0);
    }

    /** The parts of a series or bucket key, read back. */
    record Parts(String view, Granularity granularity, String key, long bucketMillis, long epoch) {
    }

    static Parts readSeries(byte[] key) {
        Reader reader = new Reader(key);
        String view = reader.text();
        Granularity granularity = reader.granularity();
        String cellKey = reader.text();
        long bucket = reader.number();
        return new Parts(view, granularity, cellKey, bucket, reader.number());
    }

    static Parts readBucket(byte[] key) {
        Reader reader = new Reader(key);
        String view = reader.text();
        Granularity granularity = reader.granularity();
        long bucket = reader.number();
        String cellKey = reader.text();
        return new Parts(view, granularity, cellKey, bucket, reader.number());
    }

    private static byte[] number(long value) {
        long flipped = value ^ Long.MIN_VALUE;
        byte[] bytes = new byte[8];
        for (int i = 7; i >= 0; i--) {
            bytes[i] = (byte) flipped;
            flipped >>>= 8;
        }
        return bytes;
    }

    private static long readNumber(byte[] bytes, int at) {
        long value = 0;
        for (int i = 0; i < 8; i++) {
            value = (value << 8) | (bytes[at + i] & 0xFF);
        }
        return value ^ Long.MIN_VALUE;
    }

    private static final class Writer {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream(64);

        Writer text(String text) {
            for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
                out.write(b);
                if (b == 0) {
                    out.write(0xFF);
                }
            }
            out.writeBytes(END);
            return this;
        }

        Writer granularity(Granularity granularity) {
            out.write(granularity.ordinal());
            return this;
        }

        Writer number(long value) {
            out.writeBytes(StoreKeys.number(value));
            return this;
        }

        byte[] bytes() {
            return out.toByteArray();
        }
    }

    private static final class Reader {
        private final byte[] bytes;
        private int at;

        Reader(byte[] bytes) {
            this.bytes = bytes;
        }

        String text() {
            ByteArrayOutputStream text = new ByteArrayOutputStream();
            while (true) {
                byte b = bytes[at++];
                if (b == 0) {
                    if (bytes[at++] == 0x01) {
                        return text.toString(StandardCharsets.UTF_8);
                    }
                    text.write(0);
                } else {
                    text.write(b);
                }
            }
        }

        Granularity granularity() {
            return Granularity.values()[bytes[at++]];
        }

        long number() {
            long value = readNumber(bytes, at);
            at += 8;
            return value;
        }
    }
}
