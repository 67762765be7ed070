package dev.grustream.input;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;

/**
 * Reads event times the way metrics pipelines write them. Stateless.
 *
 * <p>A number is read by its size, as epoch seconds below 10^11 (fractions kept to the millisecond), milliseconds
 * below 10^14, microseconds below 10^17 and nanoseconds above: 10^11 seconds is the year 5138 and 10^11
 * milliseconds 1973, so no time after 1973 and before 5138 is ambiguous. A string is read as such a number if it is
 * one, else as ISO-8601: with an offset ({@code 2024-05-01T12:00:00Z}, {@code +02:00}), or without one, then in UTC
 * ({@code 2024-05-01T12:00:00}, also with a space for the {@code T}).
 */
final class EventTimes {
    private static final double SECONDS_BELOW = 1e11;
    private static final double MILLIS_BELOW = 1e14;
    private static final double MICROS_BELOW = 1e17;

    private EventTimes() {
    }

    /** Epoch milliseconds of a number read by its size. */
    static long ofNumber(double value) {
        if (!Double.isFinite(value)) {
            throw new InputException(InputException.Reason.INVALID_TIME, "the event time " + value
                    + " is not a number of seconds or milliseconds");
        }
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

    /** Epoch milliseconds of a string: a number read by its size, or ISO-8601. */
    static long ofText(String text) {
        String trimmed = text.trim();
        try {
            return ofNumber(Double.parseDouble(trimmed));
        } catch (NumberFormatException notANumber) {
            String iso = trimmed.length() > 10 && trimmed.charAt(10) == ' '
                    ? trimmed.substring(0, 10) + 'T' + trimmed.substring(11) : trimmed;
            try {
                return millis(OffsetDateTime.parse(iso).toInstant());
            } catch (DateTimeParseException withoutOffset) {
                try {
                    return millis(LocalDateTime.parse(iso).toInstant(ZoneOffset.UTC));
                } catch (DateTimeParseException e) {
                    throw new InputException(InputException.Reason.INVALID_TIME, "the event time '" + text
                            + "' is neither a number of seconds or milliseconds nor an ISO-8601 time", e);
                }
            }
        }
    }

    /** Epoch milliseconds of {@code instant}, which ISO-8601 and Avro can name far beyond their range. */
    static long millis(Instant instant) {
        try {
            return instant.toEpochMilli();
        } catch (ArithmeticException e) {
            throw new InputException(InputException.Reason.INVALID_TIME, "the event time " + instant
                    + " is beyond the range of epoch milliseconds", e);
        }
    }
}
