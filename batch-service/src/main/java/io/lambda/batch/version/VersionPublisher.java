package io.lambda.batch.version;

import io.lambda.batch.recompute.RecomputeMetrics;
import io.lambda.batch.system.BatchProperties;
import io.lambda.batch.system.BatchStore;
import io.lambda.store.BatchCatalog;
import io.lambda.store.BatchCellPages;
import io.lambda.store.BatchCells;
import io.lambda.store.BatchVersions;
import io.lambda.store.PublishedVersion;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Publishes batch versions and keeps the last few: a run's publish (one compare-and-set against
 * the catalog entry the run started from, docs/architecture.md, invariant 2), a rollback or roll-forward from
 * the admin API (guarded by invariant 7), and the deletion of versions beyond the ones kept.
 */
@Component
public class VersionPublisher {

    private static final Logger log = LoggerFactory.getLogger(VersionPublisher.class);

    /** Why a publish was refused; {@code problem} names the RFC 9457 problem type. */
    public static final class PublishRefusedException extends RuntimeException {
        private final String problem;
        private final boolean conflict;

        PublishRefusedException(String problem, boolean conflict, String message) {
            super(message);
            this.problem = problem;
            this.conflict = conflict;
        }

        public String problem() {
            return problem;
        }

        /** 409 (the state of the deployment forbids it now) rather than 422 (this version never can be). */
        public boolean conflict() {
            return conflict;
        }
    }

    private final BatchCatalog catalog;
    private final BatchVersions versions;
    private final BatchCells cells;
    private final BatchCellPages pages;
    private final BatchProperties.Versions settings;
    private final RecomputeMetrics metrics;
    private final DriftMeter drift;
    private final Clock clock;

    public VersionPublisher(BatchStore store, BatchProperties properties, RecomputeMetrics metrics, DriftMeter drift) {
        this.catalog = store.catalog();
        this.versions = store.versions();
        this.cells = store.cells();
        this.pages = store.pages();
        this.settings = properties.versions();
        this.metrics = metrics;
        this.drift = drift;
        this.clock = Clock.systemUTC();
    }

    /**
     * Publishes a freshly written version if the catalog still shows {@code expected}. Idempotent:
     * publishing again what the catalog already shows succeeds (a run restarted after the CAS).
     */
    public void publishRun(PublishedVersion next, PublishedVersion expected) {
        PublishedVersion current = catalog.current();
        if (current.equals(next)) {
            return;
        }
        if (!current.equals(expected) || !catalog.compareAndSet(expected, next)) {
            throw new PublishRefusedException("catalog-moved", true, "the catalog moved from version "
                    + expected.version() + " to " + catalog.current().version() + " while this run wrote version "
                    + next.version() + "; it stays unpublished (publish it through the API if wanted)");
        }
        published(next, expected);
    }

    /** Publishes an existing version (rollback or roll forward), if invariant 7 allows it. */
    public PublishedVersion publishExisting(long version) {
        BatchVersions.Version target = versions.get(version).orElseThrow(() -> new PublishRefusedException(
                "unknown-version", false, "there is no batch version " + version));
        if (!target.hasCells()) {
            throw new PublishRefusedException("version-not-publishable", false, "version " + version + " is "
                    + target.status() + ": only a complete version can be published");
        }
        PublishedVersion current = catalog.current();
        PublishedVersion next = new PublishedVersion(version, target.cut());
        if (current.equals(next)) {
            return current;
        }
        if (target.cut().isBefore(current.cut())) {
            guardRollback(target);
        }
        if (!catalog.compareAndSet(current, next)) {
            throw new PublishRefusedException("catalog-moved", true, "the catalog changed while publishing "
                    + "version " + version + "; try again");
        }
        published(next, current);
        return next;
    }

    /**
     * Invariant 7: publishing a version with an older cut needs the speed cells from that cut
     * onward. The speed layer may expire an epoch once the published cut passed it and its grace
     * ran out; this side allows a rollback only while the publish that first moved the cut past
     * the version's cut is younger than the rollback window (kept below the speed grace).
     */
    private void guardRollback(BatchVersions.Version target) {
        Optional<Instant> firstPassed = versions.publications().stream()
                .filter(p -> p.cut().isAfter(target.cut()))
                .map(BatchVersions.Publication::publishedAt)
                .min(Instant::compareTo);
        Instant limit = clock.instant().minus(settings.rollbackWindow());
        if (firstPassed.isEmpty() || firstPassed.get().isBefore(limit)) {
            throw new PublishRefusedException("rollback-window-passed", true, "version " + target.version()
                    + " (cut " + target.cut() + ") can no longer be published: the published cut passed it "
                    + firstPassed.map(t -> Duration.between(t, clock.instant()).toSeconds() + " s ago").orElse("at an unknown time")
                    + ", beyond the rollback window of " + settings.rollbackWindow().toSeconds() + " s, so the speed "
                    + "layer may have expired the cells from its cut onward; publish a newer version or run a full recompute");
        }
    }

    private void published(PublishedVersion next, PublishedVersion previous) {
        versions.published(next, previous.version(), clock.instant());
        metrics.catalog(next, true);
        log.info("Published batch version {} with cut {} (was version {})", next.version(), next.cut(),
                previous.version());
        drift.absorbed(previous, next); // before deleteExpired: it reads the previous version's cells
        try {
            deleteExpired(next.version());
        } catch (RuntimeException e) {
            log.warn("Could not delete old batch versions; the next publish tries again: {}", e.getMessage());
        }
    }

    /**
     * Keeps the published version, the {@code keep} newest other complete ones and anything newer
     * still being written; deletes the cells, pages and partials of the rest.
     */
    void deleteExpired(long publishedVersion) {
        List<BatchVersions.Version> all = versions.all();
        long newestWithCells = all.stream().filter(BatchVersions.Version::hasCells)
                .mapToLong(BatchVersions.Version::version).max().orElse(publishedVersion);
        int kept = 0;
        for (BatchVersions.Version version : all) { // newest first
            if (version.version() == publishedVersion || BatchVersions.DELETED.equals(version.status())) {
                continue;
            }
            if (version.hasCells() && kept < settings.keep()) {
                kept++;
                continue;
            }
            if (!version.hasCells() && version.version() > newestWithCells) {
                continue; // possibly a run in progress
            }
            delete(version.version());
        }
    }

    private void delete(long version) {
        Set<List<Object>> series = new HashSet<>();
        Set<List<Object>> buckets = new HashSet<>();
        for (int range = 0; range < BatchCellPages.RANGES; range++) {
            pages.readVersion(version, range, cell -> {
                series.add(List.of(cell.key().view(), cell.key().granularity(), cell.key().key()));
                buckets.add(List.of(cell.key().view(), cell.key().granularity(), cell.key().bucketStart()));
            });
        }
        List<CompletableFuture<?>> deletes = new ArrayList<>();
        series.forEach(s -> deletes.add(cells.deleteSeries((String) s.get(0), version,
                (io.lambda.core.time.Granularity) s.get(1), (String) s.get(2)).toCompletableFuture()));
        buckets.forEach(b -> deletes.add(cells.deleteBucket((String) b.get(0), version,
                (io.lambda.core.time.Granularity) b.get(1), (Instant) b.get(2)).toCompletableFuture()));
        CompletableFuture.allOf(deletes.toArray(CompletableFuture[]::new)).join();
        pages.deleteVersion(version);
        pages.deletePartials(version);
        versions.deleted(version);
        log.info("Deleted batch version {} ({} series, {} buckets)", version, series.size(), buckets.size());
    }
}
