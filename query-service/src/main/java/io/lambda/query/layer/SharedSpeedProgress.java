package io.lambda.query.layer;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The speed layer's progress, read at most once per {@code maxAge} and shared by the queries of that
 * time: every answer carries {@code speedThrough}, and reading the progress table for each one was a
 * second Cassandra read per series on the request thread. A shared value is at most {@code maxAge}
 * (plus one read) old, which can only understate how far the speed layer has got, never overstate it.
 * While one query refreshes it, the others keep the previous value rather than wait.
 */
public final class SharedSpeedProgress implements SpeedProgress {

    private record Read(Optional<Instant> speedThrough, long readAtNanos) {
    }

    private final SpeedProgress source;
    private final long maxAgeNanos;
    private final AtomicBoolean refreshing = new AtomicBoolean();
    private volatile Read last;

    public SharedSpeedProgress(SpeedProgress source, Duration maxAge) {
        this.source = source;
        this.maxAgeNanos = maxAge.toNanos();
    }

    @Override
    public Optional<Instant> speedThrough() {
        Read read = last;
        if (read != null && System.nanoTime() - read.readAtNanos() < maxAgeNanos) {
            return read.speedThrough();
        }
        if (!refreshing.compareAndSet(false, true)) {
            return read != null ? read.speedThrough() : source.speedThrough();
        }
        try {
            long startedAt = System.nanoTime();
            Optional<Instant> through = source.speedThrough();
            last = new Read(through, startedAt);
            return through;
        } finally {
            refreshing.set(false);
        }
    }
}
