package dev.grustream.input;

import dev.grustream.data.Timestamps;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * Reads event times the way metrics pipelines write them. Stateless.
 *
 * <p>A number is read by its size ({@link Timestamps#ofEpochNumber}), unless it is also a date or a date and time
 * ({@link Timestamps#looksLikeBasicDate}), which is refused as ambiguous. A string is read as such a number if it is
 * one, else as ISO-8601: with an offset ({@code 2024-05-01T12:00:00Z}, {@code +02:00}), or without one, then in UTC
 * ({@code 2024-05-01T12:00:00}, also with a space for the {@code T}; a date alone, {@code 2024-05-01}, is its
 * midnight).
 */
final class EventTimes {
    private EventTimes() {
    }

    /** Epoch milliseconds of a number read by its size. */
    static long ofNumber(double value) {
        refuseBasicDate(value);
        try {
            return Timestamps.ofEpochNumber(value);
        } catch (ArithmeticException e) {
            throw new InputException(InputException.Reason.INVALID_TIME, "the event time " + value
                    + " is not an epoch number (seconds, milliseconds, microseconds or nanoseconds) that epoch"
                    + " milliseconds can hold", e);
        }
    }

    /** Epoch milliseconds of an integral number read by its size, exactly ({@link Timestamps#ofEpochInteger}). */
    static long ofInteger(long value) {
        refuseBasicDate(value);
        return Timestamps.ofEpochInteger(value);
    }

    /** Refuses a number that is also a date (and time) without separators ({@link Timestamps#looksLikeBasicDate}). */
    private static void refuseBasicDate(double value) {
        if (Timestamps.looksLikeBasicDate(value)) {
            throw new InputException(InputException.Reason.INVALID_TIME, "the event time "
                    + Timestamps.ambiguous(Long.toString((long) value)));
        }
    }

    /** Epoch milliseconds of a string: a number read by its size, or ISO-8601 ({@link Timestamps#parse}). */
    static long ofText(String text) {
        try {
            return Timestamps.parse(text);
        } catch (DateTimeParseException e) {
            throw new InputException(InputException.Reason.INVALID_TIME, "the event time " + e.getMessage(), e);
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
