package io.lambda.batch.recompute;

import io.lambda.batch.system.BatchProperties;
import io.lambda.batch.system.BatchStore;
import io.lambda.store.BatchLease;
import jakarta.annotation.PreDestroy;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.listener.JobExecutionListener;
import org.springframework.stereotype.Component;

/**
 * Holds the run lease (one run at a time across replicas) for as long as this instance's run
 * lasts: taken before a run starts, renewed in the background, released when the job ends. Also
 * records each run's duration and outcome.
 */
@Component
class RunLease implements JobExecutionListener {

    private static final Logger log = LoggerFactory.getLogger(RunLease.class);

    private final BatchLease lease;
    private final BatchProperties.Lease settings;
    private final String owner;
    private final RecomputeMetrics metrics;
    private final ScheduledExecutorService renewer = Executors.newSingleThreadScheduledExecutor(
            r -> new Thread(r, "batch-lease"));
    private ScheduledFuture<?> renewal;

    RunLease(BatchStore store, BatchProperties properties, RecomputeMetrics metrics) {
        this.lease = store.lease();
        this.settings = properties.lease();
        this.owner = properties.instanceId();
        this.metrics = metrics;
    }

    String owner() {
        return owner;
    }

    /** Takes the lease for {@code run}; false if another instance holds it. */
    synchronized boolean take(String run) {
        return lease.acquire(owner, run, settings.ttl());
    }

    /** Keeps renewing the lease; {@code lost} is called if it could not be renewed. */
    synchronized void keep(String run, Consumer<String> lost) {
        cancelRenewal();
        long every = settings.renewEvery().toMillis();
        renewal = renewer.scheduleAtFixedRate(() -> {
            try {
                if (!lease.renew(owner, run, settings.ttl())) {
                    lost.accept("the run lease was taken by " + holder().map(BatchLease.Holder::owner).orElse("nobody"));
                }
            } catch (RuntimeException e) {
                log.warn("Could not renew the batch run lease: {}", e.getMessage());
            }
        }, every, every, TimeUnit.MILLISECONDS);
    }

    Optional<BatchLease.Holder> holder() {
        return lease.holder();
    }

    synchronized void release() {
        cancelRenewal();
        try {
            lease.release(owner);
        } catch (RuntimeException e) {
            log.warn("Could not release the batch run lease; it expires after {}: {}", settings.ttl(), e.getMessage());
        }
    }

    @Override
    public void afterJob(JobExecution execution) {
        release();
        LocalDateTime start = execution.getStartTime();
        LocalDateTime end = execution.getEndTime() == null ? LocalDateTime.now() : execution.getEndTime();
        String mode = execution.getJobParameters().getString("mode");
        metrics.run(mode, execution.getStatus().name().toLowerCase(java.util.Locale.ROOT),
                start == null ? Duration.ZERO : Duration.between(start, end));
        if (!execution.getAllFailureExceptions().isEmpty()) {
            log.warn("Batch run {} (version {}) ended {}: {}", execution.getJobInstance().getInstanceId(),
                    execution.getJobParameters().getLong("version"), execution.getStatus(),
                    execution.getAllFailureExceptions().get(0).getMessage());
        }
    }

    private void cancelRenewal() {
        if (renewal != null) {
            renewal.cancel(false);
            renewal = null;
        }
    }

    @PreDestroy
    void stop() {
        renewer.shutdownNow();
    }
}
