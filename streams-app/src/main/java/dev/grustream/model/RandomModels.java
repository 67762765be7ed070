package dev.grustream.model;

import dev.grustream.model.GateVariant;
import dev.grustream.model.GruModel;
import dev.grustream.model.LayerWeights;
import dev.grustream.model.ModelSpec;
import dev.grustream.model.Normalization;
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
        SplittableRandom random = new SplittableRandom(seed);
        double bound = 1 / Math.sqrt(hidden);
        List<LayerWeights> weights = new ArrayList<>();
        for (int layer = 0; layer < layers; layer++) {
            int in = layer == 0 ? 1 : hidden;
            weights.add(LayerWeights.of(in, hidden, uniform(random, 3 * hidden * in, bound),
                    uniform(random, 3 * hidden * hidden, bound), uniform(random, 3 * hidden, bound),
                    uniform(random, 3 * hidden, bound)));
        }
        ModelSpec spec = ModelSpec.builder()
                .name("bench-random")
                .version("h" + hidden + "-l" + layers)
                .features("value")
                .targets("value")
                .hiddenSize(hidden)
                .numLayers(layers)
                .gateVariant(GateVariant.RESET_AFTER)
                .normalization(Normalization.fixed(new double[] {0}, new double[] {1}))
                .build();
        return GruModel.of(spec, weights, uniform(random, hidden, bound), uniform(random, 1, bound));
    }

    private static float[] uniform(SplittableRandom random, int size, double bound) {
        float[] values = new float[size];
        for (int i = 0; i < size; i++) {
            values[i] = (float) ((2 * random.nextDouble() - 1) * bound);
        }
        return values;
    }
}
