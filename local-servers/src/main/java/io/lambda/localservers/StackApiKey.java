package io.lambda.localservers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The API key of a local stack (./lambda up) or of the process-level tests: made on first use,
 * kept in {@code <state dir>/api-key} readable by its owner only. The services get its hash (and
 * every scope, internal too); clients read the key from the file.
 */
public final class StackApiKey {

    private final Path file;
    private final String key;

    private StackApiKey(Path file, String key) {
        this.file = file;
        this.key = key;
    }

    /** The layout's key, made now if there is none yet (safe when several JVMs ask at once). */
    public static StackApiKey of(StackLayout layout) {
        Path file = layout.stateDir().resolve("api-key");
        try {
            if (!Files.exists(file)) {
                create(file);
            }
            return new StackApiKey(file, Files.readString(file, StandardCharsets.US_ASCII).strip());
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read or create the API key at " + file, e);
        }
    }

    public String key() {
        return key;
    }

    public Path file() {
        return file;
    }

    public String sha256() {
        return sha256Hex(key);
    }

    /** The hex SHA-256 of a key: what a service is configured with (lambda.security.api-keys[].sha256). */
    public static String sha256Hex(String key) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(hash);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    /** What a service is started with so that it accepts this key for every scope. */
    public Map<String, String> serviceProperties() {
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put("lambda.security.api-keys[0].id", "local");
        properties.put("lambda.security.api-keys[0].sha256", sha256());
        properties.put("lambda.security.api-keys[0].scopes", "ingest,read,admin,internal");
        // One key serves the whole local stack (demo, dashboards, tests that poll in tight loops): the
        // limits that keep one production key from starving the others would only get in the way.
        properties.put("lambda.security.rate-limits.ingest.requests-per-second", "20000");
        properties.put("lambda.security.rate-limits.read.requests-per-second", "20000");
        properties.put("lambda.security.rate-limits.admin.requests-per-second", "1000");
        return properties;
    }

    /** Writes a fresh key to a private temporary file, then links it into place: first writer wins. */
    private static void create(Path file) throws IOException {
        Files.createDirectories(file.getParent());
        byte[] random = new byte[32];
        new SecureRandom().nextBytes(random);
        String key = "lk_" + Base64.getUrlEncoder().withoutPadding().encodeToString(random);
        Path temporary = Files.createTempFile(file.getParent(), "api-key", ".tmp",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try {
            Files.writeString(temporary, key + "\n", StandardCharsets.US_ASCII);
            Files.createLink(file, temporary);
        } catch (FileAlreadyExistsException e) {
            // another JVM made it first: use theirs
        } finally {
            Files.deleteIfExists(temporary);
        }
    }
}
