package io.lambda.localservers.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class DemoWorkloadTests {

    private static final Pattern URL = Pattern.compile("\"url\":\"([^\"]+)\"");

    @Test
    void theTrafficHasSkewedPopularityLateEventsAndDuplicatesInTheConfiguredShares() {
        DemoWorkload workload = new DemoWorkload(7, 300, 5000, 0.03, 0.02);
        Instant now = Instant.parse("2026-11-26T10:00:00Z");
        List<DemoWorkload.DemoEvent> events = new ArrayList<>();
        for (int i = 0; i < 20_000; i++) {
            events.add(workload.next(now));
        }
        long late = events.stream().filter(DemoWorkload.DemoEvent::late).count();
        long duplicates = events.stream().filter(DemoWorkload.DemoEvent::duplicate).count();
        Map<String, Integer> views = new HashMap<>();
        for (DemoWorkload.DemoEvent e : events) {
            Matcher m = URL.matcher(e.json());
            if (m.find()) {
                views.merge(m.group(1), 1, Integer::sum);
            }
        }

        assertThat(late).isBetween(400L, 800L);
        assertThat(duplicates).isBetween(250L, 600L);
        assertThat(views.get("/home")).as("the most popular page").isGreaterThan(views.size() > 0 ? 1000 : 0);
        assertThat(views.size()).as("many URLs are visited").isGreaterThan(100);
        assertThat(events).filteredOn(e -> e.json().contains("\"type\":\"purchase\"")).hasSizeGreaterThan(500);
    }
}
