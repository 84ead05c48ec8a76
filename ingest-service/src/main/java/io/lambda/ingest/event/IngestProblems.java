package io.lambda.ingest.event;

import java.net.URI;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;

/**
 * Every ingest error as RFC 9457 problem details. Spring's base class covers the framework's own
 * errors (415 wrong media type, 405, ...); the handlers here cover ours.
 */
@RestControllerAdvice
class IngestProblems extends ResponseEntityExceptionHandler {

    @ExceptionHandler(InvalidEventsException.class)
    ProblemDetail invalidEvents(InvalidEventsException e) {
        ProblemDetail problem = problem(HttpStatus.BAD_REQUEST, "invalid-events", "Invalid events", e.getMessage());
        problem.setProperty("errors", e.errors());
        return problem;
    }

    @ExceptionHandler(MalformedBodyException.class)
    ProblemDetail malformed(MalformedBodyException e) {
        return problem(HttpStatus.BAD_REQUEST, "malformed-body", "Malformed request body", e.getMessage());
    }

    @ExceptionHandler(BodyTooLargeException.class)
    ProblemDetail tooLarge(BodyTooLargeException e) {
        return problem(HttpStatus.CONTENT_TOO_LARGE, "too-large", "Request too large", e.getMessage());
    }

    @ExceptionHandler(KafkaUnavailableException.class)
    ResponseEntity<ProblemDetail> kafkaUnavailable(KafkaUnavailableException e) {
        ProblemDetail problem = problem(HttpStatus.SERVICE_UNAVAILABLE, "not-durable", "Events not stored",
                e.getMessage() + "; none of the events may be counted as stored: send the request again "
                        + "(the same eventIds are counted once)");
        return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE)
                .header(HttpHeaders.RETRY_AFTER, "5")
                .body(problem);
    }

    private static ProblemDetail problem(HttpStatus status, String type, String title, String detail) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
        problem.setType(URI.create("urn:lambda:problem:" + type));
        problem.setTitle(title);
        return problem;
    }
}
