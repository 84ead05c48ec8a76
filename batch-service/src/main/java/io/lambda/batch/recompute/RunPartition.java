package io.lambda.batch.recompute;

import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.batch.infrastructure.item.ExecutionContext;

/**
 * One partition of a partitioned step (map or reduce): its index among {@code count}, and the slice
 * of items (master-dataset shards, cell ranges) it owns.
 *
 * <p>A worker finds its partition from its step name ({@code <worker>:p<index>}) and the run's plan,
 * never from its execution context. Spring Batch creates a partition's step execution (with an empty
 * context) and writes the partitioner's context in a later transaction; a crash between the two leaves
 * a partition whose stored context is empty, and a restart copies that empty context. The name is in
 * the step execution's own row, so it survives any crash. The context keeps only a partition's progress.
 */
record RunPartition(int index, int count) {

    private static final String SEPARATOR = ":p";

    RunPartition {
        if (count < 1 || index < 0 || index >= count) {
            throw new IllegalArgumentException("partition " + index + " of " + count);
        }
    }

    /** The partition a worker's step execution runs, of {@code count}. */
    static RunPartition of(StepExecution worker, int count) {
        String name = worker.getStepName();
        int at = name.lastIndexOf(SEPARATOR);
        if (at < 0) {
            throw new IllegalStateException("step " + name + " is not a partition (<worker>:p<index>)");
        }
        return new RunPartition(Integer.parseInt(name.substring(at + SEPARATOR.length())), count);
    }

    /** The partitions of a step over {@code items}: at most one per item, at least one. */
    static int countFor(int requested, int items) {
        return Math.max(1, Math.min(requested, items));
    }

    /**
     * What the partitioner hands Spring Batch: the partition names {@code p0..p<count-1>}, each with
     * an empty context (the worker derives its slice from the name).
     */
    static Map<String, ExecutionContext> names(int count) {
        Map<String, ExecutionContext> names = new LinkedHashMap<>();
        for (int p = 0; p < count; p++) {
            names.put("p" + p, new ExecutionContext());
        }
        return names;
    }

    /** The first of the {@code items} this partition owns. */
    int first(int items) {
        return (int) ((long) index * items / count);
    }

    /** One past the last of the {@code items} this partition owns. */
    int end(int items) {
        return (int) ((long) (index + 1) * items / count);
    }

    /** The step name of this partition of {@code worker}, as Spring Batch names it. */
    static String stepName(String worker, int index) {
        return worker + SEPARATOR + index;
    }
}
