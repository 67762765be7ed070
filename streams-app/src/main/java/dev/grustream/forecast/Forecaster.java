package dev.grustream.forecast;

import dev.grustream.avro.AlertRule;
import dev.grustream.avro.StateReset;
import dev.grustream.model.Backend;
import dev.grustream.model.GruModel;
import dev.grustream.model.GruStepper;
import dev.grustream.model.KeyStats;
import dev.grustream.model.ModelSpec;
import dev.grustream.model.Normalization;
import dev.grustream.scoring.AlertLevel;
import dev.grustream.scoring.AnomalyLikelihood;
import dev.grustream.scoring.ValueRange;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The forecasting core: advances each key's state by its observations and says, per observation, what became of it.
 * It knows nothing of Kafka; the topology, the backtest and training all advance keys through it.
 *
 * <p>Per observation, in order: refuse it if its key's state or the model condemns it ({@link Refusal}); restart the
 * key's state if it is new, made by another model or paused too long; score it against what was forecast for it
 * (the deviation of its errors in {@link dev.grustream.scoring.ErrorStats}: the one-step forecast's and, with a
 * horizon above 1 and learning on, the step-H forecast's; the {@link AnomalyLikelihood} of that deviation; and the
 * {@link ValueRange} rule, which scores 1); normalise it with the key's statistics; advance the GRU; let each
 * target's {@link Learner} learn from it; and forecast the key's next values with their intervals.
 *
 * <p>A batch is cut into rounds: round r holds the r-th observation of every key that has more than r, so each
 * key's observations are processed strictly in arrival order while one model call advances many keys. A key's
 * results depend only on its own observations and state, never on the batch it was advanced in: with the
 * {@link Backend#JAVA} backend they are bit-identical whatever the batch size, so a replay reproduces them.
 *
 * <p>Not thread-safe: one instance belongs to one task or thread. It reuses its arrays between batches and rebuilds
 * its model stepper when the model changes; {@link #close()} releases the stepper.
 */
public final class Forecaster implements AutoCloseable {
    /**
     * The largest magnitude of a feature value it accepts. A key's statistics square the differences between its
     * values, and a double holds squares only up to about 1.8e308: beyond this bound they could overflow and leave
     * the key a state that cannot be stored. No measurement is near it; a larger value is a fault upstream.
     */
    public static final double MAX_ABS_VALUE = 1e150;

    /** Where the outcome of each observation of a batch goes, by its index in the batch. */
    public interface Outcomes {
        /** Observation {@code index} was accepted. */
        void accepted(int index, Outcome outcome);

        /** Observation {@code index} was refused and changed nothing. */
        void refused(int index, Refusal refusal, String message);

        /** The model advanced {@code rows} keys in one call, in {@code nanos}. */
        default void modelCall(int rows, long nanos) {
        }

        /** Observation {@code index}, accepted, found its key idle past {@link ForecastRules#stateTtlMs}. */
        default void expired(int index) {
        }
    }

    private final ForecastRules rules;
    private final Backend backend;
    private final int maxBatch;

    private GruModel model;
    private GruStepper stepper;
    private ModelSpec spec;
    private Normalization normalization;
    private int features;
    private int inputCount;
    private int targets;
    private int stateSize;
    private int horizon;
    private int channels;
    private final Learner.Scratch scratch = new Learner.Scratch();
    private double[] learnt;
    private double[] halfWidth;
    private double[] halfWidthHigh;

    private float[] inputs;
    private float[] states;
    private float[] outputs;
    private double[][] raw;
    private double[][] actuals;
    private double[][] errors;
    private double[] scale;
    private double[] oneStep;
    private double[] surprises;
    private double[] scores;
    /** What gave each row its score. */
    private AlertRule[] scoredBy;
    private boolean[] compared;
    private StateReset[] resets;
    private KeyState[] rowStates;
    private int[] rowIndex;

    /**
     * @param backend where the model's arithmetic runs
     * @param maxBatch the most keys one model call advances
     */
    public Forecaster(ForecastRules rules, Backend backend, int maxBatch) {
        if (maxBatch < 1) {
            throw new IllegalArgumentException("maxBatch must be at least 1, found " + maxBatch);
        }
        this.rules = rules;
        this.backend = backend;
        this.maxBatch = maxBatch;
    }

    /**
     * Processes {@code batch} with {@code activeModel} and returns the states of the keys it advanced, in first-seen
     * order, for the caller to store. Keys whose every observation was refused are not among them.
     *
     * @param stored reads a key's stored state, or returns null for a key without one
     */
    public Map<String, KeyState> advance(List<Event> batch, GruModel activeModel, Function<String, KeyState> stored,
            Outcomes outcomes) {
        useModel(activeModel);
        Map<String, KeyState> touched = new LinkedHashMap<>();
        for (List<Integer> round : rounds(batch)) {
            for (int from = 0; from < round.size(); from += maxBatch) {
                advanceRows(batch, round.subList(from, Math.min(round.size(), from + maxBatch)), touched, stored,
                        outcomes);
            }
        }
        return touched;
    }

    /** The batch's indices cut into rounds: round r holds the r-th observation of each key that has more than r. */
    private static List<List<Integer>> rounds(List<Event> batch) {
        Map<String, Integer> seen = new HashMap<>();
        List<List<Integer>> rounds = new ArrayList<>();
        for (int i = 0; i < batch.size(); i++) {
            int round = seen.merge(batch.get(i).key(), 1, Integer::sum) - 1;
            if (round == rounds.size()) {
                rounds.add(new ArrayList<>());
            }
            rounds.get(round).add(i);
        }
        return rounds;
    }

    private void advanceRows(List<Event> batch, List<Integer> indices, Map<String, KeyState> touched,
            Function<String, KeyState> stored, Outcomes outcomes) {
        int rows = 0;
        for (int index : indices) {
            Event event = batch.get(index);
            KeyState state = touched.containsKey(event.key()) ? touched.get(event.key()) : stored.apply(event.key());
            if (prepare(rows, index, event, state, touched, outcomes)) {
                rows++;
            }
        }
        if (rows == 0) {
            return;
        }
        long start = System.nanoTime();
        stepper.step(rows, inputs, states, outputs);
        outcomes.modelCall(rows, System.nanoTime() - start);
        for (int row = 0; row < rows; row++) {
            finish(row, batch.get(rowIndex[row]), outcomes);
        }
    }

    /** Checks, scores and stages one observation in row {@code row}; false if it was refused instead. */
    private boolean prepare(int row, int index, Event event, KeyState kept, Map<String, KeyState> touched,
            Outcomes outcomes) {
        // Judged per observation, at the stream time it arrived at: the same however observations are batched.
        boolean expired = kept != null && event.arrivedAt() != Event.NO_STREAM
                && rules.expiresAfter(kept.lastActivity(), event.arrivedAt());
        KeyState stored = expired ? null : kept;
        if (stored != null && refusedAsOutOfOrder(index, event, stored, outcomes)) {
            return false;
        }
        double[] values = raw[row];
        if (refusedFeatures(index, event, values, outcomes)) {
            return false;
        }
        StateReset reset = resetOf(stored, event.eventTime());
        boolean keepsStatistics = reset == StateReset.NONE || reset == StateReset.GAP;
        KeyStats stats = keepsStatistics && stored.features() != null
                ? stored.features() : normalization.newKeyStats();
        if (refusedAsOutOfRange(index, values, stats, event.eventTime(), row, outcomes)) {
            return false;
        }
        KeyState state = reset == StateReset.NONE ? stored : KeyState.fresh(spec, stats, keptRange(reset, stored),
                channels, learners(reset == StateReset.GAP ? stored : null));
        if (reset != StateReset.NONE && stored != null) {
            state.keepEventTimesOf(stored);
        }
        if (reset == StateReset.NONE && !fits(state)) {
            // A state stored by a release or a setting that kept other parts: its model state carries on, the parts
            // that do not fit start afresh.
            state = KeyState.fresh(spec, stats, state.range(), channels, learners(null)).continuing(state);
        }
        state.activeAt(event.arrivedAt()); // keeps the later of the two, so NO_STREAM changes nothing
        touched.put(event.key(), state);
        if (expired) {
            outcomes.expired(index);
        }

        double[] actual = actuals[row];
        for (int t = 0; t < targets; t++) {
            actual[t] = values[spec.targetFeatureIndex(t)];
        }
        compared[row] = state.hasForecast();
        surprises[row] = Double.NaN;
        if (compared[row]) {
            scores[row] = score(row, state, stats, event.eventTime()); // records which rule scored it
        } else {
            scores[row] = 0.0;
            scoredBy[row] = AlertRule.LIKELIHOOD;
        }
        normalization.update(values, stats);
        System.arraycopy(state.hidden(), 0, states, row * stateSize, stateSize);
        resets[row] = reset;
        rowStates[row] = state;
        rowIndex[row] = index;
        return true;
    }

    /**
     * The learners a fresh state of the key starts with: the key's own when it has them and they fit the model
     * ({@code kept} non-null), fresh ones otherwise, none when learning is off.
     */
    private Learner[] learners(KeyState kept) {
        if (!rules.learning()) {
            return null;
        }
        if (kept != null && kept.learners() != null && kept.learners().length == targets
                && kept.learners()[0].horizon() == horizon) {
            return kept.learners();
        }
        Learner[] fresh = new Learner[targets];
        for (int t = 0; t < targets; t++) {
            fresh[t] = Learner.fresh(horizon, rules.learner());
        }
        return fresh;
    }

    /** Whether a stored state's parts fit the model and the rules: as many error channels, learners if learning. */
    private boolean fits(KeyState state) {
        return state.errors().targets() == channels && state.targets() == targets
                && (state.learners() != null) == rules.learning()
                && (state.learners() == null || state.learners()[0].horizon() == horizon);
    }

    /** The anomaly score of row {@code row}'s observation, at {@code eventTime}, against {@code state}'s forecast. */
    private double score(int row, KeyState state, KeyStats stats, long eventTime) {
        double[] error = errors[row];
        double[] actual = actuals[row];
        boolean outsideInterval = false;
        for (int t = 0; t < targets; t++) {
            error[t] = actual[t] - state.forecast(t);
            scale[t] = normalization.scale(spec.targetFeatureIndex(t), stats);
            if (channels > targets) {
                error[targets + t] = state.learners()[t].farError(actual[t], state.step());
                scale[targets + t] = scale[t];
            }
            if (rules.intervalAlerts()) {
                double limit = state.learners()[t].lastHalfWidthHigh();
                outsideInterval |= Math.abs(error[t]) > limit;
            }
        }
        double score = 0.0;
        double deviation = state.errors().deviation(error, scale, rules.errors());
        if (!Double.isNaN(deviation)) {
            surprises[row] = AnomalyLikelihood.surprise(deviation, channels);
            score = state.likelihood().likelihood(surprises[row], rules.likelihood());
        }
        if (state.range().excludes(actual, rules.range(), eventTime)) {
            scoredBy[row] = AlertRule.RANGE;
            return 1.0;
        }
        scoredBy[row] = outsideInterval ? AlertRule.INTERVAL : AlertRule.LIKELIHOOD;
        return outsideInterval ? 1.0 : score;
    }

    private boolean refusedAsOutOfOrder(int index, Event event, KeyState stored, Outcomes outcomes) {
        long eventTime = event.eventTime();
        long last = stored.lastEventTime();
        if (stored.consumed(eventTime)) {
            outcomes.refused(index, Refusal.DUPLICATE, "the key already has an event at "
                    + Instant.ofEpochMilli(eventTime) + "; a key has one value per instant, and the first wins");
            return true;
        }
        if (rules.late(last, eventTime)) {
            outcomes.refused(index, Refusal.LATE, "event time " + Instant.ofEpochMilli(eventTime) + " is "
                    + (last - eventTime) + " ms before the key's last event (" + Instant.ofEpochMilli(last)
                    + "), more than the grace of " + rules.lateGraceMs() + " ms");
            return true;
        }
        if (stored.forgot(eventTime)) {
            outcomes.refused(index, Refusal.LATE, "event time " + Instant.ofEpochMilli(eventTime) + " is before the"
                    + " key's last " + (KeyState.REMEMBERED_EVENT_TIMES + 1) + " event times, the most a key"
                    + " remembers within the grace to tell a late observation from a repeat");
            return true;
        }
        return false;
    }

    /** Reads the model's features, in feature order, into {@code values}; refuses the observation if it cannot. */
    private boolean refusedFeatures(int index, Event event, double[] values, Outcomes outcomes) {
        FeatureRefusal refusal = readFeatures(spec.features(), event.features(), values);
        if (refusal != null) {
            outcomes.refused(index, refusal.refusal(), refusal.message());
            return true;
        }
        return false;
    }

    /** Why an observation's features cannot be read, and the message that says which feature and how. */
    public record FeatureRefusal(Refusal refusal, String message) {
    }

    /**
     * Reads {@code given} into {@code values} in the order of the model's {@code features}, as the core does with
     * every observation: null when each feature is there, finite and within {@link #MAX_ABS_VALUE} and no other is
     * given, else the first refusal. Stateless; {@code train --from-topic} skips what the service would refuse by it.
     */
    public static FeatureRefusal readFeatures(List<String> features, Map<String, Double> given, double[] values) {
        for (int f = 0; f < features.size(); f++) {
            String name = features.get(f);
            Double value = given.get(name);
            if (value == null) {
                return new FeatureRefusal(Refusal.MISSING_FEATURE, "feature '" + name
                        + "' is missing; the model expects exactly " + features);
            }
            if (!Double.isFinite(value)) {
                return new FeatureRefusal(Refusal.NOT_FINITE, "feature '" + name + "' is " + value
                        + "; values must be finite");
            }
            if (Math.abs(value) > MAX_ABS_VALUE) {
                return new FeatureRefusal(Refusal.OUT_OF_RANGE, "feature '" + name + "' = " + value
                        + " is beyond +-" + MAX_ABS_VALUE + ", the largest magnitude accepted");
            }
            values[f] = value;
        }
        if (given.size() != features.size()) {
            // Every feature of the model was found above, so another name is there too.
            for (String name : given.keySet()) {
                if (!features.contains(name)) {
                    return new FeatureRefusal(Refusal.UNKNOWN_FEATURE, "feature '" + name
                            + "' is not a feature of the model; the model expects exactly " + features);
                }
            }
        }
        return null;
    }

    /**
     * Writes row {@code row} of the model inputs: {@code values} normalised with the key's statistics before this
     * event, then the calendar inputs; refuses the observation if a value would saturate the model.
     */
    private boolean refusedAsOutOfRange(int index, double[] values, KeyStats stats, long eventTime, int row,
            Outcomes outcomes) {
        spec.writeInputs(values, stats, eventTime, inputs, row * inputCount);
        for (int f = 0; f < features; f++) {
            float normalised = inputs[row * inputCount + f];
            if (!Float.isFinite(normalised) || Math.abs(normalised) > rules.maxAbsNormalized()) {
                outcomes.refused(index, Refusal.OUT_OF_RANGE, "feature '" + spec.features().get(f) + "' = "
                        + values[f] + " is " + normalised + " after normalisation, beyond the accepted magnitude "
                        + rules.maxAbsNormalized());
                return true;
            }
        }
        return false;
    }

    private StateReset resetOf(KeyState stored, long eventTime) {
        if (stored == null) {
            return StateReset.NEW_KEY;
        }
        if (!stored.madeBy(spec)) {
            return StateReset.MODEL_CHANGE;
        }
        if (rules.restartsAfter(stored.lastEventTime(), eventTime)) {
            return StateReset.GAP;
        }
        return StateReset.NONE;
    }

    /**
     * The range of observed values a restarted state keeps: after a gap, and after a change to another version of
     * the model that made the state, with one target, as the key's stored range has. The values are the key's
     * whatever the model; restarted empty, every key's range rule would warm up again at once after a swap, and then
     * alert at each key's first new high or low since it. A swap keeps the targets' names but may reorder them, and
     * the stored range follows the old order, which the state does not record: with several targets it restarts, as
     * it does under a model of another name, which may forecast another quantity (a restart is not checked as a swap
     * is). Models trained under {@code train}'s default name share it: a deployment keeps to one quantity, as a model
     * of other targets needs a deployment of its own.
     */
    private ValueRange keptRange(StateReset reset, KeyState stored) {
        boolean keeps = reset == StateReset.GAP || reset == StateReset.MODEL_CHANGE && targets == 1
                && stored.range().targets() == 1 && stored.modelName().equals(spec.name());
        return keeps ? stored.range() : ValueRange.empty(targets);
    }

    /** Folds row {@code row}'s observation into its key's state and reports the outcome. */
    private void finish(int row, Event event, Outcomes outcomes) {
        KeyState state = rowStates[row];
        System.arraycopy(states, row * stateSize, state.hidden(), 0, stateSize);
        if (compared[row]) {
            if (channels > targets) {
                // A step-H error exists once both the learners and the key since it (re)started have H events behind
                // them (Learner.farError); both counts grow by one per row, so this many rows before this one had one.
                long stepHErrors = Math.max(0, Math.min(state.learners()[0].events(), state.step()) - horizon);
                state.errors().add(errors[row], rules.errors(), targets, stepHErrors);
            } else {
                state.errors().add(errors[row], rules.errors());
            }
        }
        if (!Double.isNaN(surprises[row])) {
            state.likelihood().add(surprises[row], rules.likelihood());
        }
        state.range().include(actuals[row], event.eventTime());

        double[] forecast = new double[horizon * targets];
        double[] lower = null;
        double[] upper = null;
        int base = row * horizon * targets;
        for (int i = 0; i < forecast.length; i++) {
            int target = i % targets;
            forecast[i] = normalization.denormalise(spec.targetFeatureIndex(target), outputs[base + i],
                    state.features());
        }
        if (state.learners() != null) {
            lower = new double[forecast.length];
            upper = new double[forecast.length];
            learn(state, event.eventTime(), resets[row] == StateReset.GAP, actuals[row], forecast, lower, upper);
        }
        double[] expected = null;
        if (compared[row]) {
            expected = new double[targets];
            for (int t = 0; t < targets; t++) {
                expected[t] = state.forecast(t);
            }
        }
        System.arraycopy(forecast, 0, oneStep, 0, targets);
        double score = scores[row];
        state.advanced(event.eventTime(), rules.lateGraceMs(), compared[row] ? score : Double.NaN, oneStep);
        AlertLevel alert = rules.alerts().decide(score, state.step(), state.lastAlertTime(), event.eventTime());
        if (alert != AlertLevel.NONE) {
            state.alerted(event.eventTime());
        }
        outcomes.accepted(rowIndex[row], new Outcome(event, spec.name(), spec.version(), spec.targets(), horizon,
                state.step(), resets[row], forecast, lower, upper, actuals[row].clone(), expected, score,
                rules.alerts().isAnomalous(score), alert, scoredBy[row]));
        rowStates[row] = null;
    }

    /**
     * Lets each target's learner learn from the observation, then replaces the model's {@code forecast} (steps
     * 1..H of every target, step-major) with the learners' and writes their intervals' bounds (NaN for none). After a
     * gap that restarted the key ({@code afterGap}), the pause is no sampling interval of its profile.
     */
    private void learn(KeyState state, long eventTime, boolean afterGap, double[] actual, double[] forecast,
            double[] lower, double[] upper) {
        for (int t = 0; t < targets; t++) {
            int feature = spec.targetFeatureIndex(t);
            Learner learner = state.learners()[t];
            if (afterGap) {
                learner.profile().resumeAfterGap();
            }
            learner.learn(actual[t], state.step(), rules.learner(), scratch);
            learner.forecast(actual[t], eventTime, state.step(), spec.timeZone(), normalization.center(feature,
                    state.features()), normalization.spread(feature, state.features()), forecast[t], rules.learner(),
                    scratch, learnt, halfWidth, halfWidthHigh);
            for (int k = 0; k < horizon; k++) {
                int i = k * targets + t;
                forecast[i] = learnt[k];
                lower[i] = learnt[k] - halfWidth[k];
                upper[i] = learnt[k] + halfWidth[k];
            }
        }
    }

    private void useModel(GruModel next) {
        if (next == model) {
            return;
        }
        // Built before the current stepper is closed: if it fails, this forecaster keeps its model and stepper, and
        // the next batch tries again.
        GruStepper nextStepper = next.newStepper(backend);
        close();
        model = next;
        spec = next.spec();
        normalization = spec.normalization();
        features = spec.featureCount();
        inputCount = spec.inputCount();
        targets = spec.targetCount();
        stateSize = spec.stateSize();
        horizon = spec.horizon();
        channels = rules.learning() && horizon > 1 ? 2 * targets : targets;
        learnt = new double[horizon];
        halfWidth = new double[horizon];
        halfWidthHigh = new double[horizon];
        stepper = nextStepper;
        inputs = new float[maxBatch * inputCount];
        states = new float[maxBatch * stateSize];
        outputs = new float[maxBatch * horizon * targets];
        raw = new double[maxBatch][features];
        actuals = new double[maxBatch][targets];
        errors = new double[maxBatch][channels];
        scale = new double[channels];
        oneStep = new double[targets];
        surprises = new double[maxBatch];
        scores = new double[maxBatch];
        scoredBy = new AlertRule[maxBatch];
        compared = new boolean[maxBatch];
        resets = new StateReset[maxBatch];
        rowStates = new KeyState[maxBatch];
        rowIndex = new int[maxBatch];
    }

    @Override
    public void close() {
        if (stepper != null) {
            stepper.close();
            stepper = null;
        }
        model = null;
    }
}
