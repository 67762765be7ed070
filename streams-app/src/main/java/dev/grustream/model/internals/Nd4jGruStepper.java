package dev.grustream.model.internals;

import dev.grustream.model.GateVariant;
import dev.grustream.model.GruModel;
import dev.grustream.model.GruStepper;
import dev.grustream.model.LayerWeights;
import dev.grustream.model.ModelSpec;
import dev.grustream.model.MultiStep;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The ND4J GRU stepper: one OpenBLAS sgemm per layer over the whole batch, the element-wise work in Java.
 *
 * <p>Each layer's gate pre-activations come from a single product {@code [x, h, 1] . W} where W stacks the
 * transposed input and hidden weights and, in its last row, the biases. For the reset-after variant W has four
 * column blocks {@code [r | z | n_x | n_h]} (the r and z blocks sum both inputs and both biases; n_x and n_h keep
 * them apart because r multiplies only the hidden part); for reset-before it has {@code [r | z | n_x]} and a
 * second product {@code (r * h) . W_hn^T} follows.
 *
 * <p>Why the element-wise work is not done with ND4J ops: measured on the 2-core machine, each ND4J op call
 * costs microseconds whatever its size, and its transforms on column views are slow (sigmoid on a
 * 256 x 128 view: 114 us, a multiply: 73 us), while the same work in Java costs well under 0.5 ns per value.
 * Activations are the ones of {@link Activations}, shared with the Java backend.
 *
 * <p>Buffers are allocated for the largest batch seen so far and reused; ND4J's row views of them are cached
 * per batch size. Not thread-safe; {@link #close()} frees the off-heap memory.
 */
public final class Nd4jGruStepper implements GruStepper {

    private static final int INITIAL_CAPACITY = 16;

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
    private final int gateWidth;
    private final int[] rowWidth;
    private final int[] feedbackTarget;
    private final INDArray[] gateWeights;
    private final INDArray[] candidateWeights;
    private final INDArray headWeights;

    private int capacity;
    private boolean closed;
    private INDArray[] layerInput;
    private INDArray[] gates;
    private INDArray[] candidateInput;
    private INDArray[] candidateOutput;
    private INDArray headInput;
    private INDArray headOutput;
    private List<Views> views;
    private float[] staging;
    private float[] hostGates;
    private float[] hostCandidate;
    private float[] aheadStates;
    private float[] aheadInputs;

    private final float[] rowGates;
    private final float[] rowUpdate;
    private final float[] rowCandidate;
    private final float[] rowHidden;
    private final float[] rowPrevious;
    private final float[] rowNext;

    /** Copies {@code model}'s weights into ND4J arrays laid out for the stacked products. */
    public Nd4jGruStepper(GruModel model) {
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
        this.gateWidth = (resetAfter ? 4 : 3) * hidden;
        rowWidth = new int[layers];
        gateWeights = new INDArray[layers];
        candidateWeights = new INDArray[layers];
        for (int k = 0; k < layers; k++) {
            LayerWeights layer = model.layer(k);
            rowWidth[k] = layer.inputSize() + hidden + 1;
            gateWeights[k] = Nd4j.create(stackedGateWeights(layer), new long[] {rowWidth[k], gateWidth},
                    DataType.FLOAT);
            candidateWeights[k] = resetAfter ? null
                    : Nd4j.create(candidateWeights(layer), new long[] {hidden, hidden}, DataType.FLOAT);
        }
        headWeights = Nd4j.create(headWeights(model), new long[] {hidden + 1, headSize}, DataType.FLOAT);
        feedbackTarget = new int[featureCount];
        for (int f = 0; f < featureCount; f++) {
            feedbackTarget[f] = spec.featureTargetIndex(f);
        }
        rowGates = new float[gateWidth];
        rowUpdate = new float[hidden];
        rowCandidate = new float[hidden];
        rowHidden = new float[hidden];
        rowPrevious = new float[hidden];
        rowNext = new float[hidden];
        allocate(INITIAL_CAPACITY);
    }

    @Override
    public GruModel model() {
        return model;
    }

    @Override
    public void step(int batch, float[] inputs, float[] states, float[] forecasts) {
        StepArguments.check(spec, batch, inputs, states, forecasts);
        if (closed) {
            throw new IllegalStateException("this stepper was closed");
        }
        if (batch == 0) {
            return;
        }
        if (batch > capacity) {
            release();
            allocate(Math.max(batch, 2 * capacity));
        }
        int forecastStride = spec.forecastSize();
        advance(batch, inputs, states, forecasts, 0);
        if (recursive) {
            int stateSize = spec.stateSize();
            System.arraycopy(states, 0, aheadStates, 0, batch * stateSize);
            for (int step = 1; step < spec.horizon(); step++) {
                for (int b = 0; b < batch; b++) {
                    int previous = b * forecastStride + (step - 1) * targetCount;
                    for (int f = 0; f < featureCount; f++) {
                        aheadInputs[b * featureCount + f] = forecasts[previous + feedbackTarget[f]];
                    }
                }
                advance(batch, aheadInputs, aheadStates, forecasts, step);
            }
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        release();
        for (int k = 0; k < layers; k++) {
            gateWeights[k].close();
            if (candidateWeights[k] != null) {
                candidateWeights[k].close();
            }
        }
        headWeights.close();
    }

    /**
     * Advances every layer of the batch's states in place and writes what the head computes, at forecast step
     * {@code step} (always 0 but for a recursive head).
     */
    private void advance(int batch, float[] inputs, float[] states, float[] forecasts, int step) {
        Views view = views(batch);
        int stateSize = spec.stateSize();
        for (int k = 0; k < layers; k++) {
            int width = rowWidth[k];
            int inputSize = width - hidden - 1;
            for (int b = 0; b < batch; b++) {
                int row = b * width;
                if (k == 0) {
                    System.arraycopy(inputs, b * inputCount, staging, row, inputCount);
                } else {
                    System.arraycopy(states, b * stateSize + (k - 1) * hidden, staging, row, hidden);
                }
                System.arraycopy(states, b * stateSize + k * hidden, staging, row + inputSize, hidden);
                staging[row + width - 1] = 1.0f;
            }
            copyIn(staging, batch * width, layerInput[k]);
            Nd4j.gemm(view.layerInput[k], gateWeights[k], view.gates[k], false, false, 1.0, 0.0);
            copyOut(gates[k], hostGates, batch * gateWidth);
            if (resetAfter) {
                for (int b = 0; b < batch; b++) {
                    updateResetAfter(b, states, b * stateSize + k * hidden);
                }
            } else {
                for (int b = 0; b < batch; b++) {
                    resetHidden(b, states, b * stateSize + k * hidden);
                }
                copyIn(staging, batch * hidden, candidateInput[k]);
                Nd4j.gemm(view.candidateInput[k], candidateWeights[k], view.candidateOutput[k], false, false,
                        1.0, 0.0);
                copyOut(candidateOutput[k], hostCandidate, batch * hidden);
                for (int b = 0; b < batch; b++) {
                    updateResetBefore(b, states, b * stateSize + k * hidden);
                }
            }
        }
        int headWidth = hidden + 1;
        for (int b = 0; b < batch; b++) {
            System.arraycopy(states, b * stateSize + (layers - 1) * hidden, staging, b * headWidth, hidden);
            staging[b * headWidth + hidden] = 1.0f;
        }
        copyIn(staging, batch * headWidth, headInput);
        Nd4j.gemm(view.headInput, headWeights, view.headOutput, false, false, 1.0, 0.0);
        copyOut(headOutput, hostGates, batch * headSize);
        for (int b = 0; b < batch; b++) {
            System.arraycopy(hostGates, b * headSize, forecasts, b * spec.forecastSize() + step * targetCount,
                    headSize);
        }
    }

    /** Reset-after: {@code n = tanh(n_x + r * n_h)}, then the new state, for row {@code b}. */
    private void updateResetAfter(int b, float[] states, int stateOffset) {
        int h = hidden;
        float[] g = rowGates;
        System.arraycopy(hostGates, b * gateWidth, g, 0, gateWidth);
        for (int i = 0; i < 2 * h; i++) {
            g[i] = Activations.sigmoid(g[i]);
        }
        System.arraycopy(g, h, rowUpdate, 0, h);
        System.arraycopy(g, 2 * h, rowCandidate, 0, h);
        System.arraycopy(g, 3 * h, rowHidden, 0, h);
        float[] nx = rowCandidate;
        float[] nh = rowHidden;
        for (int i = 0; i < h; i++) {
            nx[i] = Activations.tanh(nx[i] + g[i] * nh[i]);
        }
        blend(states, stateOffset);
    }

    /** Reset-before, first half: r and z for row {@code b}, and {@code r * h} staged for the second product. */
    private void resetHidden(int b, float[] states, int stateOffset) {
        int h = hidden;
        float[] g = rowGates;
        System.arraycopy(hostGates, b * gateWidth, g, 0, gateWidth);
        for (int i = 0; i < 2 * h; i++) {
            g[i] = Activations.sigmoid(g[i]);
        }
        System.arraycopy(g, 0, hostGates, b * gateWidth, 2 * h);
        System.arraycopy(states, stateOffset, rowPrevious, 0, h);
        float[] reset = rowNext;
        for (int i = 0; i < h; i++) {
            reset[i] = g[i] * rowPrevious[i];
        }
        System.arraycopy(reset, 0, staging, b * h, h);
    }

    /** Reset-before, second half: {@code n = tanh(n_x + W_hn (r * h) + b_hn)}, then the new state. */
    private void updateResetBefore(int b, float[] states, int stateOffset) {
        int h = hidden;
        System.arraycopy(hostGates, b * gateWidth + h, rowUpdate, 0, h);
        System.arraycopy(hostGates, b * gateWidth + 2 * h, rowCandidate, 0, h);
        System.arraycopy(hostCandidate, b * h, rowHidden, 0, h);
        float[] nx = rowCandidate;
        float[] nh = rowHidden;
        for (int i = 0; i < h; i++) {
            nx[i] = Activations.tanh(nx[i] + nh[i]);
        }
        blend(states, stateOffset);
    }

    /** {@code h' = (1 - z) * n + z * h} from rowUpdate and rowCandidate, written over the state. */
    private void blend(float[] states, int stateOffset) {
        int h = hidden;
        System.arraycopy(states, stateOffset, rowPrevious, 0, h);
        float[] z = rowUpdate;
        float[] n = rowCandidate;
        float[] previous = rowPrevious;
        float[] next = rowNext;
        for (int i = 0; i < h; i++) {
            next[i] = (1.0f - z[i]) * n[i] + z[i] * previous[i];
        }
        System.arraycopy(next, 0, states, stateOffset, h);
    }

    private static void copyIn(float[] source, int length, INDArray target) {
        FloatBuffer buffer = target.data().asNioFloat();
        buffer.put(source, 0, length);
    }

    private static void copyOut(INDArray source, float[] target, int length) {
        FloatBuffer buffer = source.data().asNioFloat();
        buffer.get(target, 0, length);
    }

    /** ND4J arrays over the first {@code batch} rows of the buffers, made once per batch size. */
    private Views views(int batch) {
        Views view = views.get(batch);
        if (view == null) {
            view = new Views(batch);
            views.set(batch, view);
        }
        return view;
    }

    /**
     * Makes buffers of {@code newCapacity} rows. The capacity and the views over the buffers are set last, so that an
     * allocation that fails part way (ND4J's off-heap limit) leaves a capacity of 0: the next step releases what was
     * made and tries again, instead of reading buffers already closed.
     */
    private void allocate(int newCapacity) {
        capacity = 0;
        views = List.of();
        layerInput = new INDArray[layers];
        gates = new INDArray[layers];
        candidateInput = new INDArray[layers];
        candidateOutput = new INDArray[layers];
        int widest = hidden + 1;
        for (int k = 0; k < layers; k++) {
            layerInput[k] = Nd4j.create(DataType.FLOAT, newCapacity, rowWidth[k]);
            gates[k] = Nd4j.create(DataType.FLOAT, newCapacity, gateWidth);
            if (!resetAfter) {
                candidateInput[k] = Nd4j.create(DataType.FLOAT, newCapacity, hidden);
                candidateOutput[k] = Nd4j.create(DataType.FLOAT, newCapacity, hidden);
            }
            widest = Math.max(widest, rowWidth[k]);
        }
        headInput = Nd4j.create(DataType.FLOAT, newCapacity, hidden + 1);
        headOutput = Nd4j.create(DataType.FLOAT, newCapacity, headSize);
        staging = new float[newCapacity * widest];
        hostGates = new float[newCapacity * Math.max(gateWidth, headSize)];
        hostCandidate = new float[newCapacity * hidden];
        aheadStates = new float[recursive ? newCapacity * spec.stateSize() : 0];
        aheadInputs = new float[recursive ? newCapacity * featureCount : 0];
        List<Views> empty = new ArrayList<>(newCapacity + 1);
        for (int b = 0; b <= newCapacity; b++) {
            empty.add(null);
        }
        views = empty;
        capacity = newCapacity;
    }

    /** Closes the buffers, each once, those of an allocation that failed part way included. */
    private void release() {
        for (INDArray[] arrays : List.of(layerInput, gates, candidateInput, candidateOutput)) {
            for (int k = 0; k < arrays.length; k++) {
                close(arrays[k]);
                arrays[k] = null;
            }
        }
        close(headInput);
        close(headOutput);
        headInput = null;
        headOutput = null;
    }

    private static void close(INDArray array) {
        if (array != null) {
            array.close();
        }
    }

    /** W for the stacked product: rows x then h then the bias row; columns r, z, n_x (and n_h for reset-after). */
    private float[] stackedGateWeights(LayerWeights layer) {
        int h = hidden;
        int in = layer.inputSize();
        float[] weightIh = layer.weightIh();
        float[] weightHh = layer.weightHh();
        float[] biasIh = layer.biasIh();
        float[] biasHh = layer.biasHh();
        float[] stacked = new float[(in + h + 1) * gateWidth];
        for (int gate = 0; gate < 3 * h; gate++) {
            for (int j = 0; j < in; j++) {
                stacked[j * gateWidth + gate] = weightIh[gate * in + j];
            }
            // Reset-after keeps W_hn apart in its own column block; reset-before applies it in a second product.
            boolean candidate = gate >= 2 * h;
            if (!candidate || resetAfter) {
                int column = candidate ? gate + h : gate;
                for (int j = 0; j < h; j++) {
                    stacked[(in + j) * gateWidth + column] = weightHh[gate * h + j];
                }
            }
        }
        int biasRow = (in + h) * gateWidth;
        for (int gate = 0; gate < 2 * h; gate++) {
            stacked[biasRow + gate] = biasIh[gate] + biasHh[gate];
        }
        for (int i = 0; i < h; i++) {
            if (resetAfter) {
                stacked[biasRow + 2 * h + i] = biasIh[2 * h + i];
                stacked[biasRow + 3 * h + i] = biasHh[2 * h + i];
            } else {
                stacked[biasRow + 2 * h + i] = biasIh[2 * h + i] + biasHh[2 * h + i];
            }
        }
        return stacked;
    }

    /** W_hn transposed, [H, H], for the reset-before variant's second product. */
    private float[] candidateWeights(LayerWeights layer) {
        int h = hidden;
        float[] weightHh = layer.weightHh();
        float[] transposed = new float[h * h];
        for (int i = 0; i < h; i++) {
            for (int j = 0; j < h; j++) {
                transposed[j * h + i] = weightHh[(2 * h + i) * h + j];
            }
        }
        return transposed;
    }

    /** The head's weight transposed, [H, S], over a last row holding its bias. */
    private float[] headWeights(GruModel source) {
        float[] weight = source.headWeight();
        float[] bias = source.headBias();
        float[] stacked = new float[(hidden + 1) * headSize];
        for (int t = 0; t < headSize; t++) {
            for (int j = 0; j < hidden; j++) {
                stacked[j * headSize + t] = weight[t * hidden + j];
            }
            stacked[hidden * headSize + t] = bias[t];
        }
        return stacked;
    }

    /** Views of the first rows of the current buffers, shared memory, for one batch size. */
    private final class Views {
        final INDArray[] layerInput = new INDArray[layers];
        final INDArray[] gates = new INDArray[layers];
        final INDArray[] candidateInput = new INDArray[layers];
        final INDArray[] candidateOutput = new INDArray[layers];
        final INDArray headInput;
        final INDArray headOutput;

        Views(int batch) {
            for (int k = 0; k < layers; k++) {
                layerInput[k] = rows(Nd4jGruStepper.this.layerInput[k], batch);
                gates[k] = rows(Nd4jGruStepper.this.gates[k], batch);
                if (!resetAfter) {
                    candidateInput[k] = rows(Nd4jGruStepper.this.candidateInput[k], batch);
                    candidateOutput[k] = rows(Nd4jGruStepper.this.candidateOutput[k], batch);
                }
            }
            headInput = rows(Nd4jGruStepper.this.headInput, batch);
            headOutput = rows(Nd4jGruStepper.this.headOutput, batch);
        }

        private INDArray rows(INDArray array, int batch) {
            return array.get(NDArrayIndex.interval(0, batch), NDArrayIndex.all());
        }
    }
}
