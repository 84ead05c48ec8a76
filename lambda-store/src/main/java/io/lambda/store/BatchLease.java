package io.lambda.store;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * The run lease: one recompute at a time across every replica of the batch service. Taken with a
 * lightweight transaction, kept alive by renewing it well within its TTL, and freed by the TTL
 * when its holder dies. An owner that restarts under the same name takes its own lease back at once.
 */
public final class BatchLease {

    /** Who holds the lease, for which run. */
    public record Holder(String owner, String run, Instant acquiredAt) {
    }

    private final CqlSession session;
    private final String deployment;
    private final PreparedStatement take;
    private final PreparedStatement renew;
    private final PreparedStatement release;
    private final PreparedStatement read;

    public BatchLease(CqlSession session, StoreSettings settings) {
        this.session = session;
        this.deployment = settings.deployment();
        String table = settings.keyspace() + ".batch_lease";
        this.take = session.prepare("INSERT INTO " + table + " (deployment, owner, run, acquired_at) "
                + "VALUES (?, ?, ?, ?) IF NOT EXISTS USING TTL ?");
        this.renew = session.prepare("UPDATE " + table + " USING TTL ? SET owner = ?, run = ?, acquired_at = ? "
                + "WHERE deployment = ? IF owner = ?");
        this.release = session.prepare("DELETE FROM " + table + " WHERE deployment = ? IF owner = ?");
        this.read = session.prepare("SELECT owner, run, acquired_at FROM " + table + " WHERE deployment = ?");
    }

    /** Takes the lease for {@code run}, or renews it if {@code owner} holds it already. */
    public boolean acquire(String owner, String run, Duration ttl) {
        int seconds = (int) Math.max(1, ttl.toSeconds());
        Instant now = Instant.now();
        if (session.execute(take.bind(deployment, owner, run, now, seconds)).wasApplied()) {
            return true;
        }
        return session.execute(renew.bind(seconds, owner, run, now, deployment, owner)).wasApplied();
    }

    /** Extends the lease; false when it was lost (expired and taken by someone else). */
    public boolean renew(String owner, String run, Duration ttl) {
        return acquire(owner, run, ttl);
    }

    public void release(String owner) {
        session.execute(release.bind(deployment, owner));
    }

    public Optional<Holder> holder() {
        Row row = session.execute(read.bind(deployment)
                .setConsistencyLevel(com.datastax.oss.driver.api.core.DefaultConsistencyLevel.SERIAL)).one();
        return row == null ? Optional.empty()
                : Optional.of(new Holder(row.getString("owner"), row.getString("run"), row.getInstant("acquired_at")));
    }
}
