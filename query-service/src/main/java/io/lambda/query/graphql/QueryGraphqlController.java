package io.lambda.query.graphql;

import io.lambda.core.time.Granularity;
import io.lambda.query.freshness.Freshness;
import io.lambda.query.freshness.FreshnessQuery;
import io.lambda.query.system.QueryMetrics;
import io.lambda.query.view.Answers;
import io.lambda.query.view.ViewQueries;
import java.time.Instant;
import java.util.List;
import org.springframework.graphql.data.method.annotation.Argument;
import org.springframework.graphql.data.method.annotation.QueryMapping;
import org.springframework.stereotype.Controller;

/** {@code /graphql}: the same questions as REST, answered by the same services. */
@Controller
class QueryGraphqlController {

    private final ViewQueries queries;
    private final FreshnessQuery freshness;
    private final QueryMetrics metrics;

    QueryGraphqlController(ViewQueries queries, FreshnessQuery freshness, QueryMetrics metrics) {
        this.queries = queries;
        this.freshness = freshness;
        this.metrics = metrics;
    }

    @QueryMapping
    List<Answers.ViewInfo> views() {
        return metrics.record("views", "graphql", queries::views);
    }

    @QueryMapping
    Answers.Series series(@Argument String view, @Argument String key, @Argument Instant from, @Argument Instant to,
                          @Argument String granularity) {
        // the enum arrives as its id, "hour" (GraphqlConfiguration), as REST takes it
        return metrics.record("series", "graphql", () -> queries.series(view, key, from, to,
                Granularity.parse(granularity)));
    }

    @QueryMapping
    Answers.TopList top(@Argument String view, @Argument Instant from, @Argument Instant to, @Argument Integer limit) {
        return metrics.record("top", "graphql", () -> queries.top(view, from, to, limit, null));
    }

    @QueryMapping
    Answers.KeyList keys(@Argument String view, @Argument String prefix, @Argument Integer limit) {
        return metrics.record("keys", "graphql", () -> queries.keys(view, prefix, limit));
    }

    @QueryMapping
    Freshness freshness() {
        return metrics.record("freshness", "graphql", freshness::freshness);
    }
}
