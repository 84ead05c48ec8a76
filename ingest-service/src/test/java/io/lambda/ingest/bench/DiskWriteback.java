package io.lambda.ingest.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.TimeUnit;

/**
 * How much the kernel wrote to disk, sampled every 100 ms from {@code /proc/vmstat}'s {@code nr_written}
 * (pages written back since boot), so the bench can say whether its slowest moments were moments when
 * the page cache was flushed: on the 2-core VM the broker's appends stalled while its log was written
 * back. Where {@code /proc/vmstat} cannot be read (not Linux), {@link #knows()} is false and the bench
 * prints no writeback figures. {@code nr_written} counts pages; 4 KiB pages are assumed (x86-64).
 */
final class DiskWriteback implements AutoCloseable {

    private static final Path VMSTAT = Path.of("/proc/vmstat");
    private static final long PAGE_BYTES = 4096;

    /** Pages written since boot, by wall-clock milliseconds. */
    private final ConcurrentSkipListMap<Long, Long> writtenPages = new ConcurrentSkipListMap<>();
    private final Thread sampler;

    private DiskWriteback() {
        sampler = new Thread(this::sample, "disk-writeback-sampler");
        sampler.setDaemon(true);
        sampler.start();
    }

    static DiskWriteback start() {
        return new DiskWriteback();
    }

    private void sample() {
        while (!Thread.currentThread().isInterrupted()) {
            Long pages = writtenPages();
            if (pages == null) {
                return;
            }
            writtenPages.put(System.currentTimeMillis(), pages);
            try {
                TimeUnit.MILLISECONDS.sleep(100);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private static Long writtenPages() {
        try {
            List<String> lines = Files.readAllLines(VMSTAT);
            for (String line : lines) {
                if (line.startsWith("nr_written ")) {
                    return Long.parseLong(line.substring("nr_written ".length()).trim());
                }
            }
            return null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    boolean knows() {
        return writtenPages.size() > 1;
    }

    /** Megabytes written between two wall-clock times (the nearest samples inside them); 0 when unknown. */
    double megabytesWritten(long fromMillis, long toMillis) {
        var from = writtenPages.ceilingEntry(fromMillis);
        var to = writtenPages.floorEntry(toMillis);
        if (from == null || to == null || to.getKey() <= from.getKey()) {
            return 0;
        }
        return (to.getValue() - from.getValue()) * PAGE_BYTES / 1e6;
    }

    /** The start (wall-clock milliseconds) of the window of the given length that wrote the most, between two times. */
    long busiestWindow(long fromMillis, long toMillis, long windowMillis) {
        long busiest = fromMillis;
        double most = -1;
        for (long start : writtenPages.subMap(fromMillis, toMillis).keySet()) {
            double written = megabytesWritten(start, start + windowMillis);
            if (written > most) {
                most = written;
                busiest = start;
            }
        }
        return busiest;
    }

    @Override
    public void close() {
        sampler.interrupt();
    }
}
