package io.lambda.store;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import java.time.Instant;

/**
 * The catalog: one record per deployment naming the published batch version and its cut. A new
 * version becomes visible together with its cut in one compare-and-set (docs/architecture.md, invariant 2).
 */
public final class BatchCatalog {

    private final CqlSession session;
    private final String deployment;
    private final PreparedStatement read;
    private final PreparedStatement insertFirst;
    private final PreparedStatement swap;

    public BatchCatalog(CqlSession session, StoreSettings settings) {
        this.session = session;
        this.deployment = settings.deployment();
        String table = settings.keyspace() + ".batch_catalog";
        this.read = session.prepare("SELECT version, cut FROM " + table + " WHERE deployment = ?");
        this.insertFirst = session.prepare("INSERT INTO " + table
                + " (deployment, version, cut, published_at) VALUES (?, ?, ?, ?) IF NOT EXISTS");
        this.swap = session.prepare("UPDATE " + table
                + " SET version = ?, cut = ?, published_at = ? WHERE deployment = ? IF version = ?");
    }

    /** The published version; {@link PublishedVersion#NOTHING} before the first publish. Read serially. */
    public PublishedVersion current() {
        Row row = session.execute(read.bind(deployment)
                .setConsistencyLevel(com.datastax.oss.driver.api.core.DefaultConsistencyLevel.SERIAL)).one();
        if (row == null) {
            return PublishedVersion.NOTHING;
        }
        return new PublishedVersion(row.getLong("version"), row.getInstant("cut"));
    }

    /**
     * Publishes {@code next} if the catalog still shows {@code expected}; false when someone else
     * published in between (the caller then re-reads and decides).
     */
    public boolean compareAndSet(PublishedVersion expected, PublishedVersion next) {
        Instant now = Instant.now();
        if (expected.isNothing()) {
            boolean applied = session.execute(insertFirst.bind(deployment, next.version(), next.cut(), now))
                    .wasApplied();
            if (applied) {
                return true;
            }
        }
        return session.execute(swap.bind(next.version(), next.cut(), now, deployment, expected.version()))
                .wasApplied();
    }
}
