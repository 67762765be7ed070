package dev.grustream.train.internals;

import dev.grustream.model.GateVariant;
import dev.grustream.model.GruModel;
import dev.grustream.model.LayerWeights;
import dev.grustream.model.ModelSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * The trainable parameters of a GRU forecaster (or their gradients), laid out for the training kernels: every
 * weight matrix transposed into one {@code float[]} per input, as the serving stepper stores them, so that the
 * forward pass can use the same {@code MatVec.accumulate} and round exactly like serving.
 *
 * <p>Per layer k with G = 3H gates (r, z, n) and in_k inputs: {@code inputWeights[k][j]} is column j of
 * W_ih (length G); {@code hiddenWeights[k][j]} is column j of W_hh (length G for reset-after; for reset-before only
 * its r and z blocks, length 2H, and {@code candidateWeights[k][j]} the n block, length H); {@code inputBias[k]}
 * and {@code hiddenBias[k]} have length G. The head is {@code headWeight[o]} (row o of the head's S outputs, length
 * H) and {@code headBias} (length S).
 *
 * <p>Mutable, not thread-safe: the trainer owns it and changes it only between batches.
 */
public final class GruParameters {

    final int layers;
    final int hidden;
    final int inputs;
    final int outputs;
    final boolean resetAfter;
    final float[][][] inputWeights;
    final float[][][] hiddenWeights;
    final float[][][] candidateWeights;
    final float[][] inputBias;
    final float[][] hiddenBias;
    final float[][] headWeight;
    final float[] headBias;
    private final List<float[]> arrays = new ArrayList<>();

    private GruParameters(int layers, int hidden, int inputs, int outputs, GateVariant variant) {
        this.layers = layers;
        this.hidden = hidden;
        this.inputs = inputs;
        this.outputs = outputs;
        this.resetAfter = variant == GateVariant.RESET_AFTER;
        int gates = 3 * hidden;
        inputWeights = new float[layers][][];
        hiddenWeights = new float[layers][][];
        candidateWeights = new float[layers][][];
        inputBias = new float[layers][];
        hiddenBias = new float[layers][];
        for (int k = 0; k < layers; k++) {
            inputWeights[k] = matrix(k == 0 ? inputs : hidden, gates);
            hiddenWeights[k] = matrix(hidden, resetAfter ? gates : 2 * hidden);
            candidateWeights[k] = resetAfter ? null : matrix(hidden, hidden);
            inputBias[k] = vector(gates);
            hiddenBias[k] = vector(gates);
        }
        headWeight = matrix(outputs, hidden);
        headBias = vector(outputs);
    }

    /** Zero parameters (or a zero gradient) for a model of {@code spec}'s shape. */
    public static GruParameters zeros(ModelSpec spec) {
        return new GruParameters(spec.numLayers(), spec.hiddenSize(), spec.inputCount(), spec.headSize(),
                spec.gateVariant());
    }

    /** Zero parameters of {@code shape}'s shape. */
    public static GruParameters zerosLike(GruParameters shape) {
        return new GruParameters(shape.layers, shape.hidden, shape.inputs, shape.outputs,
                shape.resetAfter ? GateVariant.RESET_AFTER : GateVariant.RESET_BEFORE);
    }

    /**
     * PyTorch's default initialisation of {@code nn.GRU} and {@code nn.Linear}: every value uniform in
     * {@code [-1/sqrt(H), 1/sqrt(H))}, drawn from {@code random} in the order of {@link #arrays()}.
     */
    public static GruParameters random(ModelSpec spec, Random random) {
        GruParameters parameters = zeros(spec);
        float bound = (float) (1.0 / Math.sqrt(spec.hiddenSize()));
        for (float[] array : parameters.arrays) {
            for (int i = 0; i < array.length; i++) {
                array[i] = (random.nextFloat() * 2 - 1) * bound;
            }
        }
        return parameters;
    }

    /** The parameters of {@code model}. */
    public static GruParameters of(GruModel model) {
        ModelSpec spec = model.spec();
        GruParameters parameters = zeros(spec);
        int h = spec.hiddenSize();
        for (int k = 0; k < spec.numLayers(); k++) {
            LayerWeights layer = model.layer(k);
            transposeIn(layer.weightIh(), 0, 3 * h, layer.inputSize(), parameters.inputWeights[k]);
            int hiddenRows = parameters.resetAfter ? 3 * h : 2 * h;
            transposeIn(layer.weightHh(), 0, hiddenRows, h, parameters.hiddenWeights[k]);
            if (!parameters.resetAfter) {
                transposeIn(layer.weightHh(), 2 * h, h, h, parameters.candidateWeights[k]);
            }
            System.arraycopy(layer.biasIh(), 0, parameters.inputBias[k], 0, 3 * h);
            System.arraycopy(layer.biasHh(), 0, parameters.hiddenBias[k], 0, 3 * h);
        }
        float[] head = model.headWeight();
        for (int o = 0; o < spec.headSize(); o++) {
            System.arraycopy(head, o * h, parameters.headWeight[o], 0, h);
        }
        System.arraycopy(model.headBias(), 0, parameters.headBias, 0, spec.headSize());
        return parameters;
    }

    /** The model these parameters make with {@code spec}, which must have their shape. */
    public GruModel toModel(ModelSpec spec) {
        int h = hidden;
        List<LayerWeights> layerWeights = new ArrayList<>();
        for (int k = 0; k < layers; k++) {
            int in = k == 0 ? inputs : h;
            float[] weightIh = new float[3 * h * in];
            transposeOut(inputWeights[k], 0, weightIh, in);
            float[] weightHh = new float[3 * h * h];
            transposeOut(hiddenWeights[k], 0, weightHh, h);
            if (!resetAfter) {
                transposeOut(candidateWeights[k], 2 * h, weightHh, h);
            }
            layerWeights.add(LayerWeights.of(in, h, weightIh, weightHh, inputBias[k], hiddenBias[k]));
        }
        float[] head = new float[outputs * h];
        for (int o = 0; o < outputs; o++) {
            System.arraycopy(headWeight[o], 0, head, o * h, h);
        }
        return GruModel.of(spec, layerWeights, head, headBias);
    }

    /** Every parameter array, in a fixed order: the unit of initialisation, reduction, clipping and Adam. */
    public List<float[]> arrays() {
        return arrays;
    }

    /** The number of scalar parameters. */
    public int count() {
        return arrays.stream().mapToInt(array -> array.length).sum();
    }

    /** Sets every value to 0. */
    public void clear() {
        for (float[] array : arrays) {
            Arrays.fill(array, 0f);
        }
    }

    /** Copies {@code other}'s values, which must have this shape. */
    public void copyFrom(GruParameters other) {
        for (int a = 0; a < arrays.size(); a++) {
            System.arraycopy(other.arrays.get(a), 0, arrays.get(a), 0, arrays.get(a).length);
        }
    }

    /** Adds {@code other}'s values to these, array by array in order. */
    public void add(GruParameters other) {
        for (int a = 0; a < arrays.size(); a++) {
            float[] to = arrays.get(a);
            float[] from = other.arrays.get(a);
            for (int i = 0; i < to.length; i++) {
                to[i] += from[i];
            }
        }
    }

    /** The Euclidean norm of all values, summed in double in the order of {@link #arrays()}. */
    public double norm() {
        double sum = 0;
        for (float[] array : arrays) {
            for (float value : array) {
                sum += (double) value * value;
            }
        }
        return Math.sqrt(sum);
    }

    /** Multiplies every value by {@code factor}. */
    public void scale(float factor) {
        for (float[] array : arrays) {
            for (int i = 0; i < array.length; i++) {
                array[i] *= factor;
            }
        }
    }

    private float[][] matrix(int rows, int columns) {
        float[][] matrix = new float[rows][];
        for (int r = 0; r < rows; r++) {
            matrix[r] = vector(columns);
        }
        return matrix;
    }

    private float[] vector(int length) {
        float[] vector = new float[length];
        arrays.add(vector);
        return vector;
    }

    /** Rows [first, first + count) of a row-major [?, columns] matrix into one array per column. */
    private static void transposeIn(float[] matrix, int first, int count, int columns, float[][] out) {
        for (int r = 0; r < count; r++) {
            for (int c = 0; c < columns; c++) {
                out[c][r] = matrix[(first + r) * columns + c];
            }
        }
    }

    /** The inverse of {@link #transposeIn}: columns back into rows starting at row {@code first}. */
    private static void transposeOut(float[][] columnsOf, int first, float[] matrix, int columns) {
        for (int c = 0; c < columns; c++) {
            float[] column = columnsOf[c];
            for (int r = 0; r < column.length; r++) {
                matrix[(first + r) * columns + c] = column[r];
            }
        }
    }
}
