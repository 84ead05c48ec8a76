package io.lambda.localservers.demo;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * Realistic demo traffic, reproducible from a seed: pageviews over many URLs with a skewed
 * (Zipf-like) popularity, a pool of users who come back, purchases by country, and a share of late
 * events (event time hours or days ago) and of duplicates (an earlier event sent again, same id).
 */
public final class DemoWorkload {

    /** One event as JSON, with what it is for the progress line. */
    public record DemoEvent(String json, boolean late, boolean duplicate) {
    }

    private static final List<String> SECTIONS = List.of("docs", "blog", "pricing", "product", "help", "careers");
    private static final List<String> COUNTRIES = List.of("DE", "US", "FR", "GB", "NL", "IN", "BR", "JP", "ES", "SE");
    private static final double[] COUNTRY_WEIGHTS = {0.22, 0.28, 0.1, 0.1, 0.06, 0.08, 0.06, 0.04, 0.04, 0.02};

    private final Random random;
    private final String runId;
    private final String[] urls;
    private final double[] urlCumulative;
    private final int users;
    private final double lateShare;
    private final double duplicateShare;
    private final Deque<String> recent = new ArrayDeque<>();
    private long sequence;

    public DemoWorkload(long seed, int urlCount, int users, double lateShare, double duplicateShare) {
        this.random = new Random(seed);
        this.runId = Long.toString(seed, 36) + "-" + Long.toString(System.currentTimeMillis(), 36);
        this.users = users;
        this.lateShare = lateShare;
        this.duplicateShare = duplicateShare;
        this.urls = new String[urlCount];
        this.urlCumulative = new double[urlCount];
        double total = 0;
        for (int i = 0; i < urlCount; i++) {
            urls[i] = url(i);
            total += 1.0 / Math.pow(i + 1, 1.1); // Zipf, s = 1.1: a few pages get most views
            urlCumulative[i] = total;
        }
        for (int i = 0; i < urlCount; i++) {
            urlCumulative[i] /= total;
        }
    }

    /** The demo's {@code i}-th most popular URL. */
    public static String url(int i) {
        return i == 0 ? "/home" : "/" + SECTIONS.get(i % SECTIONS.size()) + "/page-" + i;
    }

    public DemoEvent next(Instant now) {
        if (!recent.isEmpty() && random.nextDouble() < duplicateShare) {
            return new DemoEvent(pick(recent), false, true);
        }
        boolean late = random.nextDouble() < lateShare;
        Instant eventTime = late
                ? now.minus(Duration.ofMinutes(30 + random.nextInt(3 * 24 * 60)))
                : now.minusMillis(random.nextInt(2000));
        String id = "demo-" + runId + "-" + (sequence++);
        String json = random.nextDouble() < 0.06 ? purchase(id, eventTime) : pageview(id, eventTime);
        recent.addLast(json);
        if (recent.size() > 1000) {
            recent.removeFirst();
        }
        return new DemoEvent(json, late, false);
    }

    private String pageview(String id, Instant at) {
        double u = random.nextDouble();
        int index = 0;
        while (index < urls.length - 1 && urlCumulative[index] < u) {
            index++;
        }
        // returning users: a quarter of the pool makes most of the visits
        int user = random.nextDouble() < 0.7 ? random.nextInt(Math.max(1, users / 4)) : random.nextInt(users);
        return "{\"eventId\":\"" + id + "\",\"type\":\"pageview\",\"timestamp\":\"" + at + "\",\"attributes\":{"
                + "\"url\":\"" + urls[index] + "\",\"userId\":\"u" + user + "\",\"country\":\"" + country() + "\"}}";
    }

    private String purchase(String id, Instant at) {
        double amount = Math.round(Math.exp(3 + random.nextGaussian() * 0.8) * 100) / 100.0;
        return "{\"eventId\":\"" + id + "\",\"type\":\"purchase\",\"timestamp\":\"" + at + "\",\"attributes\":{"
                + "\"userId\":\"u" + random.nextInt(users) + "\",\"country\":\"" + country() + "\",\"amount\":"
                + String.format(Locale.ROOT, "%.2f", amount) + "}}";
    }

    private String country() {
        double u = random.nextDouble();
        double sum = 0;
        for (int i = 0; i < COUNTRY_WEIGHTS.length; i++) {
            sum += COUNTRY_WEIGHTS[i];
            if (u < sum) {
                return COUNTRIES.get(i);
            }
        }
        return COUNTRIES.get(0);
    }

    private String pick(Deque<String> from) {
        int skip = random.nextInt(from.size());
        for (String json : from) {
            if (skip-- == 0) {
                return json;
            }
        }
        return from.getLast();
    }
}
