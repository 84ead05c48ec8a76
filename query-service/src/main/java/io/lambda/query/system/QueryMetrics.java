package io.lambda.query.system;

import io.lambda.query.layer.LayerUnavailableException;
import io.lambda.query.view.Answers;
import io.lambda.query.view.BadQueryException;
import io.lambda.query.view.Provenance;
import io.lambda.query.view.UnknownViewException;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.springframework.stereotype.Component;

/**
 * {@code lambda.query.requests}: a timer per endpoint ({@code series}, {@code top}, {@code keys},
 * {@code freshness}, {@code views}), API ({@code rest}, {@code graphql}) and outcome ({@code ok}, {@code partial},
 * {@code bad_request}, {@code not_found}, {@code unavailable}, {@code error}), with percentiles.
 */
@Component
public class QueryMetrics {

    private record Tags(String endpoint, String api, String outcome) {
    }

    private final MeterRegistry meters;
    private final Map<Tags, Timer> timers = new ConcurrentHashMap<>();

    public QueryMetrics(MeterRegistry meters) {
        this.meters = meters;
    }

    public <T> T record(String endpoint, String api, Supplier<T> answer) {
        Timer.Sample sample = Timer.start(meters);
        String outcome = "error";
        try {
            T result = answer.get();
            outcome = partial(result) ? "partial" : "ok";
            return result;
        } catch (BadQueryException e) {
            outcome = "bad_request";
            throw e;
        } catch (UnknownViewException e) {
            outcome = "not_found";
            throw e;
        } catch (LayerUnavailableException e) {
            outcome = "unavailable";
            throw e;
        } finally {
            sample.stop(timer(endpoint, api, outcome));
        }
    }

    /** Registered once per tag set: looking a meter up by its id on every request costs more than the timing. */
    private Timer timer(String endpoint, String api, String outcome) {
        return timers.computeIfAbsent(new Tags(endpoint, api, outcome), tags -> Timer.builder("lambda.query.requests")
                .description("Query requests by endpoint, API and outcome")
                .tag("endpoint", endpoint)
                .tag("api", api)
                .tag("outcome", outcome)
                .publishPercentileHistogram()
                .register(meters));
    }

    private static boolean partial(Object answer) {
        Provenance provenance = null;
        if (answer instanceof Answers.Series series) {
            provenance = series.provenance();
        } else if (answer instanceof Answers.TopList top) {
            provenance = top.provenance();
        } else if (answer instanceof Answers.KeyList keys) {
            provenance = keys.provenance();
        }
        return provenance != null && provenance.partial();
    }
}
