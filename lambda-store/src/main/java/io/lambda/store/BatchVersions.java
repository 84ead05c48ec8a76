package io.lambda.store;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Every batch version of the deployment and its life: {@code WRITING} while a run writes its cells,
 * {@code COMPLETE} once every cell is written, {@code PUBLISHED} once the catalog has pointed at it,
 * {@code DELETED} when retention removed its cells. Also the log of publishes, which the rollback
 * guard reads.
 */
public final class BatchVersions {

    public static final String WRITING = "WRITING";
    public static final String COMPLETE = "COMPLETE";
    public static final String PUBLISHED = "PUBLISHED";
    public static final String DELETED = "DELETED";

    /** One version as recorded; the details are null until the version is complete. */
    public record Version(long version, Instant cut, String status, Instant createdAt, String mode,
                          Long baseVersion, Long eventsRead, Long cellsWritten, Instant completedAt) {

        public boolean hasCells() {
            return COMPLETE.equals(status) || PUBLISHED.equals(status);
        }
    }

    /** One publish of the catalog. */
    public record Publication(Instant publishedAt, long version, Instant cut, long previousVersion) {
    }

    private final CqlSession session;
    private final String deployment;
    private final PreparedStatement insert;
    private final PreparedStatement setStatus;
    private final PreparedStatement readAll;
    private final PreparedStatement readOne;
    private final PreparedStatement writeDetails;
    private final PreparedStatement readDetails;
    private final PreparedStatement logPublication;
    private final PreparedStatement readPublications;

    public BatchVersions(CqlSession session, StoreSettings settings) {
        this.session = session;
        this.deployment = settings.deployment();
        String table = settings.keyspace() + ".batch_versions";
        String details = settings.keyspace() + ".batch_version_details";
        String publications = settings.keyspace() + ".batch_publications";
        this.insert = session.prepare("INSERT INTO " + table
                + " (deployment, version, cut, status, created_at) VALUES (?, ?, ?, ?, ?)");
        this.setStatus = session.prepare("UPDATE " + table + " SET status = ? WHERE deployment = ? AND version = ?");
        this.readAll = session.prepare("SELECT version, cut, status, created_at FROM " + table
                + " WHERE deployment = ?");
        this.readOne = session.prepare("SELECT version, cut, status, created_at FROM " + table
                + " WHERE deployment = ? AND version = ?");
        this.writeDetails = session.prepare("INSERT INTO " + details + " (deployment, version, mode, base_version, "
                + "events_read, cells_written, completed_at) VALUES (?, ?, ?, ?, ?, ?, ?)");
        this.readDetails = session.prepare("SELECT version, mode, base_version, events_read, cells_written, "
                + "completed_at FROM " + details + " WHERE deployment = ?");
        this.logPublication = session.prepare("INSERT INTO " + publications
                + " (deployment, published_at, version, cut, previous_version) VALUES (?, ?, ?, ?, ?)");
        this.readPublications = session.prepare("SELECT published_at, version, cut, previous_version FROM "
                + publications + " WHERE deployment = ?");
    }

    /** Records a version being written (again, on a restart: same version, same cut). */
    public void writing(long version, Instant cut) {
        session.execute(insert.bind(deployment, version, cut, WRITING, Instant.now()));
    }

    public void complete(long version, String mode, long baseVersion, long eventsRead, long cellsWritten) {
        session.execute(writeDetails.bind(deployment, version, mode, baseVersion, eventsRead, cellsWritten,
                Instant.now()));
        session.execute(setStatus.bind(COMPLETE, deployment, version));
    }

    /** Marks {@code version} published and logs the publish (the catalog itself is changed by the caller's CAS). */
    public void published(PublishedVersion published, long previousVersion, Instant at) {
        session.execute(setStatus.bind(PUBLISHED, deployment, published.version()));
        session.execute(logPublication.bind(deployment, at, published.version(), published.cut(), previousVersion));
    }

    public void deleted(long version) {
        session.execute(setStatus.bind(DELETED, deployment, version));
    }

    /** Every version, newest first. */
    public List<Version> all() {
        Map<Long, Row> details = new HashMap<>();
        for (Row row : session.execute(readDetails.bind(deployment))) {
            details.put(row.getLong("version"), row);
        }
        List<Version> versions = new ArrayList<>();
        for (Row row : session.execute(readAll.bind(deployment))) {
            versions.add(version(row, details.get(row.getLong("version"))));
        }
        return versions;
    }

    public Optional<Version> get(long version) {
        Row row = session.execute(readOne.bind(deployment, version)).one();
        if (row == null) {
            return Optional.empty();
        }
        return all().stream().filter(v -> v.version() == version).findFirst();
    }

    /** The highest version number ever recorded, 0 when none. */
    public long highest() {
        Row row = session.execute(readAll.bind(deployment).setPageSize(1)).one();
        return row == null ? 0 : row.getLong("version");
    }

    /** Every publish, oldest first. */
    public List<Publication> publications() {
        List<Publication> log = new ArrayList<>();
        for (Row row : session.execute(readPublications.bind(deployment))) {
            log.add(new Publication(row.getInstant("published_at"), row.getLong("version"), row.getInstant("cut"),
                    row.getLong("previous_version")));
        }
        return log;
    }

    private static Version version(Row row, Row details) {
        return new Version(row.getLong("version"), row.getInstant("cut"), row.getString("status"),
                row.getInstant("created_at"),
                details == null ? null : details.getString("mode"),
                details == null ? null : details.getLong("base_version"),
                details == null ? null : details.getLong("events_read"),
                details == null ? null : details.getLong("cells_written"),
                details == null ? null : details.getInstant("completed_at"));
    }
}
