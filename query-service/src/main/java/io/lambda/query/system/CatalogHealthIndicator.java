package io.lambda.query.system;

import io.lambda.query.layer.LayerReads;
import io.lambda.query.layer.LayerUnavailableException;
import io.lambda.store.PublishedVersion;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.stereotype.Component;

/**
 * The batch catalog, part of readiness: without the published version and its cut no answer can be
 * merged, so a replica that cannot read it should get no traffic (it is not restarted for it: the
 * catalog's circuit breaker closes again by itself). Read like a query reads it, through the catalog
 * guard and its short-lived shared read. No published version yet is UP: answers are then speed-only.
 */
@Component("catalog")
class CatalogHealthIndicator implements HealthIndicator {

    private final LayerReads reads;

    CatalogHealthIndicator(LayerReads reads) {
        this.reads = reads;
    }

    @Override
    public Health health() {
        try {
            PublishedVersion published = reads.catalog();
            return published.isNothing() ? Health.up().withDetail("published", "nothing yet").build()
                    : Health.up().withDetail("version", published.version()).withDetail("cut", published.cut().toString())
                            .build();
        } catch (LayerUnavailableException e) {
            return Health.down().withDetail("error", e.getMessage()).build();
        }
    }
}
