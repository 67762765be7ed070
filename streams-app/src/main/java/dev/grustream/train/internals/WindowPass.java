package dev.grustream.train.internals;

import dev.grustream.model.GateVariant;
import dev.grustream.model.ModelSpec;
import dev.grustream.model.internals.Activations;
import dev.grustream.model.internals.MatVec;
import java.util.Arrays;

/**
 * Forward and backward pass of a GRU forecaster over one window of a series: truncated back-propagation through
 * time, written by hand.
 *
 * <p>Why by hand rather than ND4J's SameDiff: the trainer's forward pass must compute exactly what the serving
 * stepper computes, and serving uses the pure-Java kernel with its own rational tanh ({@code Activations}) and
 * summation order ({@code MatVec}). Reusing those here makes the forward pass bit-identical to serving, which no
 * graph engine would be. Speed does not argue for SameDiff either: its per-op overhead is tens of microseconds
 * (see FACTS.md), and a window step at H = 64 costs a few microseconds here. The gradients are proved by the
 * finite-difference check in {@code GradientCheckTest}.
 *
 * <p>The forward pass for step s (series row i = start + s) feeds input row i; its head's S outputs aim at
 * target row i, prepared by the trainer (a forecast of step k aims at the value of row i + k, normalised with the
 * key's statistics at row i, with which serving denormalises it; NaN where the series has no such row). The loss
 * is the sum of squared errors over the targets that exist; {@link #backward} adds the gradient of
 * {@code lossScale} times it to a gradient buffer, assuming no gradient flows in from after the window
 * (truncation).
 *
 * <p>Activation derivatives use the identities of the exact functions ({@code tanh' = 1 - tanh^2},
 * {@code sigmoid' = s (1 - s)}) evaluated on the outputs of the rational approximations; the approximations are
 * within 4e-7 of the exact functions, far below what training can notice.
 *
 * <p>Not thread-safe: holds the activations of the last forward pass. One per thread; reusable for any number of
 * windows up to the length it was made for.
 */
public final class WindowPass {

    private final int layers;
    private final int hidden;
    private final int inputCount;
    private final int outputCount;
    private final int gates;
    private final boolean resetAfter;
    private final int maxLength;

    private final float[][][] states;
    private final float[][][] reset;
    private final float[][][] update;
    private final float[][][] candidate;
    private final float[][][] auxiliary;
    private final float[][] inputs;
    private final float[][] outputs;
    private final float[] targetValues;

    private final float[] inputGates;
    private final float[] hiddenGates;
    private final float[] candidateHidden;
    private final float[][] next;
    private final float[] delta;
    private final float[] below;
    private final float[] previousDelta;
    private final float[] resetDelta;
    private final float[] updateDelta;
    private final float[] candidateDelta;
    private final float[] resetHiddenDelta;
    private final float[] inputGateDelta;
    private final float[] hiddenGateDelta;
    private final float[] outputDelta;

    private int windowLength;
    private int terms;

    /** Buffers for windows of up to {@code maxLength} steps of a model of {@code spec}'s shape. */
    public WindowPass(ModelSpec spec, int maxLength) {
        this.layers = spec.numLayers();
        this.hidden = spec.hiddenSize();
        this.inputCount = spec.inputCount();
        this.outputCount = spec.headSize();
        this.gates = 3 * hidden;
        this.resetAfter = spec.gateVariant() == GateVariant.RESET_AFTER;
        this.maxLength = maxLength;
        states = new float[layers][maxLength + 1][hidden];
        reset = new float[layers][maxLength][hidden];
        update = new float[layers][maxLength][hidden];
        candidate = new float[layers][maxLength][hidden];
        auxiliary = new float[layers][maxLength][hidden];
        inputs = new float[maxLength][inputCount];
        outputs = new float[maxLength][outputCount];
        targetValues = new float[maxLength * outputCount];
        int hiddenWidth = resetAfter ? gates : 2 * hidden;
        inputGates = new float[gates];
        hiddenGates = new float[hiddenWidth];
        candidateHidden = new float[hidden];
        next = new float[layers][hidden];
        delta = new float[hidden];
        below = new float[hidden];
        previousDelta = new float[hidden];
        resetDelta = new float[hidden];
        updateDelta = new float[hidden];
        candidateDelta = new float[hidden];
        resetHiddenDelta = new float[hidden];
        inputGateDelta = new float[gates];
        hiddenGateDelta = new float[hiddenWidth];
        outputDelta = new float[outputCount];
    }

    /**
     * Runs steps {@code start .. start + length - 1} of a series from {@code initialState} and returns the sum of
     * squared errors of their forecasts, over the {@link #terms()} targets that exist.
     *
     * @param seriesInputs the series' model inputs, row-major [rows, inputCount]
     * @param seriesTargets the targets of each row's head outputs, row-major [rows, headSize]; NaN for none
     * @param initialState [layers * hidden], layer 0 first; not changed
     */
    public double forward(GruParameters parameters, float[] seriesInputs, float[] seriesTargets, int start,
            int length, float[] initialState) {
        if (length < 1 || length > maxLength) {
            throw new IllegalArgumentException("length: expected 1.." + maxLength + ", found " + length);
        }
        windowLength = length;
        terms = 0;
        for (int k = 0; k < layers; k++) {
            System.arraycopy(initialState, k * hidden, states[k][0], 0, hidden);
        }
        double loss = 0;
        for (int s = 0; s < length; s++) {
            int row = start + s;
            System.arraycopy(seriesInputs, row * inputCount, inputs[s], 0, inputCount);
            float[] layerInput = inputs[s];
            for (int k = 0; k < layers; k++) {
                cell(parameters, k, s, layerInput);
                layerInput = states[k][s + 1];
            }
            float[] top = states[layers - 1][s + 1];
            for (int o = 0; o < outputCount; o++) {
                float sum = parameters.headBias[o];
                float[] weights = parameters.headWeight[o];
                for (int j = 0; j < hidden; j++) {
                    sum += weights[j] * top[j];
                }
                outputs[s][o] = sum;
                float target = seriesTargets[row * outputCount + o];
                targetValues[s * outputCount + o] = target;
                if (!Float.isNaN(target)) {
                    double error = sum - target;
                    loss += error * error;
                    terms++;
                }
            }
        }
        return loss;
    }

    /** How many targets (not NaN) the last forward pass's loss sums over. */
    public int terms() {
        return terms;
    }

    /** Head output {@code output} at step {@code step} of the last forward pass. */
    public float output(int step, int output) {
        return outputs[step][output];
    }

    /** Copies the state after the last step of the last forward pass into {@code out} [layers * hidden]. */
    public void finalState(float[] out) {
        for (int k = 0; k < layers; k++) {
            System.arraycopy(states[k][windowLength], 0, out, k * hidden, hidden);
        }
    }

    /**
     * Adds the gradient of {@code lossScale} times the last forward pass's loss to {@code gradient}.
     *
     * @param rows {@code parameters}' weights row by row, refreshed since they last changed
     */
    public void backward(GruParameters parameters, RowMajorWeights rows, float lossScale, GruParameters gradient) {
        if (windowLength == 0) {
            throw new IllegalStateException("backward before forward");
        }
        for (int k = 0; k < layers; k++) {
            Arrays.fill(next[k], 0f);
        }
        for (int s = windowLength - 1; s >= 0; s--) {
            float[] top = states[layers - 1][s + 1];
            for (int o = 0; o < outputCount; o++) {
                float target = targetValues[s * outputCount + o];
                outputDelta[o] = Float.isNaN(target) ? 0f : 2f * (outputs[s][o] - target) * lossScale;
            }
            System.arraycopy(next[layers - 1], 0, delta, 0, hidden);
            for (int o = 0; o < outputCount; o++) {
                float dy = outputDelta[o];
                gradient.headBias[o] += dy;
                float[] headGradient = gradient.headWeight[o];
                float[] headWeight = parameters.headWeight[o];
                for (int j = 0; j < hidden; j++) {
                    headGradient[j] += dy * top[j];
                    delta[j] += dy * headWeight[j];
                }
            }
            for (int k = layers - 1; k >= 0; k--) {
                if (k < layers - 1) {
                    for (int j = 0; j < hidden; j++) {
                        delta[j] = below[j] + next[k][j];
                    }
                }
                cellBackward(parameters, rows, gradient, k, s);
            }
        }
    }

    /** One GRU cell forward, step s of layer k, exactly as the serving stepper computes it. */
    private void cell(GruParameters p, int k, int s, float[] x) {
        int h = hidden;
        float[] previous = states[k][s];
        float[] gi = inputGates;
        float[] gh = hiddenGates;
        System.arraycopy(p.inputBias[k], 0, gi, 0, gates);
        MatVec.accumulate(x, 0, p.inputWeights[k], gi);
        System.arraycopy(p.hiddenBias[k], 0, gh, 0, gh.length);
        MatVec.accumulate(previous, 0, p.hiddenWeights[k], gh);
        for (int i = 0; i < 2 * h; i++) {
            gi[i] = Activations.sigmoid(gi[i] + gh[i]);
        }
        float[] r = reset[k][s];
        float[] z = update[k][s];
        float[] n = candidate[k][s];
        float[] aux = auxiliary[k][s];
        System.arraycopy(gi, 0, r, 0, h);
        System.arraycopy(gi, h, z, 0, h);
        System.arraycopy(gi, 2 * h, n, 0, h);
        if (resetAfter) {
            System.arraycopy(gh, 2 * h, aux, 0, h);
            for (int i = 0; i < h; i++) {
                n[i] = Activations.tanh(n[i] + r[i] * aux[i]);
            }
        } else {
            for (int i = 0; i < h; i++) {
                aux[i] = r[i] * previous[i];
            }
            float[] nh = candidateHidden;
            System.arraycopy(p.hiddenBias[k], 2 * h, nh, 0, h);
            MatVec.accumulate(aux, 0, p.candidateWeights[k], nh);
            for (int i = 0; i < h; i++) {
                n[i] = Activations.tanh(n[i] + nh[i]);
            }
        }
        float[] out = states[k][s + 1];
        for (int i = 0; i < h; i++) {
            out[i] = (1.0f - z[i]) * n[i] + z[i] * previous[i];
        }
    }

    /**
     * One GRU cell backward, step s of layer k, given the loss gradient w.r.t. its output state in {@code delta}.
     * Leaves the gradient w.r.t. its previous state in {@code next[k]} and, above layer 0, w.r.t. its input in
     * {@code below}.
     */
    private void cellBackward(GruParameters p, RowMajorWeights rows, GruParameters g, int k, int s) {
        int h = hidden;
        float[] previous = states[k][s];
        float[] x = k == 0 ? inputs[s] : states[k - 1][s + 1];
        float[] r = reset[k][s];
        float[] z = update[k][s];
        float[] n = candidate[k][s];
        float[] aux = auxiliary[k][s];
        float[] dh = delta;
        float[] dPrevious = previousDelta;
        float[] dr = resetDelta;
        float[] dz = updateDelta;
        float[] dn = candidateDelta;
        for (int i = 0; i < h; i++) {
            dn[i] = dh[i] * (1f - z[i]) * (1f - n[i] * n[i]);
            dz[i] = dh[i] * (previous[i] - n[i]) * z[i] * (1f - z[i]);
            dPrevious[i] = dh[i] * z[i];
        }
        float[] dgh = hiddenGateDelta;
        if (resetAfter) {
            for (int i = 0; i < h; i++) {
                dr[i] = dn[i] * aux[i] * r[i] * (1f - r[i]);
            }
            float[] scaled = resetHiddenDelta;
            for (int i = 0; i < h; i++) {
                scaled[i] = dn[i] * r[i];
            }
            System.arraycopy(scaled, 0, dgh, 2 * h, h);
        } else {
            float[] dResetHidden = resetHiddenDelta;
            Arrays.fill(dResetHidden, 0f);
            addRows(dn, rows.candidateRows[k], dResetHidden);
            for (int i = 0; i < h; i++) {
                dr[i] = dResetHidden[i] * previous[i] * r[i] * (1f - r[i]);
                dPrevious[i] += dResetHidden[i] * r[i];
            }
            addOuter(aux, dn, g.candidateWeights[k]);
            float[] bias = g.hiddenBias[k];
            for (int i = 0; i < h; i++) {
                bias[2 * h + i] += dn[i];
            }
        }
        System.arraycopy(dr, 0, dgh, 0, h);
        System.arraycopy(dz, 0, dgh, h, h);
        float[] dgi = inputGateDelta;
        System.arraycopy(dr, 0, dgi, 0, h);
        System.arraycopy(dz, 0, dgi, h, h);
        System.arraycopy(dn, 0, dgi, 2 * h, h);

        addOuter(x, dgi, g.inputWeights[k]);
        add(dgi, g.inputBias[k]);
        addOuter(previous, dgh, g.hiddenWeights[k]);
        add(dgh, g.hiddenBias[k]);
        addRows(dgh, rows.hiddenRows[k], dPrevious);
        if (k > 0) {
            Arrays.fill(below, 0f);
            addRows(dgi, rows.inputRows[k], below);
        }
        System.arraycopy(dPrevious, 0, next[k], 0, h);
    }

    /** {@code acc += sum_i coefficients[i] * rows[i]}. */
    private static void addRows(float[] coefficients, float[][] rows, float[] acc) {
        for (int i = 0; i < rows.length; i++) {
            float c = coefficients[i];
            float[] row = rows[i];
            for (int j = 0; j < acc.length; j++) {
                acc[j] += c * row[j];
            }
        }
    }

    /** {@code columns[j] += x[j] * d} for every input j: the gradient of a transposed weight matrix. */
    private static void addOuter(float[] x, float[] d, float[][] columns) {
        for (int j = 0; j < columns.length; j++) {
            float xj = x[j];
            float[] column = columns[j];
            for (int i = 0; i < column.length; i++) {
                column[i] += xj * d[i];
            }
        }
    }

    /** {@code acc[i] += d[i]} for every index of {@code d}. */
    private static void add(float[] d, float[] acc) {
        for (int i = 0; i < d.length; i++) {
            acc[i] += d[i];
        }
    }
}
