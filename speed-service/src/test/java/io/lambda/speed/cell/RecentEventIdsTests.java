package io.lambda.speed.cell;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RecentEventIdsTests {

    @Test
    void holdsAtMostMaxIdsDroppingTheOldestFirst() {
        RecentEventIds window = new RecentEventIds(3, 60_000);
        window.addAll(ids(1000, "a", "b", "c", "d"));
        assertThat(window.size()).isEqualTo(3);
        assertThat(window.contains("a")).isFalse();
        assertThat(window.contains("b")).isTrue();
        assertThat(window.contains("d")).isTrue();
    }

    @Test
    void dropsIdsOlderThanMaxAgeInIngestTime() {
        RecentEventIds window = new RecentEventIds(100, 60_000);
        window.addAll(ids(0, "old"));
        window.addAll(ids(30_000, "middle"));
        window.addAll(ids(61_000, "new"));
        assertThat(window.contains("old")).isFalse();
        assertThat(window.contains("middle")).isTrue();
        assertThat(window.contains("new")).isTrue();
    }

    @Test
    void aWindowOfSizeZeroRemembersNothing() {
        RecentEventIds window = new RecentEventIds(0, 60_000);
        window.addAll(ids(0, "a"));
        assertThat(window.contains("a")).isFalse();
    }

    private static Map<String, Long> ids(long ingestMillis, String... ids) {
        Map<String, Long> map = new LinkedHashMap<>();
        for (String id : ids) {
            map.put(id, ingestMillis);
        }
        return map;
    }
}
