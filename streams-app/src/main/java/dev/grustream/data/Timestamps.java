package dev.grustream.data;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.chrono.IsoChronology;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.format.ResolverStyle;
import java.time.temporal.TemporalAccessor;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Parses the timestamps series files and event-time strings use, one grammar for the service, {@code backtest} and
 * {@code train}: a decimal epoch number read by its size ({@link #ofEpochNumber}: {@code 1433116800},
 * {@code 1433116800.5} or {@code 1433116800000}), else ISO-8601 with an offset ({@code 2015-06-01T00:00:00Z},
 * {@code 2015-06-01T02:00:00+02:00}) or without one, then in UTC ({@code 2015-06-01T00:00:00},
 * {@code 2015-06-01T00:00}), or a date alone, its midnight in UTC ({@code 2015-06-01}); a space may stand for the
 * {@code T}, as in the Numenta Anomaly Benchmark's files, and an offset may be written without its colon
 * ({@code +0200}) or be hours alone ({@code +02}). A number that is also a date, or a date and time, written as
 * digits ({@code 20240501}, {@code 202405011200}) is refused as ambiguous ({@link #looksLikeBasicDate}).
 *
 * <p>Stateless and thread-safe.
 */
public final class Timestamps {
    private static final double SECONDS_BELOW = 1e11;
    private static final double MILLIS_BELOW = 1e14;
    private static final double MICROS_BELOW = 1e17;
    private static final long BASIC_DATES_FROM = 19_000_101;
    private static final long BASIC_DATES_BELOW = 22_000_101;
    private static final Pattern INTEGER = Pattern.compile("[+-]?[0-9]{1,19}");
    /**
     * ISO-8601 date and time with the offset optional, read as {@code OffsetDateTime.parse} reads one (leniently:
     * {@code +02} too), and a region after it ({@code [Europe/Paris]}) as {@code ISO_DATE_TIME} allows.
     */
    private static final DateTimeFormatter ISO_OFFSET_OPTIONAL = new DateTimeFormatterBuilder()
            .parseCaseInsensitive()
            .append(DateTimeFormatter.ISO_LOCAL_DATE_TIME)
            .optionalStart().parseLenient().appendOffsetId().parseStrict()
            .optionalStart().appendLiteral('[').parseCaseSensitive().appendZoneRegionId().appendLiteral(']')
            .toFormatter(Locale.ROOT).withResolverStyle(ResolverStyle.STRICT).withChronology(IsoChronology.INSTANCE);

    private Timestamps() {
    }

    /**
     * Returns {@code text} as epoch milliseconds.
     *
     * @throws DateTimeParseException saying what was expected when {@code text} is in none of the formats, or names a
     *     time beyond the range of epoch milliseconds
     */
    public static long parse(String text) {
        String trimmed = text.strip();
        Long integer = integer(trimmed);
        if (integer == null && !mayBeNumber(trimmed)) {
            // Most ISO-8601 times: read without a failed number's exception first, on every record.
            return ofIso(text, trimmed);
        }
        double number;
        try {
            number = integer != null ? integer : Decimals.parse(trimmed);
        } catch (NumberFormatException notANumber) {
            return ofIso(text, trimmed);
        }
        if (looksLikeBasicDate(number)) {
            throw new DateTimeParseException(ambiguous(text), text, 0);
        }
        if (integer != null) {
            return ofEpochInteger(integer);
        }
        try {
            return ofEpochNumber(number);
        } catch (ArithmeticException e) {
            throw new DateTimeParseException(Decimals.quoted(text) + " is beyond the range of epoch milliseconds",
                    text, 0, e);
        }
    }

    /** Whether {@code text} holds only what a decimal number may: digits, signs, a point and an exponent. */
    private static boolean mayBeNumber(String text) {
        for (int i = 0; i < text.length(); i++) {
            if ("0123456789+-.eE".indexOf(text.charAt(i)) < 0) {
                return false;
            }
        }
        return true;
    }

    /** Why a number that {@link #looksLikeBasicDate}, written {@code text}, is refused, naming it. */
    public static String ambiguous(String text) {
        return Decimals.quoted(text) + " is ambiguous: a date without separators (yyyyMMdd, with HHmm or HHmmss"
                + " after it) or an epoch number (yyyyMMdd as seconds is a day of 1970, yyyyMMddHHmm as milliseconds"
                + " one of 1976); write a date as ISO-8601 (2024-05-01, 2024-05-01T12:00:00Z)";
    }

    /** Why {@link #parse} refuses {@code text}, naming it; empty if it does not. */
    public static String whyNot(String text) {
        try {
            parse(text);
            return "";
        } catch (DateTimeParseException e) {
            return e.getMessage();
        }
    }

    /**
     * Whether {@code text} is an ISO-8601 time without an offset, which {@link #parse} reads in UTC: a file that a
     * system wrote in its local wall-clock time is then shifted by the zone's offset.
     */
    public static boolean withoutOffset(String text) {
        try {
            return isoTime(text.strip()) instanceof LocalDateTime;
        } catch (DateTimeParseException e) {
            return false;
        }
    }

    /**
     * Whether {@code value}, which would be read as an epoch number, is more likely a date, or a date and time,
     * written without separators: a whole number naming a day of the years 1900-2199 as {@code yyyyMMdd}
     * ({@code 20240501}) or a time of one as {@code yyyyMMddHHmm} or {@code yyyyMMddHHmmss} ({@code 202405011200}),
     * however written ({@code 20240501.0}, {@code 2.0240501e7}). Read by size they would be seconds in August or
     * September 1970, or milliseconds in 1976 or the 2600s, decades off without a word (1976's milliseconds pass every
     * check of a time's range), so both readings are refused: a time of 1976 in milliseconds whose digits also read as
     * such a date is refused too. Not {@code yyyyMMddHH}, which as seconds names the 2030s: real times, before long.
     */
    public static boolean looksLikeBasicDate(double value) {
        if (value < BASIC_DATES_FROM || value != Math.rint(value)) {
            return false;
        }
        long scale = 1;
        for (int timeDigits = 0; timeDigits <= 6; timeDigits += 2) {
            // Not yyyyMMddHH: as seconds, the 2030s, which would then refuse real times.
            if (timeDigits != 2 && value >= BASIC_DATES_FROM * scale && value < BASIC_DATES_BELOW * scale) {
                return isDateAndTime((long) value, timeDigits, scale);
            }
            scale *= 100;
        }
        return false;
    }

    /** Whether {@code number} is {@code yyyyMMdd} then {@code timeDigits} digits of {@code HHmmss}, 10^those: scale. */
    private static boolean isDateAndTime(long number, int timeDigits, long scale) {
        long date = number / scale;
        long time = number % scale;
        long hour = timeDigits == 0 ? 0 : time / (scale / 100);
        long minute = timeDigits < 4 ? 0 : time / (scale / 10_000) % 100;
        long second = timeDigits < 6 ? 0 : time % 100;
        try {
            LocalDate.of((int) (date / 10_000), (int) (date / 100 % 100), (int) (date % 100));
        } catch (DateTimeException notADay) {
            return false;
        }
        return hour < 24 && minute < 60 && second < 60;
    }

    /**
     * The ISO-8601 time {@code trimmed} names: an {@link OffsetDateTime}, or a {@link LocalDateTime} where it has no
     * offset (a date alone, a daily series' timestamps, as its midnight).
     *
     * @throws DateTimeParseException if it names none
     */
    private static TemporalAccessor isoTime(String trimmed) {
        String iso = withOffsetColon(iso(trimmed));
        return iso.length() == 10 ? LocalDate.parse(iso).atStartOfDay()
                : ISO_OFFSET_OPTIONAL.parseBest(iso, OffsetDateTime::from, LocalDateTime::from);
    }

    /**
     * {@code iso}, a date and time, with an offset written without its colon at its end ({@code +0200}, as Python's
     * {@code %z} writes it) written with one ({@code +02:00}); looked for at the end only, in constant time.
     */
    private static String withOffsetColon(String iso) {
        int sign = iso.length() - 5;
        boolean offsetWithoutColon = sign > 11 && (iso.charAt(sign) == '+' || iso.charAt(sign) == '-')
                && isDigit(iso.charAt(sign - 1)) && isDigit(iso.charAt(sign + 1)) && isDigit(iso.charAt(sign + 2))
                && isDigit(iso.charAt(sign + 3)) && isDigit(iso.charAt(sign + 4));
        return offsetWithoutColon ? iso.substring(0, sign + 3) + ':' + iso.substring(sign + 3) : iso;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    /** {@code trimmed} with a space in the place of ISO-8601's {@code T} made a {@code T}. */
    private static String iso(String trimmed) {
        return trimmed.length() > 10 && trimmed.charAt(10) == ' '
                ? trimmed.substring(0, 10) + 'T' + trimmed.substring(11) : trimmed;
    }

    private static long ofIso(String text, String trimmed) {
        Instant instant;
        try {
            // One parse with the offset optional: an exception only for what is no time at all.
            TemporalAccessor parsed = isoTime(trimmed);
            instant = parsed instanceof OffsetDateTime offset ? offset.toInstant()
                    : ((LocalDateTime) parsed).toInstant(ZoneOffset.UTC);
        } catch (DateTimeParseException e) {
            throw new DateTimeParseException(Decimals.quoted(text) + " is not a timestamp: expected an epoch number"
                    + " (seconds, milliseconds, microseconds or nanoseconds, told apart by size) or ISO-8601"
                    + " (2015-06-01T00:00:00Z, 2015-06-01 00:00:00, 2015-06-01)", text, e.getErrorIndex(), e);
        }
        try {
            return instant.toEpochMilli();
        } catch (ArithmeticException e) {
            throw new DateTimeParseException(Decimals.quoted(text) + " is beyond the range of epoch milliseconds",
                    text, 0, e);
        }
    }

    /**
     * Epoch milliseconds of a finite epoch number read by its size, as the service reads numeric event times:
     * seconds below 10^11, milliseconds below 10^14, microseconds below 10^17, nanoseconds above. 10^11 seconds is the
     * year 5138 and 10^11 milliseconds 1973, so no time after 1973 and before 5138 is ambiguous. Rounded to the
     * microsecond, a part below the millisecond is dropped towards the past, as from an ISO-8601 fraction or an Avro
     * {@code timestamp-micros}, so that one instant is one millisecond whatever form it comes in.
     *
     * @throws ArithmeticException if {@code value} is not finite or beyond what epoch milliseconds hold
     */
    public static long ofEpochNumber(double value) {
        long millis = Double.isFinite(value) ? bySize(value) : Long.MAX_VALUE;
        if (millis == Long.MAX_VALUE || millis == Long.MIN_VALUE) {
            // The cast to long saturates: the value lies beyond the range.
            throw new ArithmeticException(value + " is beyond the range of epoch milliseconds");
        }
        return millis;
    }

    /**
     * Epoch milliseconds of an integral epoch number read by its size, as {@link #ofEpochNumber} reads it but in
     * integer arithmetic, so that a count of nanoseconds keeps its millisecond exactly (as a double it is off by up to
     * 128 nanoseconds, which rounding to the microsecond can carry over a millisecond's edge). Every long is in range.
     */
    public static long ofEpochInteger(long value) {
        double magnitude = Math.abs((double) value);
        return magnitude < SECONDS_BELOW ? value * 1000 : magnitude < MILLIS_BELOW ? value
                : magnitude < MICROS_BELOW ? Math.floorDiv(value, 1000) : Math.floorDiv(value, 1_000_000);
    }

    /** {@code trimmed} as a long when it is a decimal integer a long holds; else null. */
    private static Long integer(String trimmed) {
        if (!INTEGER.matcher(trimmed).matches()) {
            return null;
        }
        try {
            return Long.valueOf(trimmed);
        } catch (NumberFormatException beyondALong) {
            return null;
        }
    }

    private static long bySize(double value) {
        double magnitude = Math.abs(value);
        double micros = magnitude < SECONDS_BELOW ? value * 1e6 : magnitude < MILLIS_BELOW ? value * 1e3
                : magnitude < MICROS_BELOW ? value : value / 1e3;
        // A double seldom holds a decimal fraction or a large count exactly (1.001 is 1.000999..., today's time in
        // nanoseconds is off by up to 128), so the time is rounded to the microsecond before the millisecond is
        // floored; beyond 2^62 microseconds a double's step is over a millisecond, and the cast saturates.
        return Math.abs(micros) < 0x1p62 ? Math.floorDiv(Math.round(micros), 1000) : (long) Math.floor(micros / 1e3);
    }

    /** Formats epoch milliseconds as ISO-8601 UTC. */
    public static String format(long epochMillis) {
        return Instant.ofEpochMilli(epochMillis).toString();
    }
}
