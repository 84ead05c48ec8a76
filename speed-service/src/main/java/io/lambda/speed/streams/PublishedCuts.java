package io.lambda.speed.streams;

import io.lambda.core.time.IngestEpoch;
import io.lambda.store.PublishedVersion;
import java.time.Duration;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;

/**
 * The published cuts this instance has seen, with when it first saw each (docs/architecture.md,
 * invariant 5), as {@code expiry/SpeedExpiry} keeps them for engine {@code writer}. Cells of ingest
 * epoch {@code e} may go when the current cut is past {@code e} and a cut past {@code e} was seen at
 * least {@code grace} ago: the grace starts when this instance saw the cut, never before the publish.
 * After a restart the observations start again, so expiry comes later, never sooner.
 *
 * <p>Fed by a scheduled read of the catalog (off the stream threads, so Cassandra being down never
 * blocks or stops a task), read by every task's expiry punctuator. Thread-safe.
 */
public final class PublishedCuts {

    private final IngestEpoch epochs;
    private final long graceMillis;
    private final TreeMap<Long, Long> seen = new TreeMap<>();
    private long currentCut = Long.MIN_VALUE;

    public PublishedCuts(IngestEpoch epochs, Duration grace) {
        this.epochs = epochs;
        this.graceMillis = grace.toMillis();
    }

    /** The catalog read at {@code nowMillis} said {@code current} is published. */
    public synchronized void observe(PublishedVersion current, long nowMillis) {
        if (current.isNothing()) {
            return;
        }
        long cut = current.cut().toEpochMilli();
        currentCut = cut;
        seen.putIfAbsent(cut, nowMillis);
    }

    /**
     * The epoch below which cells may be deleted at {@code nowMillis} ({@link Long#MIN_VALUE}: none):
     * {@code min(epoch(current cut), the highest epoch(cut) seen at least grace ago)}.
     */
    public synchronized long deleteBelow(long nowMillis) {
        if (currentCut == Long.MIN_VALUE) {
            return Long.MIN_VALUE;
        }
        long graceOver = Long.MIN_VALUE;
        for (Map.Entry<Long, Long> cut : seen.entrySet()) {
            if (cut.getValue() + graceMillis <= nowMillis) {
                graceOver = Math.max(graceOver, epochs.epochOf(cut.getKey()));
            }
        }
        long horizon = Math.min(epochs.epochOf(currentCut), graceOver);
        // cuts at or below the horizon no longer decide anything
        for (Iterator<Long> cuts = seen.keySet().iterator(); cuts.hasNext(); ) {
            long cut = cuts.next();
            if (horizon != Long.MIN_VALUE && epochs.epochOf(cut) < horizon && cut != currentCut) {
                cuts.remove();
            }
        }
        return horizon;
    }
}
