package dev.grustream.model;

import dev.grustream.model.GateVariant;
import dev.grustream.model.GruModel;
import dev.grustream.model.LayerWeights;
import dev.grustream.model.ModelSpec;
import dev.grustream.model.Normalization;
import dev.grustream.model.PerKeyScaling;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Models with random weights of any size, for benchmarks (what they compute does not matter, only its cost) and for
 * tests that need a hidden state that matters (unlike a persistence model, every past input moves the forecast).
 */
public final class RandomModels {
    private RandomModels() {
    }

    /** A reset-after GRU on feature {@code value}, weights uniform in +-1/sqrt(H) as PyTorch initialises them. */
    public static GruModel random(int hidden, int layers, long seed) {
        return random(hidden, layers, seed, Normalization.fixed(new double[] {0}, new double[] {1}));
    }

    /**
     * As {@link #random(int, int, long)}, with every key standardised by its own running statistics, so that the
     * model's forecasts lie near each key's values whatever their level. A key's learner then weighs the GRU's
     * forecast as it would a trained model's, and its forecasts depend on the key's hidden state; with fixed
     * normalisation around 0 the GRU's forecast of a key near 10 lies beyond the learner's clamp of its inputs.
     */
    public static GruModel randomPerKey(int hidden, int layers, long seed) {
        return random(hidden, layers, seed, Normalization.perKey(new double[] {0}, new double[] {1},
                new PerKeyScaling(288, 8, 0.001)));
    }

    private static GruModel random(int hidden, int layers, long seed, Normalization normalization) {
        return random(ModelSpec.builder()
                .name("bench-random")
                .version("h" + hidden + "-l" + layers)
                .features("value")
                .targets("value")
                .hiddenSize(hidden)
                .numLayers(layers)
                .gateVariant(GateVariant.RESET_AFTER)
                .normalization(normalization)
                .build(), seed);
    }

    /**
     * A GRU of {@code spec}'s shape (its inputs, sizes, horizon and head) with random weights, uniform in
     * +-1/sqrt(H): a benchmark given the bundled model's spec at another size does per event what the service does
     * at its defaults.
     */
    public static GruModel random(ModelSpec spec, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        int hidden = spec.hiddenSize();
        double bound = 1 / Math.sqrt(hidden);
        List<LayerWeights> weights = new ArrayList<>();
        for (int layer = 0; layer < spec.numLayers(); layer++) {
            int in = spec.inputSize(layer);
            weights.add(LayerWeights.of(in, hidden, uniform(random, 3 * hidden * in, bound),
                    uniform(random, 3 * hidden * hidden, bound), uniform(random, 3 * hidden, bound),
                    uniform(random, 3 * hidden, bound)));
        }
        return GruModel.of(spec, weights, uniform(random, spec.headSize() * hidden, bound),
                uniform(random, spec.headSize(), bound));
    }

    private static float[] uniform(SplittableRandom random, int size, double bound) {
        float[] values = new float[size];
        for (int i = 0; i < size; i++) {
            values[i] = (float) ((2 * random.nextDouble() - 1) * bound);
        }
        return values;
    }
}
