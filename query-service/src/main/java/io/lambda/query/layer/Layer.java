package io.lambda.query.layer;

import java.util.Locale;

/** The storage layers a query reads, each guarded on its own so that one failing does not take the others down. */
public enum Layer {

    CATALOG, BATCH, SPEED;

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }
}
