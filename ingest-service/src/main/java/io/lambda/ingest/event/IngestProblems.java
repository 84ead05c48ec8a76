package io.lambda.ingest.event;

import io.lambda.ingest.system.IngestProperties;
import java.net.URI;
import org.springframework.context.i18n.LocaleContextHolder;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.ErrorResponse;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;

/**
 * Every ingest error as RFC 9457 problem details, each counted in the ingest metrics. Spring's
 * base class covers the framework's own errors (415 wrong media type, 405, 406, ...); they get a
 * {@code urn:lambda:problem:} type like ours.
 */
@RestControllerAdvice
class IngestProblems extends ResponseEntityExceptionHandler {

    private final IngestMetrics metrics;
    private final IngestProperties properties;

    IngestProblems(IngestMetrics metrics, IngestProperties properties) {
        this.metrics = metrics;
        this.properties = properties;
    }

    @ExceptionHandler(InvalidEventsException.class)
    ProblemDetail invalidEvents(InvalidEventsException e) {
        metrics.rejected("invalid", e.requestEvents());
        ProblemDetail problem = problem(HttpStatus.BAD_REQUEST, "invalid-events", "Invalid events", e.getMessage());
        problem.setProperty("errors", e.errors());
        problem.setProperty("errorCount", e.errorCount());
        return problem;
    }

    @ExceptionHandler(MalformedBodyException.class)
    ProblemDetail malformed(MalformedBodyException e) {
        metrics.rejected("malformed", 0);
        return problem(HttpStatus.BAD_REQUEST, "malformed-body", "Malformed request body", e.getMessage());
    }

    @ExceptionHandler(BodyTooLargeException.class)
    ProblemDetail tooLarge(BodyTooLargeException e) {
        metrics.rejected("too-large", e.requestEvents());
        return problem(HttpStatus.CONTENT_TOO_LARGE, "too-large", "Request too large", e.getMessage());
    }

    @ExceptionHandler(KafkaUnavailableException.class)
    ResponseEntity<ProblemDetail> kafkaUnavailable(KafkaUnavailableException e) {
        metrics.rejected("not-durable", e.eventIds().size());
        ProblemDetail problem = problem(HttpStatus.SERVICE_UNAVAILABLE, "not-durable", "Events not stored",
                e.getMessage() + "; do not count any of these events as stored: send the request again with "
                        + "the same eventIds (listed here, those the service assigned included); each is counted once");
        problem.setProperty("eventIds", e.eventIds());
        return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE)
                .header(HttpHeaders.RETRY_AFTER, Long.toString(Math.max(1, properties.retryAfter().toSeconds())))
                .body(problem);
    }

    /**
     * The body could not be read to its end (the client stopped sending, or sent less than its
     * Content-Length before the connection timed out): a client problem, so 400, and nothing was written.
     */
    @ExceptionHandler(java.io.IOException.class)
    ProblemDetail unreadable(java.io.IOException e) {
        metrics.rejected("unreadable", 0);
        return problem(HttpStatus.BAD_REQUEST, "unreadable-body", "Request body could not be read",
                "the body could not be read to its end: " + e.getMessage());
    }

    /** The framework's own errors (415, 405, 406, ...): our type URI, and counted. */
    @Override
    protected ResponseEntity<Object> handleExceptionInternal(Exception ex, Object body, HttpHeaders headers,
                                                             HttpStatusCode statusCode, WebRequest request) {
        if (body == null && ex instanceof ErrorResponse error) {
            body = error.updateAndGetBody(getMessageSource(), LocaleContextHolder.getLocale());
        }
        if (body instanceof ProblemDetail problem
                && (problem.getType() == null || "about:blank".equals(problem.getType().toString()))) {
            HttpStatus status = HttpStatus.resolve(statusCode.value());
            String name = status == null ? Integer.toString(statusCode.value())
                    : status.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
            problem.setType(URI.create("urn:lambda:problem:" + name));
            metrics.rejected(name, 0);
        }
        return super.handleExceptionInternal(ex, body, headers, statusCode, request);
    }

    private static ProblemDetail problem(HttpStatus status, String type, String title, String detail) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
        problem.setType(URI.create("urn:lambda:problem:" + type));
        problem.setTitle(title);
        return problem;
    }
}
