package dev.grustream.embedded;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Realistic, reproducible multi-key series for the demo and the benchmark: each key has its own level, daily
 * seasonality, trend and noise, and now and then an injected anomaly (a spike, a dip or a level shift).
 *
 * <p>{@code new SyntheticSeries(100, 42, 300_000).next()} returns the next point of key 0, then key 1, ... in
 * round-robin, every key advancing one interval per round. The same seed gives the same points.
 *
 * <p>Not thread-safe.
 */
public final class SyntheticSeries {
    /** Points in a simulated day. */
    public static final int DAY = 288;
    /** Points of a key before the first anomaly may be injected: enough for the service to warm up. */
    static final int WARM_UP = 120;

    /** One generated point. {@code anomaly} names the injected anomaly, or is null for an ordinary point. */
    public record Point(String key, long eventTime, double value, String anomaly) {
    }

    private final List<KeySeries> keys = new ArrayList<>();
    private final long intervalMillis;
    private final long startMillis;
    private int nextKey;

    /**
     * @param keyCount number of keys, named {@code series-0000} upward
     * @param seed seed of every random choice
     * @param intervalMillis event-time interval between two points of a key
     * @param startMillis event time of every key's first point
     */
    public SyntheticSeries(int keyCount, long seed, long intervalMillis, long startMillis) {
        if (keyCount < 1 || intervalMillis < 1) {
            throw new IllegalArgumentException("keyCount and intervalMillis must be positive, found " + keyCount
                    + " and " + intervalMillis);
        }
        SplittableRandom random = new SplittableRandom(seed);
        for (int k = 0; k < keyCount; k++) {
            keys.add(new KeySeries(String.format(Locale.ROOT, "series-%04d", k), random.split()));
        }
        this.intervalMillis = intervalMillis;
        this.startMillis = startMillis;
    }

    /** The next point, round-robin over the keys. */
    public Point next() {
        KeySeries series = keys.get(nextKey);
        nextKey = (nextKey + 1) % keys.size();
        return series.next(startMillis, intervalMillis);
    }

    public int keyCount() {
        return keys.size();
    }

    private static final class KeySeries {
        private final String key;
        private final SplittableRandom random;
        private final double level;
        private final double amplitude;
        private final double phase;
        private final double trendPerDay;
        private final double noise;
        private final double anomalyRate;
        private double shift;
        private long step;

        KeySeries(String key, SplittableRandom random) {
            this.key = key;
            this.random = random;
            this.level = 20 + 80 * random.nextDouble();
            this.amplitude = level * (0.1 + 0.3 * random.nextDouble());
            this.phase = 2 * Math.PI * random.nextDouble();
            this.trendPerDay = level * 0.01 * (random.nextDouble() - 0.5);
            this.noise = amplitude * (0.03 + 0.07 * random.nextDouble());
            this.anomalyRate = 1.0 / (DAY * (1 + random.nextDouble()));
        }

        Point next(long startMillis, long intervalMillis) {
            double t = step;
            double value = level + shift + trendPerDay * t / DAY
                    + amplitude * Math.sin(2 * Math.PI * t / DAY + phase)
                    + noise * random.nextGaussian();
            String anomaly = null;
            if (step > WARM_UP && random.nextDouble() < anomalyRate) {
                double kind = random.nextDouble();
                if (kind < 0.45) {
                    anomaly = "spike";
                    value += amplitude * (1.5 + random.nextDouble());
                } else if (kind < 0.9) {
                    anomaly = "dip";
                    value -= amplitude * (1.5 + random.nextDouble());
                } else {
                    anomaly = "level-shift";
                    double delta = amplitude * (random.nextBoolean() ? 1 : -1);
                    shift += delta;
                    value += delta;
                }
            }
            long eventTime = startMillis + step * intervalMillis;
            step++;
            return new Point(key, eventTime, value, anomaly);
        }
    }
}
