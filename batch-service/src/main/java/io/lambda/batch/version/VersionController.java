package io.lambda.batch.version;

import io.lambda.batch.system.BatchStore;
import io.lambda.store.BatchVersions;
import io.lambda.store.PublishedVersion;
import java.net.URI;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code /api/v1/batch/versions}: the versions and which one is published;
 * {@code POST /{v}/publish} rolls back or forward, refused when invariant 7's guard fails.
 */
@RestController
@RequestMapping("/api/v1/batch/versions")
class VersionController {

    /** The answer of GET: the catalog entry and every version, newest first. */
    record Versions(PublishedVersion published, List<BatchVersions.Version> versions) {
    }

    private final BatchStore store;
    private final VersionPublisher publisher;

    VersionController(BatchStore store, VersionPublisher publisher) {
        this.store = store;
        this.publisher = publisher;
    }

    @GetMapping
    Versions list() {
        return new Versions(store.catalog().current(), store.versions().all());
    }

    @PostMapping("/{version}/publish")
    ResponseEntity<?> publish(@PathVariable long version) {
        try {
            PublishedVersion published = publisher.publishExisting(version);
            return ResponseEntity.ok(Map.of("published", published));
        } catch (VersionPublisher.PublishRefusedException e) {
            HttpStatus status = e.problem().equals("unknown-version") ? HttpStatus.NOT_FOUND
                    : e.conflict() ? HttpStatus.CONFLICT : HttpStatus.UNPROCESSABLE_CONTENT;
            ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, e.getMessage());
            problem.setType(URI.create("urn:lambda:problem:" + e.problem()));
            return ResponseEntity.status(status).contentType(MediaType.APPLICATION_PROBLEM_JSON).body(problem);
        }
    }
}
