package io.lambda.batch.system;

import com.datastax.oss.driver.api.core.AllNodesFailedException;
import com.datastax.oss.driver.api.core.DriverTimeoutException;
import com.datastax.oss.driver.api.core.servererrors.QueryConsistencyException;
import java.net.URI;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/**
 * The admin API while Cassandra cannot answer (no node reachable, a timeout, too few replicas):
 * {@code 503} with {@code Retry-After} and a problem detail, not a {@code 500}, so a client or an
 * operator's script knows to try again and nothing was started or published.
 */
@RestControllerAdvice
class StoreOutageProblems {

    static final String RETRY_AFTER_SECONDS = "5";

    @ExceptionHandler({AllNodesFailedException.class, DriverTimeoutException.class, QueryConsistencyException.class})
    ResponseEntity<ProblemDetail> storeUnavailable(RuntimeException e) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.SERVICE_UNAVAILABLE,
                "Cassandra cannot answer now (" + e.getClass().getSimpleName() + "); nothing was changed. Try again.");
        problem.setType(URI.create("urn:lambda:problem:store-unavailable"));
        return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE).header(HttpHeaders.RETRY_AFTER, RETRY_AFTER_SECONDS)
                .contentType(MediaType.APPLICATION_PROBLEM_JSON).body(problem);
    }
}
