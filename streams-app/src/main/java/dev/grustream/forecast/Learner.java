package dev.grustream.forecast;

import dev.grustream.model.ModelSpec;
import java.time.ZoneId;
import java.util.Arrays;
import org.apache.commons.math3.distribution.NormalDistribution;

/**
 * One target's online learner: it learns, for each key on its own, how the key's next values depart from its last
 * one, so that every key gets a forecaster fitted to it as its events arrive, on top of the shared GRU model.
 *
 * <p><b>What it forecasts.</b> For steps k = 1..H, the change over persistence in the key's scale {@code s}:
 * {@code F_k = x + s * W_k . phi}, where {@code phi} are ten inputs at the latest event, each clamped to +-8 and
 * kept at float precision (as they are stored): a constant; the level {@code (x - m)/s} against the key's long mean
 * {@code m}; the last change; the fast and slow means of recent values minus {@code x}; the key's {@link DayProfile}
 * now minus {@code x}, and its changes over the next step and over H steps; the GRU's one-step forecast minus
 * {@code x}; and, with {@link Rule#midHorizon} on and a horizon that spans at least {@value #BENDING_SPAN_SECONDS}
 * seconds of the key's mean interval (where a day's shape bends within it), the profile's change to the middle of
 * the horizon, else 0 (an input that is always 0 leaves the others' least squares exactly as without it).
 * {@code W = 0} is persistence, where every key starts.
 *
 * <p><b>How it learns.</b> Recursive least squares with exponential forgetting ({@code lambda = 1 - 1/300}), one
 * weight vector per step ("direct" forecasts) and one covariance {@code P} shared by all steps: when the value of
 * event t arrives, the target of step k from origin {@code o = t - k} is {@code y = clamp8((x_t - x_o)/s_o)}, its
 * error {@code e = y - W_k . phi_o}; {@code P} absorbs {@code phi_(t-1)} once, then every {@code W_k} moves by
 * {@code P phi_o * w * e}. The sample weight {@code w = min(1, 2 * mae_k / |e|)} (Huber's, against the step's running
 * mean absolute error, half-life 200) keeps a spike or a level shift from rewriting the weights. After each update
 * {@code P} is made symmetric and its diagonal capped at {@code delta = 1} by symmetric scaling, so inputs that never
 * move (flat lines) cannot wind it up. Origin 0 never trains: a new key's first scale means nothing. Nor does an
 * origin before a gap that restarted the key ({@code state.reset.gap.ms}): the learner is kept across the gap, but
 * learns each step only from forecasts made since.
 *
 * <p><b>A guard.</b> Per step, the running mean absolute errors of the learner and of persistence (half-life of the
 * {@link Rule}, 50 events by default) are compared; while the learner's is higher, that step issues persistence. So no
 * key is served much worse than "tomorrow equals today", whatever its series does. The learner's error at step
 * {@code k} is that of {@code W_k . phi_o} as {@code W_k} is when the target arrives, which has learnt from up to
 * {@code k - 1} later targets since origin {@code o}: the rings keep inputs, not issued forecasts.
 *
 * <p><b>Intervals</b> come from an {@link IntervalCalibrator} fed with the same errors (persistence's where the step
 * issued persistence), in the key's scale at the forecast and capped at the clamp as the targets are.
 *
 * <p>Chosen by leave-one-category-out evaluation on 32 NAB series (docs/accuracy.md); every choice above and what
 * was tried instead are there. All arithmetic is in double with {@link StrictMath}, in a fixed order: a key's
 * forecasts are the same to the bit on every JVM, whatever the batch it was advanced in. Maps onto the
 * {@code Learner} record of the stored state (about 3.2 KiB at H = 12). Mutable and not thread-safe.
 */
public final class Learner {
    /** Largest magnitude of an input or target, in the key's scales. */
    static final double CLAMP = 8.0;
    /** The number of inputs. */
    static final int INPUTS = 10;
    /** The covariance's starting diagonal and the cap on its diagonal ({@code delta}). */
    static final double DELTA = 1.0;
    /** The index of the input that {@link Rule#midHorizon} turns on. */
    static final int MID_HORIZON_INPUT = 9;
    /** The least span of the horizon, in seconds, for which the mid-horizon input is given: two hours. */
    static final double BENDING_SPAN_SECONDS = 7_200.0;
    /**
     * Largest miss, in the key's scales, that the guard's running errors take in. A flat key's scale is floored near
     * zero, so its first move may miss by 10^18 scales, for the learner and persistence alike: both averages would
     * then hold the same double, and no later difference would tell them apart for hundreds of events. No error a
     * comparison can learn from comes near this bound.
     */
    static final double GUARD_MISS_CAP = 1e6;
    /** Errors of a step before its Huber limit applies; until then the limit is the clamp. */
    static final long MIN_ERRORS = 10;
    /** Huber's limit on a step's error, in multiples of the step's running mean absolute error. */
    static final double HUBER_LIMIT = 2.0;
    /** The half-life, in days, of each time-of-day bin of a key's profile. */
    static final double PROFILE_HALFLIFE_DAYS = 4.0;
    static final double ERROR_HALFLIFE = 200;
    private static final double ERROR_RATE = rate(ERROR_HALFLIFE);

    /** The learners' settings, shared by every key. Immutable and thread-safe. */
    public static final class Rule {
        final double lambda;
        final int profileBins;
        final double coverage;
        final double alpha;
        final double alphaHigh;
        final double initialLogMultiplier;
        final double initialLogMultiplierHigh;
        final boolean midHorizon;
        final boolean weeklyProfile;
        final double guardRate;

        /**
         * @param forgettingEvents how many events the learner's memory spans: {@code lambda = 1 - 1/forgettingEvents}
         * @param profileBins the number of time-of-day bins of each key's profile
         * @param coverage the share of observations the forecasts' intervals should hold, in (0, 1)
         * @param highCoverage the share the alert rule's intervals should hold, in [coverage, 1)
         * @param guardHalfLifeEvents the half-life, in events, of the running errors the guard compares, {@code >= 1}
         * @param midHorizon whether keys whose horizon spans hours also get the profile's change to its middle
         * @param weeklyProfile whether each key's profile also learns how its weekends depart from its weekdays
         *     (see {@link DayProfile})
         */
        public Rule(double forgettingEvents, int profileBins, double coverage, double highCoverage,
                double guardHalfLifeEvents, boolean midHorizon, boolean weeklyProfile) {
            if (!(forgettingEvents > 1) || !Double.isFinite(forgettingEvents)) {
                throw new IllegalArgumentException("forgettingEvents must be a finite number > 1, found "
                        + forgettingEvents);
            }
            if (profileBins < 24 || 86_400_000 % profileBins != 0) {
                throw new IllegalArgumentException("profileBins must be at least 24 and divide a day in whole"
                        + " milliseconds, found " + profileBins);
            }
            if (!(coverage > 0 && coverage < 1) || !(highCoverage >= coverage && highCoverage < 1)) {
                throw new IllegalArgumentException("coverage must be in (0, 1) and highCoverage in [coverage, 1),"
                        + " found " + coverage + " and " + highCoverage);
            }
            if (!(guardHalfLifeEvents >= 1) || !Double.isFinite(guardHalfLifeEvents)) {
                throw new IllegalArgumentException("guardHalfLifeEvents must be a finite number >= 1, found "
                        + guardHalfLifeEvents);
            }
            this.lambda = 1.0 - 1.0 / forgettingEvents;
            this.profileBins = profileBins;
            this.coverage = coverage;
            this.alpha = 1.0 - coverage;
            this.alphaHigh = 1.0 - highCoverage;
            NormalDistribution gaussian = new NormalDistribution(null, 0.0, 1.0);
            this.initialLogMultiplier = StrictMath.log(gaussian.inverseCumulativeProbability(1.0 - alpha / 2.0)
                    * MAD_TO_SD);
            this.initialLogMultiplierHigh = StrictMath.log(gaussian.inverseCumulativeProbability(1.0 - alphaHigh / 2.0)
                    * MAD_TO_SD);
            this.midHorizon = midHorizon;
            this.weeklyProfile = weeklyProfile;
            this.guardRate = rate(guardHalfLifeEvents);
        }

        /** The forecasts' interval coverage. */
        public double coverage() {
            return coverage;
        }

        /** The alert rule's interval coverage. */
        public double highCoverage() {
            return 1.0 - alphaHigh;
        }
    }

    private static final double MAD_TO_SD = StrictMath.sqrt(StrictMath.PI / 2.0);

    /** Work arrays, reused from key to key by one thread. */
    static final class Scratch {
        final double[] phi = new double[INPUTS];
        final double[] gain = new double[INPUTS];
        final double[] pPhi = new double[INPUTS];
        final double[] scale = new double[INPUTS];
    }

    private final int horizon;
    private long events;
    private final double[] p;
    private final double[] weights;
    private final float[] ringInputs;
    private final double[] ringValues;
    private final double[] ringScales;
    private final double[] ringFar;
    private final long[] ringGuards;
    private final double[] errorScale;
    private final double[] learnerError;
    private final double[] persistenceError;
    private final DayProfile profile;
    private final IntervalCalibrator intervals;

    private Learner(int horizon, long events, double[] p, double[] weights, float[] ringInputs, double[] ringValues,
            double[] ringScales, double[] ringFar, long[] ringGuards, double[] errorScale, double[] learnerError,
            double[] persistenceError, DayProfile profile, IntervalCalibrator intervals) {
        this.horizon = horizon;
        this.events = events;
        this.p = p;
        this.weights = weights;
        this.ringInputs = ringInputs;
        this.ringValues = ringValues;
        this.ringScales = ringScales;
        this.ringFar = ringFar;
        this.ringGuards = ringGuards;
        this.errorScale = errorScale;
        this.learnerError = learnerError;
        this.persistenceError = persistenceError;
        this.profile = profile;
        this.intervals = intervals;
    }

    /** The learner of a key that has had no event: persistence, an empty profile, no intervals yet. */
    static Learner fresh(int horizon, Rule rule) {
        if (horizon < 1 || horizon > ModelSpec.MAX_HORIZON) {
            throw new IllegalArgumentException("horizon must be in 1.." + ModelSpec.MAX_HORIZON + ", found " + horizon);
        }
        double[] p = new double[INPUTS * INPUTS];
        for (int i = 0; i < INPUTS; i++) {
            p[i * INPUTS + i] = DELTA;
        }
        double[] ringScales = new double[horizon];
        Arrays.fill(ringScales, 1.0);
        return new Learner(horizon, 0, p, new double[horizon * INPUTS], new float[horizon * INPUTS],
                new double[horizon], ringScales, new double[horizon], new long[horizon], new double[horizon],
                new double[horizon], new double[horizon], DayProfile.empty(rule.profileBins, rule.weeklyProfile),
                IntervalCalibrator.fresh(horizon, rule));
    }

    /** A learner restored from stored parts; arrays are taken, not copied. */
    static Learner restored(long events, double[] p, double[] weights, float[] ringInputs, double[] ringValues,
            double[] ringScales, double[] ringFar, long[] ringGuards, double[] errorScale, double[] learnerError,
            double[] persistenceError, DayProfile profile, IntervalCalibrator intervals) {
        int horizon = ringValues.length;
        if (p.length != INPUTS * INPUTS || weights.length != horizon * INPUTS || ringInputs.length != weights.length
                || ringScales.length != horizon || ringFar.length != horizon || ringGuards.length != horizon
                || errorScale.length != horizon || learnerError.length != horizon
                || persistenceError.length != horizon || intervals.horizon() != horizon) {
            throw new IllegalArgumentException("a learner's arrays must fit " + INPUTS + " inputs and a horizon of "
                    + horizon);
        }
        if (events < 0) {
            // Its ring's slots would be negative: every event of the key would then fail.
            throw new IllegalArgumentException("a learner's event count must not be negative, found " + events);
        }
        return new Learner(horizon, events, p, weights, ringInputs, ringValues, ringScales, ringFar, ringGuards,
                errorScale, learnerError, persistenceError, profile, intervals);
    }

    /**
     * The weight of a new sample in an exponentially weighted mean that forgets at {@code rate} per sample (see
     * {@link #rate}), after {@code n} samples: the plain mean's until that falls below the rate.
     */
    static double weight(double rate, long n) {
        return Math.max(1.0 / (n + 1.0), rate);
    }

    /** The forgetting rate per sample of an exponentially weighted mean of half-life {@code halfLife} samples. */
    static double rate(double halfLife) {
        return 1.0 - StrictMath.pow(2.0, -1.0 / halfLife);
    }

    private static double clamp(double value) {
        return Math.max(-CLAMP, Math.min(CLAMP, value));
    }

    /**
     * The error of the step-H forecast made H events ago for value {@code x} of this event, or 0 when there is
     * none since the key last (re)started, {@code sinceRestart} events ago: the anomaly score's second error. Call
     * before {@link #learn}.
     */
    double farError(double x, long sinceRestart) {
        return events >= horizon && sinceRestart >= horizon ? x - ringFar[(int) (events % horizon)] : 0.0;
    }

    /**
     * The half-width, at the alert rule's coverage, of the interval of the one-step forecast issued at the last
     * event, in raw units; NaN when it had none. Call before {@link #learn}.
     */
    double lastHalfWidthHigh() {
        return events >= 3 ? ringScales[slot(events - 1)] * intervals.halfWidthHigh(1) : Double.NaN;
    }

    /**
     * Learns from the value {@code x} of the next event: every step whose target it is among the forecasts made
     * since the key last (re)started, {@code sinceRestart} events ago. A forecast made before a gap that restarted
     * the key is no example of how the key moves from one event to the next.
     */
    void learn(double x, long sinceRestart, Rule rule, Scratch scratch) {
        long t = events;
        if (t < 2 || sinceRestart < 1) {
            return;
        }
        int steps = (int) Math.min(Math.min(horizon, t - 1), sinceRestart);
        double[] phi = scratch.phi;
        // The shared covariance absorbs the newest origin whose one-step target arrived, with its Huber weight.
        int newest = slot(t - 1);
        double e1 = target(x, newest) - dot(1, newest);
        updateCovariance(newest, huberWeight(1, e1, t), rule, scratch);
        for (int k = 1; k <= steps; k++) {
            int origin = slot(t - k);
            long count = t - k - 1;
            double raw = (x - ringValues[origin]) / ringScales[origin];
            double predicted = dot(k, origin);
            double error = clamp(raw) - predicted;
            double sampleWeight = huberWeight(k, error, t);
            regressor(origin, phi);
            multiply(p, phi, scratch.gain);
            int w = (k - 1) * INPUTS;
            double step = sampleWeight * error;
            for (int i = 0; i < INPUTS; i++) {
                weights[w + i] += scratch.gain[i] * step;
            }
            errorScale[k - 1] += weight(ERROR_RATE, count) * (Math.min(Math.abs(error), CLAMP)
                    - errorScale[k - 1]);
            double learnerMiss = Math.abs(raw - predicted);
            double persistenceMiss = Math.abs(raw);
            double guardWeight = weight(rule.guardRate, count);
            learnerError[k - 1] += guardWeight * (Math.min(learnerMiss, GUARD_MISS_CAP) - learnerError[k - 1]);
            persistenceError[k - 1] += guardWeight
                    * (Math.min(persistenceMiss, GUARD_MISS_CAP) - persistenceError[k - 1]);
            boolean issuedPersistence = (ringGuards[origin] & (1L << (k - 1))) != 0;
            // Capped as the targets are: a flat key's first move is millions of its scales (floored near zero)
            // and would otherwise widen its intervals for thousands of events.
            intervals.add(k, Math.min(issuedPersistence ? persistenceMiss : learnerMiss, CLAMP), rule);
        }
    }

    private double target(double x, int origin) {
        return clamp((x - ringValues[origin]) / ringScales[origin]);
    }

    /** {@code W_k . phi} of the regressor in ring slot {@code origin}. */
    private double dot(int k, int origin) {
        double sum = 0.0;
        int w = (k - 1) * INPUTS;
        int r = origin * INPUTS;
        for (int i = 0; i < INPUTS; i++) {
            sum += weights[w + i] * ringInputs[r + i];
        }
        return sum;
    }

    /** Huber's weight of error {@code error} of step {@code k} at event {@code t}: 1 within the step's limit. */
    private double huberWeight(int k, double error, long t) {
        long count = t - k - 1;
        double limit = count >= MIN_ERRORS ? HUBER_LIMIT * Math.max(errorScale[k - 1], 1e-6) : CLAMP;
        return Math.min(1.0, limit / Math.max(Math.abs(error), Double.MIN_NORMAL));
    }

    /** Rank-one update of P with the regressor in ring slot {@code origin}, then symmetrise and cap its diagonal. */
    private void updateCovariance(int origin, double sampleWeight, Rule rule, Scratch scratch) {
        double[] phi = scratch.phi;
        double[] u = scratch.pPhi;
        regressor(origin, phi);
        multiply(p, phi, u);
        double denominator = rule.lambda;
        for (int i = 0; i < INPUTS; i++) {
            denominator += sampleWeight * phi[i] * u[i];
        }
        double factor = sampleWeight / denominator;
        for (int i = 0; i < INPUTS; i++) {
            for (int j = 0; j < INPUTS; j++) {
                p[i * INPUTS + j] = (p[i * INPUTS + j] - factor * u[i] * u[j]) / rule.lambda;
            }
        }
        double[] scale = scratch.scale;
        for (int i = 0; i < INPUTS; i++) {
            for (int j = i + 1; j < INPUTS; j++) {
                double mean = 0.5 * (p[i * INPUTS + j] + p[j * INPUTS + i]);
                p[i * INPUTS + j] = mean;
                p[j * INPUTS + i] = mean;
            }
            scale[i] = StrictMath.sqrt(Math.min(1.0, DELTA / Math.max(p[i * INPUTS + i], Double.MIN_NORMAL)));
        }
        for (int i = 0; i < INPUTS; i++) {
            for (int j = 0; j < INPUTS; j++) {
                p[i * INPUTS + j] *= scale[i] * scale[j];
            }
        }
    }

    /** Copies the regressor in ring slot {@code origin} into {@code phi}. */
    private void regressor(int origin, double[] phi) {
        for (int i = 0; i < INPUTS; i++) {
            phi[i] = ringInputs[origin * INPUTS + i];
        }
    }

    private static void multiply(double[] matrix, double[] vector, double[] out) {
        for (int i = 0; i < INPUTS; i++) {
            double sum = 0.0;
            for (int j = 0; j < INPUTS; j++) {
                sum += matrix[i * INPUTS + j] * vector[j];
            }
            out[i] = sum;
        }
    }

    /**
     * Folds in the event (value {@code x} at {@code time}) and forecasts the key's next H values from it.
     *
     * @param sinceRestart the events the key's state has consumed since it last (re)started: at 0, the change from
     *     the last value before the restart is no last change
     * @param zone the time zone whose local clock the key's profile reads (the model's)
     * @param center the key's mean after this event, in raw units
     * @param spread the key's scale after this event, in raw units
     * @param gru the GRU's one-step forecast made at this event, in raw units
     * @param forecast receives the forecasts of steps 1..H, raw units
     * @param halfWidth receives the half-widths of their intervals at the forecasts' coverage, raw units; NaN while
     *     a step has no error to calibrate on
     * @param halfWidthHigh the same at the alert rule's coverage
     */
    void forecast(double x, long time, long sinceRestart, ZoneId zone, double center, double spread, double gru,
            Rule rule, Scratch scratch, double[] forecast, double[] halfWidth, double[] halfWidthHigh) {
        long t = events;
        double previous = t == 0 || sinceRestart == 0 ? x : profile.lastValue();
        profile.keepWeeklyPart(rule.weeklyProfile);
        profile.observe(x, time, zone, PROFILE_HALFLIFE_DAYS);
        double now = profile.lookup(time, zone, 0);
        double[] phi = scratch.phi;
        phi[0] = 1.0;
        phi[1] = clamp((x - center) / spread);
        phi[2] = clamp((x - previous) / spread);
        phi[3] = clamp((profile.fastMean() - x) / spread);
        phi[4] = clamp((profile.slowMean() - x) / spread);
        phi[5] = Double.isNaN(now) ? 0.0 : clamp((now - x) / spread);
        phi[6] = profileChange(now, profile.lookup(time, zone, 1), spread);
        phi[7] = profileChange(now, profile.lookup(time, zone, horizon), spread);
        phi[8] = clamp((gru - x) / spread);
        phi[MID_HORIZON_INPUT] = rule.midHorizon && bends(horizon, profile.meanInterval())
                ? profileChange(now, profile.lookup(time, zone, (horizon + 1) / 2), spread) : 0.0;
        int slot = slot(t);
        for (int i = 0; i < INPUTS; i++) {
            ringInputs[slot * INPUTS + i] = (float) phi[i];
        }
        ringValues[slot] = x;
        ringScales[slot] = spread;
        long guards = 0;
        for (int k = 1; k <= horizon; k++) {
            long updates = Math.max(0, t - k);
            boolean guarded = updates > 0 && learnerError[k - 1] > persistenceError[k - 1];
            double change = guarded ? 0.0 : dot(k, slot);
            if (guarded) {
                guards |= 1L << (k - 1);
            }
            forecast[k - 1] = x + spread * change;
            halfWidth[k - 1] = updates > 0 ? spread * intervals.halfWidth(k) : Double.NaN;
            halfWidthHigh[k - 1] = updates > 0 ? spread * intervals.halfWidthHigh(k) : Double.NaN;
        }
        ringGuards[slot] = guards;
        ringFar[slot] = forecast[horizon - 1];
        events++;
    }

    /**
     * The forecasts issued at the last event, steps 1..H, with their intervals' half-widths (NaN for none), exactly
     * as {@link #forecast} issued them: neither the weights nor the calibration change until the next event.
     *
     * @throws IllegalStateException before the first event
     */
    public void latest(double[] forecast, double[] halfWidth) {
        if (events == 0) {
            throw new IllegalStateException("the learner has seen no event yet");
        }
        long t = events - 1;
        int slot = slot(t);
        for (int k = 1; k <= horizon; k++) {
            boolean guarded = (ringGuards[slot] & (1L << (k - 1))) != 0;
            forecast[k - 1] = ringValues[slot] + ringScales[slot] * (guarded ? 0.0 : dot(k, slot));
            halfWidth[k - 1] = t - k > 0 ? ringScales[slot] * intervals.halfWidth(k) : Double.NaN;
        }
    }

    /** Whether a horizon of {@code horizon} steps spans enough of a day for its shape to bend within it. */
    private static boolean bends(int horizon, double meanIntervalSeconds) {
        return horizon >= 3 && horizon * meanIntervalSeconds >= BENDING_SPAN_SECONDS;
    }

    private static double profileChange(double now, double later, double spread) {
        double change = later - now;
        return Double.isNaN(change) ? 0.0 : clamp(change / spread);
    }

    private int slot(long event) {
        return (int) (event % horizon);
    }

    /** The number of steps learnt. */
    public int horizon() {
        return horizon;
    }

    /** How many events the learner has seen. */
    public long events() {
        return events;
    }

    /** The weight of input {@code input} in the forecast of step {@code step} (1-based). */
    public double weight(int step, int input) {
        return weights[(step - 1) * INPUTS + input];
    }

    DayProfile profile() {
        return profile;
    }

    IntervalCalibrator intervals() {
        return intervals;
    }

    double[] covariance() {
        return p;
    }

    double[] weights() {
        return weights;
    }

    float[] ringInputs() {
        return ringInputs;
    }

    double[] ringValues() {
        return ringValues;
    }

    double[] ringScales() {
        return ringScales;
    }

    double[] ringFar() {
        return ringFar;
    }

    long[] ringGuards() {
        return ringGuards;
    }

    double[] errorScale() {
        return errorScale;
    }

    double[] learnerError() {
        return learnerError;
    }

    double[] persistenceError() {
        return persistenceError;
    }
}
