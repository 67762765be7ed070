package dev.grustream.model;

/**
 * Where a GRU applies its reset gate when computing the candidate state n.
 *
 * <p>With gate pre-activations in the order r, z, n, input x and previous state h:
 * <ul>
 *   <li>{@link #RESET_AFTER}: {@code n = tanh(W_in x + b_in + r * (W_hn h + b_hn))} — PyTorch {@code nn.GRU},
 *       cuDNN, and Keras' default ({@code reset_after=True}).</li>
 *   <li>{@link #RESET_BEFORE}: {@code n = tanh(W_in x + b_in + W_hn (r * h) + b_hn)} — Cho et al. 2014 and
 *       Keras with {@code reset_after=False}.</li>
 * </ul>
 */
public enum GateVariant {
    RESET_AFTER("reset_after"),
    RESET_BEFORE("reset_before");

    private final String jsonName;

    GateVariant(String jsonName) {
        this.jsonName = jsonName;
    }

    /** The name used for this variant in {@code model.json}, for example {@code reset_after}. */
    public String jsonName() {
        return jsonName;
    }

    /**
     * The variant named {@code name} in {@code model.json}.
     *
     * @throws IllegalArgumentException naming the accepted values when {@code name} is none of them
     */
    public static GateVariant fromJsonName(String name) {
        for (GateVariant variant : values()) {
            if (variant.jsonName.equals(name)) {
                return variant;
            }
        }
        throw new IllegalArgumentException("gate_variant: expected \"reset_after\" or \"reset_before\", found \""
                + name + "\"");
    }
}
