package io.lambda.speed.cell;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The event ids one partition has applied recently, oldest first, bounded by count and by age in
 * ingest time (docs/architecture.md, invariant 6). Ids of one event always land on one partition
 * (the topic is keyed by eventId), so a window per partition catches every repeat it still holds.
 * It lives in memory only: after a restart it starts empty, and a repeat of an event applied before
 * the restart slips through until the batch absorbs it. Not thread-safe; the listener thread owns
 * it.
 */
final class RecentEventIds {

    private final int maxIds;
    private final long maxAgeMillis;
    private final LinkedHashMap<String, Long> ingestTimeById = new LinkedHashMap<>();
    private long newestIngestMillis = Long.MIN_VALUE;

    RecentEventIds(int maxIds, long maxAgeMillis) {
        this.maxIds = maxIds;
        this.maxAgeMillis = maxAgeMillis;
    }

    boolean contains(String eventId) {
        return ingestTimeById.containsKey(eventId);
    }

    /** Remembers ids applied, in offset order, then drops the oldest beyond the bounds. */
    void addAll(Map<String, Long> appliedIngestTimeById) {
        if (maxIds == 0) {
            return;
        }
        appliedIngestTimeById.forEach((id, ingestMillis) -> {
            ingestTimeById.put(id, ingestMillis);
            newestIngestMillis = Math.max(newestIngestMillis, ingestMillis);
        });
        long oldestKept = newestIngestMillis - maxAgeMillis;
        Iterator<Map.Entry<String, Long>> oldestFirst = ingestTimeById.entrySet().iterator();
        while (oldestFirst.hasNext()) {
            Map.Entry<String, Long> oldest = oldestFirst.next();
            if (ingestTimeById.size() <= maxIds && oldest.getValue() >= oldestKept) {
                break;
            }
            oldestFirst.remove();
        }
    }

    int size() {
        return ingestTimeById.size();
    }
}
