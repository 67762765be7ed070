package dev.grustream.model;

/**
 * The implementation a {@link GruStepper} computes with. Both compute the same GRU: each stays within 1e-5
 * (measured: 1.1e-6) of an independent float64 reference over 1,000-step sequences.
 *
 * <p>Which is faster where, measured with {@code src/bench/model-step.sh} on the 2-core machine (JDK 17, one
 * layer, 3 features): {@link #JAVA} costs about 0.25 / 1.2 / 3.2 us per key at H = 16 / 64 / 128 whatever the
 * batch. {@link #ND4J} costs 30-50 us per call, so it loses below roughly 100 keys per call (H = 64: 2.8 us per
 * key at 16 keys) and wins from a few hundred (H = 64: 0.8 us per key at 256 keys, 0.7 at 1,024; H = 128:
 * 1.6 us), because OpenBLAS blocks its registers where the JIT cannot. Those ND4J figures let OpenBLAS use both
 * cores; on one thread ({@code OMP_NUM_THREADS=1}) they are 15-30% higher but cost half the CPU.
 * {@link #JAVA} is the default choice: no native code, and deterministic to the bit.
 */
public enum Backend {
    /**
     * Pure Java, vectorised by the JIT: no native code, no per-call overhead, a key's results bit-identical
     * whatever the batch size or the other keys in it.
     */
    JAVA(0),
    /**
     * ND4J: one OpenBLAS sgemm per layer over the whole batch (two for reset-before), element-wise work in Java.
     * OpenBLAS sums a row's products in an order that depends on the batch size and on the row's position in
     * it, so a key's results vary in the last bits with the batch it is computed in: see
     * {@link #maxBatchDeviation()}.
     */
    ND4J(1e-6);

    private final double maxBatchDeviation;

    Backend(double maxBatchDeviation) {
        this.maxBatchDeviation = maxBatchDeviation;
    }

    /**
     * The largest difference between a key's forecasts or states computed in two different batches from the
     * same inputs and states, relative to {@code max(1, |value|)}: 0 for {@link #JAVA} (bit-identical), 1e-6 for
     * {@link #ND4J}.
     *
     * <p>For ND4J it is a measured bound, not a proof: one step differs by at most 4.8e-7 (1.2e-7 for models with
     * PyTorch's default weight scale, where it is one or two ulps), and the difference accumulated over a replay
     * stayed below 6e-7 over 300 steps and 8.3e-7 over 3,000 steps for a model with saturating gates (1.8e-7
     * with default weights). A model whose update gates sit very close to 1 integrates rounding noise for many
     * steps and could exceed it over very long replays.
     */
    public double maxBatchDeviation() {
        return maxBatchDeviation;
    }
}
