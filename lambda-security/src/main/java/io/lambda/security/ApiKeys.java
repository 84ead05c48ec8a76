package io.lambda.security;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.env.PropertiesPropertySourceLoader;
import org.springframework.boot.env.PropertySourceLoader;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.core.env.PropertySource;
import org.springframework.core.io.FileSystemResource;

/**
 * The API keys a service accepts: those configured, plus those of the keys file, re-read when its
 * modification time changes (a Kubernetes Secret mount swaps the file on update), so a key can be
 * added, rotated or revoked without a restart. A file that cannot be read keeps the keys it had.
 */
public final class ApiKeys {

    private static final Logger log = LoggerFactory.getLogger(ApiKeys.class);

    private final List<ApiKey> configured;
    private final Path file;
    private final Duration checkInterval;
    private final Clock clock;
    private volatile List<ApiKey> fromFile = List.of();
    private volatile FileTime fileTime;
    private volatile Instant nextCheck = Instant.MIN;

    public ApiKeys(List<ApiKey> configured, Path file, Duration checkInterval, Clock clock) {
        this.configured = List.copyOf(configured);
        this.file = file;
        this.checkInterval = checkInterval;
        this.clock = clock;
        if (file != null) {
            reloadIfChanged();
        }
        if (all().isEmpty()) {
            log.warn("No API key is configured (lambda.security.api-keys or api-keys-file): every protected request gets 401");
        }
    }

    /**
     * The key whose hash matches the presented one. Every stored hash is compared, in constant time,
     * so neither the answer time nor an early exit tells how close a guess was.
     */
    public Optional<ApiKey> find(String presented) {
        if (file != null && !clock.instant().isBefore(nextCheck)) {
            reloadIfChanged();
        }
        byte[] hash = ApiKeyHash.sha256(presented);
        ApiKey match = null;
        for (ApiKey key : all()) {
            if (MessageDigest.isEqual(hash, key.hashBytes()) && match == null) {
                match = key;
            }
        }
        return Optional.ofNullable(match);
    }

    public List<ApiKey> all() {
        List<ApiKey> all = new ArrayList<>(configured);
        all.addAll(fromFile);
        return all;
    }

    private synchronized void reloadIfChanged() {
        nextCheck = clock.instant().plus(checkInterval);
        try {
            FileTime modified = Files.getLastModifiedTime(file); // follows the Secret mount's symlinks
            if (modified.equals(fileTime)) {
                return;
            }
            List<ApiKey> keys = read(file);
            fromFile = keys;
            fileTime = modified;
            log.info("Read {} API key(s) from {}", keys.size(), file);
        } catch (IOException | RuntimeException e) {
            log.warn("Could not read the API keys file {}; keeping the {} key(s) read before: {}", file,
                    fromFile.size(), e.toString());
        }
    }

    /** Binds {@code api-keys} (or {@code lambda.security.api-keys}) of a YAML or .properties file. */
    static List<ApiKey> read(Path file) throws IOException {
        String name = file.getFileName().toString();
        PropertySourceLoader loader = name.endsWith(".properties") ? new PropertiesPropertySourceLoader()
                : new YamlPropertySourceLoader();
        List<PropertySource<?>> sources = loader.load("api-keys-file", new FileSystemResource(file));
        Binder binder = new Binder(ConfigurationPropertySources.from(sources));
        Bindable<List<ApiKey>> keys = Bindable.listOf(ApiKey.class);
        return binder.bind("api-keys", keys)
                .orElseGet(() -> binder.bind("lambda.security.api-keys", keys).orElse(List.of()));
    }
}
