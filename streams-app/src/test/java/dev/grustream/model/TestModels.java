package dev.grustream.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Random models for tests, with PyTorch's default initialisation scale. */
final class TestModels {

    private TestModels() {
    }

    static ModelSpec.Builder spec(GateVariant variant, int hidden, int layers) {
        return ModelSpec.builder().name("test").version("1").features("load", "latency", "errors")
                .targets("latency", "load").hiddenSize(hidden).numLayers(layers).gateVariant(variant)
                .normalization(Normalization.fixed(new double[] {100, -3, 0.5}, new double[] {15, 0.2, 0.01}));
    }

    static GruModel random(ModelSpec spec, long seed) {
        return random(spec, seed, 1);
    }

    /** Weights uniform in +-scale/sqrt(H); a scale of 3 drives the gates into saturation. */
    static GruModel random(ModelSpec spec, long seed, double scale) {
        Random random = new Random(seed);
        int h = spec.hiddenSize();
        float bound = (float) (scale / Math.sqrt(h));
        List<LayerWeights> layers = new ArrayList<>();
        for (int k = 0; k < spec.numLayers(); k++) {
            int in = spec.inputSize(k);
            layers.add(LayerWeights.of(in, h, uniform(random, 3 * h * in, bound), uniform(random, 3 * h * h, bound),
                    uniform(random, 3 * h, bound), uniform(random, 3 * h, bound)));
        }
        return GruModel.of(spec, layers, uniform(random, spec.headSize() * h, bound),
                uniform(random, spec.headSize(), bound));
    }

    static float[] gaussian(Random random, int n) {
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
            values[i] = (float) random.nextGaussian();
        }
        return values;
    }

    private static float[] uniform(Random random, int n, float bound) {
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
            values[i] = (random.nextFloat() * 2 - 1) * bound;
        }
        return values;
    }
}
