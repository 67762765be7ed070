package dev.grustream.model;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Arrays;

/**
 * A cycle of the calendar that a model can take as input, computed from each observation's event time: the
 * position within the cycle as a fraction {@code p} in [0, 1), fed to the GRU as the pair
 * {@code (sin 2 pi p, cos 2 pi p)}, so that the end of a cycle meets its start.
 *
 * <p>The position is read on the local clock of the model's time zone ({@code time_zone} in {@code model.json},
 * UTC unless set): on a day when daylight saving time starts or ends, local noon is still noon. Training, the
 * service and the backtest all compute it with {@link #position}, in {@link StrictMath}, so the same event time
 * gives the same inputs to the bit everywhere; in a zone of rules (Europe/Berlin rather than +01:00), wherever the
 * JVMs' time-zone data agree on the offset.
 */
public enum CalendarFeature {
    /**
     * The local clock's time of day over 24 hours: not the time elapsed since midnight, so on the day clocks change
     * local noon is 0.5, and a repeated local hour gives its inputs twice.
     */
    TIME_OF_DAY("time-of-day"),
    /** Days since Monday 00:00 local time, with the time of day, over 7. */
    DAY_OF_WEEK("day-of-week"),
    /** Days since 1 January 00:00 local time, with the time of day, over the length of the year (365 or 366). */
    DAY_OF_YEAR("day-of-year");

    private static final long DAY_MS = 86_400_000L;

    private final String jsonName;

    CalendarFeature(String jsonName) {
        this.jsonName = jsonName;
    }

    /** The name used in {@code model.json} and on the command line, for example {@code time-of-day}. */
    public String jsonName() {
        return jsonName;
    }

    /**
     * The feature named {@code name}.
     *
     * @throws IllegalArgumentException naming the accepted values when {@code name} is none of them
     */
    public static CalendarFeature fromJsonName(String name) {
        for (CalendarFeature feature : values()) {
            if (feature.jsonName.equals(name)) {
                return feature;
            }
        }
        throw new IllegalArgumentException("expected one of " + Arrays.stream(values())
                .map(CalendarFeature::jsonName).toList() + ", found \"" + name + "\"");
    }

    /** The position of {@code eventTime} (milliseconds since the epoch) in this cycle, in [0, 1), in {@code zone}. */
    public double position(long eventTime, ZoneId zone) {
        long local = eventTime + offsetMillis(eventTime, zone);
        long day = Math.floorDiv(local, DAY_MS);
        double timeOfDay = Math.floorMod(local, DAY_MS) / (double) DAY_MS;
        return switch (this) {
            case TIME_OF_DAY -> timeOfDay;
            // 1970-01-01 was a Thursday: day 0 is 3 days after a Monday.
            case DAY_OF_WEEK -> (Math.floorMod(day + 3, 7) + timeOfDay) / 7.0;
            case DAY_OF_YEAR -> {
                LocalDateTime date = LocalDateTime.ofEpochSecond(Math.floorDiv(local, 1000L), 0, ZoneOffset.UTC);
                yield (date.getDayOfYear() - 1 + timeOfDay) / date.toLocalDate().lengthOfYear();
            }
        };
    }

    /** Writes {@code (sin 2 pi p, cos 2 pi p)} of {@link #position} into {@code out} at {@code offset}. */
    public void write(long eventTime, ZoneId zone, float[] out, int offset) {
        double angle = 2.0 * StrictMath.PI * position(eventTime, zone);
        out[offset] = (float) StrictMath.sin(angle);
        out[offset + 1] = (float) StrictMath.cos(angle);
    }

    /**
     * How far the local clock of {@code zone} is ahead of UTC at {@code eventTime} (milliseconds since the epoch), in
     * milliseconds: add it to an event time to read local days and hours off it.
     */
    public static long offsetMillis(long eventTime, ZoneId zone) {
        if (zone instanceof ZoneOffset fixed) {
            return fixed.getTotalSeconds() * 1000L;
        }
        return zone.getRules().getOffset(Instant.ofEpochMilli(eventTime)).getTotalSeconds() * 1000L;
    }
}
