package io.lambda.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Keys from configuration and from a file that is rotated under a running service. */
class ApiKeysTests {

    @TempDir
    Path dir;

    @Test
    void onlyTheHashIsKeptAndAPresentedKeyMatchesItsEntry() {
        ApiKey reader = new ApiKey("reader", ApiKeyHash.sha256Hex("s3cret"), List.of(Scope.READ));
        ApiKeys keys = new ApiKeys(List.of(reader), null, Duration.ofSeconds(1), Clock.systemUTC());

        assertThat(keys.find("s3cret")).contains(reader);
        assertThat(keys.find("s3cret ")).isEmpty();
        assertThat(keys.find(ApiKeyHash.sha256Hex("s3cret"))).as("the hash itself is no key").isEmpty();
    }

    @Test
    void aRotatedFileIsReadWithoutARestartAndARevokedKeyStopsWorking() throws Exception {
        Path file = dir.resolve("api-keys.yaml");
        writeKeys(file, "old-key", 1_000);
        ApiKeys keys = new ApiKeys(List.of(), file, Duration.ZERO, Clock.systemUTC());
        assertThat(keys.find("old-key")).map(ApiKey::id).contains("ops");

        writeKeys(file, "new-key", 2_000);

        assertThat(keys.find("new-key")).map(ApiKey::scopes).contains(List.of(Scope.INGEST, Scope.ADMIN));
        assertThat(keys.find("old-key")).isEmpty();
    }

    @Test
    void aBrokenFileKeepsTheKeysReadBefore() throws Exception {
        Path file = dir.resolve("api-keys.yaml");
        writeKeys(file, "kept-key", 1_000);
        ApiKeys keys = new ApiKeys(List.of(), file, Duration.ZERO, Clock.systemUTC());

        Files.writeString(file, "api-keys:\n  - id: ops\n    sha256: not-hex\n");
        Files.setLastModifiedTime(file, FileTime.from(Instant.ofEpochSecond(2_000)));

        assertThat(keys.find("kept-key")).isPresent();
    }

    @Test
    void aPropertiesFileWorksToo() throws Exception {
        Path file = dir.resolve("keys.properties");
        Files.writeString(file, "api-keys[0].id=batch-cron\napi-keys[0].sha256=" + ApiKeyHash.sha256Hex("k")
                + "\napi-keys[0].scopes=admin\n");

        ApiKeys keys = new ApiKeys(List.of(), file, Duration.ZERO, Clock.systemUTC());

        assertThat(keys.find("k")).map(ApiKey::scopes).contains(List.of(Scope.ADMIN));
    }

    @Test
    void theFileIsLookedAtAtMostOncePerCheckInterval() throws Exception {
        Path file = dir.resolve("api-keys.yaml");
        writeKeys(file, "first", 1_000);
        MutableClock clock = new MutableClock();
        ApiKeys keys = new ApiKeys(List.of(), file, Duration.ofSeconds(10), clock);

        writeKeys(file, "second", 2_000);
        assertThat(keys.find("second")).as("before the interval").isEmpty();
        clock.now = clock.now.plusSeconds(10);
        assertThat(keys.find("second")).isPresent();
    }

    private static void writeKeys(Path file, String key, long modifiedEpochSecond) throws Exception {
        Files.writeString(file, "api-keys:\n  - id: ops\n    sha256: " + ApiKeyHash.sha256Hex(key)
                + "\n    scopes: [ingest, admin]\n");
        // set explicitly: two writes within the file system's timestamp granularity must still differ
        Files.setLastModifiedTime(file, FileTime.from(Instant.ofEpochSecond(modifiedEpochSecond)));
    }

    static final class MutableClock extends Clock {
        Instant now = Instant.parse("2030-01-01T00:00:00Z");

        @Override
        public java.time.ZoneId getZone() {
            return java.time.ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
