package io.lambda.query.view;

/** A query parameter that cannot be answered as given: 400, naming the parameter. */
public class BadQueryException extends RuntimeException {

    private final String parameter;

    public BadQueryException(String parameter, String message) {
        super(parameter + " " + message);
        this.parameter = parameter;
    }

    public String parameter() {
        return parameter;
    }
}
