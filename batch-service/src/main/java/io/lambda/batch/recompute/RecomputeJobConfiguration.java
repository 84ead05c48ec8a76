package io.lambda.batch.recompute;

import io.lambda.batch.system.BatchProperties;
import io.lambda.batch.system.BatchStore;
import io.lambda.batch.version.VersionPublisher;
import io.lambda.core.cell.Aggregator;
import io.lambda.core.event.EventCodec;
import io.lambda.core.time.IngestEpoch;
import io.lambda.store.BatchCellPages;
import io.lambda.store.MasterDataset;
import io.lambda.store.PublishedVersion;
import java.util.Collection;
import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.JobInstance;
import org.springframework.batch.core.job.builder.JobBuilder;
import org.springframework.batch.core.partition.StepExecutionSplitter;
import org.springframework.batch.core.partition.support.TaskExecutorPartitionHandler;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.step.Step;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.batch.core.step.builder.StepBuilder;
import org.springframework.batch.infrastructure.repeat.RepeatStatus;
import org.springframework.boot.batch.autoconfigure.BatchTaskExecutor;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.task.SimpleAsyncTaskExecutor;
import org.springframework.transaction.PlatformTransactionManager;

/**
 * The recompute job: {@code prepare} (record the version as WRITING) → {@code map} (partitioned:
 * fold shards of the master dataset into partial cells) → {@code reduce} (partitioned: merge each
 * cell range and write the version's cells in committed chunks) → {@code complete} (mark the
 * version COMPLETE) → {@code publish} (one compare-and-set on the catalog, then retention).
 *
 * <p>Both partitioned steps run their partitions on local threads through a
 * {@link TaskExecutorPartitionHandler}. Workers share nothing but Cassandra (their inputs and
 * outputs are tables) and the JobRepository, so swapping in Spring Batch Integration's
 * {@code MessageChannelPartitionHandler} over Kafka spreads them over worker processes (docs/batch.md).
 */
@Configuration(proxyBeanMethods = false)
class RecomputeJobConfiguration {

    static final String JOB = "recompute";
    static final String MAP = "map";
    static final String REDUCE = "reduce";
    /** Partition step executions are named {@code <worker>:p<n>}. */
    static final String MAP_WORKER = "mapWorker";
    static final String REDUCE_WORKER = "reduceWorker";
    static final String EVENTS_READ = "eventsRead";
    static final String CELLS_WRITTEN = "cellsWritten";
    static final String DEDUP_HITS = "dedupHits";

    /** Runs are launched on their own thread: the API answers 202 at once. */
    @Bean
    @BatchTaskExecutor
    SimpleAsyncTaskExecutor batchRunExecutor() {
        return new SimpleAsyncTaskExecutor("batch-run-");
    }

    @Bean
    Job recomputeJob(JobRepository jobs, PlatformTransactionManager transactions, BatchStore store,
                     Aggregator aggregator, EventCodec codec, IngestEpoch epochs, BatchProperties properties,
                     RecomputeMetrics metrics, VersionPublisher publisher, RunLease lease) {
        BatchProperties.Recompute settings = properties.recompute();
        SimpleAsyncTaskExecutor partitionThreads = new SimpleAsyncTaskExecutor("batch-partition-");
        partitionThreads.setConcurrencyLimit(settings.threads());

        Step prepare = new StepBuilder("prepare", jobs).tasklet((contribution, chunk) -> {
            RunPlan plan = plan(chunk.getStepContext().getStepExecution());
            if (plan.incremental() && !store.pages().hasVersion(plan.base().version())) {
                throw new IllegalStateException("the base version " + plan.base().version() + " of this incremental "
                        + "run has no cells any more; run a full recompute");
            }
            store.versions().writing(plan.version(), plan.cut());
            return RepeatStatus.FINISHED;
        }, transactions).build();

        Step mapWorker = new StepBuilder(MAP_WORKER, jobs)
                .tasklet(new MapTasklet(store.master(), store.pages(), aggregator, codec, epochs, settings, metrics),
                        transactions)
                .build();
        Step map = new StepBuilder(MAP, jobs)
                .partitioner(MAP_WORKER,
                        gridSize -> RunPartition.names(RunPartition.countFor(gridSize, MasterDataset.SHARDS)))
                .partitionHandler(new PlannedPartitionHandler(mapWorker, partitionThreads))
                .build();

        ReduceTasklet reduceTasklet = new ReduceTasklet(store.pages(), store.cells(), aggregator,
                settings.writeChunk(), metrics);
        Step reduceWorker = new StepBuilder(REDUCE_WORKER, jobs)
                .tasklet(reduceTasklet, transactions)
                .listener(reduceTasklet)
                .build();
        Step reduce = new StepBuilder(REDUCE, jobs)
                .partitioner(REDUCE_WORKER, gridSize -> RunPartition.names(BatchCellPages.RANGES))
                .partitionHandler(handler(reduceWorker, partitionThreads, BatchCellPages.RANGES))
                .build();

        Step complete = new StepBuilder("complete", jobs).tasklet((contribution, chunk) -> {
            StepExecution step = chunk.getStepContext().getStepExecution();
            RunPlan plan = plan(step);
            RunTotals totals = RunTotals.of(jobs, step.getJobExecution().getJobInstance());
            store.versions().complete(plan.version(), plan.mode(), plan.base().version(), totals.eventsRead(),
                    totals.cellsWritten());
            store.pages().deletePartials(plan.version());
            return RepeatStatus.FINISHED;
        }, transactions).build();

        Step publish = new StepBuilder("publish", jobs).tasklet((contribution, chunk) -> {
            RunPlan plan = plan(chunk.getStepContext().getStepExecution());
            publisher.publishRun(new PublishedVersion(plan.version(), plan.cut()), plan.expected());
            return RepeatStatus.FINISHED;
        }, transactions).build();

        return new JobBuilder(JOB, jobs)
                .listener(lease)
                .start(prepare)
                .next(map)
                .next(reduce)
                .next(complete)
                .next(publish)
                .build();
    }

    private static RunPlan plan(StepExecution step) {
        return RunPlan.of(step.getJobExecution().getJobParameters());
    }

    private static TaskExecutorPartitionHandler handler(Step worker, SimpleAsyncTaskExecutor threads, int gridSize) {
        TaskExecutorPartitionHandler handler = new TaskExecutorPartitionHandler();
        handler.setStep(worker);
        handler.setTaskExecutor(threads);
        handler.setGridSize(gridSize);
        return handler;
    }

    /**
     * The map step's handler: it splits into the run plan's number of partitions, not the current
     * setting, so a run restarted after the setting changed splits as it did before the crash (and
     * each worker, which finds its shards from the same plan, owns what it owned then).
     */
    private static final class PlannedPartitionHandler extends TaskExecutorPartitionHandler {

        PlannedPartitionHandler(Step worker, SimpleAsyncTaskExecutor threads) {
            setStep(worker);
            setTaskExecutor(threads);
        }

        @Override
        public Collection<StepExecution> handle(StepExecutionSplitter splitter, StepExecution manager)
                throws Exception {
            int partitions = RunPlan.of(manager.getJobExecution().getJobParameters()).mapPartitions();
            return doHandle(manager, splitter.split(manager, partitions));
        }
    }

    /** The counts of a run, summed over the last execution of each partition (across restarts). */
    record RunTotals(long eventsRead, long dedupHits, long cellsWritten) {

        static RunTotals of(JobRepository jobs, JobInstance instance) {
            long events = 0;
            long dedup = 0;
            long cells = 0;
            for (int p = 0; p < MasterDataset.SHARDS; p++) {
                StepExecution mapped = jobs.getLastStepExecution(instance, RunPartition.stepName(MAP_WORKER, p));
                if (mapped != null) {
                    events += mapped.getExecutionContext().getLong(MapTasklet.EVENTS_READ, 0L);
                    dedup += mapped.getExecutionContext().getLong(MapTasklet.DEDUP_HITS, 0L);
                }
            }
            for (int r = 0; r < BatchCellPages.RANGES; r++) {
                StepExecution reduced = jobs.getLastStepExecution(instance, RunPartition.stepName(REDUCE_WORKER, r));
                if (reduced != null) {
                    cells += reduced.getExecutionContext().getInt(ReduceTasklet.WRITTEN, 0);
                }
            }
            return new RunTotals(events, dedup, cells);
        }
    }
}
