package io.lambda.security;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code lambda.security.*}: on by default. Keys come from {@code api-keys} and, re-read when it
 * changes, from {@code api-keys-file} (what a mounted Kubernetes Secret updates), so keys rotate
 * without a restart. See docs/security.md.
 *
 * @param enabled       off only for a deliberately open deployment: every request is then allowed
 * @param mode          {@code api-key} (default) or {@code jwt} (an OAuth2 resource server; the
 *                      issuer or JWKS under {@code spring.security.oauth2.resourceserver.jwt.*})
 * @param apiKeys       keys as {id, sha256, scopes}
 * @param apiKeysFile   a YAML or .properties file of the same shape ({@code api-keys: [...]})
 * @param apiKeysFileCheckInterval how often (at most) the file's modification time is looked at
 * @param rateLimits    per scope ({@code ingest}, {@code read}, {@code admin}), over the defaults below
 * @param openPaths     extra path patterns anyone may call (the local profile opens GraphiQL)
 * @param maxCredentialLength longer credentials are refused without hashing them
 */
@ConfigurationProperties("lambda.security")
public record LambdaSecurityProperties(
        @DefaultValue("true") boolean enabled,
        @DefaultValue("api-key") Mode mode,
        List<ApiKey> apiKeys,
        Path apiKeysFile,
        @DefaultValue("1s") Duration apiKeysFileCheckInterval,
        @DefaultValue({}) Map<Scope, RateLimit> rateLimits,
        List<String> openPaths,
        @DefaultValue("512") int maxCredentialLength) {

    public enum Mode { API_KEY, JWT }

    /**
     * A token bucket: {@code requestsPerSecond} on average, up to {@code burst} at once.
     */
    public record RateLimit(double requestsPerSecond, @DefaultValue("0") int burst) {

        public RateLimit {
            if (requestsPerSecond <= 0) {
                throw new IllegalArgumentException("requests-per-second must be positive");
            }
            burst = burst <= 0 ? (int) Math.max(1, Math.ceil(requestsPerSecond)) : burst;
        }
    }

    public LambdaSecurityProperties {
        apiKeys = apiKeys == null ? List.of() : List.copyOf(apiKeys);
        openPaths = openPaths == null ? List.of() : List.copyOf(openPaths);
        Map<Scope, RateLimit> merged = new java.util.EnumMap<>(defaultRateLimits());
        if (rateLimits != null) {
            merged.putAll(rateLimits); // a scope configured replaces its default, the others keep theirs
        }
        rateLimits = Map.copyOf(merged);
    }

    /**
     * Generous enough for dashboards and the demo, tight enough that one key cannot starve the others.
     * {@code internal} is one service's key (query-service's), which makes a call per query and per
     * bucket slice it reads: it is sized for a whole query-service fleet, not for one user.
     */
    static Map<Scope, RateLimit> defaultRateLimits() {
        return Map.of(Scope.INGEST, new RateLimit(500, 1000), Scope.READ, new RateLimit(200, 400),
                Scope.ADMIN, new RateLimit(5, 10), Scope.INTERNAL, new RateLimit(50_000, 100_000));
    }
}
