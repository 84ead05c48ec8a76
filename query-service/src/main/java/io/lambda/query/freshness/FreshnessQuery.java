package io.lambda.query.freshness;

import io.lambda.query.layer.LayerReads;
import io.lambda.query.layer.SpeedProgress;
import io.lambda.store.PublishedVersion;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.springframework.stereotype.Service;

/** Reads the catalog (503 when it cannot) and the speed layer's progress; REST and GraphQL both ask here. */
@Service
public class FreshnessQuery {

    private final LayerReads reads;
    private final SpeedProgress speedProgress;
    private final Clock clock;

    public FreshnessQuery(LayerReads reads, SpeedProgress speedProgress, Clock clock) {
        this.reads = reads;
        this.speedProgress = speedProgress;
        this.clock = clock;
    }

    public Freshness freshness() {
        PublishedVersion published = reads.catalog();
        Optional<Instant> speedThrough = speedProgress.speedThrough();
        Instant now = clock.instant();
        List<String> warnings = new ArrayList<>();
        if (published.isNothing()) {
            warnings.add("no batch version is published yet: the speed layer answers alone");
        }
        if (speedThrough.isEmpty()) {
            warnings.add("the speed layer does not report its progress yet: speedThrough and speedLagSeconds unknown");
        }
        return new Freshness(published.isNothing() ? null : published.version(),
                published.isNothing() ? null : published.cut(),
                published.isNothing() ? null : seconds(published.cut(), now),
                speedThrough.orElse(null), speedThrough.map(t -> seconds(t, now)).orElse(null), now, warnings);
    }

    private static double seconds(Instant from, Instant to) {
        return Duration.between(from, to).toMillis() / 1000.0;
    }
}
