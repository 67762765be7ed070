package dev.grustream.topology.internals;

import dev.grustream.avro.AnomalyAlert;
import dev.grustream.avro.Forecast;
import dev.grustream.avro.PendingObservation;
import dev.grustream.avro.Severity;
import dev.grustream.avro.StateReset;
import dev.grustream.model.Backend;
import dev.grustream.model.GruModel;
import dev.grustream.model.ModelSpec;
import dev.grustream.model.GruStepper;
import dev.grustream.model.KeyStats;
import dev.grustream.scoring.AlertLevel;
import dev.grustream.scoring.AlertPolicy;
import dev.grustream.scoring.AnomalyLikelihood;
import dev.grustream.scoring.RangeCheck;
import dev.grustream.scoring.ResidualScorer;
import dev.grustream.topology.DeadLetterReason;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.IntFunction;

/**
 * Advances a batch of buffered observations through the model: every key's observations strictly in arrival
 * order, many keys per model call.
 *
 * <p>The batch is cut into rounds: round r holds the r-th observation of every key that has more than r. Each round
 * is advanced in model calls of at most {@code maxBatch} keys. For each observation the runner checks it against its
 * key's state (lateness, features, range), scores it against the forecast made at the key's previous event (the
 * deviation of its errors, their anomaly likelihood, and the range rule, which scores 1), feeds it to the model, and
 * emits the new forecast, and an alert when the alert policy says so. Rejected observations are
 * emitted as dead letters. Because the model's result for a key does not depend on the other keys of a call, the
 * outputs are the same whatever the batch size: a replay after a crash reproduces them.
 *
 * <p>Not thread-safe: one instance belongs to one task. Reuses its arrays between batches and rebuilds its model
 * stepper when the active model changes.
 */
public final class BatchRunner implements AutoCloseable {

    /** Where the runner's results go. */
    public interface Sink {
        void forecast(PendingObservation observation, Forecast forecast, StateReset reset);

        void alert(PendingObservation observation, AnomalyAlert alert, AlertLevel level);

        void deadLetter(PendingObservation observation, DeadLetterReason reason, String message);

        void modelCall(int batch, long nanos);
    }

    private final Backend backend;
    private final int maxBatch;
    private final ResidualScorer scorer;
    private final IntFunction<AnomalyLikelihood> likelihoods;
    private final RangeCheck rangeCheck;
    private final AlertPolicy alertPolicy;
    private final long lateGraceMs;
    private final long resetGapMs;
    private final double maxAbsNormalized;

    private GruModel model;
    private GruStepper stepper;
    private AnomalyLikelihood likelihood;
    private ModelSpec spec;
    private Map<String, Integer> featureIndex;
    private int[] targetFeature;
    private double[] scale;
    private double[][] rawRows;
    private int features;
    private int targets;
    private int stateSize;
    private int horizon;

    private float[] inputs;
    private float[] states;
    private float[] outputs;
    private double[] errors;
    private double[] expected;
    private double[] actuals;
    private double[] surprises;
    private double[] scores;
    private boolean[] compared;
    private StateReset[] resets;
    private KeyState[] rowStates;
    private PendingObservation[] rowEvents;

    /**
     * @param likelihoods the anomaly likelihood for a model with the given number of targets
     */
    public BatchRunner(Backend backend, int maxBatch, ResidualScorer scorer,
            IntFunction<AnomalyLikelihood> likelihoods, RangeCheck rangeCheck, AlertPolicy alertPolicy,
            long lateGraceMs, long resetGapMs, double maxAbsNormalized) {
        this.backend = backend;
        this.maxBatch = maxBatch;
        this.scorer = scorer;
        this.likelihoods = likelihoods;
        this.rangeCheck = rangeCheck;
        this.alertPolicy = alertPolicy;
        this.lateGraceMs = lateGraceMs;
        this.resetGapMs = resetGapMs;
        this.maxAbsNormalized = maxAbsNormalized;
    }

    /**
     * Processes {@code batch} with {@code activeModel} and returns the states of the keys it touched, in first-seen
     * order, for the caller to store.
     *
     * @param loader reads a key's stored state, or returns null for a key without one
     */
    public Map<String, KeyState> run(List<PendingObservation> batch, GruModel activeModel,
            Function<String, KeyState> loader, Sink sink) {
        useModel(activeModel);
        Map<String, KeyState> touched = new LinkedHashMap<>();
        List<List<PendingObservation>> rounds = rounds(batch);
        for (List<PendingObservation> round : rounds) {
            for (int from = 0; from < round.size(); from += maxBatch) {
                advance(round.subList(from, Math.min(round.size(), from + maxBatch)), touched, loader, sink);
            }
        }
        return touched;
    }

    private static List<List<PendingObservation>> rounds(List<PendingObservation> batch) {
        Map<String, Integer> seen = new HashMap<>();
        List<List<PendingObservation>> rounds = new ArrayList<>();
        for (PendingObservation event : batch) {
            int round = seen.merge(event.getKey(), 1, Integer::sum) - 1;
            if (round == rounds.size()) {
                rounds.add(new ArrayList<>());
            }
            rounds.get(round).add(event);
        }
        return rounds;
    }

    private void advance(List<PendingObservation> events, Map<String, KeyState> touched,
            Function<String, KeyState> loader, Sink sink) {
        int rows = 0;
        for (PendingObservation event : events) {
            KeyState state = touched.containsKey(event.getKey())
                    ? touched.get(event.getKey()) : loader.apply(event.getKey());
            if (prepare(rows, event, state, touched, sink)) {
                rows++;
            }
        }
        if (rows == 0) {
            return;
        }
        long start = System.nanoTime();
        stepper.step(rows, inputs, states, outputs);
        sink.modelCall(rows, System.nanoTime() - start);
        for (int row = 0; row < rows; row++) {
            finish(row, sink);
        }
    }

    /** Checks and stages one observation in row {@code row}; returns false if it was dead-lettered instead. */
    private boolean prepare(int row, PendingObservation event, KeyState stored, Map<String, KeyState> touched,
            Sink sink) {
        long eventTime = event.getEventTime().toEpochMilli();
        if (stored != null && !inOrder(event, eventTime, stored.lastEventTime(), sink)) {
            return false;
        }
        double[] raw = rawRows[row];
        if (!readFeatures(event, raw, sink)) {
            return false;
        }
        StateReset reset = resetOf(stored, eventTime);
        // A gap keeps the key's feature statistics: the series' level and scale outlive a pause.
        KeyStats stats = (reset == StateReset.NONE || reset == StateReset.GAP) && stored.featureStats() != null
                ? stored.featureStats() : spec.normalization().newKeyStats();
        if (!normalise(event, raw, stats, row, sink)) {
            return false;
        }
        KeyState state = reset == StateReset.NONE
                ? stored : KeyState.fresh(spec.name(), spec.version(), stateSize, targets, stats);
        if (reset == StateReset.GAP) {
            state.keepRangeOf(stored);
        }
        touched.put(event.getKey(), state);

        for (int t = 0; t < targets; t++) {
            actuals[row * targets + t] = raw[targetFeature[t]];
        }
        boolean hasExpected = state.hasForecast();
        double surprise = Double.NaN;
        double score = 0.0;
        if (hasExpected) {
            for (int t = 0; t < targets; t++) {
                expected[row * targets + t] = state.forecast()[t];
                errors[row * targets + t] = raw[targetFeature[t]] - state.forecast()[t];
                scale[t] = spec.normalization().scale(targetFeature[t], stats);
            }
            double deviation = scorer.deviation(slice(errors, row), state.errorCount(), state.errorMean(),
                    state.errorMeanAbsDeviation(), scale);
            if (!Double.isNaN(deviation)) {
                surprise = likelihood.surprise(deviation);
                score = likelihood.likelihood(surprise, state.likelihoodCount(), state.likelihoodStats());
            }
            if (rangeCheck.isOutside(slice(actuals, row), state.rangeCount(), state.rangeMin(), state.rangeMax())) {
                score = 1.0;
            }
        }
        spec.normalization().update(raw, stats);
        System.arraycopy(state.hidden(), 0, states, row * stateSize, stateSize);
        compared[row] = hasExpected;
        surprises[row] = surprise;
        scores[row] = score;
        resets[row] = reset;
        rowStates[row] = state;
        rowEvents[row] = event;
        return true;
    }

    /** Whether the event comes after the key's last one (or within the grace); dead-letters it otherwise. */
    private boolean inOrder(PendingObservation event, long eventTime, long last, Sink sink) {
        if (eventTime == last) {
            sink.deadLetter(event, DeadLetterReason.DUPLICATE, "the key already has an event at " + event
                    .getEventTime() + "; a key's event times must increase");
            return false;
        }
        if (last - eventTime > lateGraceMs) {
            sink.deadLetter(event, DeadLetterReason.LATE, "event time " + event.getEventTime() + " is "
                    + (last - eventTime) + " ms before the key's last event (" + Instant.ofEpochMilli(last)
                    + "), more than the grace of " + lateGraceMs + " ms");
            return false;
        }
        return true;
    }

    private StateReset resetOf(KeyState stored, long eventTime) {
        if (stored == null) {
            return StateReset.NEW_KEY;
        }
        if (!stored.modelName().equals(spec.name()) || !stored.modelVersion().equals(spec.version())) {
            return StateReset.MODEL_CHANGE;
        }
        if (resetGapMs > 0 && eventTime - stored.lastEventTime() > resetGapMs) {
            return StateReset.GAP;
        }
        return StateReset.NONE;
    }

    /** Reads the model's features, in feature order, into {@code raw}; dead-letters the observation if it cannot. */
    private boolean readFeatures(PendingObservation event, double[] raw, Sink sink) {
        Map<String, Double> values = event.getFeatures();
        for (int f = 0; f < features; f++) {
            String name = spec.features().get(f);
            Double value = values.get(name);
            if (value == null) {
                sink.deadLetter(event, DeadLetterReason.MISSING_FEATURE, "feature '" + name
                        + "' is missing; the model expects exactly " + spec.features());
                return false;
            }
            if (!Double.isFinite(value)) {
                sink.deadLetter(event, DeadLetterReason.NOT_FINITE, "feature '" + name + "' is " + value
                        + "; values must be finite");
                return false;
            }
            raw[f] = value;
        }
        if (values.size() != features) {
            for (String name : values.keySet()) {
                if (!featureIndex.containsKey(name)) {
                    sink.deadLetter(event, DeadLetterReason.UNKNOWN_FEATURE, "feature '" + name
                            + "' is not a feature of the model; the model expects exactly " + spec.features());
                    return false;
                }
            }
        }
        return true;
    }

    /**
     * Normalises the raw row into row {@code row} of the model inputs with the key's statistics (before this
     * event); dead-letters the observation if a value would saturate the model.
     */
    private boolean normalise(PendingObservation event, double[] raw, KeyStats stats, int row, Sink sink) {
        spec.normalization().normaliseRow(raw, stats, inputs, row * features);
        for (int f = 0; f < features; f++) {
            float normalized = inputs[row * features + f];
            if (!Float.isFinite(normalized) || Math.abs(normalized) > maxAbsNormalized) {
                sink.deadLetter(event, DeadLetterReason.OUT_OF_RANGE, "feature '" + spec.features().get(f) + "' = "
                        + raw[f] + " is " + normalized + " after normalisation, beyond the accepted magnitude "
                        + maxAbsNormalized);
                return false;
            }
        }
        return true;
    }

    private void finish(int row, Sink sink) {
        KeyState state = rowStates[row];
        PendingObservation event = rowEvents[row];
        long eventTime = event.getEventTime().toEpochMilli();
        System.arraycopy(states, row * stateSize, state.hidden(), 0, stateSize);
        if (compared[row]) {
            state.errorCount(scorer.update(slice(errors, row), state.errorCount(), state.errorMean(),
                    state.errorVariance(), state.errorMeanAbsDeviation()));
        }
        if (!Double.isNaN(surprises[row])) {
            state.likelihoodCount(likelihood.update(surprises[row], state.likelihoodCount(),
                    state.likelihoodStats()));
        }
        state.rangeCount(rangeCheck.update(slice(actuals, row), state.rangeCount(), state.rangeMin(),
                state.rangeMax()));
        Map<String, List<Double>> forecast = new HashMap<>();
        int base = row * horizon * targets;
        for (int t = 0; t < targets; t++) {
            Double[] steps = new Double[horizon];
            for (int h = 0; h < horizon; h++) {
                steps[h] = spec.normalization().denormalise(targetFeature[t], outputs[base + h * targets + t],
                        state.featureStats());
            }
            state.forecast()[t] = steps[0];
            forecast.put(spec.targets().get(t), Arrays.asList(steps));
        }
        state.advanced(eventTime);
        state.scored(compared[row] ? scores[row] : Double.NaN);

        double score = scores[row];
        Map<String, Double> expectedByTarget = compared[row] ? byTarget(expected, row) : null;
        sink.forecast(event, Forecast.newBuilder()
                .setKey(event.getKey())
                .setEventTime(event.getEventTime())
                .setModelName(spec.name())
                .setModelVersion(spec.version())
                .setForecast(forecast)
                .setExpected(expectedByTarget)
                .setAnomalyScore(score)
                .setAnomalous(alertPolicy.isAnomalous(score))
                .setStep(state.step())
                .setStateReset(resets[row])
                .build(), resets[row]);

        AlertLevel level = alertPolicy.decide(score, state.step(), state.lastAlertTime(), eventTime);
        if (level != AlertLevel.NONE) {
            state.alerted(eventTime);
            Map<String, Double> actual = new HashMap<>();
            spec.targets().forEach(target -> actual.put(target, event.getFeatures().get(target)));
            sink.alert(event, AnomalyAlert.newBuilder()
                    .setKey(event.getKey())
                    .setEventTime(event.getEventTime())
                    .setActual(actual)
                    .setExpected(expectedByTarget)
                    .setAnomalyScore(score)
                    .setThreshold(alertPolicy.threshold())
                    .setSeverity(level == AlertLevel.CRITICAL ? Severity.CRITICAL : Severity.WARNING)
                    .setModelName(spec.name())
                    .setModelVersion(spec.version())
                    .build(), level);
        }
        rowStates[row] = null;
        rowEvents[row] = null;
    }

    private Map<String, Double> byTarget(double[] values, int row) {
        Map<String, Double> map = new HashMap<>();
        for (int t = 0; t < targets; t++) {
            map.put(spec.targets().get(t), values[row * targets + t]);
        }
        return map;
    }

    private double[] rowView;

    /** Copies row {@code row} of a row-major [rows x targets] array into a reused array. */
    private double[] slice(double[] values, int row) {
        System.arraycopy(values, row * targets, rowView, 0, targets);
        return rowView;
    }

    private void useModel(GruModel next) {
        if (next == model) {
            return;
        }
        close();
        model = next;
        spec = next.spec();
        features = spec.features().size();
        targets = spec.targets().size();
        stateSize = spec.numLayers() * spec.hiddenSize();
        horizon = spec.horizon();
        featureIndex = new HashMap<>();
        for (int f = 0; f < features; f++) {
            featureIndex.put(spec.features().get(f), f);
        }
        targetFeature = new int[targets];
        scale = new double[targets];
        for (int t = 0; t < targets; t++) {
            targetFeature[t] = featureIndex.get(spec.targets().get(t));
        }
        stepper = next.newStepper(backend);
        likelihood = likelihoods.apply(targets);
        inputs = new float[maxBatch * features];
        rawRows = new double[maxBatch][features];
        states = new float[maxBatch * stateSize];
        outputs = new float[maxBatch * horizon * targets];
        errors = new double[maxBatch * targets];
        expected = new double[maxBatch * targets];
        actuals = new double[maxBatch * targets];
        rowView = new double[targets];
        surprises = new double[maxBatch];
        scores = new double[maxBatch];
        compared = new boolean[maxBatch];
        resets = new StateReset[maxBatch];
        rowStates = new KeyState[maxBatch];
        rowEvents = new PendingObservation[maxBatch];
    }

    @Override
    public void close() {
        if (stepper != null) {
            stepper.close();
            stepper = null;
        }
    }
}
