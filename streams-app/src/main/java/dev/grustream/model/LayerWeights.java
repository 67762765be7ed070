package dev.grustream.model;

/**
 * The parameters of one GRU layer, laid out exactly like PyTorch's {@code nn.GRU} state_dict.
 *
 * <p>Row-major float32 arrays, gate blocks in the order r, z, n: {@code weightIh} is [3H, in]
 * ({@code weight_ih_l{k}}), {@code weightHh} is [3H, H] ({@code weight_hh_l{k}}), {@code biasIh} and
 * {@code biasHh} are [3H] ({@code bias_ih_l{k}}, {@code bias_hh_l{k}}).
 *
 * <p>Immutable and thread-safe: arrays are copied in and out.
 */
public final class LayerWeights {

    private final int inputSize;
    private final int hiddenSize;
    private final float[] weightIh;
    private final float[] weightHh;
    private final float[] biasIh;
    private final float[] biasHh;

    private LayerWeights(int inputSize, int hiddenSize, float[] weightIh, float[] weightHh, float[] biasIh,
            float[] biasHh) {
        this.inputSize = inputSize;
        this.hiddenSize = hiddenSize;
        this.weightIh = weightIh;
        this.weightHh = weightHh;
        this.biasIh = biasIh;
        this.biasHh = biasHh;
    }

    /**
     * Copies and checks the parameters of a layer with {@code inputSize} inputs and {@code hiddenSize} units.
     *
     * @throws IllegalArgumentException naming the array when a length is wrong or a value is NaN or infinite
     */
    public static LayerWeights of(int inputSize, int hiddenSize, float[] weightIh, float[] weightHh,
            float[] biasIh, float[] biasHh) {
        if (inputSize < 1 || hiddenSize < 1) {
            throw new IllegalArgumentException("inputSize and hiddenSize: expected >= 1, found " + inputSize + " and "
                    + hiddenSize);
        }
        int gates = 3 * hiddenSize;
        return new LayerWeights(inputSize, hiddenSize,
                checked("weight_ih", weightIh, gates * inputSize),
                checked("weight_hh", weightHh, gates * hiddenSize),
                checked("bias_ih", biasIh, gates),
                checked("bias_hh", biasHh, gates));
    }

    /** The layer's input width. */
    public int inputSize() {
        return inputSize;
    }

    /** The layer's number of units H. */
    public int hiddenSize() {
        return hiddenSize;
    }

    /** A copy of W_ih, [3H, in] row-major. */
    public float[] weightIh() {
        return weightIh.clone();
    }

    /** A copy of W_hh, [3H, H] row-major. */
    public float[] weightHh() {
        return weightHh.clone();
    }

    /** A copy of b_ih, [3H]. */
    public float[] biasIh() {
        return biasIh.clone();
    }

    /** A copy of b_hh, [3H]. */
    public float[] biasHh() {
        return biasHh.clone();
    }

    /** Copies {@code values} after checking its length and that every value is finite. */
    static float[] checked(String name, float[] values, int expectedLength) {
        if (values.length != expectedLength) {
            throw new IllegalArgumentException(name + ": expected " + expectedLength + " values, found "
                    + values.length);
        }
        for (int i = 0; i < values.length; i++) {
            if (!Float.isFinite(values[i])) {
                throw new IllegalArgumentException(name + "[" + i + "]: expected a finite value, found " + values[i]);
            }
        }
        return values.clone();
    }
}
