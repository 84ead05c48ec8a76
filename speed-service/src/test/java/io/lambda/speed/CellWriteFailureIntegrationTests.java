package io.lambda.speed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.datastax.oss.driver.api.core.CqlSession;
import io.lambda.core.cell.Aggregator;
import io.lambda.core.cell.CellKey;
import io.lambda.core.event.Event;
import io.lambda.core.event.EventCodec;
import io.lambda.core.time.IngestEpoch;
import io.lambda.core.view.ViewCatalog;
import io.lambda.localservers.RealServers;
import io.lambda.localservers.RealServersConnections;
import io.lambda.store.LambdaStore;
import io.lambda.store.SpeedCells;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.mockito.Mockito;
import org.mockito.invocation.InvocationOnMock;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * A poll whose cell write fails is applied again from the state before it, even when its expiry
 * listing was written just before: the writer updates what it knows of a cell (value, offset,
 * listed) only once the cell write itself is acknowledged (docs/architecture.md, invariant 4). On real Kafka
 * and Cassandra, while a stream flows, {@link SpeedCells#writeAll} fails a few times: right after a
 * successful {@link SpeedCells#indexAll} of the poll's new cells, and on polls without a new cell
 * (no listing at all); half of the failures come before anything is written, half after the rows
 * are stored (an acknowledgement lost). After the stream settles every cell equals the fold of the
 * distinct events, no event is applied twice and the lag is back to zero.
 *
 * <p>Why a test of its own: in {@link CassandraOutageIntegrationTests} the listing write is the one
 * that fails first whenever a poll has a new cell, so no failure there lands on the cell write after
 * a listing that succeeded. Remembering a poll's cells between the two writes would go unnoticed
 * there; here the retried poll would be folded onto the remembered values and counted twice.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE)
@Import(RealServersConnections.class)
@DirtiesContext
class CellWriteFailureIntegrationTests {

    private static final String KEYSPACE = SpeedFixture.unique("it_cellwrite_");
    private static final String TOPIC = SpeedFixture.unique("it.cellwrite.");
    private static final String GROUP = TOPIC + ".speed";
    private static final Instant NOW = Instant.now();
    /** Written before any failure: the cells that the echoes below fold into again. */
    private static final SeededStream WARM_UP = new SeededStream(4242, 800, 0.05, 0, NOW, "w");
    /** Spread through the flowing stream: late events among them open new cells (listed first). */
    private static final SeededStream NEW_CELLS = new SeededStream(4243, 60, 0, 0, NOW, "n");
    private static final int ECHOES_PER_NEW_CELLS_EVENT = 12;
    private static final int HOT_EVENTS = 30;
    private static final int FAILURES_OF_EACH_KIND = 3;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("lambda.store.keyspace", () -> KEYSPACE);
        registry.add("lambda.events.topic", () -> TOPIC);
        registry.add("lambda.events.partitions", () -> 3);
        registry.add("spring.kafka.consumer.group-id", () -> GROUP);
        registry.add("spring.kafka.consumer.max-poll-records", () -> 300);
        registry.add("lambda.speed.retry.max", () -> "1s");
    }

    @BeforeAll
    static void topic() throws Exception {
        SpeedFixture.createTopic(RealServers.get().kafkaBootstrapServers(), TOPIC, 3);
    }

    /**
     * Hands the writer (and everything else that asks the {@link LambdaStore} bean for its speed
     * cells) a spy of the real {@link SpeedCells} that goes to Cassandra unless a failure is due. A
     * bean post-processor, because the writer takes {@code store.speedCells()} in its constructor:
     * a spy on the store bean stubbed from the test would come too late.
     */
    @TestConfiguration(proxyBeanMethods = false)
    static class FailingCellWritesConfiguration {

        @Bean
        static CellWriteFailures cellWriteFailures() {
            return new CellWriteFailures();
        }
    }

    @Autowired
    CqlSession session;

    @Autowired
    ViewCatalog views;

    @Autowired
    IngestEpoch epochs;

    @Autowired
    MeterRegistry meters;

    @Autowired
    CellWriteFailures failures;

    @Test
    void aFailedCellWriteAfterItsListingIsAppliedAgainFromTheStateBeforeIt() throws Exception {
        String kafka = RealServers.get().kafkaBootstrapServers();
        List<Event> echoes = new ArrayList<>();
        List<SeededStream.Item> flowing = flowingStream(echoes);
        List<Event> distinct = new ArrayList<>(WARM_UP.distinctEvents());
        distinct.addAll(NEW_CELLS.distinctEvents());
        distinct.addAll(echoes);

        SpeedFixture.produce(kafka, TOPIC, WARM_UP.items());
        await().atMost(Duration.ofSeconds(60)).until(() -> applied() == WARM_UP.distinctEvents().size());

        failures.arm();
        CompletableFuture<Void> producing = SpeedFixture.produceSteadily(kafka, TOPIC, flowing, Duration.ofSeconds(15));
        await().atMost(Duration.ofSeconds(45)).until(() -> failures.afterListing() >= FAILURES_OF_EACH_KIND
                && failures.withoutListing() >= FAILURES_OF_EACH_KIND);
        producing.get(30, TimeUnit.SECONDS);

        // a poll is committed only once its cells are acknowledged: at lag 0 every cell is written
        await().atMost(Duration.ofSeconds(60)).until(() -> SpeedFixture.groupLag(kafka, GROUP, TOPIC) == 0);
        Aggregator aggregator = new Aggregator(views, epochs);
        Map<CellKey, Double> expected = aggregator.results(aggregator.fold(distinct, NOW));
        Map<CellKey, Double> stored = SpeedFixture.storedResults(session, KEYSPACE, aggregator);
        assertThat(differences(stored, expected))
                .as("cells that are not the fold of the distinct events (something lost or counted twice)").isEmpty();
        assertThat(stored).isEqualTo(expected);
        assertThat(applied()).as("every distinct event applied once").isEqualTo(distinct.size());
        assertThat(failures.afterListing()).as("cell writes failed right after the poll's listing was written")
                .isEqualTo(FAILURES_OF_EACH_KIND);
        assertThat(failures.withoutListing()).as("cell writes failed on polls without a new cell")
                .isEqualTo(FAILURES_OF_EACH_KIND);
        assertThat(failures.acknowledgementsLost()).as("failures after the rows were stored").isPositive();
    }

    /**
     * The stream that flows while writes fail: each event of {@link #NEW_CELLS} followed by echoes
     * of a few warm-up events (new ids, same key, content and so cells). Polls of echoes alone have
     * no new cell; the echoes of a hot set open the cells of a new ingest epoch, should one begin
     * mid-test, in their first round.
     */
    private static List<SeededStream.Item> flowingStream(List<Event> echoes) {
        List<Event> hot = WARM_UP.distinctEvents().stream()
                .filter(e -> e.timestamp().isAfter(NOW.minus(Duration.ofDays(1))))
                .filter(e -> e.type().equals("pageview") || e.attribute("amount") != null)
                .limit(HOT_EVENTS).toList();
        EventCodec codec = new EventCodec();
        List<SeededStream.Item> items = new ArrayList<>();
        for (SeededStream.Item item : NEW_CELLS.items()) {
            items.add(item);
            for (int i = 0; i < ECHOES_PER_NEW_CELLS_EVENT; i++) {
                Event original = hot.get(echoes.size() % hot.size());
                Event echo = new Event("echo-" + echoes.size(), original.type(), original.timestamp(), original.attributes());
                echoes.add(echo);
                items.add(new SeededStream.Item(original.eventId(), codec.encode(echo), false, false));
            }
        }
        return items;
    }

    /** Per cell that differs: what is stored against what the fold says. */
    private static Map<CellKey, String> differences(Map<CellKey, Double> stored, Map<CellKey, Double> expected) {
        Set<CellKey> cells = new HashSet<>(expected.keySet());
        cells.addAll(stored.keySet());
        Map<CellKey, String> differing = new HashMap<>();
        for (CellKey cell : cells) {
            if (!Objects.equals(stored.get(cell), expected.get(cell))) {
                differing.put(cell, "stored " + stored.get(cell) + ", expected " + expected.get(cell));
            }
        }
        return differing;
    }

    private long applied() {
        return (long) meters.get("lambda.speed.events").tag("outcome", "applied").counter().count();
    }

    /**
     * Once armed, makes {@link SpeedCells#writeAll} fail {@value #FAILURES_OF_EACH_KIND} times right
     * after a successful {@link SpeedCells#indexAll} and as often on a write without a listing before
     * it, with a few successful writes between failures so that the stream moves on; every other call
     * goes to Cassandra. Only the consumer thread calls the two.
     */
    static final class CellWriteFailures implements BeanPostProcessor {

        private static final int SUCCESSES_BETWEEN_FAILURES = 3;

        private final AtomicInteger afterListing = new AtomicInteger();
        private final AtomicInteger withoutListing = new AtomicInteger();
        private final AtomicInteger acknowledgementsLost = new AtomicInteger();
        private volatile boolean armed;
        private volatile boolean listingJustWritten;
        private int successesSinceFailure = SUCCESSES_BETWEEN_FAILURES;

        @Override
        public Object postProcessAfterInitialization(Object bean, String beanName) {
            if (bean instanceof LambdaStore store) {
                SpeedCells spy = Mockito.mock(SpeedCells.class, Mockito.withSettings()
                        .spiedInstance(store.speedCells()).stubOnly().defaultAnswer(this::answer));
                return new LambdaStore(store.settings(), store.catalog(), store.masterDataset(), store.watermarks(),
                        store.batchCells(), spy);
            }
            return bean;
        }

        void arm() {
            armed = true;
        }

        int afterListing() {
            return afterListing.get();
        }

        int withoutListing() {
            return withoutListing.get();
        }

        int acknowledgementsLost() {
            return acknowledgementsLost.get();
        }

        @SuppressWarnings("unchecked")
        private Object answer(InvocationOnMock call) throws Throwable {
            return switch (call.getMethod().getName()) {
                case "indexAll" -> ((CompletionStage<Void>) call.callRealMethod())
                        .whenComplete((done, failure) -> listingJustWritten = failure == null);
                case "writeAll" -> writeAll(call);
                default -> call.callRealMethod();
            };
        }

        @SuppressWarnings("unchecked")
        private synchronized CompletionStage<Void> writeAll(InvocationOnMock call) throws Throwable {
            boolean afterListingWritten = listingJustWritten;
            listingJustWritten = false;
            AtomicInteger failed = afterListingWritten ? afterListing : withoutListing;
            if (!armed || successesSinceFailure < SUCCESSES_BETWEEN_FAILURES || failed.get() >= FAILURES_OF_EACH_KIND) {
                successesSinceFailure++;
                return (CompletionStage<Void>) call.callRealMethod();
            }
            successesSinceFailure = 0;
            failed.incrementAndGet();
            InjectedWriteFailure failure = new InjectedWriteFailure(afterListingWritten);
            if ((afterListing.get() + withoutListing.get()) % 2 == 0) {
                // the rows are stored, the writer hears of a failure (as after a write timeout)
                acknowledgementsLost.incrementAndGet();
                return ((CompletionStage<Void>) call.callRealMethod())
                        .thenCompose(stored -> CompletableFuture.failedFuture(failure));
            }
            return CompletableFuture.failedFuture(failure); // nothing sent
        }
    }

    static final class InjectedWriteFailure extends RuntimeException {
        InjectedWriteFailure(boolean afterListing) {
            super("injected failure of a cell write " + (afterListing ? "after the poll's listing was written"
                    : "of a poll without a new cell"));
        }
    }
}
