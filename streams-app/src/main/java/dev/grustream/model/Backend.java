package dev.grustream.model;

/**
 * The implementation a {@link GruStepper} computes with. Both compute the same GRU within
 * {@link GruModel#BACKEND_TOLERANCE}; pick by speed (see the README's benchmark table).
 */
public enum Backend {
    /**
     * Pure Java, vectorised by the JIT: no native code, no per-call overhead, results bit-identical whatever
     * the batch. The faster backend on the measured machine at every batch size and hidden size up to 128.
     */
    JAVA,
    /**
     * ND4J: one OpenBLAS sgemm per layer over the whole batch, element-wise work in Java. Pays tens of
     * microseconds per call, so it only approaches the Java backend for large batches.
     */
    ND4J
}
