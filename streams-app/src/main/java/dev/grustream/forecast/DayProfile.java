package dev.grustream.forecast;

import java.util.Arrays;

/**
 * What one target of one key looks like over a day, and lately: a profile of its values by time of day, two
 * exponentially weighted means of recent values, the last value and the mean time between events. The
 * {@link Learner} reads its inputs from it.
 *
 * <p>The profile has {@code bins} bins of UTC time of day (96: a quarter of an hour each). A bin's first value
 * sets it; later ones move it by {@code a = 1 - 2^(-1/(halfLifeDays * v))}, where {@code v} is how many events a
 * bin sees per day, so that a bin forgets at the same pace in days whatever the key's rate. The mean interval
 * between events is exponentially weighted (half-life 32 events, each sample capped at 4 times the mean so a
 * pause does not distort it). {@link #lookup} reads the bin of a time or, if that bin was never visited, the
 * nearest earlier visited bin within an hour.
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
    private static final long DAY_MS = 86_400_000L;

    private final float[] bins;
    private long events;
    private long lastTime;
    private double meanInterval;
    private double fastMean;
    private double slowMean;
    private double lastValue;

    private DayProfile(float[] bins) {
        this.bins = bins;
    }

    /** The profile of a key that has had no event yet. */
    static DayProfile empty(int bins) {
        float[] values = new float[bins];
        Arrays.fill(values, Float.NaN);
        return new DayProfile(values);
    }

    /** A profile restored from stored values; {@code bins} is taken, not copied. */
    static DayProfile restored(float[] bins, long events, long lastTime, double meanInterval, double fastMean,
            double slowMean, double lastValue) {
        DayProfile profile = new DayProfile(bins);
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
    void observe(double x, long time, double profileHalfLifeDays) {
        if (events > 0) {
            double gap = (time - lastTime) / 1000.0;
            double sample = events > 1 ? Math.min(gap, 4.0 * meanInterval) : gap;
            meanInterval += Learner.weight(INTERVAL_RATE, events - 1) * (sample - meanInterval);
        }
        fastMean += Learner.weight(FAST_RATE, events) * (x - fastMean);
        slowMean += Learner.weight(SLOW_RATE, events) * (x - slowMean);
        int bin = bin(time);
        double perDay = Math.max(1.0, 86_400.0 / bins.length / Math.max(meanInterval, 1.0));
        double alpha = 1.0 - StrictMath.pow(2.0, -1.0 / (profileHalfLifeDays * perDay));
        float old = bins[bin];
        bins[bin] = Float.isNaN(old) ? (float) x : (float) (old + alpha * (x - old));
        lastTime = time;
        lastValue = x;
        events++;
    }

    /**
     * The profile's value at {@code stepsAhead} mean intervals after {@code time}, or NaN when neither its bin nor
     * any of the earlier bins within an hour was ever visited.
     */
    double lookup(long time, int stepsAhead) {
        double ahead = events > 1 ? stepsAhead * meanInterval * 1000.0 : 0.0;
        int bin = bin(time + ahead);
        float value = bins[bin];
        int back = Math.max(1, Math.round(bins.length / 24.0f));
        for (int j = 1; j <= back && Float.isNaN(value); j++) {
            value = bins[Math.floorMod(bin - j, bins.length)];
        }
        return value;
    }

    private int bin(double time) {
        double ofDay = time - Math.floor(time / DAY_MS) * DAY_MS;
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
