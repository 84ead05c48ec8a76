package io.lambda.query.freshness;

import io.lambda.query.system.QueryMetrics;
import io.swagger.v3.oas.annotations.Operation;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/** {@code GET /api/v1/freshness}. */
@RestController
class FreshnessController {

    private final FreshnessQuery query;
    private final QueryMetrics metrics;

    FreshnessController(FreshnessQuery query, QueryMetrics metrics) {
        this.query = query;
        this.metrics = metrics;
    }

    @GetMapping("/api/v1/freshness")
    @Operation(summary = "The published batch version, its cut and age, and the speed layer's lag")
    Freshness freshness() {
        return metrics.record("freshness", "rest", query::freshness);
    }
}
