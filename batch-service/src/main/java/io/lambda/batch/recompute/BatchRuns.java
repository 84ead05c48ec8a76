package io.lambda.batch.recompute;

import io.lambda.batch.system.BatchProperties;
import io.lambda.batch.system.BatchStore;
import io.lambda.store.PublishedVersion;
import jakarta.annotation.PreDestroy;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.JobInstance;
import org.springframework.batch.core.launch.JobOperator;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Service;

/**
 * Starts, resumes and reports recompute runs. A run is one Spring Batch job instance (its id is
 * the run id); its plan (version, cut, mode, base) is fixed in the job parameters before it starts.
 * At most one run at a time: this instance checks its JobRepository, and every replica shares the
 * lease in Cassandra.
 */
@Service
public class BatchRuns {

    private static final Logger log = LoggerFactory.getLogger(BatchRuns.class);
    private static final String UNCHANGED = "unchanged-";

    /** A run could not start because another one is in progress. */
    public static final class RunInProgressException extends RuntimeException {
        RunInProgressException(String message) {
            super(message);
        }
    }

    /** A run as the admin API reports it. */
    public record RunView(String runId, String mode, String status, Instant cut, Long version, Long baseVersion,
                          long eventsRead, long dedupHits, long cellsWritten, Instant startedAt, Instant endedAt,
                          Map<String, Double> stepSeconds, int attempts, String error) {
    }

    private final JobOperator operator;
    private final JobRepository jobs;
    private final Job job;
    private final BatchCut batchCut;
    private final BatchStore store;
    private final RunLease lease;
    private final BatchProperties properties;

    BatchRuns(JobOperator operator, JobRepository jobs, Job recomputeJob, BatchCut batchCut, BatchStore store,
              RunLease lease, BatchProperties properties) {
        this.operator = operator;
        this.jobs = jobs;
        this.job = recomputeJob;
        this.batchCut = batchCut;
        this.store = store;
        this.lease = lease;
        this.properties = properties;
    }

    /**
     * Starts a run; returns it as just started (or UNCHANGED when an incremental run would have
     * nothing to add). Throws {@link RunInProgressException} while another run is in progress.
     */
    public synchronized RunView start(String requestedMode) {
        Set<JobExecution> running = jobs.findRunningJobExecutions(RecomputeJobConfiguration.JOB);
        if (!running.isEmpty()) {
            throw new RunInProgressException("run " + running.iterator().next().getJobInstanceId()
                    + " is in progress on this instance");
        }
        PublishedVersion published = store.catalog().current();
        Instant cut = batchCut.next();
        if (cut.isBefore(published.cut())) {
            cut = published.cut();
        }
        String mode = requestedMode;
        if (RunPlan.INCREMENTAL.equals(mode)) {
            if (!cut.isAfter(published.cut())) {
                return unchanged(mode, published);
            }
            if (published.isNothing() || !store.pages().hasVersion(published.version())) {
                log.info("No published version with cells to add to: the incremental run recomputes in full");
                mode = RunPlan.FULL;
            }
        }
        long version = Math.max(store.versions().highest(), published.version()) + 1;
        RunPlan plan = new RunPlan(version, cut, mode,
                RunPlan.INCREMENTAL.equals(mode) ? published : PublishedVersion.NOTHING, published,
                properties.recompute().mapPartitions());
        String leaseRun = "v" + version;
        if (!lease.take(leaseRun)) {
            throw new RunInProgressException("a run is in progress on instance "
                    + lease.holder().map(h -> h.owner() + " (" + h.run() + ")").orElse("unknown"));
        }
        try {
            JobExecution execution = operator.start(job, plan.toJobParameters());
            lease.keep(leaseRun, reason -> stop(execution.getId(), reason));
            log.info("Started batch run {}: {} version {} with cut {}", execution.getJobInstanceId(), mode, version,
                    cut);
            return view(execution.getJobInstance()).orElseThrow();
        } catch (Exception e) {
            lease.release();
            throw new IllegalStateException("Could not start the " + mode + " run of version " + version + ": "
                    + e.getMessage(), e);
        }
    }

    /**
     * After a crash the JobRepository still shows the interrupted run as running: mark it failed
     * and restart it, so it resumes from its last committed chunk with the same plan. A run whose
     * version was overtaken (the catalog moved past it) is left as failed.
     */
    @EventListener(ApplicationReadyEvent.class)
    public synchronized void resumeInterrupted() {
        // With a JobRepository shared by replicas, a running execution may be another replica's.
        if (lease.holder().filter(h -> !h.owner().equals(lease.owner())).isPresent()) {
            return;
        }
        for (JobExecution stale : jobs.findRunningJobExecutions(RecomputeJobConfiguration.JOB)) {
            log.info("Batch run {} was interrupted (execution {}); marking it failed", stale.getJobInstanceId(),
                    stale.getId());
            operator.recover(stale);
        }
        if (!properties.resumeOnStart()) {
            return;
        }
        JobInstance last = jobs.getLastJobInstance(RecomputeJobConfiguration.JOB);
        if (last == null) {
            return;
        }
        JobExecution execution = jobs.getLastJobExecution(last);
        if (execution == null
                || execution.getStatus() != BatchStatus.FAILED && execution.getStatus() != BatchStatus.STOPPED) {
            return;
        }
        RunPlan plan = RunPlan.of(execution.getJobParameters());
        PublishedVersion published = store.catalog().current();
        if (published.version() >= plan.version() || !published.equals(plan.expected())
                && !published.equals(new PublishedVersion(plan.version(), plan.cut()))) {
            log.info("Not resuming batch run {} (version {}): the catalog moved on to version {}",
                    last.getInstanceId(), plan.version(), published.version());
            return;
        }
        String leaseRun = "v" + plan.version();
        if (!lease.take(leaseRun)) {
            log.info("Not resuming batch run {}: another instance holds the run lease", last.getInstanceId());
            return;
        }
        try {
            JobExecution restarted = operator.restart(execution);
            lease.keep(leaseRun, reason -> stop(restarted.getId(), reason));
            log.info("Resuming batch run {} (version {}, cut {}) as execution {}", last.getInstanceId(),
                    plan.version(), plan.cut(), restarted.getId());
        } catch (Exception e) {
            lease.release();
            log.warn("Could not resume batch run {}: {}", last.getInstanceId(), e.getMessage());
        }
    }

    private void stop(long executionId, String reason) {
        log.error("Stopping batch run execution {}: {}", executionId, reason);
        try {
            operator.stop(executionId);
        } catch (Exception e) {
            log.warn("Could not stop execution {}: {}", executionId, e.getMessage());
        }
    }

    /** On shutdown, asks a running run to stop after its current chunk: the next start resumes it. */
    @PreDestroy
    void stopRunning() {
        // With a JobRepository shared by replicas, only the run this instance holds the lease for is ours.
        try {
            if (lease.holder().filter(h -> h.owner().equals(lease.owner())).isEmpty()) {
                return;
            }
        } catch (RuntimeException e) {
            return;
        }
        for (JobExecution running : jobs.findRunningJobExecutions(RecomputeJobConfiguration.JOB)) {
            stop(running.getId(), "the service is shutting down; the run resumes at the next start");
        }
    }

    public boolean isRunning() {
        return !jobs.findRunningJobExecutions(RecomputeJobConfiguration.JOB).isEmpty();
    }

    public Optional<RunView> find(String runId) {
        if (runId.startsWith(UNCHANGED)) {
            String[] parts = runId.substring(UNCHANGED.length()).split("-");
            if (parts.length != 3) {
                return Optional.empty();
            }
            try {
                Instant at = Instant.ofEpochMilli(Long.parseLong(parts[2]));
                return Optional.of(new RunView(runId, RunPlan.INCREMENTAL, "UNCHANGED",
                        Instant.ofEpochMilli(Long.parseLong(parts[1])), Long.parseLong(parts[0]), null, 0, 0, 0, at,
                        at, Map.of(), 0, null));
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
        }
        try {
            JobInstance instance = jobs.getJobInstance(Long.parseLong(runId));
            return instance == null ? Optional.empty() : view(instance);
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    private RunView unchanged(String mode, PublishedVersion published) {
        Instant now = Instant.now();
        String runId = UNCHANGED + published.version() + "-" + published.cut().toEpochMilli() + "-" + now.toEpochMilli();
        return new RunView(runId, mode, "UNCHANGED", published.cut(), published.version(), null, 0, 0, 0, now, now,
                Map.of(), 0, null);
    }

    private Optional<RunView> view(JobInstance instance) {
        List<JobExecution> executions = new ArrayList<>(jobs.getJobExecutions(instance));
        if (executions.isEmpty()) {
            return Optional.empty();
        }
        executions.sort(Comparator.comparingLong(JobExecution::getId));
        JobExecution first = executions.get(0);
        JobExecution last = executions.get(executions.size() - 1);
        RunPlan plan = RunPlan.of(last.getJobParameters());
        RecomputeJobConfiguration.RunTotals totals = RecomputeJobConfiguration.RunTotals.of(jobs, instance);
        Map<String, Double> steps = new TreeMap<>();
        for (JobExecution execution : executions) {
            for (StepExecution step : jobs.getJobExecution(execution.getId()).getStepExecutions()) {
                if (step.getStartTime() != null && !step.getStepName().contains(":")) {
                    LocalDateTime end = step.getEndTime() == null ? LocalDateTime.now() : step.getEndTime();
                    steps.merge(step.getStepName(),
                            java.time.Duration.between(step.getStartTime(), end).toMillis() / 1000.0, Double::sum);
                }
            }
        }
        String status = switch (last.getStatus()) {
            case STARTING, STARTED, STOPPING -> "RUNNING";
            case COMPLETED -> "PUBLISHED";
            default -> last.getStatus().name();
        };
        String error = last.getAllFailureExceptions().isEmpty()
                ? (last.getStatus() == BatchStatus.FAILED ? last.getExitStatus().getExitDescription() : null)
                : last.getAllFailureExceptions().get(0).getMessage();
        if (error != null && error.length() > 2000) {
            error = error.substring(0, 2000);
        }
        return Optional.of(new RunView(Long.toString(instance.getInstanceId()), plan.mode(), status, plan.cut(),
                plan.version(), plan.incremental() ? plan.base().version() : null, totals.eventsRead(),
                totals.dedupHits(), totals.cellsWritten(), instant(first.getStartTime() != null ? first.getStartTime()
                : first.getCreateTime()), last.isRunning() ? null : instant(last.getEndTime()), steps,
                executions.size(), error));
    }

    private static Instant instant(LocalDateTime time) {
        return time == null ? null : time.atZone(ZoneId.systemDefault()).toInstant();
    }

}
