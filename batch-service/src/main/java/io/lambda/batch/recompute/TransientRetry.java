package io.lambda.batch.recompute;

import com.datastax.oss.driver.api.core.AllNodesFailedException;
import com.datastax.oss.driver.api.core.DriverTimeoutException;
import com.datastax.oss.driver.api.core.servererrors.OverloadedException;
import com.datastax.oss.driver.api.core.servererrors.QueryConsistencyException;
import com.datastax.oss.driver.api.core.servererrors.UnavailableException;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Retries a piece of a run that failed on a passing Cassandra overload (write or read timeout,
 * overloaded, unavailable). Only for idempotent work: every write of a run is a whole value at a
 * fixed key, so doing it twice changes nothing. Anything else fails the step at once.
 */
final class TransientRetry {

    private static final Logger log = LoggerFactory.getLogger(TransientRetry.class);
    private static final int ATTEMPTS = 6;

    private TransientRetry() {
    }

    static <T> T run(String what, Supplier<T> work) {
        for (int attempt = 1; ; attempt++) {
            try {
                return work.get();
            } catch (RuntimeException e) {
                Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
                if (attempt >= ATTEMPTS || !isTransient(cause)) {
                    throw e;
                }
                log.warn("{} failed (attempt {} of {}), retrying: {}", what, attempt, ATTEMPTS, cause.getMessage());
                try {
                    Thread.sleep(250L << Math.min(attempt, 5));
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    private static boolean isTransient(Throwable e) {
        return e instanceof QueryConsistencyException || e instanceof OverloadedException
                || e instanceof UnavailableException || e instanceof DriverTimeoutException
                || e instanceof AllNodesFailedException;
    }
}
