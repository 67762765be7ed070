package dev.grustream.train;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Small reproducible series for training tests. */
public final class SyntheticData {
    /** The interval between synthetic rows: the sines cycle once a day. */
    static final long HOUR = 3_600_000;


    private SyntheticData() {
    }

    /**
     * {@code keys} noisy sine waves of period 24 with one feature: key k has level {@code 10^k}, amplitude a
     * third of it and Gaussian noise of a tenth of the amplitude, so that scales differ by orders of magnitude.
     */
    public static List<TrainingSeries> sines(int keys, int rows, long seed) {
        Random random = new Random(seed);
        List<TrainingSeries> series = new ArrayList<>();
        for (int k = 0; k < keys; k++) {
            double level = Math.pow(10, k);
            double amplitude = level / 3;
            double phase = random.nextDouble() * 2 * Math.PI;
            double[] values = new double[rows];
            for (int i = 0; i < rows; i++) {
                values[i] = level + amplitude * Math.sin(2 * Math.PI * i / 24 + phase)
                        + 0.1 * amplitude * random.nextGaussian();
            }
            series.add(TrainingSeries.regular("sine-" + k, 0, HOUR, 1, values));
        }
        return series;
    }

    /** {@code rows} rows of {@code features} Gaussian values, for tests that only need numbers. */
    public static TrainingSeries gaussian(String key, int features, int rows, long seed) {
        Random random = new Random(seed);
        double[] values = new double[features * rows];
        for (int i = 0; i < values.length; i++) {
            values[i] = random.nextGaussian();
        }
        return TrainingSeries.regular(key, 0, HOUR, features, values);
    }
}
