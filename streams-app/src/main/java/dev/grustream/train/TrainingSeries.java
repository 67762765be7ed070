package dev.grustream.train;

/**
 * One key's history for training or evaluation: its rows of raw feature values with their event times, oldest
 * first, at consecutive events.
 *
 * <p>{@code TrainingSeries.of("cpu-1", new long[] {0, 60_000, 120_000}, 1, new double[] {0.5, 0.7, 0.6})}
 *
 * <p>Immutable and thread-safe: values are copied in and read through {@link #value(int, int)}.
 */
public final class TrainingSeries {

    private final String key;
    private final long[] times;
    private final int features;
    private final double[] values;

    private TrainingSeries(String key, long[] times, int features, double[] values) {
        this.key = key;
        this.times = times;
        this.features = features;
        this.values = values;
    }

    /**
     * A series of {@code times.length} rows, {@code values} row-major (both copied).
     *
     * @param times each row's event time in milliseconds since the epoch, strictly increasing
     * @throws IllegalArgumentException naming the argument when the key is blank, the times do not increase, the
     *     length of the values is not {@code features} per row, or a value is NaN or infinite (with its row and
     *     feature)
     */
    public static TrainingSeries of(String key, long[] times, int features, double[] values) {
        if (key == null || key.isBlank()) {
            throw new IllegalArgumentException("key: expected a non-empty string, found "
                    + (key == null ? "nothing" : "\"" + key + "\""));
        }
        if (features < 1 || times.length == 0 || values.length != (long) times.length * features) {
            throw new IllegalArgumentException(key + ": expected " + times.length + " rows (one per time) of "
                    + features + " features, at least one, found " + values.length + " values");
        }
        for (int i = 1; i < times.length; i++) {
            if (times[i] <= times[i - 1]) {
                throw new IllegalArgumentException(key + ": row " + i + ": expected a time after the previous row's "
                        + times[i - 1] + ", found " + times[i]);
            }
        }
        for (int i = 0; i < values.length; i++) {
            if (!Double.isFinite(values[i])) {
                throw new IllegalArgumentException(key + ": row " + i / features + " feature " + i % features
                        + ": expected a finite number, found " + values[i]);
            }
        }
        return new TrainingSeries(key, times.clone(), features, values.clone());
    }

    /**
     * A series of rows one {@code interval} of milliseconds apart from {@code start}: for data without times of
     * its own.
     */
    public static TrainingSeries regular(String key, long start, long interval, int features, double[] values) {
        long[] times = new long[values.length / Math.max(features, 1)];
        for (int i = 0; i < times.length; i++) {
            times[i] = start + i * interval;
        }
        return of(key, times, features, values);
    }

    /** The key the series belongs to. */
    public String key() {
        return key;
    }

    /** The number of features per row. */
    public int features() {
        return features;
    }

    /** The number of rows. */
    public int rows() {
        return times.length;
    }

    /** The event time of row {@code row}, in milliseconds since the epoch. */
    public long time(int row) {
        return times[row];
    }

    /** The raw value of feature {@code feature} at row {@code row}. */
    public double value(int row, int feature) {
        return values[row * features + feature];
    }

    /** Copies row {@code row} into {@code out} [features]. */
    public void copyRow(int row, double[] out) {
        System.arraycopy(values, row * features, out, 0, features);
    }
}
