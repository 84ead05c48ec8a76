package io.lambda.ingest.event;

import io.lambda.core.event.EventCodec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;

/**
 * The field rules of docs/api.md, applied to one JSON event as it is parsed. Collects every problem
 * of the event instead of stopping at the first, so a client can fix a whole batch in one go.
 */
public final class EventValidator {

    // The character rules are plain loops, not regular expressions: they run for every event, id,
    // type and attribute name on the ingest hot path, where a Matcher per check showed in profiles.
    private static final CharRule EVENT_ID = new CharRule(128, c -> isAsciiLetterOrDigit(c) || c == '.' || c == '_'
            || c == ':' || c == '-');
    private static final CharRule TYPE = new CharRule(64, c -> (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
            || c == '_' || c == '.' || c == '-');
    private static final CharRule ATTRIBUTE_KEY = new CharRule(64, c -> isAsciiLetterOrDigit(c) || c == '_');
    private static final Instant EARLIEST = Instant.parse("2000-01-01T00:00:00Z");
    static final int MAX_ATTRIBUTES = 64;
    static final int MAX_STRING_VALUE = 1024;

    private final Clock clock;
    private final Duration maxFutureSkew;
    private final EventCodec codec;

    public EventValidator(Clock clock, Duration maxFutureSkew, EventCodec codec) {
        this.clock = clock;
        this.maxFutureSkew = maxFutureSkew;
        this.codec = codec;
    }

    /**
     * Reads one event from {@code parser}, which stands on the event's first token, through to its
     * last: the valid event in the topic's record format, or null with its problems added to
     * {@code errors}. One pass from the parser's tokens to the record's bytes, without a tree, a map
     * or an {@code Event} in between: that path was half of the service's request CPU
     * (docs/performance.md, ingest). A field twice in the event or its attributes makes the body
     * malformed, as the parser's own duplicate check would.
     */
    public EncodedEvent read(int index, JsonParser parser, List<FieldError> errors) {
        if (parser.currentToken() != JsonToken.START_OBJECT) {
            errors.add(new FieldError(index, "", "an event must be a JSON object"));
            parser.skipChildren();
            return null;
        }
        int before = errors.size();
        Fields fields = new Fields(index);
        String name;
        while ((name = parser.nextName()) != null) {
            JsonToken token = parser.nextToken();
            switch (name) {
                case "eventId" -> fields.eventId(eventId(index, parser, token, fields));
                case "type" -> fields.type(type(index, parser, token, fields));
                case "timestamp" -> fields.timestamp(timestamp(index, parser, token, fields));
                case "attributes" -> fields.attributes(attributes(index, parser, token, fields));
                default -> {
                    errors.add(new FieldError(index, name, "unknown field; an event has eventId, type, timestamp, attributes"));
                    parser.skipChildren();
                }
            }
        }
        fields.reportIn(errors);
        if (errors.size() > before) {
            return null;
        }
        String eventId = fields.eventId != null ? fields.eventId : UUID.randomUUID().toString();
        try {
            return new EncodedEvent(eventId, codec.encode(eventId, fields.type, fields.timestampMillis,
                    fields.attributeNames, fields.attributeValues, fields.attributeCount));
        } catch (IllegalArgumentException e) { // the one thing the codec refuses that is not checked above: a name twice
            throw new MalformedBodyException(e.getMessage());
        }
    }

    /** What has been read of one event, and the problems of each field, reported in a fixed order. */
    private static final class Fields {
        private final int index;
        private final boolean[] seen = new boolean[4];
        String eventId;
        String type;
        long timestampMillis;
        String[] attributeNames = new String[8];
        Object[] attributeValues = new Object[8];
        int attributeCount;
        FieldError eventIdError;
        FieldError typeError;
        FieldError timestampError;
        List<FieldError> attributeErrors = List.of();

        Fields(int index) {
            this.index = index;
        }

        /** A known field the second time: malformed, as a duplicate anywhere in the body is. */
        void first(int field, String name) {
            if (seen[field]) {
                throw new MalformedBodyException("duplicate field '" + name + "'");
            }
            seen[field] = true;
        }

        void eventId(String value) {
            eventId = value;
        }

        void type(String value) {
            type = value;
        }

        void timestamp(long millis) {
            timestampMillis = millis;
        }

        void attributes(int count) {
            attributeCount = count;
        }

        void reportIn(List<FieldError> errors) {
            if (!seen[1]) {
                typeError = new FieldError(index, "type", "is required");
            }
            if (!seen[2]) {
                timestampError = new FieldError(index, "timestamp", "is required");
            }
            for (FieldError error : new FieldError[] {eventIdError, typeError, timestampError}) {
                if (error != null) {
                    errors.add(error);
                }
            }
            errors.addAll(attributeErrors);
        }
    }

    private static String eventId(int index, JsonParser parser, JsonToken token, Fields fields) {
        fields.first(0, "eventId");
        if (token == JsonToken.VALUE_NULL) {
            return null; // assigned a UUID once the event is valid
        }
        if (token != JsonToken.VALUE_STRING || !EVENT_ID.matches(parser.getString())) {
            fields.eventIdError = new FieldError(index, "eventId", "must be 1-128 characters of A-Z a-z 0-9 . _ : -");
            parser.skipChildren();
            return null;
        }
        return parser.getString();
    }

    private static String type(int index, JsonParser parser, JsonToken token, Fields fields) {
        fields.first(1, "type");
        if (token == JsonToken.VALUE_NULL) {
            fields.typeError = new FieldError(index, "type", "is required");
            return null;
        }
        if (token != JsonToken.VALUE_STRING || !TYPE.matches(parser.getString())) {
            fields.typeError = new FieldError(index, "type", "must be 1-64 characters of a-z 0-9 _ . -");
            parser.skipChildren();
            return null;
        }
        return parser.getString();
    }

    private long timestamp(int index, JsonParser parser, JsonToken token, Fields fields) {
        fields.first(2, "timestamp");
        Instant instant;
        if (token == JsonToken.VALUE_NULL) {
            fields.timestampError = new FieldError(index, "timestamp", "is required");
            return 0;
        } else if (token == JsonToken.VALUE_NUMBER_INT && parser.getNumberType() != JsonParser.NumberType.BIG_INTEGER) {
            instant = Instant.ofEpochMilli(parser.getLongValue());
        } else if (token == JsonToken.VALUE_STRING) {
            try {
                instant = OffsetDateTime.parse(parser.getString(), DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
            } catch (DateTimeParseException e) {
                instant = null;
            }
        } else {
            parser.skipChildren();
            instant = null;
        }
        if (instant == null) {
            fields.timestampError = new FieldError(index, "timestamp",
                    "must be RFC 3339 with an offset (2026-11-26T10:15:30Z) or epoch milliseconds");
        } else if (instant.isBefore(EARLIEST)) {
            fields.timestampError = new FieldError(index, "timestamp", "must not be before 2000-01-01T00:00:00Z");
        } else if (instant.isAfter(clock.instant().plus(maxFutureSkew))) {
            fields.timestampError = new FieldError(index, "timestamp",
                    "must not be more than " + maxFutureSkew.toSeconds() + " s in the future");
        } else {
            return instant.toEpochMilli();
        }
        return 0;
    }

    /** Reads the attributes into {@code fields}; returns how many were read (valid or not). */
    private static int attributes(int index, JsonParser parser, JsonToken token, Fields fields) {
        fields.first(3, "attributes");
        if (token == JsonToken.VALUE_NULL) {
            return 0;
        }
        if (token != JsonToken.START_OBJECT) {
            fields.attributeErrors = List.of(new FieldError(index, "attributes", "must be an object"));
            parser.skipChildren();
            return 0;
        }
        List<FieldError> errors = new ArrayList<>(0);
        int count = 0;
        String key;
        while ((key = parser.nextName()) != null) {
            JsonToken value = parser.nextToken();
            if (count == fields.attributeNames.length) {
                fields.attributeNames = Arrays.copyOf(fields.attributeNames, count * 2);
                fields.attributeValues = Arrays.copyOf(fields.attributeValues, count * 2);
            }
            fields.attributeNames[count] = key;
            fields.attributeValues[count] = attributeValue(index, key, parser, value, errors);
            count++;
        }
        if (count > MAX_ATTRIBUTES) {
            errors = List.of(new FieldError(index, "attributes", "has " + count + " entries; at most "
                    + MAX_ATTRIBUTES + " are allowed"));
        }
        fields.attributeErrors = errors;
        return count;
    }

    /** The attribute's value as the record holds it, or null with its problem added to {@code errors}. */
    private static Object attributeValue(int index, String key, JsonParser parser, JsonToken value, List<FieldError> errors) {
        if (!ATTRIBUTE_KEY.matches(key)) {
            errors.add(new FieldError(index, attributeField(key), "attribute names are 1-64 characters of A-Z a-z 0-9 _"));
            parser.skipChildren();
            return null;
        }
        switch (value) {
            case VALUE_STRING -> {
                String text = parser.getString();
                if (text.length() > MAX_STRING_VALUE) {
                    errors.add(new FieldError(index, attributeField(key), "string values are at most "
                            + MAX_STRING_VALUE + " characters"));
                } else if (!EventCodec.isEncodable(text)) {
                    errors.add(new FieldError(index, attributeField(key), "string values must be Unicode text; "
                            + "a \\u escape of half a surrogate pair is not"));
                } else {
                    return text;
                }
                return null;
            }
            case VALUE_NUMBER_INT -> {
                // beyond a long (at most 64 digits, the parser's limit): a double, as the codec reads it
                return parser.getNumberType() == JsonParser.NumberType.BIG_INTEGER
                        ? (Object) parser.getDoubleValue() : (Object) parser.getLongValue();
            }
            case VALUE_NUMBER_FLOAT -> {
                double d = parser.getDoubleValue();
                if (!Double.isFinite(d)) {
                    errors.add(new FieldError(index, attributeField(key), "numbers must be finite"));
                    return null;
                }
                return d;
            }
            case VALUE_TRUE -> {
                return Boolean.TRUE;
            }
            case VALUE_FALSE -> {
                return Boolean.FALSE;
            }
            default -> {
                errors.add(new FieldError(index, attributeField(key), "values must be a string, a number or a boolean"));
                parser.skipChildren();
                return null;
            }
        }
    }

    /** The field an attribute's problem is reported on; built only for a problem, not per attribute. */
    private static String attributeField(String key) {
        return "attributes." + key;
    }

    private static boolean isAsciiLetterOrDigit(char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    }

    /** 1 to {@code maxLength} characters, each allowed by {@code allowed}. */
    private record CharRule(int maxLength, CharAllowed allowed) {
        boolean matches(String value) {
            int length = value.length();
            if (length == 0 || length > maxLength) {
                return false;
            }
            for (int i = 0; i < length; i++) {
                if (!allowed.test(value.charAt(i))) {
                    return false;
                }
            }
            return true;
        }
    }

    @FunctionalInterface
    private interface CharAllowed {
        boolean test(char c);
    }
}
