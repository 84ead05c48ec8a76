package io.lambda.ingest.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Splitting an NDJSON body into lines whatever sizes the network hands it over in. */
class NdjsonLinesTests {

    /** Hands out at most {@code step} bytes per read, as a slow network would. */
    private static InputStream trickle(String s, int step) {
        return new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8)) {
            @Override
            public synchronized int read(byte[] b, int off, int len) {
                return super.read(b, off, Math.min(len, step));
            }
        };
    }

    private static List<String> lines(String body, int step, int maxLineBytes, long maxBodyBytes) throws IOException {
        NdjsonLines lines = new NdjsonLines(trickle(body, step), maxLineBytes, maxBodyBytes);
        List<String> all = new ArrayList<>();
        while (lines.next()) {
            all.add(new String(lines.buffer(), 0, lines.length(), StandardCharsets.UTF_8));
        }
        return all;
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 7, 1 << 16})
    void linesAreSplitOnNewlinesWithCrDroppedWhateverTheReadSizes(int step) throws IOException {
        assertThat(lines("a\r\nbb\n\nccc\n  \ndddd", step, 100, 1000))
                .containsExactly("a", "bb", "", "ccc", "  ", "dddd");
        assertThat(lines("x\n", step, 100, 1000)).containsExactly("x");
        assertThat(lines("", step, 100, 1000)).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 5, 1 << 16})
    void aLineOfExactlyTheLimitPassesAndOneByteMoreIs413(int step) throws IOException {
        String limit = "x".repeat(3000);
        assertThat(lines(limit + "\r\n" + limit, step, 3000, 10_000)).containsExactly(limit, limit);
        assertThatThrownBy(() -> lines("ok\n" + limit + "xx\n", step, 3000, 10_000))
                .isInstanceOf(BodyTooLargeException.class).hasMessageContaining("line 2");
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 1 << 16})
    void aBodyOverTheLimitIs413(int step) {
        assertThatThrownBy(() -> lines("abc\n".repeat(300), step, 100, 1000))
                .isInstanceOf(BodyTooLargeException.class).hasMessageContaining("1000 bytes");
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 1 << 16})
    void blankLinesAreRecognised(int step) throws IOException {
        NdjsonLines lines = new NdjsonLines(trickle(" \t\n{}\n", step), 100, 1000);
        assertThat(lines.next()).isTrue();
        assertThat(lines.isBlank()).isTrue();
        assertThat(lines.next()).isTrue();
        assertThat(lines.isBlank()).isFalse();
        assertThat(lines.next()).isFalse();
    }
}
