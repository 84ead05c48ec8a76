package io.lambda.speed;

import io.lambda.core.cell.Aggregator;
import io.lambda.core.cell.CellKey;
import io.lambda.core.event.Event;
import io.lambda.core.event.EventCodec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A reproducible stream for the speed tests: fresh events, late ones (hours and days old), some
 * older than the views' retention, events the views cannot use, repeats of earlier events (same
 * eventId), and poison records (not JSON, an unknown format version, a missing field, empty). The
 * oracle folds the distinct events through lambda-core's Aggregator, as the batch would.
 */
public final class SeededStream {

    /** One record to produce: key and value bytes; poison records carry {@code poison = true}. */
    public record Item(String key, byte[] value, boolean poison, boolean repeat) {
    }

    private final List<Item> items = new ArrayList<>();
    private final Map<String, Event> distinct = new LinkedHashMap<>();

    public SeededStream(long seed, int events, double repeatShare, int poisonRecords, Instant now) {
        this(seed, events, repeatShare, poisonRecords, now, "e");
    }

    public SeededStream(long seed, int events, double repeatShare, int poisonRecords, Instant now, String idPrefix) {
        Random random = new Random(seed);
        EventCodec codec = new EventCodec();
        List<Event> sent = new ArrayList<>();
        int poisonLeft = poisonRecords;
        for (int i = 0; i < events; i++) {
            if (poisonLeft > 0 && random.nextInt(events) < poisonRecords * 2) {
                items.add(poison(random, poisonLeft--, idPrefix));
            }
            if (!sent.isEmpty() && random.nextDouble() < repeatShare) {
                // a client resending an event it already sent, most often soon after
                Event again = sent.get(Math.max(0, sent.size() - 1 - random.nextInt(Math.min(sent.size(), 200))));
                items.add(new Item(again.eventId(), codec.encode(again), false, true));
                continue;
            }
            Event event = event(random, idPrefix + "-" + seed + "-" + i, now);
            sent.add(event);
            distinct.put(event.eventId(), event);
            items.add(new Item(event.eventId(), codec.encode(event), false, false));
        }
        while (poisonLeft > 0) {
            items.add(poison(random, poisonLeft--, idPrefix));
        }
    }

    public List<Item> items() {
        return items;
    }

    public List<Item> poison() {
        return items.stream().filter(Item::poison).toList();
    }

    public long repeats() {
        return items.stream().filter(Item::repeat).count();
    }

    public List<Event> distinctEvents() {
        return List.copyOf(distinct.values());
    }

    /** What every cell must hold: the distinct events folded at {@code now}, each cell's answer. */
    public Map<CellKey, Double> expected(Aggregator aggregator, Instant now) {
        return aggregator.results(aggregator.fold(distinct.values(), now));
    }

    private static Event event(Random random, String id, Instant now) {
        long ageMillis = switch (random.nextInt(20)) {
            case 0, 1 -> Duration.ofHours(1 + random.nextInt(23)).toMillis() + random.nextInt(3_600_000); // hours late
            case 2 -> Duration.ofDays(1 + random.nextInt(30)).toMillis() + random.nextInt(86_400_000);    // days late
            case 3 -> Duration.ofDays(401 + random.nextInt(100)).toMillis();                             // beyond retention
            default -> random.nextInt(600_000);                                                          // fresh
        };
        Instant timestamp = now.minusMillis(ageMillis);
        Map<String, Object> attributes = new HashMap<>();
        if (random.nextInt(4) == 0) {
            attributes.put("country", List.of("DE", "FR", "US", "JP", "BR").get(random.nextInt(5)));
            if (random.nextInt(30) != 0) { // now and then a purchase without an amount: skipped by the views
                attributes.put("amount", Math.round(random.nextDouble() * 20_000) / 100.0);
            }
            return new Event(id, "purchase", timestamp, attributes);
        }
        attributes.put("url", "/page/" + random.nextInt(25));
        attributes.put("userId", "u" + random.nextInt(60));
        return new Event(id, "pageview", timestamp, attributes);
    }

    private static Item poison(Random random, int n, String idPrefix) {
        String key = idPrefix + "-poison-" + n;
        byte[] value = switch (n % 4) {
            case 0 -> "this is not json".getBytes(StandardCharsets.UTF_8);
            case 1 -> ("{\"v\":2,\"id\":\"" + key + "\",\"type\":\"pageview\",\"ts\":1764152130123}").getBytes(StandardCharsets.UTF_8);
            case 2 -> ("{\"v\":1,\"id\":\"" + key + "\",\"ts\":1764152130123}").getBytes(StandardCharsets.UTF_8);
            default -> new byte[0];
        };
        return new Item(key, value, true, false);
    }
}
