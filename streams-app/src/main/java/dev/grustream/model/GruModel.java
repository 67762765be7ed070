package dev.grustream.model;

import dev.grustream.model.internals.JavaGruStepper;
import dev.grustream.model.internals.Nd4jGruStepper;
import java.util.List;

/**
 * A GRU forecaster: a {@link ModelSpec} and the weights of its stacked GRU layers and linear head.
 *
 * <p>It computes what PyTorch's {@code nn.GRU} (or the reset-before variant, see {@link GateVariant}) followed
 * by {@code nn.Linear} computes: layer k takes layer k-1's new state as input, and the normalised one-step
 * forecast is {@code headWeight . h_last + headBias}. Load one with {@link ModelLoader}, write one with
 * {@link ModelWriter}, run one with a {@link GruStepper} from {@link #newStepper(Backend)}.
 *
 * <p>Determinism: a key's forecasts and new state depend only on its input and state. The {@link Backend#JAVA}
 * backend is bit-identical whatever the batch size or the other keys of the batch; {@link Backend#ND4J} stays
 * within {@link Backend#maxBatchDeviation()} (see there).
 *
 * <p>Immutable and thread-safe: weights are copied in and out. Java steppers of one model share one copy laid out for
 * them, kept with the model and gone with it; ND4J steppers hold their own, off the heap.
 */
public final class GruModel {

    private final ModelSpec spec;
    private final List<LayerWeights> layers;
    private final float[] headWeight;
    private final float[] headBias;
    /** Made by the first Java stepper, for all: a model's steppers are one per stream task. Guarded by this. */
    private JavaGruStepper.Layout javaLayout;

    private GruModel(ModelSpec spec, List<LayerWeights> layers, float[] headWeight, float[] headBias) {
        this.spec = spec;
        this.layers = layers;
        this.headWeight = headWeight;
        this.headBias = headBias;
    }

    /**
     * Assembles a model after checking that the weights fit the spec.
     *
     * @param layers one per layer, layer 0 first, sized for {@link ModelSpec#inputSize(int)} and the hidden size
     * @param headWeight [headSize, hiddenSize] row-major (see {@link ModelSpec#headSize()})
     * @param headBias [headSize]
     * @throws IllegalArgumentException naming the layer or array that does not fit, or holds a NaN or infinity
     */
    public static GruModel of(ModelSpec spec, List<LayerWeights> layers, float[] headWeight, float[] headBias) {
        if (layers.size() != spec.numLayers()) {
            throw new IllegalArgumentException("layers: expected " + spec.numLayers() + " (num_layers), found "
                    + layers.size());
        }
        for (int k = 0; k < layers.size(); k++) {
            LayerWeights layer = layers.get(k);
            if (layer.inputSize() != spec.inputSize(k) || layer.hiddenSize() != spec.hiddenSize()) {
                throw new IllegalArgumentException("layers[" + k + "]: expected input size " + spec.inputSize(k)
                        + " and hidden size " + spec.hiddenSize() + ", found " + layer.inputSize() + " and "
                        + layer.hiddenSize());
            }
        }
        return new GruModel(spec, List.copyOf(layers),
                LayerWeights.checked("head_weight", headWeight, spec.headSize() * spec.hiddenSize()),
                LayerWeights.checked("head_bias", headBias, spec.headSize()));
    }

    /** What the model is: names, sizes, normalisation, calendar inputs, horizon. */
    public ModelSpec spec() {
        return spec;
    }

    /** The weights of layer {@code layer}, 0 being the one fed with the features. */
    public LayerWeights layer(int layer) {
        return layers.get(layer);
    }

    /** A copy of the head's weight, [headSize, hiddenSize] row-major. */
    public float[] headWeight() {
        return headWeight.clone();
    }

    /** A copy of the head's bias, [targetCount]. */
    public float[] headBias() {
        return headBias.clone();
    }

    /** The hidden state a new key starts from: {@link ModelSpec#stateSize()} zeros. */
    public float[] newState() {
        return new float[spec.stateSize()];
    }

    private synchronized JavaGruStepper.Layout javaLayout() {
        if (javaLayout == null) {
            javaLayout = JavaGruStepper.layout(this);
        }
        return javaLayout;
    }

    /**
     * A new stepper computing with {@code backend}, for use by one thread at a time. The first ND4J stepper of
     * a JVM loads ND4J's native libraries, which takes a few seconds.
     */
    public GruStepper newStepper(Backend backend) {
        return switch (backend) {
            case JAVA -> new JavaGruStepper(this, javaLayout());
            case ND4J -> new Nd4jGruStepper(this);
        };
    }
}
