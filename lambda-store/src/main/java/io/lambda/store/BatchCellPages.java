package io.lambda.store;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import io.lambda.core.cell.CellKey;
import io.lambda.core.time.Granularity;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * Cells in compact pages of a few thousand, split into {@link #RANGES} cell ranges by a hash of the
 * cell. Two uses: a version's pages list every cell of the version (the base of the next
 * incremental run, and what to delete when it expires); a run's partial pages carry what each map
 * partition folded to the reduce partition that owns the range (a shuffle through Cassandra, so
 * map and reduce may run on different workers).
 */
public final class BatchCellPages {

    /** Cells are split into this many ranges; one reduce partition merges one range. */
    public static final int RANGES = 16;
    private static final int FORMAT = 1;

    /** One cell and its encoded monoid value. */
    public record Cell(CellKey key, byte[] value) {
    }

    private final CqlSession session;
    private final String deployment;
    private final PreparedStatement writeVersionPage;
    private final PreparedStatement readVersionPages;
    private final PreparedStatement deleteVersionPages;
    private final PreparedStatement writePartialPage;
    private final PreparedStatement readPartialPages;
    private final PreparedStatement deletePartialsOfPartition;
    private final PreparedStatement deletePartials;

    public BatchCellPages(CqlSession session, StoreSettings settings) {
        this.session = session;
        this.deployment = settings.deployment();
        String versions = settings.keyspace() + ".batch_version_pages";
        String partials = settings.keyspace() + ".batch_partial_pages";
        this.writeVersionPage = session.prepare("INSERT INTO " + versions
                + " (deployment, version, cell_range, page, cells) VALUES (?, ?, ?, ?, ?)");
        this.readVersionPages = session.prepare("SELECT cells FROM " + versions
                + " WHERE deployment = ? AND version = ? AND cell_range = ?");
        this.deleteVersionPages = session.prepare("DELETE FROM " + versions
                + " WHERE deployment = ? AND version = ? AND cell_range = ?");
        this.writePartialPage = session.prepare("INSERT INTO " + partials
                + " (deployment, version, cell_range, map_partition, page, cells) VALUES (?, ?, ?, ?, ?, ?)");
        this.readPartialPages = session.prepare("SELECT cells FROM " + partials
                + " WHERE deployment = ? AND version = ? AND cell_range = ?");
        this.deletePartialsOfPartition = session.prepare("DELETE FROM " + partials
                + " WHERE deployment = ? AND version = ? AND cell_range = ? AND map_partition = ?");
        this.deletePartials = session.prepare("DELETE FROM " + partials
                + " WHERE deployment = ? AND version = ? AND cell_range = ?");
    }

    /** The range a cell belongs to: stable across runs and JVMs (String and record hashes are specified). */
    public static int rangeOf(CellKey cell) {
        int hash = cell.view().hashCode() * 31 + cell.key().hashCode();
        hash = hash * 31 + cell.granularity().ordinal();
        hash = hash * 31 + Long.hashCode(cell.bucketStartMillis());
        return Math.floorMod(hash ^ (hash >>> 16), RANGES);
    }

    // ---- version pages

    public CompletableFuture<Void> writeVersionPage(long version, int range, int page, List<Cell> cells) {
        return session.executeAsync(writeVersionPage.bind(deployment, version, range, page,
                ByteBuffer.wrap(encode(cells)))).toCompletableFuture().thenApply(r -> null);
    }

    /** Every cell of one range of a version, page by page in page order. */
    public void readVersion(long version, int range, Consumer<Cell> sink) {
        for (Row row : session.execute(readVersionPages.bind(deployment, version, range).setPageSize(4))) {
            decode(Bytes.of(row.getByteBuffer("cells")), sink);
        }
    }

    /** Whether the version has pages at all (a version deleted by retention has none). */
    public boolean hasVersion(long version) {
        for (int range = 0; range < RANGES; range++) {
            if (session.execute(readVersionPages.bind(deployment, version, range).setPageSize(1)).one() != null) {
                return true;
            }
        }
        return false;
    }

    public void deleteVersion(long version) {
        for (int range = 0; range < RANGES; range++) {
            session.execute(deleteVersionPages.bind(deployment, version, range));
        }
    }

    // ---- partial pages of a run

    /**
     * Replaces what map partition {@code partition} folded for {@code range}: earlier pages of an
     * interrupted attempt are deleted first.
     */
    public CompletableFuture<Void> replacePartials(long version, int range, int partition, List<List<Cell>> pages) {
        session.execute(deletePartialsOfPartition.bind(deployment, version, range, partition));
        List<CompletableFuture<?>> writes = new ArrayList<>();
        for (int page = 0; page < pages.size(); page++) {
            writes.add(session.executeAsync(writePartialPage.bind(deployment, version, range, partition, page,
                    ByteBuffer.wrap(encode(pages.get(page))))).toCompletableFuture());
        }
        return CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new));
    }

    /** Every partial cell of one range, in (map partition, page) order. */
    public void readPartials(long version, int range, Consumer<Cell> sink) {
        for (Row row : session.execute(readPartialPages.bind(deployment, version, range).setPageSize(4))) {
            decode(Bytes.of(row.getByteBuffer("cells")), sink);
        }
    }

    public void deletePartials(long version) {
        for (int range = 0; range < RANGES; range++) {
            session.execute(deletePartials.bind(deployment, version, range));
        }
    }

    // ---- the page format: FORMAT, count, then per cell view, key, granularity, bucket, value

    public static byte[] encode(List<Cell> cells) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 + cells.size() * 64);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(FORMAT);
            out.writeInt(cells.size());
            for (Cell cell : cells) {
                out.writeUTF(cell.key().view());
                out.writeUTF(cell.key().key());
                out.writeUTF(cell.key().granularity().name());
                out.writeLong(cell.key().bucketStartMillis());
                out.writeInt(cell.value().length);
                out.write(cell.value());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    public static void decode(byte[] page, Consumer<Cell> sink) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(page))) {
            int format = in.readByte();
            if (format != FORMAT) {
                throw new IllegalStateException("unknown batch cell page format " + format);
            }
            int count = in.readInt();
            for (int i = 0; i < count; i++) {
                CellKey key = new CellKey(in.readUTF(), in.readUTF(), Granularity.valueOf(in.readUTF()), in.readLong());
                byte[] value = new byte[in.readInt()];
                in.readFully(value);
                sink.accept(new Cell(key, value));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("damaged batch cell page", e);
        }
    }
}
