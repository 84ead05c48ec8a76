package io.lambda.batch.recompute;

import io.lambda.batch.system.BatchProperties;
import io.lambda.batch.system.BatchStore;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.annotation.EnableScheduling;
import org.springframework.scheduling.annotation.SchedulingConfigurer;
import org.springframework.scheduling.config.ScheduledTaskRegistrar;
import org.springframework.scheduling.support.CronTrigger;

/**
 * Starts runs on the configured cron expressions (local defaults: incremental every 5 minutes,
 * full nightly). A trigger that finds a run in progress, here or on another replica, is skipped.
 * Also refreshes the cut-age gauge from the catalog.
 */
@Configuration(proxyBeanMethods = false)
@EnableScheduling
class RunSchedule implements SchedulingConfigurer {

    private static final Logger log = LoggerFactory.getLogger(RunSchedule.class);

    private final BatchRuns runs;
    private final BatchProperties.Schedule schedule;
    private final BatchStore store;
    private final RecomputeMetrics metrics;

    RunSchedule(BatchRuns runs, BatchProperties properties, BatchStore store, RecomputeMetrics metrics) {
        this.runs = runs;
        this.schedule = properties.schedule();
        this.store = store;
        this.metrics = metrics;
    }

    @Override
    public void configureTasks(ScheduledTaskRegistrar registrar) {
        registrar.addFixedRateTask(() -> {
            try {
                metrics.catalog(store.catalog().current(), false);
            } catch (RuntimeException e) {
                log.debug("Cannot read the catalog for the cut-age gauge: {}", e.getMessage());
            }
        }, Duration.ofSeconds(30));
        if (!schedule.enabled()) {
            return;
        }
        add(registrar, schedule.incrementalCron(), RunPlan.INCREMENTAL);
        add(registrar, schedule.fullCron(), RunPlan.FULL);
    }

    private void add(ScheduledTaskRegistrar registrar, String cron, String mode) {
        if (cron == null || cron.isBlank()) {
            return;
        }
        registrar.addTriggerTask(() -> {
            try {
                BatchRuns.RunView run = runs.start(mode);
                log.debug("Scheduled {} run {}: {}", mode, run.runId(), run.status());
            } catch (BatchRuns.RunInProgressException e) {
                log.info("Skipping the scheduled {} run: {}", mode, e.getMessage());
            } catch (RuntimeException e) {
                log.warn("The scheduled {} run could not start: {}", mode, e.getMessage());
            }
        }, new CronTrigger(cron));
    }
}
