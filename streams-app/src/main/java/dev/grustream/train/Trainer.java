package dev.grustream.train;

import dev.grustream.config.OperatorException;
import dev.grustream.forecast.Accuracy;
import dev.grustream.forecast.ForecastRules;
import dev.grustream.model.GruModel;
import dev.grustream.model.KeyStats;
import dev.grustream.model.ModelSpec;
import dev.grustream.model.Normalization;
import dev.grustream.model.PerKeyScaling;
import dev.grustream.train.internals.Adam;
import dev.grustream.train.internals.GruParameters;
import dev.grustream.train.internals.Replay;
import dev.grustream.train.internals.RowMajorWeights;
import dev.grustream.train.internals.WindowPass;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.LongSupplier;

/**
 * Fits a GRU forecaster to the history of many keys: one-step-ahead mean squared error in normalised units,
 * truncated back-propagation through time, Adam, gradient clipping by global norm, early stopping on a
 * validation split by time.
 *
 * <p>How a run goes:
 * <ol>
 *   <li>The last {@code validationFraction} of every series is held out. The normalisation statistics come from
 *       the training part: per-feature mean and standard deviation of the raw values (fixed), or of the values
 *       standardised by each key's running statistics (per key; see {@code Normalization}).</li>
 *   <li>Each series' training steps are cut into consecutive windows of {@code window} steps. A step feeds a
 *       row as the service feeds it (normalised, with its calendar inputs) and targets the next {@code horizon}
 *       rows' targets, normalised with the key's statistics at that step, with which the service denormalises
 *       its forecasts; per-key targets are clamped like inputs, which keeps spikes from dominating the loss.</li>
 *   <li>Every epoch shuffles the windows and applies one Adam step per batch of {@code batch} windows. A window
 *       starts from the state its key had before it in the latest validation pass, so the model learns from
 *       the states serving will give it, without back-propagating across windows.</li>
 *   <li>After every epoch the model is replayed over every series exactly as the service would run it (through the
 *       forecasting core, from a new key's state), which scores the validation rows (every step's squared error) and
 *       refreshes the windows' starting states. The best epoch's model is kept; training stops after {@code patience}
 *       epochs without improvement.</li>
 * </ol>
 *
 * <p>Reproducible: the same configuration and data give the same weights to the bit, whatever the number of
 * threads. Each window's gradient is computed by one thread into its own buffer and the buffers are summed in
 * batch order; float arithmetic in Java is exactly specified, and random numbers come from a seeded
 * {@link Random}, whose algorithm is specified.
 *
 * <p>Not thread-safe; a trainer may run any number of times, one at a time.
 */
public final class Trainer {

    private final TrainingConfig config;
    private final LongSupplier ticker;

    /** A trainer timing itself with {@link System#nanoTime()}. */
    public Trainer(TrainingConfig config) {
        this(config, System::nanoTime);
    }

    /** A trainer reading elapsed time from {@code ticker} (nanoseconds). */
    public Trainer(TrainingConfig config, LongSupplier ticker) {
        this.config = config;
        this.ticker = ticker;
    }

    /**
     * Trains a model on {@code series} and returns the best one with its record.
     *
     * @throws IllegalArgumentException if a series does not have one value per feature per row, or no series has
     *     enough rows to train on
     */
    public TrainingResult train(List<TrainingSeries> series, TrainingListener listener) {
        long start = ticker.getAsLong();
        ModelSpec shape = config.model();
        int featureCount = shape.featureCount();
        List<TrainingSeries> kept = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        for (TrainingSeries one : series) {
            if (one.features() != featureCount) {
                throw new IllegalArgumentException(one.key() + ": expected " + featureCount + " features per row "
                        + shape.features() + ", found " + one.features());
            }
            if (split(one.rows()) >= 2) {
                kept.add(one);
            } else {
                skipped.add(one.key());
            }
        }
        if (kept.isEmpty()) {
            throw new IllegalArgumentException("no series has enough rows to train on: each needs at least 2"
                    + " training rows after the validation split of " + config.validationFraction() + " (series: "
                    + series.size() + ")");
        }
        ModelSpec spec = shape.toBuilder().normalization(normalization(kept)).build();
        ExecutorService pool = config.threads() > 1 ? Executors.newFixedThreadPool(config.threads(), task -> {
            Thread thread = new Thread(task, "gru-stream-train");
            thread.setDaemon(true);
            return thread;
        }) : null;
        try {
            return new Run(spec, kept, skipped, pool, listener, start).train();
        } finally {
            if (pool != null) {
                pool.shutdownNow();
            }
        }
    }

    /** The first validation row of a series of {@code rows} rows ({@code rows} without validation). */
    private int split(int rows) {
        if (config.validationFraction() == 0) {
            return rows;
        }
        return rows - Math.max(1, (int) Math.round(rows * config.validationFraction()));
    }

    /**
     * Reads row {@code i} of {@code one} into {@code row} as the normalisation's statistics take it: the raw values
     * for the fixed scheme (in double: a float keeps only 24 bits, so a series near 1e12 would lose its spread), else
     * the values standardised with the key's statistics {@code stats}, which it then advances by the row.
     */
    private static void statisticsRow(TrainingSeries one, int i, Normalization unit, KeyStats stats, double[] row,
            float[] standardised) {
        one.copyRow(i, row);
        if (unit.perKey().isEmpty()) {
            return;
        }
        unit.normaliseRow(row, stats, standardised, 0);
        unit.update(row, stats);
        for (int f = 0; f < row.length; f++) {
            row[f] = standardised[f];
        }
    }

    /** The normalisation fitted to the training rows: statistics of raw values, or of per-key standardised ones. */
    private Normalization normalization(List<TrainingSeries> series) {
        int features = config.model().featureCount();
        PerKeyScaling scaling = config.model().normalization().perKey().orElse(null);
        // The unit normalisation maps each row to exactly what the model's normalisation will standardise.
        Normalization unit = TrainingConfig.unitNormalization(features, scaling);
        double[] sum = new double[features];
        double[] sumOfSquares = new double[features];
        long count = 0;
        double[] row = new double[features];
        float[] standardised = new float[features];
        for (TrainingSeries one : series) {
            KeyStats stats = unit.newKeyStats();
            for (int i = 0; i < split(one.rows()); i++) {
                stats = expiresAt(config.rules(), one, i) ? unit.newKeyStats() : stats;
                statisticsRow(one, i, unit, stats, row, standardised);
                for (int f = 0; f < features; f++) {
                    sum[f] += row[f];
                }
                count++;
            }
        }
        double[] mean = new double[features];
        for (int f = 0; f < features; f++) {
            mean[f] = sum[f] / count;
        }
        for (TrainingSeries one : series) {
            KeyStats stats = unit.newKeyStats();
            for (int i = 0; i < split(one.rows()); i++) {
                stats = expiresAt(config.rules(), one, i) ? unit.newKeyStats() : stats;
                statisticsRow(one, i, unit, stats, row, standardised);
                for (int f = 0; f < features; f++) {
                    double d = row[f] - mean[f];
                    sumOfSquares[f] += d * d;
                }
            }
        }
        double[] std = new double[features];
        for (int f = 0; f < features; f++) {
            double value = Math.sqrt(sumOfSquares[f] / count);
            // A feature that never varies carries no information; any positive scale keeps it finite.
            std[f] = value > 0 && Double.isFinite(value) ? value : 1.0;
        }
        return scaling == null ? Normalization.fixed(mean, std) : Normalization.perKey(mean, std, scaling);
    }

    /** The state of one training run. */
    private final class Run {
        private final ModelSpec spec;
        private final List<TrainingSeries> series;
        private final List<String> skipped;
        private final ExecutorService pool;
        private final TrainingListener listener;
        private final long start;
        private final Random random;
        private final int[] splits;
        private final float[][] inputs;
        private final float[][] targets;
        private final int[] windowSeries;
        private final int[] windowStart;
        private final int[] windowLength;
        private final int[] firstWindow;
        private final float[][] startStates;
        private final GruParameters parameters;
        private final GruParameters best;
        private final RowMajorWeights rows;
        private final Adam adam;
        private final GruParameters[] gradients;
        private final GruParameters total;
        private final double[] losses;
        private final int[] terms;
        private final ThreadLocal<WindowPass> passes;
        private final long trainRows;
        private final long validationRows;

        Run(ModelSpec spec, List<TrainingSeries> series, List<String> skipped, ExecutorService pool,
                TrainingListener listener, long start) {
            this.spec = spec;
            this.series = series;
            this.skipped = skipped;
            this.pool = pool;
            this.listener = listener;
            this.start = start;
            this.random = new Random(config.seed());
            int count = series.size();
            splits = new int[count];
            inputs = new float[count][];
            targets = new float[count][];
            firstWindow = new int[count + 1];
            List<int[]> windows = new ArrayList<>();
            long trainRowCount = 0;
            long validationRowCount = 0;
            for (int s = 0; s < count; s++) {
                TrainingSeries one = series.get(s);
                splits[s] = split(one.rows());
                inputs[s] = new float[arraySize(one, splits[s], spec.inputCount())];
                targets[s] = new float[arraySize(one, splits[s], spec.headSize())];
                prepare(spec, config.rules(), one, splits[s], inputs[s], targets[s]);
                trainRowCount += splits[s];
                validationRowCount += one.rows() - splits[s];
                firstWindow[s] = windows.size();
                // A window ends where the service restarts the key (state.reset.gap.ms), short of the row before
                // the restart, whose targets all lie beyond it; the next one starts there from the zero state, as the
                // key does.
                int steps = splits[s] - 1;
                int segmentStart = 0;
                for (int row = 1; row <= steps; row++) {
                    boolean restart = restartsAt(config.rules(), one, row);
                    if (row == steps || restart) {
                        int end = restart ? row - 1 : row;
                        for (int from = segmentStart; from < end; from += config.window()) {
                            windows.add(new int[] {s, from, Math.min(config.window(), end - from)});
                        }
                        segmentStart = row;
                    }
                }
            }
            firstWindow[count] = windows.size();
            if (windows.isEmpty()) {
                throw new IllegalArgumentException("no training row has a next row before its key restarts: every"
                        + " row comes more than state.reset.gap.ms (" + config.rules().resetGapMs() + " ms) or"
                        + " state.ttl.ms (" + config.rules().stateTtlMs() + " ms) after the one before, as the"
                        + " service would restart the key; raise them with --set state.reset.gap.ms=... and --set"
                        + " state.ttl.ms=...");
            }
            trainRows = trainRowCount;
            validationRows = validationRowCount;
            windowSeries = windows.stream().mapToInt(window -> window[0]).toArray();
            windowStart = windows.stream().mapToInt(window -> window[1]).toArray();
            windowLength = windows.stream().mapToInt(window -> window[2]).toArray();
            startStates = new float[windows.size()][spec.stateSize()];
            parameters = GruParameters.random(spec, random);
            best = GruParameters.zerosLike(parameters);
            best.copyFrom(parameters);
            rows = new RowMajorWeights(parameters);
            rows.refresh(parameters);
            adam = new Adam(parameters);
            int batch = Math.min(config.batch(), windows.size());
            // One gradient per window of a batch: beyond the heap, the run would end in an OutOfMemoryError.
            long gradientBytes = (long) batch * parameters.count() * Float.BYTES;
            if (gradientBytes > Runtime.getRuntime().maxMemory() / 2) {
                throw new IllegalArgumentException("--batch " + batch + " keeps a gradient of the model's "
                        + parameters.count() + " parameters per window, " + (gradientBytes >> 20) + " MiB, more than"
                        + " half of the " + (Runtime.getRuntime().maxMemory() >> 20) + " MiB this JVM may take:"
                        + " lower --batch, or give the JVM more (GRU_STREAM_JAVA_OPTS=-Xmx...)");
            }
            gradients = new GruParameters[batch];
            for (int b = 0; b < batch; b++) {
                gradients[b] = GruParameters.zerosLike(parameters);
            }
            total = GruParameters.zerosLike(parameters);
            losses = new double[batch];
            terms = new int[batch];
            // As long as the longest window built, not --window: a window longer than every series is allowed.
            int longest = Arrays.stream(windowLength).max().getAsInt();
            passes = ThreadLocal.withInitial(() -> new WindowPass(spec, longest));
        }

        TrainingResult train() {
            int windows = windowSeries.length;
            int batches = (windows + gradients.length - 1) / gradients.length;
            DataSummary data = new DataSummary(series.size(), trainRows, validationRows, windows, batches,
                    parameters.count());
            long epochStart = ticker.getAsLong();
            Validation validation = validate(parameters.toModel(spec));
            List<EpochReport> reports = new ArrayList<>();
            reports.add(new EpochReport(0, Double.NaN, validation.loss, validation.persistenceLoss,
                    validation.mase, true, config.learningRate(), ticker.getAsLong() - epochStart));
            listener.started(data, reports.get(0));
            Validation bestValidation = validation;
            int bestEpoch = 0;
            long trainingNanos = 0;
            long trainedRows = 0;
            int[] order = new int[windows];
            for (int w = 0; w < windows; w++) {
                order[w] = w;
            }
            for (int epoch = 1; epoch <= config.epochs() && epoch - bestEpoch <= config.patience(); epoch++) {
                epochStart = ticker.getAsLong();
                shuffle(order);
                double squaredSum = 0;
                long termCount = 0;
                for (int b = 0; b < batches; b++) {
                    int from = b * gradients.length;
                    int count = Math.min(gradients.length, windows - from);
                    long steps = 0;
                    for (int i = 0; i < count; i++) {
                        steps += windowLength[order[from + i]];
                    }
                    BatchLoss loss = step(order, from, count, steps);
                    squaredSum += loss.squared();
                    termCount += loss.terms();
                    trainedRows += steps;
                    listener.batch(epoch, b + 1, batches, loss.mean());
                }
                trainingNanos += ticker.getAsLong() - epochStart;
                validation = validate(parameters.toModel(spec));
                if (validationRows > 0 && Double.isNaN(validation.loss)) {
                    throw new IllegalArgumentException("training diverged at epoch " + epoch + " (the validation"
                            + " loss is NaN); try a smaller --learning-rate or --clip");
                }
                boolean improved = validationRows == 0 || validation.loss < bestValidation.loss;
                if (improved) {
                    best.copyFrom(parameters);
                    bestValidation = validation;
                    bestEpoch = epoch;
                }
                EpochReport report = new EpochReport(epoch, squaredSum / termCount, validation.loss,
                        validation.persistenceLoss, validation.mase, improved, config.learningRate(),
                        ticker.getAsLong() - epochStart);
                reports.add(report);
                listener.epoch(report);
            }
            if (validationRows > 0 && bestEpoch == 0) {
                throw new IllegalArgumentException("no epoch improved on the validation loss of the initial weights ("
                        + bestValidation.loss + "), so there is no trained model to write; try another"
                        + " --learning-rate, more --epochs or a larger --patience");
            }
            return new TrainingResult(best.toModel(spec), data, reports, bestEpoch, bestValidation.accuracy,
                    skipped, ticker.getAsLong() - start, trainingNanos, trainedRows);
        }

        /** One optimiser step over windows {@code order[from .. from + count)}; returns their loss. */
        private BatchLoss step(int[] order, int from, int count, long steps) {
            // The gradient is scaled per output slot, missing targets included, as the bundled model was trained;
            // the loss reported is the mean over the targets that exist, as validation's is.
            float lossScale = 1f / (steps * spec.headSize());
            List<Callable<Void>> tasks = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                int slot = i;
                int window = order[from + i];
                tasks.add(() -> {
                    WindowPass pass = passes.get();
                    GruParameters gradient = gradients[slot];
                    gradient.clear();
                    losses[slot] = pass.forward(parameters, inputs[windowSeries[window]],
                            targets[windowSeries[window]], windowStart[window], windowLength[window],
                            startStates[window]);
                    terms[slot] = pass.terms();
                    pass.backward(parameters, rows, lossScale, gradient);
                    return null;
                });
            }
            runAll(tasks);
            total.copyFrom(gradients[0]);
            double loss = losses[0];
            long lossTerms = terms[0];
            for (int i = 1; i < count; i++) {
                total.add(gradients[i]);
                loss += losses[i];
                lossTerms += terms[i];
            }
            double norm = total.norm();
            if (!Double.isFinite(norm)) {
                throw new OperatorException("training diverged: the gradient's norm is " + norm
                        + "; try a lower learning rate (" + config.learningRate() + ") or gradient clip ("
                        + config.clipNorm() + ")");
            }
            if (norm > config.clipNorm()) {
                total.scale((float) (config.clipNorm() / norm));
            }
            adam.step(parameters, total, config.learningRate());
            rows.refresh(parameters);
            return new BatchLoss(loss, lossTerms);
        }

        /**
         * Replays every series with {@code model} as the service would, scoring the validation rows and recording
         * the state before every training window.
         */
        private Validation validate(GruModel model) {
            List<Callable<Replay.Totals>> tasks = new ArrayList<>();
            for (int s = 0; s < series.size(); s++) {
                int index = s;
                tasks.add(() -> {
                    int[] recordRows = Arrays.copyOfRange(windowStart, firstWindow[index], firstWindow[index + 1]);
                    try (Replay replay = new Replay(model, config.rules())) {
                        return replay.run(series.get(index), splits[index], recordRows, startStates,
                                firstWindow[index]);
                    }
                });
            }
            List<Replay.Totals> results = runAll(tasks);
            double squared = 0;
            double naiveSquared = 0;
            long terms = 0;
            Map<String, List<Accuracy>> accuracy = new LinkedHashMap<>();
            List<Double> mases = new ArrayList<>();
            for (int s = 0; s < series.size(); s++) {
                Replay.Totals totals = results.get(s);
                List<Accuracy> perTarget = new ArrayList<>();
                for (int t = 0; t < spec.targetCount(); t++) {
                    squared += totals.squaredError(t);
                    naiveSquared += totals.naiveSquaredError(t);
                    terms += totals.squaredTerms(t);
                    perTarget.add(totals.oneStep(t));
                }
                accuracy.put(series.get(s).key(), perTarget);
                double mase = perTarget.get(0).mase();
                if (!Double.isNaN(mase)) {
                    mases.add(mase);
                }
            }
            if (validationRows > 0 && terms == 0) {
                throw new IllegalArgumentException("none of the " + validationRows + " validation rows could be"
                        + " scored: each starts its key afresh, as the service restarts a key whose events are further"
                        + " apart than state.reset.gap.ms (" + config.rules().resetGapMs() + " ms) or state.ttl.ms ("
                        + config.rules().stateTtlMs() + " ms); raise them with --set, or train without validation"
                        + " (--validation 0)");
            }
            return new Validation(squared / terms, naiveSquared / terms, median(mases), accuracy);
        }

        private <T> List<T> runAll(List<Callable<T>> tasks) {
            List<T> results = new ArrayList<>();
            try {
                if (pool == null) {
                    for (Callable<T> task : tasks) {
                        results.add(task.call());
                    }
                    return results;
                }
                for (Future<T> future : pool.invokeAll(tasks)) {
                    results.add(future.get());
                }
                return results;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("training was interrupted", e);
            } catch (ExecutionException e) {
                throw e.getCause() instanceof RuntimeException runtime ? runtime
                        : new IllegalStateException(e.getCause());
            } catch (Exception e) {
                throw e instanceof RuntimeException runtime ? runtime : new IllegalStateException(e);
            }
        }

        /** Fisher-Yates with the run's seeded random. */
        private void shuffle(int[] order) {
            for (int i = order.length - 1; i > 0; i--) {
                int j = random.nextInt(i + 1);
                int swap = order[i];
                order[i] = order[j];
                order[j] = swap;
            }
        }
    }

    /** {@code rows} rows of {@code width} values each, as one array's length. */
    static int arraySize(TrainingSeries series, int rows, int width) {
        long size = (long) rows * width;
        if (size > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("key " + series.key() + " has " + rows + " training rows of "
                    + width + " values, more than one array holds; train on less of its history or split it");
        }
        return (int) size;
    }

    /**
     * Writes the model inputs of rows {@code [0, split)} of a series, as the service will feed them, and the targets
     * of each row's head outputs: for step k and target t, row {@code i + k}'s value normalised with the key's
     * statistics after row i. A target beyond the split, or at or beyond a row where the service restarts the key
     * ({@code rules}' state.reset.gap.ms), is NaN, which the loss leaves out: the service neither forecasts across a
     * restart with the state before it nor scores such forecasts.
     */
    static void prepare(ModelSpec spec, ForecastRules rules, TrainingSeries one, int split, float[] inputs,
            float[] targets) {
        Normalization normalization = spec.normalization();
        int features = spec.featureCount();
        int outputs = spec.headSize();
        KeyStats stats = normalization.newKeyStats();
        double[] raw = new double[features];
        int[] restartAfter = new int[split];
        int restart = split;
        for (int i = split - 1; i >= 0; i--) {
            // Filled from the end: the first row after i where the key restarts, or the split.
            if (i + 1 < split && restartsAt(rules, one, i + 1)) {
                restart = i + 1;
            }
            restartAfter[i] = restart;
        }
        for (int i = 0; i < split; i++) {
            stats = expiresAt(rules, one, i) ? normalization.newKeyStats() : stats;
            one.copyRow(i, raw);
            spec.writeInputs(raw, stats, one.time(i), inputs, i * spec.inputCount());
            normalization.update(raw, stats);
            for (int o = 0; o < outputs; o++) {
                int row = i + o / spec.targetCount() + 1;
                int feature = spec.targetFeatureIndex(o % spec.targetCount());
                targets[i * outputs + o] = row < restartAfter[i]
                        ? normalization.normalise(feature, one.value(row, feature), stats) : Float.NaN;
            }
        }
    }

    /**
     * Whether the service restarts the key at {@code row}: its event comes over state.reset.gap.ms late, or the key
     * has expired ({@link #expiresAt}).
     */
    private static boolean restartsAt(ForecastRules rules, TrainingSeries one, int row) {
        return rules.restartsAfter(one.time(row - 1), one.time(row)) || expiresAt(rules, one, row);
    }

    /**
     * Whether the service takes the key at {@code row} as a new one, its statistics afresh: idle for longer than
     * state.ttl.ms, judged here by the key's own event times (in the service, by the stream time of its partition,
     * which the other keys there move too).
     */
    static boolean expiresAt(ForecastRules rules, TrainingSeries one, int row) {
        return row > 0 && rules.expiresAfter(one.time(row - 1), one.time(row));
    }

    /** What a validation pass measured. */
    private record Validation(double loss, double persistenceLoss, double mase,
            Map<String, List<Accuracy>> accuracy) {
    }

    private static double median(List<Double> values) {
        if (values.isEmpty()) {
            return Double.NaN;
        }
        double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        int middle = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }

    /** The squared errors of a batch's forecasts and how many targets they are over. */
    private record BatchLoss(double squared, long terms) {
        double mean() {
            return terms == 0 ? Double.NaN : squared / terms;
        }
    }
}
