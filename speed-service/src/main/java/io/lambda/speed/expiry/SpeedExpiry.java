package io.lambda.speed.expiry;

import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import io.lambda.core.time.IngestEpoch;
import io.lambda.core.view.ViewCatalog;
import io.lambda.core.view.ViewDefinition;
import io.lambda.speed.cell.SpeedCellWriter;
import io.lambda.speed.system.SpeedProperties;
import io.lambda.store.BatchCatalog;
import io.lambda.store.LambdaStore;
import io.lambda.store.PublishedVersion;
import io.lambda.store.SpeedCells;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Expiry after absorption (docs/architecture.md, invariant 5). A speed cell of ingest epoch
 * {@code e} is deleted only when the published cut is past {@code e} now, and this service saw a cut
 * past {@code e} at least {@code lambda.speed.expiry.grace} ago. The grace starts when this service first
 * <em>saw</em> the cut pass, which is never before the publish that moved it there, so it is at
 * least as long as batch-service's rollback window (measured from that publish) assumes. After a
 * restart the observations start again: expiry only comes later, never sooner.
 *
 * <p>Two steps, one sweep apart: first the writer stops writing epochs below the new horizon (their
 * records are in the batch), then the next sweep deletes them, so no write in flight can re-create a
 * cell after its epoch was deleted. Every instance sweeps; deletes are idempotent.
 */
@Component
@ConditionalOnProperty(name = SpeedProperties.ENGINE, havingValue = "writer", matchIfMissing = true)
class SpeedExpiry {

    private static final Logger log = LoggerFactory.getLogger(SpeedExpiry.class);

    private final BatchCatalog catalog;
    private final SpeedCells cells;
    private final ViewCatalog views;
    private final IngestEpoch epochs;
    private final SpeedCellWriter writer;
    private final SpeedProperties.Expiry settings;
    private final Counter expired;
    /** Each published cut this instance has seen, with when it first saw it. */
    private final TreeMap<Long, Long> cutsSeen = new TreeMap<>();
    /** The horizon the writer already respects: epochs below it may be deleted. */
    private long armedBelow = Long.MIN_VALUE;

    SpeedExpiry(LambdaStore store, ViewCatalog views, IngestEpoch epochs, SpeedCellWriter writer,
                SpeedProperties properties, MeterRegistry meters) {
        this.catalog = store.catalog();
        this.cells = store.speedCells();
        this.views = views;
        this.epochs = epochs;
        this.writer = writer;
        this.settings = properties.expiry();
        this.expired = Counter.builder("lambda.speed.expired.cells")
                .description("speed cells deleted after the batch absorbed their epoch").register(meters);
    }

    @Scheduled(initialDelayString = "${lambda.speed.expiry.sweep-interval}",
            fixedDelayString = "${lambda.speed.expiry.sweep-interval}")
    void sweep() {
        if (!settings.enabled()) {
            return;
        }
        try {
            sweep(catalog.current(), System.currentTimeMillis());
        } catch (RuntimeException e) {
            log.warn("Speed expiry sweep failed, trying again in {}: {}", settings.sweepInterval(), e.getMessage());
        }
    }

    synchronized void sweep(PublishedVersion current, long now) {
        long cutEpoch = epochs.epochOf(current.cut().toEpochMilli());
        cutsSeen.putIfAbsent(current.cut().toEpochMilli(), now);
        long graceOver = Long.MIN_VALUE;
        for (Map.Entry<Long, Long> seen : cutsSeen.entrySet()) {
            if (seen.getValue() + settings.grace().toMillis() <= now) {
                graceOver = Math.max(graceOver, epochs.epochOf(seen.getKey()));
            }
        }
        long horizon = Math.min(cutEpoch, graceOver);
        long deleteBelow = Math.min(horizon, armedBelow);
        if (deleteBelow != Long.MIN_VALUE) {
            for (ViewDefinition view : views.views()) {
                for (long epoch : cells.epochs(view.name())) {
                    if (epoch >= deleteBelow) {
                        break;
                    }
                    int deleted = cells.expire(view.name(), epoch);
                    expired.increment(deleted);
                    log.info("Expired {} speed cells of view {} in ingest epoch {} (published cut {})", deleted,
                            view.name(), epoch, current.cut());
                }
            }
        }
        if (horizon != Long.MIN_VALUE) {
            writer.expireBelow(horizon);
            armedBelow = Math.max(armedBelow, horizon);
        }
        // cuts at or below the horizon no longer decide anything
        for (Iterator<Long> cuts = cutsSeen.keySet().iterator(); cuts.hasNext(); ) {
            long cut = cuts.next();
            if (epochs.epochOf(cut) < horizon && cut != current.cut().toEpochMilli()) {
                cuts.remove();
            }
        }
    }
}
