package dev.grustream.data;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/**
 * Parses the timestamps series files use: epoch milliseconds ({@code 1433116800000}), ISO-8601 with an offset
 * ({@code 2015-06-01T00:00:00Z}, {@code 2015-06-01T02:00:00+02:00}), ISO-8601 local date-time, and
 * {@code yyyy-MM-dd HH:mm:ss} as in the Numenta Anomaly Benchmark files. Times without an offset are UTC.
 *
 * <p>Stateless and thread-safe.
 */
public final class Timestamps {
    private static final DateTimeFormatter SPACED = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss[.SSS]");

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
            try {
                return Long.parseLong(trimmed);
            } catch (NumberFormatException e) {
                throw new DateTimeParseException("'" + text + "' is not a timestamp: too many digits for epoch"
                        + " milliseconds", text, 0, e);
            }
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
            throw new DateTimeParseException("'" + text + "' is not a timestamp: expected epoch milliseconds,"
                    + " ISO-8601 (2015-06-01T00:00:00Z) or yyyy-MM-dd HH:mm:ss", text, e.getErrorIndex(), e);
        }
    }

    /** Formats epoch milliseconds as ISO-8601 UTC. */
    public static String format(long epochMillis) {
        return Instant.ofEpochMilli(epochMillis).toString();
    }
}
