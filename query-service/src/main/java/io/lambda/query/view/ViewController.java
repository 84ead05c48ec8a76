package io.lambda.query.view;

import io.lambda.query.system.QueryMetrics;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import java.util.List;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** {@code /api/v1/views}: the view definitions, a key's series, a range's top keys and the keys seen, as batch ⊕ speed. */
@RestController
@RequestMapping("/api/v1/views")
class ViewController {

    private static final String FROM = "inclusive: RFC 3339 with an offset, or epoch milliseconds; a time inside a "
            + "bucket widens the range to that bucket's start (the answer's from says what was used)";
    private static final String TO = "exclusive: RFC 3339 with an offset, or epoch milliseconds; a time inside a "
            + "bucket widens the range to that bucket's end (the answer's to says what was used)";

    private final ViewQueries queries;
    private final QueryMetrics metrics;

    ViewController(ViewQueries queries, QueryMetrics metrics) {
        this.queries = queries;
        this.metrics = metrics;
    }

    @GetMapping
    @Operation(summary = "The configured views")
    List<Answers.ViewInfo> views() {
        return metrics.record("views", "rest", queries::views);
    }

    @GetMapping("/{view}/series")
    @Operation(summary = "One key's buckets over [from, to), every bucket present, with their total and provenance")
    Answers.Series series(@PathVariable String view,
                          @Parameter(description = "the group-by values; several joined by |, with | and \\ escaped by \\")
                          @RequestParam(required = false) String key,
                          @Parameter(description = FROM)
                          @RequestParam(required = false) String from,
                          @Parameter(description = TO)
                          @RequestParam(required = false) String to,
                          @Parameter(description = "minute, hour or day")
                          @RequestParam(defaultValue = "hour") String granularity) {
        return metrics.record("series", "rest", () -> queries.series(view, key, ViewQueries.instant("from", from),
                ViewQueries.instant("to", to), ViewQueries.granularity(granularity)));
    }

    @GetMapping("/{view}/top")
    @Operation(summary = "The keys with the largest values over [from, to): value descending, ties by key ascending")
    Answers.TopList top(@PathVariable String view,
                        @Parameter(description = FROM)
                        @RequestParam(required = false) String from,
                        @Parameter(description = TO)
                        @RequestParam(required = false) String to,
                        @Parameter(description = "how many keys, 10 when absent")
                        @RequestParam(required = false) Integer limit,
                        @Parameter(description = "optional: the buckets to fold; when absent the coarsest one from and "
                                + "to are aligned to, else the finest that covers the range in at most top.max-buckets")
                        @RequestParam(required = false) String granularity) {
        return metrics.record("top", "rest", () -> queries.top(view, ViewQueries.instant("from", from),
                ViewQueries.instant("to", to), limit,
                granularity == null ? null : ViewQueries.granularity(granularity)));
    }

    @GetMapping("/{view}/keys")
    @Operation(summary = "Keys seen in the view (batch and speed) in its recent buckets, in code point order: "
            + "for dashboard variables and search")
    Answers.KeyList keys(@PathVariable String view,
                         @Parameter(description = "only keys starting with this; all when absent")
                         @RequestParam(required = false) String prefix,
                         @Parameter(description = "how many keys, 100 when absent, at most 1000")
                         @RequestParam(required = false) Integer limit) {
        return metrics.record("keys", "rest", () -> queries.keys(view, prefix, limit));
    }
}
