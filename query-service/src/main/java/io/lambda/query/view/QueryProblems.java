package io.lambda.query.view;

import io.lambda.query.layer.LayerUnavailableException;
import java.net.URI;
import org.apache.tomcat.util.http.InvalidParameterException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;

/**
 * Query errors as RFC 9457 problem details; the base class covers Spring's own (a parameter of the
 * wrong type, an unknown path, ...), so bad input is never a 500.
 */
@RestControllerAdvice
class QueryProblems extends ResponseEntityExceptionHandler {

    /** How long a client should wait before asking again when a layer is down: about one breaker interval. */
    static final String RETRY_AFTER_SECONDS = "5";

    @ExceptionHandler(UnknownViewException.class)
    ProblemDetail unknownView(UnknownViewException e) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.NOT_FOUND, e.getMessage());
        problem.setType(URI.create("urn:lambda:problem:unknown-view"));
        problem.setTitle("Unknown view");
        return problem;
    }

    @ExceptionHandler(BadQueryException.class)
    ProblemDetail badQuery(BadQueryException e) {
        ProblemDetail problem = badQuery(e.getMessage());
        problem.setProperty("parameter", e.parameter());
        return problem;
    }

    /**
     * A query string that is not valid percent-encoded UTF-8 ({@code key=%C0%AF}): Tomcat decodes the
     * parameters only when the first one is read, so this reaches us as an exception of the
     * container, which would otherwise be logged as an error and answered with its HTML error page.
     */
    @ExceptionHandler(InvalidParameterException.class)
    ProblemDetail undecodableParameter(InvalidParameterException e) {
        return badQuery("the query string is not valid percent-encoded UTF-8");
    }

    private static ProblemDetail badQuery(String detail) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, detail);
        problem.setType(URI.create("urn:lambda:problem:bad-query"));
        problem.setTitle("Bad query parameter");
        return problem;
    }

    @ExceptionHandler(LayerUnavailableException.class)
    ResponseEntity<ProblemDetail> unavailable(LayerUnavailableException e) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.SERVICE_UNAVAILABLE, e.getMessage());
        problem.setType(URI.create("urn:lambda:problem:layer-unavailable"));
        problem.setTitle("A storage layer cannot be read");
        problem.setProperty("layer", e.layer().id());
        return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE)
                .header(HttpHeaders.RETRY_AFTER, RETRY_AFTER_SECONDS)
                .body(problem);
    }
}
