package io.lambda.query.view;

/** No view of that name: 404. */
public class UnknownViewException extends RuntimeException {

    public UnknownViewException(String view) {
        super("There is no view named '" + view + "'; GET /api/v1/views lists them");
    }
}
