package io.lambda.security;

import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

/**
 * One API key as configured: an id for logs and rate limits, the SHA-256 (hex) of the key (the key
 * itself is never stored), and its scopes.
 */
public record ApiKey(String id, String sha256, List<Scope> scopes) {

    public ApiKey {
        if (id == null || id.isBlank()) {
            throw new IllegalArgumentException("an API key needs an id");
        }
        if (sha256 == null || !sha256.matches("(?i)[0-9a-f]{64}")) {
            throw new IllegalArgumentException("API key '" + id + "': sha256 must be 64 hex digits (the SHA-256 of the key)");
        }
        sha256 = sha256.toLowerCase(Locale.ROOT);
        scopes = scopes == null ? List.of() : List.copyOf(scopes);
    }

    byte[] hashBytes() {
        return HexFormat.of().parseHex(sha256);
    }
}
