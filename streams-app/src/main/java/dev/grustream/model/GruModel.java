package dev.grustream.model;

import dev.grustream.model.internals.JavaGruStepper;
import dev.grustream.model.internals.Nd4jGruStepper;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

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
    /**
     * The largest magnitude of an input a model is stepped with: {@code input.max.abs.normalized} allows no more, and
     * calendar inputs lie within 1. A hidden state lies within 1 whatever its inputs, as a GRU's gates saturate.
     */
    public static final double MAX_ABS_INPUT = 1e6;
    /** The largest weighted sum {@link #overflowRisk} lets a unit reach: two such still sum within float's range. */
    private static final double MAX_WEIGHTED_SUM = Float.MAX_VALUE / 4;

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

    /**
     * Why a unit's weighted sum could overflow a float with inputs within {@link #MAX_ABS_INPUT}, or empty when none
     * can: two sums of opposite sign would then meet as infinities and make NaN, and a NaN hidden state would be stored
     * for every key the model serves. Bounded by the sum of the weights' magnitudes times their inputs' largest, so no
     * order of summation, Java's or a BLAS's, can overflow within it. A recursive model's fed-back forecasts are
     * inputs too.
     */
    public Optional<String> overflowRisk() {
        double[] head = largestSums(headWeight, headBias, spec.hiddenSize(), 1);
        Optional<String> risk = beyondFloat("head", head, 1);
        double fedBack = spec.multiStep() == MultiStep.RECURSIVE ? Arrays.stream(head).max().orElse(0) : 0;
        double inputBound = Math.max(MAX_ABS_INPUT, fedBack);
        for (int k = 0; k < layers.size() && risk.isEmpty(); k++) {
            LayerWeights layer = layers.get(k);
            double bound = k == 0 ? inputBound : 1;
            double[] sums = largestSums(layer.weightIh(), layer.biasIh(), layer.inputSize(), bound);
            double[] recurrent = largestSums(layer.weightHh(), layer.biasHh(), layer.hiddenSize(), 1);
            for (int row = 0; row < sums.length; row++) {
                sums[row] += recurrent[row];
            }
            risk = beyondFloat("layers[" + k + "]", sums, bound);
        }
        return risk;
    }

    /** Per row of {@code weights} ([rows, columns] row-major): the sum of |w| times {@code inputBound}, plus |b|. */
    private static double[] largestSums(float[] weights, float[] bias, int columns, double inputBound) {
        double[] sums = new double[bias.length];
        for (int row = 0; row < bias.length; row++) {
            double sum = 0;
            for (int column = 0; column < columns; column++) {
                sum += Math.abs(weights[row * columns + column]);
            }
            sums[row] = sum * inputBound + Math.abs(bias[row]);
        }
        return sums;
    }

    private static Optional<String> beyondFloat(String name, double[] sums, double inputBound) {
        for (int row = 0; row < sums.length; row++) {
            if (!(sums[row] <= MAX_WEIGHTED_SUM)) {
                return Optional.of(name + " row " + row + ": its weights and bias can sum to "
                        + String.format(Locale.ROOT, "%.3g", sums[row]) + " with inputs within "
                        + String.format(Locale.ROOT, "%.3g", inputBound) + ", beyond what a float holds safely (at"
                        + " most " + String.format(Locale.ROOT, "%.3g", MAX_WEIGHTED_SUM) + "); a trained model's"
                        + " weights lie many orders of magnitude below that");
            }
        }
        return Optional.empty();
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
