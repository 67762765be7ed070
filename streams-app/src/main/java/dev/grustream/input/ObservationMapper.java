package dev.grustream.input;

import dev.grustream.data.Decimals;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.function.Supplier;

/**
 * Turns the fields of a decoded value into an observation as an {@link InputMapping} says. A feature whose field is
 * absent is left out, so that the forecasting core refuses the observation as {@code missing-feature} like any
 * other; a key or time field that is absent, a feature that is not a number and a time that is not a time throw an
 * {@link InputException}.
 *
 * <p>Thread-safe: the model's features are read at every value, as a hot swap may change their order.
 */
final class ObservationMapper {
    private final InputMapping mapping;
    private final Supplier<List<String>> modelFeatures;
    private volatile Cached cached;

    private record Cached(List<String> features, Map<String, FieldPath> paths) {
    }

    /**
     * @param modelFeatures the serving model's features, read at every value
     */
    ObservationMapper(InputMapping mapping, Supplier<List<String>> modelFeatures) {
        this.mapping = mapping;
        this.modelFeatures = modelFeatures;
    }

    InboundObservation map(Fields fields, byte[] rawValue) {
        String key = mapping.keyFields().isEmpty() ? null : seriesKey(fields);
        Map<String, Double> features = new LinkedHashMap<>();
        paths().forEach((feature, path) -> {
            Object value = fields.at(path);
            if (value != null) {
                features.put(feature, number(feature, path, value));
            }
        });
        if (mapping.timeField().isEmpty()) {
            return InboundObservation.untimed(key, features, rawValue);
        }
        return InboundObservation.timed(key, eventTime(fields, mapping.timeField().get()), features, rawValue);
    }

    private Map<String, FieldPath> paths() {
        List<String> features = modelFeatures.get();
        Cached current = cached;
        if (current == null || !current.features().equals(features)) {
            current = new Cached(features, mapping.featurePaths(features));
            cached = current;
        }
        return current.paths();
    }

    /**
     * The key fields' values joined with {@code /}. With two fields or more, a {@code %} or {@code /} inside a value
     * is written {@code %25} or {@code %2F}, so that ({@code x/y}, {@code z}) and ({@code x}, {@code y/z}) are two
     * series, not one; a single field's value is the id as it is.
     */
    private String seriesKey(Fields fields) {
        boolean escape = mapping.keyFields().size() > 1;
        StringJoiner key = new StringJoiner("/");
        for (FieldPath path : mapping.keyFields()) {
            Object value = fields.at(path);
            if (value == null || value == Fields.COMPOSITE || value == Fields.INSIDE_ARRAY) {
                throw new InputException(InputException.Reason.MISSING_FIELD, "the series key field '" + path + "' "
                        + (value == null ? "is missing" : value == Fields.INSIDE_ARRAY ? "is " + value
                                : "holds " + value + ", not a value"));
            }
            String text = value.toString();
            if (text.isEmpty() && !escape) {
                // An empty id would merge every producer that leaves it blank into one series nobody can query.
                throw new InputException(InputException.Reason.MISSING_FIELD, "the series key field '" + path
                        + "' is empty");
            }
            if (!isWholeUnicode(text)) {
                // Stored keys are UTF-8, which writes an unpaired surrogate as '?': two series would share one state.
                throw new InputException(InputException.Reason.UNDECODABLE, "the series key field '" + path
                        + "' holds text that is not valid Unicode (an unpaired surrogate, as a JSON escape"
                        + " \\ud800 alone gives)");
            }
            key.add(escape ? text.replace("%", "%25").replace("/", "%2F") : text);
        }
        return key.toString();
    }

    /** Whether {@code text} holds no unpaired surrogate, so that it survives a round trip through UTF-8. */
    static boolean isWholeUnicode(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return false;
            }
        }
        return true;
    }

    private static double number(String feature, FieldPath path, Object value) {
        if (value == Fields.INSIDE_ARRAY) {
            throw new InputException(InputException.Reason.NOT_A_NUMBER, "feature '" + feature + "' (field '" + path
                    + "') is " + value);
        }
        if (value instanceof Number number) {
            // A double or float holds an infinity of its own; any other number is finite, however large.
            return value instanceof Double || value instanceof Float ? number.doubleValue()
                    : beyondDoubles(number.doubleValue());
        }
        if (value instanceof String text) {
            try {
                return Decimals.parse(text);
            } catch (NumberFormatException e) {
                // reported below
            }
        }
        throw new InputException(InputException.Reason.NOT_A_NUMBER, "feature '" + feature + "' (field '" + path
                + "') holds " + describe(value) + ", not a number");
    }

    /**
     * A finite number's value as a double: one too large for a double (1e400, a 400-digit integer) becomes the
     * largest double of its sign instead of an infinity, so that it is refused as out of range, as it is, rather than
     * as not finite.
     */
    static double beyondDoubles(double value) {
        return Double.isInfinite(value) ? Math.copySign(Double.MAX_VALUE, value) : value;
    }

    private static long eventTime(Fields fields, FieldPath path) {
        Object value = fields.at(path);
        if (value == null || value == Fields.INSIDE_ARRAY) {
            throw new InputException(InputException.Reason.MISSING_FIELD, "the event time field '" + path + "' is "
                    + (value == null ? "missing" : value));
        }
        if (value instanceof Instant instant) {
            return EventTimes.millis(instant);
        }
        if (value instanceof Long || value instanceof Integer || value instanceof Short || value instanceof Byte) {
            return EventTimes.ofInteger(((Number) value).longValue());
        }
        if (value instanceof Number number) {
            return EventTimes.ofNumber(number.doubleValue());
        }
        if (value instanceof String text) {
            return EventTimes.ofText(text);
        }
        throw new InputException(InputException.Reason.INVALID_TIME, "the event time field '" + path + "' holds "
                + describe(value) + ", not a time");
    }

    private static String describe(Object value) {
        return value instanceof String text ? Decimals.quoted(text) : String.valueOf(value);
    }
}
