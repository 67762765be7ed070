package dev.grustream.cli;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Reads a duration option: a number with a unit ({@code 500ms}, {@code 45s}, {@code 5m}, {@code 2h}, {@code 1d},
 * fractions allowed: {@code 1.5h}) or a plain number in the option's own unit, as the option always took it. One
 * converter class per default unit, since picocli names converters by class.
 */
abstract class Durations implements ITypeConverter<Duration> {
    private static final Pattern VALUE = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(ms|s|m|h|d)?");

    /** Far beyond any option's use, and short enough to be counted in nanoseconds. */
    private static final Duration LONGEST = Duration.ofDays(100 * 365);

    private final ChronoUnit plainUnit;

    Durations(ChronoUnit plainUnit) {
        this.plainUnit = plainUnit;
    }

    @Override
    public Duration convert(String text) {
        Matcher matcher = VALUE.matcher(text.trim().toLowerCase(Locale.ROOT));
        if (!matcher.matches()) {
            throw new TypeConversionException("expected a duration such as 500ms, 45s, 5m, 2h or 1d, or a number of "
                    + plainUnit.toString().toLowerCase(Locale.ROOT) + ", found '" + text + "'");
        }
        double amount = Double.parseDouble(matcher.group(1));
        ChronoUnit unit = matcher.group(2) == null ? plainUnit : switch (matcher.group(2)) {
            case "ms" -> ChronoUnit.MILLIS;
            case "s" -> ChronoUnit.SECONDS;
            case "m" -> ChronoUnit.MINUTES;
            case "h" -> ChronoUnit.HOURS;
            default -> ChronoUnit.DAYS;
        };
        long millis = Math.round(amount * unit.getDuration().toMillis());
        if (amount > 0 && millis == 0) {
            // 0 means "none" or "no limit" to many options: a fraction of a millisecond must not turn into it.
            throw new TypeConversionException("'" + text + "' is less than a millisecond: give 0 or at least 1ms");
        }
        if (millis > LONGEST.toMillis()) {
            throw new TypeConversionException("'" + text + "' is longer than " + LONGEST.toDays() / 365 + " years");
        }
        return Duration.ofMillis(millis);
    }

    /** Plain numbers are milliseconds. */
    static final class Millis extends Durations {
        Millis() {
            super(ChronoUnit.MILLIS);
        }
    }

    /** Plain numbers are seconds. */
    static final class Seconds extends Durations {
        Seconds() {
            super(ChronoUnit.SECONDS);
        }
    }

    /** Plain numbers are minutes. */
    static final class Minutes extends Durations {
        Minutes() {
            super(ChronoUnit.MINUTES);
        }
    }

    /** Plain numbers are days. */
    static final class Days extends Durations {
        Days() {
            super(ChronoUnit.DAYS);
        }
    }
}
