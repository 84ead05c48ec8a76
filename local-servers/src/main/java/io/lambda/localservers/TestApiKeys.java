package io.lambda.localservers;

/**
 * The API keys of in-process service tests, whose hashes are in {@code test-api-keys.yaml} (each
 * service's test configuration imports it). Process-level tests use {@link StackApiKey} instead.
 */
public final class TestApiKeys {

    /** The header a key may be sent in (the other way is {@code Authorization: Bearer <key>}). */
    public static final String HEADER = "X-API-Key";

    public static final String ALL_SCOPES = "lambda-test-key-all-scopes";
    public static final String INGEST = "lambda-test-key-ingest";
    public static final String READ = "lambda-test-key-read";
    public static final String ADMIN = "lambda-test-key-admin";
    /** Service to service: query-service's reads of speed-service's state. */
    public static final String INTERNAL = "lambda-test-key-internal";

    private TestApiKeys() {
    }
}
