package io.lambda.query.view;

import java.net.URI;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;

/** Query errors as RFC 9457 problem details; the base class covers Spring's own (missing parameter, ...). */
@RestControllerAdvice
class QueryProblems extends ResponseEntityExceptionHandler {

    @ExceptionHandler(UnknownViewException.class)
    ProblemDetail unknownView(UnknownViewException e) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.NOT_FOUND, e.getMessage());
        problem.setType(URI.create("urn:lambda:problem:unknown-view"));
        problem.setTitle("Unknown view");
        return problem;
    }

    @ExceptionHandler(BadQueryException.class)
    ProblemDetail badQuery(BadQueryException e) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, e.getMessage());
        problem.setType(URI.create("urn:lambda:problem:bad-query"));
        problem.setTitle("Bad query parameter");
        problem.setProperty("parameter", e.parameter());
        return problem;
    }
}
