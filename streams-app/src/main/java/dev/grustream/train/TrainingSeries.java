package dev.grustream.train;

/**
 * One key's history for training or evaluation: its rows of raw feature values, oldest first, at consecutive
 * events.
 *
 * <p>{@code TrainingSeries.of("cpu-1", 1, new double[] {0.5, 0.7, 0.6})}
 *
 * <p>Immutable and thread-safe: values are copied in and read through {@link #value(int, int)}.
 */
public final class TrainingSeries {

    private final String key;
    private final int features;
    private final double[] values;

    private TrainingSeries(String key, int features, double[] values) {
        this.key = key;
        this.features = features;
        this.values = values;
    }

    /**
     * A series of {@code values.length / features} rows, row-major (copied).
     *
     * @throws IllegalArgumentException naming the argument when the key is blank, the length is not a positive
     *     multiple of {@code features}, or a value is NaN or infinite (with its row and feature)
     */
    public static TrainingSeries of(String key, int features, double[] values) {
        if (key == null || key.isBlank()) {
            throw new IllegalArgumentException("key: expected a non-empty string, found "
                    + (key == null ? "nothing" : "\"" + key + "\""));
        }
        if (features < 1 || values.length == 0 || values.length % features != 0) {
            throw new IllegalArgumentException(key + ": expected at least one row of " + features
                    + " features, found " + values.length + " values");
        }
        for (int i = 0; i < values.length; i++) {
            if (!Double.isFinite(values[i])) {
                throw new IllegalArgumentException(key + ": row " + i / features + " feature " + i % features
                        + ": expected a finite number, found " + values[i]);
            }
        }
        return new TrainingSeries(key, features, values.clone());
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
        return values.length / features;
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
