package io.lambda.query.view;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import tools.jackson.core.JsonGenerator;
import tools.jackson.databind.SerializationContext;
import tools.jackson.databind.module.SimpleModule;
import tools.jackson.databind.ser.std.StdSerializer;

/**
 * Times in answers, written as {@link Instant#toString()} writes them ({@code 2026-11-26T10:00:00Z})
 * by both APIs. Every bucket of a series is a whole second, and writing those through the JDK's
 * formatter was the largest allocation of a series answer (~10 KB per 24-point series, REST and
 * GraphQL alike; docs/performance.md). Whole seconds from 1970 to 9999 are written here digit by
 * digit into one array; any other instant goes through {@code toString()}, so the text is always the same.
 */
public final class UtcTimes {

    /** 10000-01-01T00:00:00Z: from then on {@code toString()} writes a sign and more digits. */
    private static final long YEAR_10000 = 253_402_300_800L;

    private UtcTimes() {
    }

    public static String format(Instant instant) {
        long seconds = instant.getEpochSecond();
        if (instant.getNano() != 0 || seconds < 0 || seconds >= YEAR_10000) {
            return instant.toString();
        }
        LocalDate date = LocalDate.ofEpochDay(seconds / 86_400);
        int secondOfDay = (int) (seconds % 86_400);
        byte[] text = new byte[20];
        digits(text, 0, date.getYear(), 4);
        text[4] = '-';
        digits(text, 5, date.getMonthValue(), 2);
        text[7] = '-';
        digits(text, 8, date.getDayOfMonth(), 2);
        text[10] = 'T';
        digits(text, 11, secondOfDay / 3600, 2);
        text[13] = ':';
        digits(text, 14, secondOfDay / 60 % 60, 2);
        text[16] = ':';
        digits(text, 17, secondOfDay % 60, 2);
        text[19] = 'Z';
        return new String(text, StandardCharsets.ISO_8859_1);
    }

    private static void digits(byte[] text, int at, int value, int width) {
        for (int i = at + width - 1; i >= at; i--) {
            text[i] = (byte) ('0' + value % 10);
            value /= 10;
        }
    }

    /** REST's {@link Instant}s through {@link #format}: registered with the service's JSON mapper. */
    public static SimpleModule jsonModule() {
        return new SimpleModule("lambda-utc-times").addSerializer(Instant.class, new StdSerializer<>(Instant.class) {
            @Override
            public void serialize(Instant value, JsonGenerator generator, SerializationContext context) {
                generator.writeString(format(value));
            }
        });
    }
}
