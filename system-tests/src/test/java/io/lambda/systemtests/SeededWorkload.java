package io.lambda.systemtests;

import io.lambda.core.event.Event;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A reproducible event stream for the system tests: pageviews over skewed URLs with returning
 * users, purchases by country, late events (hours and days old) and duplicates (an earlier event
 * sent again, identical, same id). {@link #distinct()} is what the system must count.
 */
final class SeededWorkload {

    private static final List<String> COUNTRIES = List.of("DE", "US", "FR", "GB", "NL", "IN", "BR", "JP");

    private final List<Event> sent = new ArrayList<>();
    private final Map<String, Event> distinct = new LinkedHashMap<>();

    SeededWorkload(long seed, int events, Instant now, double lateShare, double duplicateShare) {
        Random random = new Random(seed);
        int urls = 50;
        for (int i = 0; i < events; i++) {
            if (!sent.isEmpty() && random.nextDouble() < duplicateShare) {
                sent.add(sent.get(random.nextInt(sent.size())));
                continue;
            }
            Instant at = random.nextDouble() < lateShare
                    ? now.minus(Duration.ofMinutes(60 + random.nextInt(2 * 24 * 60)))
                    : now.minusMillis(random.nextInt(60_000));
            String id = "sys-" + seed + "-" + i;
            Map<String, Object> attributes = new LinkedHashMap<>();
            Event event;
            if (random.nextDouble() < 0.1) {
                attributes.put("country", COUNTRIES.get(random.nextInt(COUNTRIES.size())));
                attributes.put("userId", "u" + random.nextInt(2000));
                attributes.put("amount", Math.round(random.nextDouble() * 20000) / 100.0);
                event = new Event(id, "purchase", at, attributes);
            } else {
                int url = (int) Math.min(urls - 1, Math.floor(-Math.log(1 - random.nextDouble()) * 8));
                attributes.put("url", url == 0 ? "/home" : "/page/" + url);
                attributes.put("userId", "u" + (random.nextDouble() < 0.7 ? random.nextInt(300) : random.nextInt(5000)));
                event = new Event(id, "pageview", at, attributes);
            }
            sent.add(event);
            distinct.put(id, event);
        }
    }

    List<Event> sent() {
        return sent;
    }

    List<Event> distinct() {
        return List.copyOf(distinct.values());
    }
}
