package io.lambda.ingest.event;

import io.lambda.core.event.Event;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import tools.jackson.databind.JsonNode;

/**
 * The field rules of CONTRACT.md, applied to one JSON event. Collects every problem of the event
 * instead of stopping at the first, so a client can fix a whole batch in one go.
 */
public final class EventValidator {

    // The character rules are plain loops, not regular expressions: they run for every event, id,
    // type and attribute name on the ingest hot path, where a Matcher per check showed in profiles.
    private static final CharRule EVENT_ID = new CharRule(128, c -> isAsciiLetterOrDigit(c) || c == '.' || c == '_'
            || c == ':' || c == '-');
    private static final CharRule TYPE = new CharRule(64, c -> (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
            || c == '_' || c == '.' || c == '-');
    private static final CharRule ATTRIBUTE_KEY = new CharRule(64, c -> isAsciiLetterOrDigit(c) || c == '_');
    private static final Set<String> FIELDS = Set.of("eventId", "type", "timestamp", "attributes");
    private static final Instant EARLIEST = Instant.parse("2000-01-01T00:00:00Z");
    static final int MAX_ATTRIBUTES = 64;
    static final int MAX_STRING_VALUE = 1024;

    private final Clock clock;
    private final Duration maxFutureSkew;

    public EventValidator(Clock clock, Duration maxFutureSkew) {
        this.clock = clock;
        this.maxFutureSkew = maxFutureSkew;
    }

    /** The valid event, or null with the problems added to {@code errors}. */
    public Event validate(int index, JsonNode node, List<FieldError> errors) {
        if (node == null || !node.isObject()) {
            errors.add(new FieldError(index, "", "an event must be a JSON object"));
            return null;
        }
        int before = errors.size();
        for (String name : node.propertyNames()) {
            if (!FIELDS.contains(name)) {
                errors.add(new FieldError(index, name, "unknown field; an event has eventId, type, timestamp, attributes"));
            }
        }
        String eventId = eventId(index, node.get("eventId"), errors);
        String type = type(index, node.get("type"), errors);
        Instant timestamp = timestamp(index, node.get("timestamp"), errors);
        Map<String, Object> attributes = attributes(index, node.get("attributes"), errors);
        if (errors.size() > before) {
            return null;
        }
        return new Event(eventId, type, timestamp, attributes);
    }

    private static String eventId(int index, JsonNode value, List<FieldError> errors) {
        if (value == null || value.isNull()) {
            return UUID.randomUUID().toString();
        }
        if (!value.isString() || !EVENT_ID.matches(value.asString())) {
            errors.add(new FieldError(index, "eventId", "must be 1-128 characters of A-Z a-z 0-9 . _ : -"));
            return null;
        }
        return value.asString();
    }

    private static String type(int index, JsonNode value, List<FieldError> errors) {
        if (value == null || value.isNull()) {
            errors.add(new FieldError(index, "type", "is required"));
            return null;
        }
        if (!value.isString() || !TYPE.matches(value.asString())) {
            errors.add(new FieldError(index, "type", "must be 1-64 characters of a-z 0-9 _ . -"));
            return null;
        }
        return value.asString();
    }

    private Instant timestamp(int index, JsonNode value, List<FieldError> errors) {
        if (value == null || value.isNull()) {
            errors.add(new FieldError(index, "timestamp", "is required"));
            return null;
        }
        Instant instant;
        if (value.isIntegralNumber() && value.canConvertToLong()) {
            instant = Instant.ofEpochMilli(value.asLong());
        } else if (value.isString()) {
            try {
                instant = OffsetDateTime.parse(value.asString(), DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
            } catch (DateTimeParseException e) {
                errors.add(new FieldError(index, "timestamp",
                        "must be RFC 3339 with an offset (2026-11-26T10:15:30Z) or epoch milliseconds"));
                return null;
            }
        } else {
            errors.add(new FieldError(index, "timestamp",
                    "must be RFC 3339 with an offset (2026-11-26T10:15:30Z) or epoch milliseconds"));
            return null;
        }
        if (instant.isBefore(EARLIEST)) {
            errors.add(new FieldError(index, "timestamp", "must not be before 2000-01-01T00:00:00Z"));
            return null;
        }
        if (instant.isAfter(clock.instant().plus(maxFutureSkew))) {
            errors.add(new FieldError(index, "timestamp",
                    "must not be more than " + maxFutureSkew.toSeconds() + " s in the future"));
            return null;
        }
        return instant;
    }

    private static Map<String, Object> attributes(int index, JsonNode value, List<FieldError> errors) {
        Map<String, Object> attributes = new LinkedHashMap<>();
        if (value == null || value.isNull()) {
            return attributes;
        }
        if (!value.isObject()) {
            errors.add(new FieldError(index, "attributes", "must be an object"));
            return attributes;
        }
        if (value.size() > MAX_ATTRIBUTES) {
            errors.add(new FieldError(index, "attributes", "has " + value.size() + " entries; at most "
                    + MAX_ATTRIBUTES + " are allowed"));
            return attributes;
        }
        for (Map.Entry<String, JsonNode> entry : value.properties()) {
            String key = entry.getKey();
            JsonNode v = entry.getValue();
            if (!ATTRIBUTE_KEY.matches(key)) {
                errors.add(new FieldError(index, attributeField(key),
                        "attribute names are 1-64 characters of A-Z a-z 0-9 _"));
            } else if (v.isString()) {
                if (v.asString().length() > MAX_STRING_VALUE) {
                    errors.add(new FieldError(index, attributeField(key), "string values are at most "
                            + MAX_STRING_VALUE + " characters"));
                } else {
                    attributes.put(key, v.asString());
                }
            } else if (v.isNumber()) {
                double d = v.asDouble();
                if (!Double.isFinite(d)) {
                    errors.add(new FieldError(index, attributeField(key), "numbers must be finite"));
                } else if (v.isIntegralNumber() && v.canConvertToLong()) {
                    attributes.put(key, v.asLong());
                } else {
                    attributes.put(key, d);
                }
            } else if (v.isBoolean()) {
                attributes.put(key, v.asBoolean());
            } else {
                errors.add(new FieldError(index, attributeField(key), "values must be a string, a number or a boolean"));
            }
        }
        return attributes;
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
