package dev.grustream.testing;

import dev.grustream.model.GateVariant;
import dev.grustream.model.GruModel;
import dev.grustream.model.LayerWeights;
import dev.grustream.model.ModelSpec;
import dev.grustream.model.Normalization;
import java.util.ArrayList;
import java.util.List;

/** Small hand-built models whose forecasts tests can reason about. */
public final class TestingModels {
    /** Input gain of the candidate gate: small, so that tanh stays in its linear range. */
    private static final float GAIN = 0.01f;

    private TestingModels() {
    }

    /**
     * A one-unit GRU per target that forecasts (almost exactly) the last observed value of each target, in
     * normalised units: the update gate is shut (bias -20), the candidate is {@code tanh(GAIN * x)} and the head
     * divides by {@code GAIN}. With mean 0 and std 1 a raw value v is forecast as {@code tanh(0.01 v) / 0.01}.
     *
     * @param features the model's features; the targets are the first {@code targets} of them
     */
    public static GruModel persistence(String version, int targets, String... features) {
        return persistence(version, 0.0, 1.0, targets, features);
    }

    /** {@link #persistence} of one feature, {@code value}, normalised by a fixed {@code mean} and {@code std}. */
    public static GruModel persistenceAround(String version, double mean, double std) {
        return persistence(version, mean, std, 1, "value");
    }

    private static GruModel persistence(String version, double featureMean, double featureStd, int targets,
            String... features) {
        int f = features.length;
        int h = targets;
        float[] weightIh = new float[3 * h * f];
        float[] biasIh = new float[3 * h];
        for (int unit = 0; unit < h; unit++) {
            biasIh[h + unit] = -20f;
            weightIh[(2 * h + unit) * f + unit] = GAIN;
        }
        LayerWeights layer = LayerWeights.of(f, h, weightIh, new float[3 * h * h], biasIh, new float[3 * h]);
        float[] headWeight = new float[targets * h];
        for (int t = 0; t < targets; t++) {
            headWeight[t * h + t] = 1 / GAIN;
        }
        double[] mean = new double[f];
        double[] std = new double[f];
        java.util.Arrays.fill(mean, featureMean);
        java.util.Arrays.fill(std, featureStd);
        List<String> targetNames = new ArrayList<>(List.of(features).subList(0, targets));
        ModelSpec spec = ModelSpec.builder()
                .name("persistence")
                .version(version)
                .features(features)
                .targets(targetNames)
                .hiddenSize(h)
                .numLayers(1)
                .gateVariant(GateVariant.RESET_AFTER)
                .normalization(Normalization.fixed(mean, std))
                .build();
        return GruModel.of(spec, List.of(layer), headWeight, new float[targets]);
    }

    /** {@link #persistence} of one feature, {@code value}. */
    public static GruModel persistence(String version) {
        return persistence(version, 1, "value");
    }

    /**
     * {@link #persistence} of one feature, {@code value}, forecasting {@code horizon} steps directly: every step's
     * forecast is (almost exactly) the last observed value.
     */
    public static GruModel persistence(String version, int horizon) {
        GruModel oneStep = persistence(version);
        ModelSpec spec = oneStep.spec().toBuilder().horizon(horizon).build();
        float[] headWeight = new float[horizon];
        java.util.Arrays.fill(headWeight, 1 / GAIN);
        return GruModel.of(spec, List.of(oneStep.layer(0)), headWeight, new float[horizon]);
    }

    /**
     * {@link #persistence} with a saturated one-unit candidate (its hidden value is 1 from the zero state) and a head
     * that multiplies and shifts it by the largest floats: its first forecast overflows to infinity, so no instance
     * can serve it.
     */
    public static GruModel overflowing(String version) {
        GruModel base = persistence(version);
        float[] biasIh = new float[3];
        biasIh[1] = -20f;
        biasIh[2] = 20f;
        LayerWeights layer = LayerWeights.of(1, 1, new float[3], new float[3], biasIh, new float[3]);
        return GruModel.of(base.spec(), List.of(layer), new float[] {Float.MAX_VALUE}, new float[] {Float.MAX_VALUE});
    }

    /**
     * A one-unit model whose forecast is finite from the zero state (the largest float) but overflows to infinity as
     * soon as an input of 1 saturates its candidate: a check at a zero input alone would let every key's state be
     * poisoned.
     */
    public static GruModel overflowingOnInput(String version) {
        GruModel base = persistence(version);
        float[] biasIh = new float[3];
        biasIh[1] = -20f;
        LayerWeights layer = LayerWeights.of(1, 1, new float[] {0f, 0f, 20f}, new float[3], biasIh, new float[3]);
        return GruModel.of(base.spec(), List.of(layer), new float[] {Float.MAX_VALUE}, new float[] {Float.MAX_VALUE});
    }

    /**
     * A one-unit model of two features, both targets of nothing but its state, whose candidate's input sum overflows
     * to +infinity at two inputs of 1e6 while its recurrent sum overflows to -infinity once its state is 1: the two
     * meet as NaN at the second of two such inputs in a row. From the zero state every single input of {@link
     * dev.grustream.service.ModelSwitch#trialStep}'s probes leaves it finite (its state moves among -1, 0 and 1).
     */
    public static GruModel overflowingOnTwoLargeInputs(String version) {
        GruModel base = persistence(version, 1, "a", "b");
        float[] biasIh = {20f, -20f, 0f};
        float[] weightIh = {0f, 0f, 0f, 0f, 2e32f, 2e32f};
        float[] weightHh = {0f, 0f, -3e38f};
        float[] biasHh = {0f, 0f, -3e38f};
        LayerWeights layer = LayerWeights.of(2, 1, weightIh, weightHh, biasIh, biasHh);
        return GruModel.of(base.spec(), List.of(layer), new float[] {1f}, new float[1]);
    }

    /** What {@link #persistence} forecasts after observing {@code value} (normalisation mean 0, std 1). */
    public static double persistenceForecast(double value) {
        return Math.tanh(GAIN * (float) value) / GAIN;
    }
}
