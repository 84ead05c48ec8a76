package io.lambda.ingest.event;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * The lines of an NDJSON body, one at a time, read through a fixed buffer: a line longer than
 * {@code maxLineBytes} or a body longer than {@code maxBodyBytes} ends the request with 413 as soon
 * as it is seen, without reading the rest. Lines end with {@code \n}; a {@code \r} before it is dropped.
 */
final class NdjsonLines {

    private final InputStream in;
    private final int maxLineBytes;
    private final long maxBodyBytes;
    private final byte[] chunk = new byte[64 * 1024];
    private int position;
    private int limit;
    private long total;
    private boolean eof;
    private byte[] line = new byte[1024];
    private int length;
    private int lineNumber;

    NdjsonLines(InputStream in, int maxLineBytes, long maxBodyBytes) {
        this.in = in;
        this.maxLineBytes = maxLineBytes;
        this.maxBodyBytes = maxBodyBytes;
    }

    /** Moves to the next line; false at the end of the body. */
    boolean next() throws IOException {
        length = 0;
        boolean any = false;
        while (true) {
            if (position == limit) {
                if (eof || !fill()) {
                    if (!any) {
                        return false;
                    }
                    break;
                }
            }
            any = true;
            int newline = indexOf((byte) '\n', position, limit);
            int end = newline < 0 ? limit : newline;
            append(end - position);
            position = newline < 0 ? limit : newline + 1;
            if (newline >= 0) {
                break;
            }
        }
        lineNumber++;
        if (length > 0 && line[length - 1] == '\r') {
            length--;
        }
        return true;
    }

    byte[] buffer() {
        return line;
    }

    int length() {
        return length;
    }

    boolean isBlank() {
        for (int i = 0; i < length; i++) {
            byte b = line[i];
            if (b != ' ' && b != '\t' && b != '\r') {
                return false;
            }
        }
        return true;
    }

    private boolean fill() throws IOException {
        int n = in.read(chunk);
        if (n < 0) {
            eof = true;
            return false;
        }
        total += n;
        if (total > maxBodyBytes) {
            throw new BodyTooLargeException("the body is larger than " + maxBodyBytes + " bytes");
        }
        position = 0;
        limit = n;
        return true;
    }

    private int indexOf(byte b, int from, int to) {
        for (int i = from; i < to; i++) {
            if (chunk[i] == b) {
                return i;
            }
        }
        return -1;
    }

    private void append(int n) {
        if (length + n > maxLineBytes + 1) { // + 1: a trailing \r does not count
            throw new BodyTooLargeException("line " + (lineNumber + 1) + " is longer than " + maxLineBytes
                    + " bytes");
        }
        if (length + n > line.length) {
            line = Arrays.copyOf(line, Math.max(length + n, Math.min(line.length * 2, maxLineBytes + 1)));
        }
        System.arraycopy(chunk, position, line, length, n);
        length += n;
    }
}
