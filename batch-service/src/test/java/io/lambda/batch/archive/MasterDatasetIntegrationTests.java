package io.lambda.batch.archive;

import static org.assertj.core.api.Assertions.assertThat;

import com.datastax.oss.driver.api.core.CqlSession;
import io.lambda.batch.BatchTestKit;
import io.lambda.core.event.Event;
import io.lambda.core.event.EventCodec;
import io.lambda.core.time.IngestEpoch;
import io.lambda.store.ArchivedEvent;
import io.lambda.store.LambdaStore;
import io.lambda.store.MasterDataset;
import io.lambda.store.StoreSettings;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The master dataset's rule on real Cassandra: whatever order the writes of one eventId arrive in,
 * the row kept is its first ingest (write timestamps decrease with ingest time), and the ingest
 * index lists every ingest under its epoch.
 */
class MasterDatasetIntegrationTests {

    private static final String KEYSPACE = BatchTestKit.keyspace();
    private static final IngestEpoch EPOCHS = IngestEpoch.ofMinutes(5);
    private static CqlSession session;
    private static MasterDataset master;
    private final EventCodec codec = new EventCodec();

    @BeforeAll
    static void open() {
        session = BatchTestKit.session();
        master = LambdaStore.open(session, new StoreSettings(KEYSPACE, 1, "it")).masterDataset();
    }

    @AfterAll
    static void close() {
        BatchTestKit.dropKeyspace(session, KEYSPACE);
        session.close();
    }

    @Test
    void firstIngestWinsWhateverOrderTheWritesArriveIn() {
        Instant first = Instant.parse("2026-11-26T10:02:00Z");
        Instant later = Instant.parse("2026-11-26T10:06:00Z");
        ArchivedEvent early = archived("e-1", "/first", first, 0, 120);
        ArchivedEvent repeat = archived("e-1", "/second", later, 1, 7);

        master.archiveAll(List.of(repeat), EPOCHS).join(); // the later ingest is written first
        master.archiveAll(List.of(early), EPOCHS).join();
        master.archiveAll(List.of(repeat), EPOCHS).join(); // and again, after

        ArchivedEvent kept = master.find("e-1").toCompletableFuture().join().orElseThrow();
        assertThat(kept.ingestTime()).isEqualTo(first);
        assertThat(kept.partition()).isZero();
        assertThat(kept.offset()).isEqualTo(120);
        assertThat(codec.decode(kept.payload()).attribute("url")).isEqualTo("/first");
        assertThat(MasterDataset.writeTimestamp(early)).isGreaterThan(MasterDataset.writeTimestamp(repeat));

        List<MasterDataset.Ingest> firstEpoch = ingests(Instant.parse("2026-11-26T10:00:00Z"), "e-1");
        List<MasterDataset.Ingest> laterEpoch = ingests(Instant.parse("2026-11-26T10:05:00Z"), "e-1");
        assertThat(firstEpoch).singleElement().satisfies(i -> assertThat(kept.isIngest(i)).isTrue());
        assertThat(laterEpoch).singleElement().satisfies(i -> assertThat(kept.isIngest(i)).isFalse());
    }

    @Test
    void withinOneMillisecondTheLowerOffsetWins() {
        Instant same = Instant.parse("2026-11-26T11:00:00.123Z");
        master.archiveAll(List.of(archived("e-2", "/b", same, 0, 8)), EPOCHS).join();
        master.archiveAll(List.of(archived("e-2", "/a", same, 0, 5)), EPOCHS).join();

        assertThat(master.find("e-2").toCompletableFuture().join().orElseThrow().offset()).isEqualTo(5);
    }

    @Test
    void rewritingTheSameEventIsANoOp() {
        ArchivedEvent event = archived("e-3", "/x", Instant.parse("2026-11-26T12:00:00Z"), 2, 40);
        master.archiveAll(List.of(event, event), EPOCHS).join();
        master.archiveAll(List.of(event), EPOCHS).join();

        List<ArchivedEvent> rows = new ArrayList<>();
        master.scanShard(MasterDataset.shardOf("e-3"), row -> {
            if (row.eventId().equals("e-3")) {
                rows.add(row);
            }
        });
        assertThat(rows).singleElement().satisfies(row -> assertThat(row.offset()).isEqualTo(40));
    }

    private List<MasterDataset.Ingest> ingests(Instant epochStart, String eventId) {
        List<MasterDataset.Ingest> found = new ArrayList<>();
        master.scanIngests(epochStart, MasterDataset.shardOf(eventId), ingest -> {
            if (ingest.eventId().equals(eventId)) {
                found.add(ingest);
            }
        });
        return found;
    }

    private ArchivedEvent archived(String id, String url, Instant ingestTime, int partition, long offset) {
        Event event = new Event(id, "pageview", Instant.parse("2026-11-26T09:00:00Z"), Map.of("url", url));
        return new ArchivedEvent(id, event.type(), event.timestamp(), ingestTime, partition, offset,
                codec.encode(event));
    }
}
