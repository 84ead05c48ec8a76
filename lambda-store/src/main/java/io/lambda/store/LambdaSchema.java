package io.lambda.store;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the keyspace and the shared tables, from the versioned CQL files under {@code cql/}.
 * Every statement is idempotent, so each service applies the schema at start.
 */
public final class LambdaSchema {

    private static final Logger log = LoggerFactory.getLogger(LambdaSchema.class);
    private static final List<String> FILES = List.of("cql/V1__tables.cql", "cql/V2__speed.cql", "cql/V3__batch.cql");

    private static final Duration DDL_TIMEOUT = Duration.ofSeconds(60);

    private LambdaSchema() {
    }

    public static void apply(CqlSession session, StoreSettings settings) {
        ddl(session, "CREATE KEYSPACE IF NOT EXISTS " + settings.keyspace()
                + " WITH replication = {'class': 'SimpleStrategy', 'replication_factor': "
                + settings.replicationFactor() + "}");
        for (String file : FILES) {
            for (String statement : statements(file)) {
                ddl(session, statement.replace("CREATE TABLE IF NOT EXISTS ",
                        "CREATE TABLE IF NOT EXISTS " + settings.keyspace() + "."));
            }
        }
        log.info("Cassandra schema of keyspace {} is in place", settings.keyspace());
    }

    /**
     * Schema changes wait for every node to agree and, on a busy node, take seconds: they get their
     * own timeout instead of the request timeout meant for reads and writes.
     */
    private static void ddl(CqlSession session, String cql) {
        session.execute(SimpleStatement.newInstance(cql).setTimeout(DDL_TIMEOUT));
    }

    static List<String> statements(String resource) {
        try (InputStream in = LambdaSchema.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("Missing schema file " + resource);
            }
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            String withoutComments = text.lines()
                    .filter(line -> !line.strip().startsWith("--"))
                    .reduce("", (a, b) -> a + b + "\n");
            return Arrays.stream(withoutComments.split(";"))
                    .map(String::strip)
                    .filter(s -> !s.isEmpty())
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
