package io.lambda.query.layer;

/**
 * No answer can be given because a layer it cannot do without is unreadable: the catalog (without
 * it the cut is unknown, and any merge could double count or leave a gap), or every layer holding
 * cells. Answered with 503, never with a silent zero.
 */
public class LayerUnavailableException extends RuntimeException {

    private final Layer layer;

    public LayerUnavailableException(Layer layer, String message, Throwable cause) {
        super(message, cause);
        this.layer = layer;
    }

    public Layer layer() {
        return layer;
    }
}
