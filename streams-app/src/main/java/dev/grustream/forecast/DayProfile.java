package dev.grustream.forecast;

import dev.grustream.model.CalendarFeature;
import java.time.ZoneId;
import java.util.Arrays;

/**
 * What one target of one key looks like over a day, and lately: a profile of its values by time of day, two
 * exponentially weighted means of recent values, the last value and the mean time between events. The
 * {@link Learner} reads its inputs from it.
 *
 * <p>The profile has {@code bins} bins of local time of day (96: a quarter of an hour each), on the clock of the
 * model's time zone ({@link CalendarFeature#offsetMillis}, UTC for the bundled model), as the model's calendar inputs
 * are. A bin's first value sets it; later ones move it by {@code a = 1 - 2^(-1/(halfLifeDays * v))}, where {@code v} is
 * how many events a bin sees per day, so that a bin forgets at the same pace in days whatever the key's rate, for keys
 * at least a second apart (faster ones are taken as a second apart, and forget faster: a smaller step could be lost in
 * the float a bin is kept in). The mean interval between events is exponentially weighted (half-life 32 events, each
 * sample capped at 4 times the mean so a pause does not distort it). {@link #lookup} reads the bin of a time or, if
 * that bin was never visited, the nearest earlier visited bin within an hour.
 *
 * <p>With the weekly part on, the profile also learns how weekends (local Saturday and Sunday) and weekdays depart
 * from it, hour by hour: for each day type and local hour, an exponentially weighted mean of {@code x - bin} (the bin
 * before this event moves it; half-life {@code halfLifeDays} days of that type). It keeps two one-step errors of the
 * profile as a forecast of the next value in its bin, with and without that departure (mean absolute, half-life
 * {@value #WEEKLY_ERROR_HALFLIFE_DAYS} days), and {@link #lookup} adds the departure only while the first is the
 * smaller: a key whose weekends look like its weekdays keeps the plain profile. Turning the part on for a key that
 * had none starts it afresh; turning it off drops it ({@link #keepWeeklyPart}).
 *
 * <p>Maps onto the {@code DayProfile} record of the stored state. Mutable and not thread-safe: it belongs to one
 * key's state.
 */
public final class DayProfile {
    static final double FAST_HALFLIFE_EVENTS = 4;
    static final double SLOW_HALFLIFE_EVENTS = 32;
    static final double INTERVAL_HALFLIFE_EVENTS = 32;
    private static final double FAST_RATE = Learner.rate(FAST_HALFLIFE_EVENTS);
    private static final double SLOW_RATE = Learner.rate(SLOW_HALFLIFE_EVENTS);
    private static final double INTERVAL_RATE = Learner.rate(INTERVAL_HALFLIFE_EVENTS);
    static final double WEEKLY_ERROR_HALFLIFE_DAYS = 7;
    private static final long DAY_MS = 86_400_000L;
    private static final long HOUR_MS = 3_600_000L;
    private static final int HOURS = 24;
    /** Day types of the weekly part: weekdays, then weekends. */
    private static final int DAY_TYPES = 2;

    private final float[] bins;
    /** The weekly part: departures by day type and local hour, NaN where never seen; empty when the part is off. */
    private float[] weekly;
    private double plainError;
    private double weeklyError;
    private long events;
    private long lastTime;
    /** Set for one event by {@link #resumeAfterGap()}; not stored. */
    private boolean afterGap;
    private double meanInterval;
    private double fastMean;
    private double slowMean;
    private double lastValue;

    private DayProfile(float[] bins, float[] weekly) {
        this.bins = bins;
        this.weekly = weekly;
    }

    /** The profile of a key that has had no event yet, with the weekly part when {@code weekly}. */
    static DayProfile empty(int bins, boolean weekly) {
        float[] values = new float[bins];
        Arrays.fill(values, Float.NaN);
        float[] departures = new float[weekly ? DAY_TYPES * HOURS : 0];
        Arrays.fill(departures, Float.NaN);
        return new DayProfile(values, departures);
    }

    /**
     * A profile restored from stored values; {@code bins} and {@code weekly} (empty without the weekly part) are
     * taken, not copied.
     *
     * @throws IllegalArgumentException if {@code weekly} is neither empty nor one value per day type and hour
     */
    static DayProfile restored(float[] bins, long events, long lastTime, double meanInterval, double fastMean,
            double slowMean, double lastValue, float[] weekly, double plainError, double weeklyError) {
        if (bins.length == 0) {
            throw new IllegalArgumentException("a profile needs at least one bin");
        }
        if (events < 0) {
            throw new IllegalArgumentException("a profile's event count must not be negative, found " + events);
        }
        if (weekly.length != 0 && weekly.length != DAY_TYPES * HOURS) {
            throw new IllegalArgumentException("a profile's weekly part must have " + DAY_TYPES * HOURS
                    + " values or none, found " + weekly.length);
        }
        DayProfile profile = new DayProfile(bins, weekly);
        profile.plainError = plainError;
        profile.weeklyError = weeklyError;
        profile.events = events;
        profile.lastTime = lastTime;
        profile.meanInterval = meanInterval;
        profile.fastMean = fastMean;
        profile.slowMean = slowMean;
        profile.lastValue = lastValue;
        return profile;
    }

    /**
     * Folds the value {@code x} of an event at {@code time} (milliseconds since the epoch) into the means, the mean
     * interval and the profile; it becomes the {@link #lastValue()}.
     */
    void observe(double x, long time, ZoneId zone, double profileHalfLifeDays) {
        // A gap that restarted the key is a pause, not an interval; but a key all of whose intervals are such gaps (one
        // event every few days) takes them for its cadence from its second interval on.
        boolean pause = afterGap && (meanInterval > 0.0 || events == 1);
        if (events > 0 && time > lastTime && !pause) {
            double gap = (time - lastTime) / 1000.0;
            // The first interval sets the mean; later ones move it, each capped at four times it. The first had no
            // mean to be capped by, so the second bounds it both ways: a key that paused after its first event keeps
            // its cadence, and one whose first two events came a millisecond apart does not wait tens of events for
            // its mean to grow back by at most four times per event.
            if (events == 2 && meanInterval > 0.0) {
                meanInterval = Math.max(Math.min(meanInterval, 4.0 * gap), gap / 4.0);
            }
            meanInterval = meanInterval == 0.0 ? gap
                    : meanInterval + Learner.weight(INTERVAL_RATE, events - 1)
                            * (Math.min(gap, 4.0 * meanInterval) - meanInterval);
        }
        afterGap = false;
        fastMean += Learner.weight(FAST_RATE, events) * (x - fastMean);
        slowMean += Learner.weight(SLOW_RATE, events) * (x - slowMean);
        double local = time + CalendarFeature.offsetMillis(time, zone);
        int bin = bin(local);
        double perDay = Math.max(1.0, 86_400.0 / bins.length / Math.max(meanInterval, 1.0));
        double alpha = 1.0 - StrictMath.pow(2.0, -1.0 / (profileHalfLifeDays * perDay));
        float old = bins[bin];
        // The bins are floats: a value beyond their range (accepted up to 1e150) would make them infinite, then NaN.
        if (Math.abs(x) <= Float.MAX_VALUE) {
            if (weekly.length > 0 && !Float.isNaN(old)) {
                observeWeekly(x, local, old, profileHalfLifeDays);
            }
            bins[bin] = Float.isNaN(old) ? (float) x : (float) (old + alpha * (x - old));
        }
        lastTime = events == 0 ? time : Math.max(lastTime, time);
        lastValue = x;
        events++;
    }

    /**
     * Says that the next event follows a gap that restarted the key's state ({@code state.reset.gap.ms}): its distance
     * from the last event is a pause, not a sampling interval, and leaves the mean interval as it is.
     */
    void resumeAfterGap() {
        afterGap = true;
    }

    /**
     * The profile's value at {@code stepsAhead} mean intervals after {@code time}, or NaN when neither its bin nor
     * any of the earlier bins within an hour was ever visited.
     */
    double lookup(long time, ZoneId zone, int stepsAhead) {
        double target = time + (events > 1 ? stepsAhead * meanInterval * 1000.0 : 0.0);
        double local = target + CalendarFeature.offsetMillis((long) Math.floor(target), zone);
        int bin = bin(local);
        float value = bins[bin];
        int back = Math.max(1, Math.round(bins.length / 24.0f));
        for (int j = 1; j <= back && Float.isNaN(value); j++) {
            value = bins[Math.floorMod(bin - j, bins.length)];
        }
        if (weeklyInUse()) {
            float departure = weekly[weeklyIndex(local)];
            return Float.isNaN(departure) ? value : value + (double) departure;
        }
        return value;
    }

    /**
     * Gives the profile a fresh weekly part when {@code on} and it has none, or drops the one it has when not {@code
     * on}: a key stored before the setting changed follows the setting from its next event.
     */
    void keepWeeklyPart(boolean on) {
        if (on == (weekly.length > 0)) {
            return;
        }
        weekly = new float[on ? DAY_TYPES * HOURS : 0];
        Arrays.fill(weekly, Float.NaN);
        plainError = 0.0;
        weeklyError = 0.0;
    }

    /**
     * Scores the bin's value {@code bin} as a forecast of {@code x}, with and without its day type's departure,
     * then moves the departure towards {@code x - bin}.
     */
    private void observeWeekly(double x, double local, float bin, double halfLifeDays) {
        int index = weeklyIndex(local);
        float departure = weekly[index];
        double interval = Math.max(meanInterval, 1.0);
        double errorRate = 1.0 - StrictMath.pow(2.0, -interval / (WEEKLY_ERROR_HALFLIFE_DAYS * 86_400.0));
        double errorWeight = Learner.weight(errorRate, events - 1);
        plainError += errorWeight * (Math.abs(x - bin) - plainError);
        double withDeparture = Float.isNaN(departure) ? bin : bin + (double) departure;
        weeklyError += errorWeight * (Math.abs(x - withDeparture) - weeklyError);
        double perHour = Math.max(1.0, 3_600.0 / interval);
        double rate = 1.0 - StrictMath.pow(2.0, -1.0 / (halfLifeDays * perHour));
        float next = Float.isNaN(departure) ? (float) (x - bin) : (float) (departure + rate * (x - bin - departure));
        if (Float.isFinite(next)) {
            weekly[index] = next;
        }
    }

    /** Whether {@link #lookup} adds the weekly departures: the part is on and has forecast better than without. */
    boolean weeklyInUse() {
        return weekly.length > 0 && weeklyError < plainError;
    }

    /** The weekly part's slot of local time {@code local}: its day type (Saturday and Sunday are weekends) and hour. */
    private static int weeklyIndex(double local) {
        long day = (long) Math.floor(local / DAY_MS);
        // 1 January 1970 was a Thursday: day 0 is day 3 of a week that starts on Monday (0).
        boolean weekend = Math.floorMod(day + 3, 7) >= 5;
        int hour = (int) Math.floor((local - day * (double) DAY_MS) / HOUR_MS) % HOURS;
        return (weekend ? HOURS : 0) + hour;
    }

    /** The bin of local time {@code local}. */
    private int bin(double local) {
        double ofDay = local - Math.floor(local / DAY_MS) * DAY_MS;
        return (int) Math.floor(ofDay / (DAY_MS / (double) bins.length)) % bins.length;
    }

    /** The fast (half-life 4 events) exponentially weighted mean of the values. */
    double fastMean() {
        return fastMean;
    }

    /** The slow (half-life 32 events) exponentially weighted mean of the values. */
    double slowMean() {
        return slowMean;
    }

    int size() {
        return bins.length;
    }

    float bin(int index) {
        return bins[index];
    }

    /** The weekly part's departures, weekdays' 24 hours then weekends'; empty when the part is off. Not a copy. */
    float[] weekly() {
        return weekly;
    }

    double plainError() {
        return plainError;
    }

    double weeklyError() {
        return weeklyError;
    }

    long events() {
        return events;
    }

    long lastTime() {
        return lastTime;
    }

    double meanInterval() {
        return meanInterval;
    }

    /** The last value observed; meaningful once {@link #events()} is above 0. */
    double lastValue() {
        return lastValue;
    }
}
