package io.lambda.query.view;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyInt;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.verifyNoInteractions;
import static org.mockito.Mockito.when;

import io.lambda.core.time.BucketRange;
import io.lambda.core.time.Granularity;
import io.lambda.core.view.ViewCatalog;
import io.lambda.query.system.QueryProperties;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.mockito.ArgumentCaptor;

/**
 * Reading from/to (RFC 3339 or epoch milliseconds), widening a range to whole buckets, the buckets a
 * top-N folds, and the bounds of the keys listing; the merge is a mock that records what it was asked.
 */
class ViewQueriesTests {

    private static final Instant NOW = Instant.parse("2026-12-07T20:14:33.250Z");
    private static final Provenance CLEAN = new Provenance(3L, NOW.minusSeconds(600), null, false, List.of());

    private final BatchSpeedMerge merge = mock(BatchSpeedMerge.class);
    private final QueryProperties properties = new QueryProperties(10_000, Duration.ZERO, Duration.ZERO,
            new QueryProperties.Top(400, 200_000, 10, 1000), new QueryProperties.Keys(Duration.ofDays(31), 64, 100, 1000),
            null, null, new QueryProperties.BatchCache(0), new QueryProperties.Graphql(10, 200, 10, 16384));
    private final ViewQueries queries = new ViewQueries(ViewCatalog.defaults(), merge, properties,
            Clock.fixed(NOW, ZoneOffset.UTC));

    @Test
    void utcTimesReadTheSameAsWithTheGeneralParser() {
        for (String text : List.of("2026-11-20T00:00:00Z", "2026-02-28T23:59:59Z", "2024-02-29T12:00:00Z",
                "0000-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "2026-11-20T00:00:00+01:00", "2026-11-20t00:00:00z",
                "2026-11-20T00:00:00.5Z")) {
            assertThat(ViewQueries.rfc3339(text)).as(text).isEqualTo(OffsetDateTime.parse(text).toInstant());
        }
    }

    @Test
    void impossibleOrMalformedUtcTimesAreRefusedLikeTheGeneralParserRefusesThem() {
        for (String text : List.of("2026-02-29T00:00:00Z", "2026-04-31T00:00:00Z", "2026-11-20T24:00:00Z",
                "2026-11-20T00:60:00Z", "2026-11-20T00:00:60Z", "2026-13-01T00:00:00Z", "2026-00-10T00:00:00Z",
                "2026-11-2xT00:00:00Z", "+026-11-20T00:00:00Z", "2026-11-20T00:00:00", "2026-11-20 00:00:00Z")) {
            assertThatThrownBy(() -> OffsetDateTime.parse(text)).as(text).isInstanceOf(DateTimeParseException.class);
            assertThatThrownBy(() -> ViewQueries.rfc3339(text)).as(text).isInstanceOf(DateTimeParseException.class);
        }
    }

    @Test
    void epochMillisecondsAreReadAsGrafanaSendsThemUpToTheEndOf9999() {
        assertThat(ViewQueries.time("1733580000000")).isEqualTo(Instant.parse("2024-12-07T14:00:00Z"));
        assertThat(ViewQueries.time("0")).isEqualTo(Instant.EPOCH);
        assertThat(ViewQueries.time("0001733580000123")).isEqualTo(Instant.ofEpochMilli(1733580000123L));
        assertThat(ViewQueries.time("253402300799999")).isEqualTo(Instant.parse("9999-12-31T23:59:59.999Z"));
        for (String text : List.of("253402300800000", "9".repeat(19), "9".repeat(40), "-1", "1e3", "1.5", "+5",
                " 1733580000000", "")) {
            assertThatThrownBy(() -> ViewQueries.time(text)).as(text).isInstanceOf(DateTimeParseException.class);
        }
        assertThatThrownBy(() -> ViewQueries.instant("from", "17335800000000000000"))
                .isInstanceOf(BadQueryException.class).hasMessageContaining("epoch milliseconds");
    }

    @Test
    void aSeriesRangeInsideBucketsIsWidenedToWholeBucketsAndTheAnswerSaysSo() {
        when(merge.series(any(), anyString(), any())).thenAnswer(call -> merged(call.getArgument(2)));
        Instant from = Instant.parse("2026-11-20T06:30:12.345Z");
        Instant to = Instant.parse("2026-11-20T13:00:00.001Z");

        Answers.Series series = queries.series("pageviews", "/home", from, to, Granularity.HOUR);

        ArgumentCaptor<BucketRange> range = ArgumentCaptor.forClass(BucketRange.class);
        verify(merge).series(any(), eq("/home"), range.capture());
        assertThat(range.getValue()).isEqualTo(new BucketRange(Granularity.HOUR,
                Instant.parse("2026-11-20T06:00:00Z"), Instant.parse("2026-11-20T14:00:00Z")));
        assertThat(series.from()).isEqualTo(Instant.parse("2026-11-20T06:00:00Z"));
        assertThat(series.to()).isEqualTo(Instant.parse("2026-11-20T14:00:00Z"));
        assertThat(series.points()).hasSize(8);
        assertThat(series.provenance().warnings()).singleElement().asString()
                .contains("widened to whole hour buckets", "2026-11-20T06:00:00Z", "2026-11-20T14:00:00Z");
        assertThat(series.provenance().partial()).isFalse();
    }

    @Test
    void anAlignedSeriesRangeIsAnsweredAsAskedWithoutAWarning() {
        when(merge.series(any(), anyString(), any())).thenAnswer(call -> merged(call.getArgument(2)));
        Instant from = Instant.parse("2026-11-20T06:00:00Z");

        Answers.Series series = queries.series("pageviews", "/home", from, from.plus(Duration.ofHours(8)),
                Granularity.HOUR);

        assertThat(series.from()).isEqualTo(from);
        assertThat(series.provenance().warnings()).isEmpty();
    }

    @Test
    void aTopRangeAlignedToNoGranularityFoldsTheFinestThatCoversItInAtMost400Buckets() {
        when(merge.top(any(), any(), anyInt(), anyInt()))
                .thenReturn(new BatchSpeedMerge.MergedTop(List.of(), CLEAN));
        Instant now = Instant.parse("2026-12-07T20:14:33.250Z");

        // "last 24 hours": 1,441 minutes are too many, 25 hours are not
        Answers.TopList day = queries.top("revenue", now.minus(Duration.ofHours(24)), now, null, null);
        assertThat(day.granularity()).isEqualTo("hour");
        assertThat(day.from()).isEqualTo(Instant.parse("2026-12-06T20:00:00Z"));
        assertThat(day.to()).isEqualTo(Instant.parse("2026-12-07T21:00:00Z"));
        assertThat(day.provenance().warnings()).singleElement().asString().contains("widened to whole hour buckets");

        // "last 30 days": 721 hours are too many, 31 days are not
        assertThat(queries.top("revenue", now.minus(Duration.ofDays(30)), now, null, null).granularity()).isEqualTo("day");
        // "last 5 minutes": minutes
        assertThat(queries.top("revenue", now.minus(Duration.ofMinutes(5)), now, null, null).granularity())
                .isEqualTo("minute");
        // aligned to the day: the coarsest aligned granularity, as before, and no warning
        Answers.TopList aligned = queries.top("revenue", Instant.parse("2026-11-01T00:00:00Z"),
                Instant.parse("2026-11-08T00:00:00Z"), null, null);
        assertThat(aligned.granularity()).isEqualTo("day");
        assertThat(aligned.provenance().warnings()).isEmpty();
    }

    @Test
    void aTopRangeTooLongForEveryGranularityOrReversedIsRefused() {
        Instant now = Instant.parse("2026-12-07T20:14:33.250Z");
        assertThatThrownBy(() -> queries.top("revenue", now.minus(Duration.ofDays(500)), now, null, null))
                .isInstanceOf(BadQueryException.class).hasMessageContaining("501 day buckets, at most 400");
        assertThatThrownBy(() -> queries.top("revenue", now, now.minusMillis(1), null, null))
                .isInstanceOf(BadQueryException.class).hasMessageContaining("from must be before to");
        assertThatThrownBy(() -> queries.series("pageviews", "/home", now, now, Granularity.HOUR))
                .isInstanceOf(BadQueryException.class).hasMessageContaining("from must be before to");
        verifyNoInteractions(merge);
    }

    @Test
    void keysReadTheRecentDayBucketsUpToNowWithTheDefaultLimit() {
        when(merge.keys(any(), any(), anyString(), anyInt()))
                .thenReturn(new BatchSpeedMerge.MergedKeys(List.of("/a", "/b"), CLEAN));

        Answers.KeyList keys = queries.keys("pageviews", null, null);

        ArgumentCaptor<BucketRange> range = ArgumentCaptor.forClass(BucketRange.class);
        verify(merge).keys(any(), range.capture(), eq(""), eq(100));
        // today's bucket and the 31 days before it
        assertThat(range.getValue()).isEqualTo(new BucketRange(Granularity.DAY, Instant.parse("2026-11-06T00:00:00Z"),
                Instant.parse("2026-12-08T00:00:00Z")));
        assertThat(keys.view()).isEqualTo("pageviews");
        assertThat(keys.keys()).containsExactly("/a", "/b");
    }

    @Test
    void keysRefuseALimitOutsideTheBoundsAPrefixNoKeyCanHoldAndAnUnknownView() {
        assertThatThrownBy(() -> queries.keys("pageviews", "", 0)).isInstanceOf(BadQueryException.class)
                .extracting(e -> ((BadQueryException) e).parameter()).isEqualTo("limit");
        assertThatThrownBy(() -> queries.keys("pageviews", "", 1001)).isInstanceOf(BadQueryException.class)
                .hasMessageContaining("1..1000");
        assertThatThrownBy(() -> queries.keys("pageviews", "/a\ud800", 10)).isInstanceOf(BadQueryException.class)
                .extracting(e -> ((BadQueryException) e).parameter()).isEqualTo("prefix");
        assertThatThrownBy(() -> queries.keys("nope", "", 10)).isInstanceOf(UnknownViewException.class);
        verifyNoInteractions(merge);
    }

    private static BatchSpeedMerge.MergedSeries merged(BucketRange range) {
        Object zero = ViewCatalog.defaults().get("pageviews").cellMeasure().zero();
        Map<Instant, Object> buckets = new LinkedHashMap<>();
        range.buckets().forEach(start -> buckets.put(start, zero));
        return new BatchSpeedMerge.MergedSeries(buckets, zero, CLEAN);
    }
}
