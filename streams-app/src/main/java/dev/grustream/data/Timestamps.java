package dev.grustream.data;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/**
 * Parses the timestamps series files use: an epoch number read by its size ({@link #ofEpochNumber}:
 * {@code 1433116800} or {@code 1433116800000}), ISO-8601 with an offset
 * ({@code 2015-06-01T00:00:00Z}, {@code 2015-06-01T02:00:00+02:00}), ISO-8601 local date-time, and
 * {@code yyyy-MM-dd HH:mm:ss} as in the Numenta Anomaly Benchmark files. Times without an offset are UTC.
 *
 * <p>Stateless and thread-safe.
 */
public final class Timestamps {
    private static final DateTimeFormatter SPACED = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss[.SSS]");
    private static final double SECONDS_BELOW = 1e11;
    private static final double MILLIS_BELOW = 1e14;
    private static final double MICROS_BELOW = 1e17;

    private Timestamps() {
    }

    /**
     * Returns {@code text} as epoch milliseconds.
     *
     * @throws DateTimeParseException naming the accepted formats when {@code text} is in none of them
     */
    public static long parse(String text) {
        String trimmed = text.trim();
        if (!trimmed.isEmpty() && trimmed.chars().allMatch(Character::isDigit)) {
            return ofEpochNumber(Double.parseDouble(trimmed));
        }
        try {
            if (trimmed.length() > 10 && trimmed.charAt(10) == ' ') {
                return LocalDateTime.parse(trimmed, SPACED).toInstant(ZoneOffset.UTC).toEpochMilli();
            }
            if (trimmed.endsWith("Z") || trimmed.matches(".*[+-]\\d\\d:?\\d\\d$")) {
                return OffsetDateTime.parse(trimmed).toInstant().toEpochMilli();
            }
            return LocalDateTime.parse(trimmed).toInstant(ZoneOffset.UTC).toEpochMilli();
        } catch (DateTimeParseException e) {
            throw new DateTimeParseException("'" + text + "' is not a timestamp: expected epoch seconds or"
                    + " milliseconds, ISO-8601 (2015-06-01T00:00:00Z) or yyyy-MM-dd HH:mm:ss", text, e.getErrorIndex(),
                    e);
        }
    }

    /**
     * Epoch milliseconds of a finite epoch number read by its size, as the service reads numeric event times:
     * seconds below 10^11 (fractions kept to the millisecond), milliseconds below 10^14, microseconds below 10^17,
     * nanoseconds above. 10^11 seconds is the year 5138 and 10^11 milliseconds 1973, so no time after 1973 and
     * before 5138 is ambiguous.
     */
    public static long ofEpochNumber(double value) {
        double magnitude = Math.abs(value);
        if (magnitude < SECONDS_BELOW) {
            return Math.round(value * 1000);
        }
        if (magnitude < MILLIS_BELOW) {
            return Math.round(value);
        }
        if (magnitude < MICROS_BELOW) {
            return Math.round(value / 1e3);
        }
        return Math.round(value / 1e6);
    }

    /** Formats epoch milliseconds as ISO-8601 UTC. */
    public static String format(long epochMillis) {
        return Instant.ofEpochMilli(epochMillis).toString();
    }
}
