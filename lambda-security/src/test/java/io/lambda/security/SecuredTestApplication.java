package io.lambda.security;

import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/** A stand-in service with one endpoint per scope rule, for the tests of the security layer alone. */
@SpringBootApplication
class SecuredTestApplication {

    /** The keys of these tests: the plaintext here, only their hashes in the configuration. */
    static final String INGEST_KEY = "ingest-key-for-tests";
    static final String READ_KEY = "read-key-for-tests";
    static final String ADMIN_KEY = "admin-key-for-tests";

    static String[] keyProperties() {
        return new String[] {
                "lambda.security.api-keys[0].id=ingester",
                "lambda.security.api-keys[0].sha256=" + ApiKeyHash.sha256Hex(INGEST_KEY),
                "lambda.security.api-keys[0].scopes=ingest",
                "lambda.security.api-keys[1].id=reader",
                "lambda.security.api-keys[1].sha256=" + ApiKeyHash.sha256Hex(READ_KEY),
                "lambda.security.api-keys[1].scopes=read",
                "lambda.security.api-keys[2].id=operator",
                "lambda.security.api-keys[2].sha256=" + ApiKeyHash.sha256Hex(ADMIN_KEY),
                "lambda.security.api-keys[2].scopes=admin",
        };
    }

    @RestController
    static class Endpoints {

        /** Answers asynchronously, as ingest-service does: the request is dispatched a second time. */
        @PostMapping("/api/v1/events")
        java.util.concurrent.CompletableFuture<String> ingest(@RequestBody(required = false) String body) {
            return java.util.concurrent.CompletableFuture.supplyAsync(() -> "accepted");
        }

        @GetMapping("/api/v1/views/pageviews/series")
        String series() {
            return "series";
        }

        @PostMapping("/api/v1/batch/runs")
        String run() {
            return "run";
        }

        @PostMapping("/graphql")
        String graphql() {
            return "{}";
        }

        @GetMapping("/unlisted")
        String unlisted() {
            return "any scope";
        }
    }
}
