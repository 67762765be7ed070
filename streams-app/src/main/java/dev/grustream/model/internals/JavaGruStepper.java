package dev.grustream.model.internals;

import dev.grustream.model.GateVariant;
import dev.grustream.model.GruModel;
import dev.grustream.model.GruStepper;
import dev.grustream.model.LayerWeights;
import dev.grustream.model.ModelSpec;
import dev.grustream.model.MultiStep;
import java.util.Arrays;

/**
 * The pure-Java GRU stepper: advances keys one after another with loops that C2 vectorises, no native code
 * and no allocation per call.
 *
 * <p>Layout, chosen for HotSpot's auto-vectoriser (C2 SuperWord, JDK 17): weights are transposed into one
 * {@code float[]} per input j holding that input's column of every gate, so a matrix-vector product is a series
 * of axpy loops {@code acc[i] += x[j] * w[j][i]} over contiguous rows ({@link MatVec}, shared with the trainer so
 * that training computes exactly what serving computes). SuperWord only vectorises a loop whose
 * array accesses all share the index {@code i} (an access at {@code o + i} in another array defeats its alias
 * analysis), hence rows as separate arrays and gate slices copied to offset 0 before the element-wise loops.
 * Four inputs are folded into each pass ({@code acc[i] + x0*w0[i] + x1*w1[i] + ...}), which saves loads and
 * stores yet rounds exactly like four separate passes; folding more inputs stops SuperWord from vectorising.
 *
 * <p>Measured and rejected: a kernel with the keys of a batch along the vector lanes (weights as scalars,
 * states transposed). It vectorises over long loops and is bit-identical to this one, but gained only 10-20%
 * at H = 64 for batches of 256 and more, lost at H = 128 (L2 traffic) and lost badly below 64 keys.
 *
 * <p>Every key is computed by the same sequence of float operations whatever the batch, and Java float
 * arithmetic is exactly specified, so a key's results are bit-identical across batch sizes, batch members,
 * JIT tiers and machines.
 *
 * <p>Not thread-safe: it reuses its buffers. Create one per thread; {@link #close()} does nothing. Its
 * {@link Layout} of the weights, which it only reads, may be shared with other steppers of the model.
 */
public final class JavaGruStepper implements GruStepper {

    private final GruModel model;
    private final ModelSpec spec;
    private final int hidden;
    private final int layers;
    private final int featureCount;
    private final int inputCount;
    private final int targetCount;
    private final int headSize;
    private final boolean recursive;
    private final boolean resetAfter;
    private final Layout layout;
    private final int[] feedbackTarget;

    private final float[] inputGates;
    private final float[] hiddenGates;
    private final float[] candidateInput;
    private final float[] candidateHidden;
    private final float[] update;
    private final float[] previous;
    private final float[] next;
    private final float[] resetHidden;
    private final float[] aheadState;
    private final float[] aheadInput;
    private final float[] features;

    /** A stepper of {@code model} that computes with {@code layout}, which must be {@code model}'s. */
    public JavaGruStepper(GruModel model, Layout layout) {
        this.model = model;
        this.spec = model.spec();
        this.hidden = spec.hiddenSize();
        this.layers = spec.numLayers();
        this.featureCount = spec.featureCount();
        this.inputCount = spec.inputCount();
        this.targetCount = spec.targetCount();
        this.headSize = spec.headSize();
        this.recursive = spec.horizon() > 1 && spec.multiStep() == MultiStep.RECURSIVE;
        this.resetAfter = spec.gateVariant() == GateVariant.RESET_AFTER;
        int gates = 3 * hidden;
        this.layout = layout;
        feedbackTarget = new int[featureCount];
        for (int f = 0; f < featureCount; f++) {
            feedbackTarget[f] = spec.featureTargetIndex(f);
        }
        inputGates = new float[gates];
        hiddenGates = new float[resetAfter ? gates : 2 * hidden];
        candidateInput = new float[hidden];
        candidateHidden = new float[hidden];
        update = new float[hidden];
        previous = new float[hidden];
        next = new float[hidden];
        resetHidden = new float[hidden];
        aheadState = new float[spec.stateSize()];
        aheadInput = new float[featureCount];
        features = new float[layout.inputWeights[0].length];
    }

    @Override
    public GruModel model() {
        return model;
    }

    @Override
    public void step(int batch, float[] inputs, float[] states, float[] forecasts) {
        StepArguments.check(spec, batch, inputs, states, forecasts);
        int stateSize = spec.stateSize();
        int forecastSize = spec.forecastSize();
        for (int b = 0; b < batch; b++) {
            int forecastOffset = b * forecastSize;
            advance(inputs, b * inputCount, states, b * stateSize, forecasts, forecastOffset);
            if (recursive) {
                lookAhead(states, b * stateSize, forecasts, forecastOffset);
            }
        }
    }

    @Override
    public void close() {
        // Nothing to release: every buffer lives on the Java heap.
    }

    /** Forecasts steps 2..horizon by feeding each forecast back as the next input, on a copy of the state. */
    private void lookAhead(float[] states, int stateOffset, float[] forecasts, int forecastOffset) {
        System.arraycopy(states, stateOffset, aheadState, 0, aheadState.length);
        for (int step = 1; step < spec.horizon(); step++) {
            int previousForecast = forecastOffset + (step - 1) * targetCount;
            for (int f = 0; f < featureCount; f++) {
                aheadInput[f] = forecasts[previousForecast + feedbackTarget[f]];
            }
            advance(aheadInput, 0, aheadState, 0, forecasts, forecastOffset + step * targetCount);
        }
    }

    /** Advances every layer of one key's state in place and writes what its head computes. */
    private void advance(float[] input, int inputOffset, float[] state, int stateOffset, float[] out,
            int outOffset) {
        System.arraycopy(input, inputOffset, features, 0, inputCount);
        float[] layerInput = features;
        int layerInputOffset = 0;
        for (int k = 0; k < layers; k++) {
            int hiddenOffset = stateOffset + k * hidden;
            cell(k, layerInput, layerInputOffset, state, hiddenOffset);
            layerInput = state;
            layerInputOffset = hiddenOffset;
        }
        head(state, stateOffset + (layers - 1) * hidden, out, outOffset);
    }

    private void cell(int k, float[] x, int xOffset, float[] state, int hOffset) {
        int h = hidden;
        System.arraycopy(state, hOffset, previous, 0, h);
        System.arraycopy(layout.inputBias[k], 0, inputGates, 0, inputGates.length);
        MatVec.accumulate(x, xOffset, layout.inputWeights[k], inputGates);
        System.arraycopy(layout.hiddenBias[k], 0, hiddenGates, 0, hiddenGates.length);
        MatVec.accumulate(previous, 0, layout.hiddenWeights[k], hiddenGates);
        float[] gi = inputGates;
        float[] gh = hiddenGates;
        for (int i = 0; i < 2 * h; i++) {
            gi[i] = Activations.sigmoid(gi[i] + gh[i]);
        }
        // gi now holds r in [0, H) and z in [H, 2H).
        System.arraycopy(gi, h, update, 0, h);
        System.arraycopy(gi, 2 * h, candidateInput, 0, h);
        float[] r = gi;
        float[] nx = candidateInput;
        float[] nh = candidateHidden;
        if (resetAfter) {
            System.arraycopy(gh, 2 * h, nh, 0, h);
            for (int i = 0; i < h; i++) {
                nx[i] = Activations.tanh(nx[i] + r[i] * nh[i]);
            }
        } else {
            float[] reset = resetHidden;
            for (int i = 0; i < h; i++) {
                reset[i] = r[i] * previous[i];
            }
            System.arraycopy(layout.hiddenBias[k], 2 * h, nh, 0, h);
            MatVec.accumulate(reset, 0, layout.candidateWeights[k], nh);
            for (int i = 0; i < h; i++) {
                nx[i] = Activations.tanh(nx[i] + nh[i]);
            }
        }
        float[] z = update;
        float[] hp = previous;
        for (int i = 0; i < h; i++) {
            next[i] = (1.0f - z[i]) * nx[i] + z[i] * hp[i];
        }
        System.arraycopy(next, 0, state, hOffset, h);
    }

    private void head(float[] state, int hOffset, float[] out, int outOffset) {
        for (int t = 0; t < headSize; t++) {
            float sum = layout.headBias[t];
            float[] row = layout.headWeight[t];
            for (int j = 0; j < hidden; j++) {
                sum += row[j] * state[hOffset + j];
            }
            out[outOffset + t] = sum;
        }
    }

    /**
     * A model's weights laid out for this stepper, never written once made: made once per model
     * ({@link GruModel#newStepper} keeps it with the model) and shared by every stepper of the model, one per stream
     * task. Immutable and thread-safe.
     */
    public static final class Layout {
        private final float[][][] inputWeights;
        private final float[][][] hiddenWeights;
        private final float[][][] candidateWeights;
        private final float[][] inputBias;
        private final float[][] hiddenBias;
        private final float[][] headWeight;
        private final float[] headBias;

        private Layout(float[][][] inputWeights, float[][][] hiddenWeights, float[][][] candidateWeights,
                float[][] inputBias, float[][] hiddenBias, float[][] headWeight, float[] headBias) {
            this.inputWeights = inputWeights;
            this.hiddenWeights = hiddenWeights;
            this.candidateWeights = candidateWeights;
            this.inputBias = inputBias;
            this.hiddenBias = hiddenBias;
            this.headWeight = headWeight;
            this.headBias = headBias;
        }
    }

    /** Lays out {@code model}'s weights for this stepper. */
    public static Layout layout(GruModel model) {
        ModelSpec spec = model.spec();
        int hidden = spec.hiddenSize();
        int layers = spec.numLayers();
        int inputCount = spec.inputCount();
        boolean resetAfter = spec.gateVariant() == GateVariant.RESET_AFTER;
        int gates = 3 * hidden;
        float[][][] inputWeights = new float[layers][][];
        float[][][] hiddenWeights = new float[layers][][];
        float[][][] candidateWeights = new float[layers][][];
        float[][] inputBias = new float[layers][];
        float[][] hiddenBias = new float[layers][];
        for (int k = 0; k < layers; k++) {
            LayerWeights layer = model.layer(k);
            inputWeights[k] = transpose(layer.weightIh(), 0, gates, layer.inputSize());
            if (k == 0) {
                // Zero rows up to a multiple of four let the inputs go through the four-input pass: adding
                // 0 * 0 changes no value, and three inputs then cost one pass over the gates instead of three.
                inputWeights[k] = Arrays.copyOf(inputWeights[k], (inputCount + 3) / 4 * 4);
                for (int j = inputCount; j < inputWeights[k].length; j++) {
                    inputWeights[k][j] = new float[gates];
                }
            }
            // Reset-before multiplies W_hn by r * h, which is only known after r: its block is kept apart.
            hiddenWeights[k] = transpose(layer.weightHh(), 0, resetAfter ? gates : 2 * hidden, hidden);
            candidateWeights[k] = resetAfter ? null : transpose(layer.weightHh(), 2 * hidden, hidden, hidden);
            inputBias[k] = layer.biasIh();
            hiddenBias[k] = layer.biasHh();
        }
        return new Layout(inputWeights, hiddenWeights, candidateWeights, inputBias, hiddenBias,
                rows(model.headWeight(), spec.headSize(), hidden), model.headBias());
    }

    /** Returns rows [first, first + count) of a row-major [?, columns] matrix, transposed: one array per column. */
    private static float[][] transpose(float[] matrix, int first, int count, int columns) {
        float[][] out = new float[columns][count];
        for (int r = 0; r < count; r++) {
            for (int c = 0; c < columns; c++) {
                out[c][r] = matrix[(first + r) * columns + c];
            }
        }
        return out;
    }

    /** Splits a row-major [count, columns] matrix into its rows. */
    private static float[][] rows(float[] matrix, int count, int columns) {
        float[][] out = new float[count][];
        for (int r = 0; r < count; r++) {
            out[r] = Arrays.copyOfRange(matrix, r * columns, (r + 1) * columns);
        }
        return out;
    }
}
