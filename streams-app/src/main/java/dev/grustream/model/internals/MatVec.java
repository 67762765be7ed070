package dev.grustream.model.internals;

/**
 * The matrix-vector product of the GRU kernels, with weights stored transposed as one row per input: the one
 * summation order that the serving stepper and the trainer share, so that both compute the same floats.
 *
 * <p>Stateless; thread-safe.
 */
public final class MatVec {

    private MatVec() {
    }

    /**
     * {@code acc += W x} for the transposed W given as one row per input: {@code acc[i] += x[j] * rows[j][i]}
     * with j in order, four inputs per pass. Each pass computes {@code acc[i] + x0*w0[i] + x1*w1[i] + ...} left to
     * right, which rounds exactly like four separate passes yet saves loads and stores; folding more inputs stops
     * C2's SuperWord from vectorising the loop.
     */
    public static void accumulate(float[] x, int xOffset, float[][] rows, float[] acc) {
        int n = rows.length;
        int width = acc.length;
        int j = 0;
        for (; j + 3 < n; j += 4) {
            float x0 = x[xOffset + j];
            float x1 = x[xOffset + j + 1];
            float x2 = x[xOffset + j + 2];
            float x3 = x[xOffset + j + 3];
            float[] w0 = rows[j];
            float[] w1 = rows[j + 1];
            float[] w2 = rows[j + 2];
            float[] w3 = rows[j + 3];
            for (int i = 0; i < width; i++) {
                acc[i] = acc[i] + x0 * w0[i] + x1 * w1[i] + x2 * w2[i] + x3 * w3[i];
            }
        }
        for (; j < n; j++) {
            float xj = x[xOffset + j];
            float[] w = rows[j];
            for (int i = 0; i < width; i++) {
                acc[i] += xj * w[i];
            }
        }
    }
}
