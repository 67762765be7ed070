package dev.grustream.forecast;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.grustream.avro.AlertRule;
import dev.grustream.avro.StateReset;
import dev.grustream.model.Backend;
import dev.grustream.model.GruModel;
import dev.grustream.service.ModelSource;
import dev.grustream.testing.TestingModels;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.LongToDoubleFunction;
import org.junit.jupiter.api.Test;

/**
 * What each key's online learner does, through the forecasting core: it learns the key, never much worse than
 * persistence.
 */
class LearningTest {
    private static final long MINUTE = 60_000;
    private static final long FIVE_MINUTES = 5 * MINUTE;
    private static final int HORIZON = 12;
    private static final GruModel MODEL = TestingModels.persistence("1", HORIZON);
    private static final ForecastRules RULES = ForecastRules.defaults();
    /** The defaults with {@code learner.profile.midhorizon} on. */
    private static final ForecastRules MID_HORIZON =
            RULES.withLearner(learnerRule(ForecastRules.DEFAULT_GUARD_HALFLIFE_EVENTS, true, false));
    /** The defaults with {@code learner.profile.midhorizon} and {@code learner.profile.weekly} on. */
    private static final ForecastRules WEEKLY =
            RULES.withLearner(learnerRule(ForecastRules.DEFAULT_GUARD_HALFLIFE_EVENTS, true, true));

    /** The default learners' settings with the guard's half-life and the two profile options as given. */
    static Learner.Rule learnerRule(double guardHalfLifeEvents, boolean midHorizon, boolean weeklyProfile) {
        return new Learner.Rule(ForecastRules.DEFAULT_LEARNER_FORGETTING_EVENTS, ForecastRules.DEFAULT_PROFILE_BINS,
                ForecastRules.DEFAULT_INTERVAL_COVERAGE, ForecastRules.DEFAULT_ALERT_INTERVAL_COVERAGE,
                guardHalfLifeEvents, midHorizon, weeklyProfile);
    }

    /** Every outcome of one key fed {@code values} at {@code interval}, through one core, in batches of 7. */
    private static List<Outcome> run(GruModel model, ForecastRules rules, long interval, double[] values) {
        List<Event> events = new ArrayList<>();
        for (int i = 0; i < values.length; i++) {
            events.add(new Event("k", i * interval, Map.of("value", values[i])));
        }
        return run(model, rules, events, 7, new HashMap<>());
    }

    private static List<Outcome> run(GruModel model, ForecastRules rules, List<Event> events, int batch,
            Map<String, KeyState> store) {
        List<Outcome> outcomes = new ArrayList<>();
        try (Forecaster forecaster = new Forecaster(rules, Backend.JAVA, batch)) {
            for (int from = 0; from < events.size(); from += batch) {
                store.putAll(forecaster.advance(events.subList(from, Math.min(events.size(), from + batch)), model,
                        store::get, new Forecaster.Outcomes() {
                            @Override
                            public void accepted(int index, Outcome outcome) {
                                outcomes.add(outcome);
                            }

                            @Override
                            public void refused(int index, Refusal refusal, String message) {
                                throw new AssertionError(refusal + ": " + message);
                            }
                        }));
            }
        }
        return outcomes;
    }

    private static double[] series(int rows, long seed, LongToDoubleFunction signal, double noise) {
        SplittableRandom random = new SplittableRandom(seed);
        double[] values = new double[rows];
        for (int i = 0; i < rows; i++) {
            values[i] = signal.applyAsDouble(i * FIVE_MINUTES) + noise * gaussian(random);
        }
        return values;
    }

    private static double gaussian(SplittableRandom random) {
        double u = 1 - random.nextDouble();
        return StrictMath.sqrt(-2 * StrictMath.log(u)) * StrictMath.cos(2 * StrictMath.PI * random.nextDouble());
    }

    /** MASE against persistence of the step-{@code k} forecasts made at events {@code from} onwards. */
    private static double mase(List<Outcome> outcomes, double[] values, int k, int from) {
        double errors = 0;
        double naive = 0;
        for (int t = from; t + k < values.length; t++) {
            errors += Math.abs(values[t + k] - outcomes.get(t).forecast(0, k));
            naive += Math.abs(values[t + k] - values[t]);
        }
        return errors / naive;
    }

    @Test
    void aNewKeyIsForecastByPersistenceWithoutIntervals() {
        List<Outcome> outcomes = run(MODEL, RULES, FIVE_MINUTES, new double[] {4.0});

        Outcome first = outcomes.get(0);
        assertThat(first.horizon()).isEqualTo(HORIZON);
        for (int k = 1; k <= HORIZON; k++) {
            assertThat(first.forecast(0, k)).isEqualTo(4.0);
            assertThat(first.lower(0, k)).isNaN();
            assertThat(first.upper(0, k)).isNaN();
        }
    }

    @Test
    void aKeyFlatSinceItStartedHasNoIntervalsAndItsFirstTinyMoveRaisesNoIntervalAlert() {
        ForecastRules intervalAlerts = new ForecastRules(RULES.lateGraceMs(), RULES.resetGapMs(), RULES.stateTtlMs(),
                RULES.maxAbsNormalized(), RULES.errors(), RULES.likelihood(), RULES.range(), RULES.alerts(), true,
                RULES.learner(), true);
        double[] values = new double[101];
        Arrays.fill(values, 5.0);
        values[100] = 5.0 + 1e-9;

        List<Outcome> outcomes = run(MODEL, intervalAlerts, FIVE_MINUTES, values);

        assertThat(outcomes.get(99).lower(0, 1)).isNaN();
        assertThat(outcomes.get(99).upper(0, 1)).isNaN();
        assertThat(outcomes.get(100).anomalyScore()).isLessThan(0.9);
        assertThat(outcomes.get(100).anomalous()).isFalse();
    }

    @Test
    void eachOutcomeSaysWhichRuleGaveItsScore() {
        ForecastRules intervalAlerts = new ForecastRules(RULES.lateGraceMs(), RULES.resetGapMs(), RULES.stateTtlMs(),
                RULES.maxAbsNormalized(), RULES.errors(), RULES.likelihood(), RULES.range(), RULES.alerts(), true,
                RULES.learner(), true);
        double[] noisy = series(2000, 3, time -> 50.0, 2.0);
        double highest = Arrays.stream(noisy).max().orElseThrow();
        double[] values = Arrays.copyOf(noisy, 2002);
        values[2000] = highest; // within the range seen so far, far outside a 0.99 interval of a noise of 2
        values[2001] = 1_000.0; // beyond the range

        List<Outcome> outcomes = run(MODEL, intervalAlerts, FIVE_MINUTES, values);

        assertThat(outcomes.get(1999).rule()).isEqualTo(AlertRule.LIKELIHOOD);
        assertThat(outcomes.get(2000).rule()).isEqualTo(AlertRule.INTERVAL);
        assertThat(outcomes.get(2000).anomalyScore()).isEqualTo(1.0);
        assertThat(outcomes.get(2001).rule()).isEqualTo(AlertRule.RANGE);
        assertThat(outcomes.get(2001).anomalyScore()).isEqualTo(1.0);
    }

    @Test
    void aNoisyLevelIsForecastBetterThanByPersistence() {
        double[] values = series(3000, 1, time -> 50.0, 2.0);

        List<Outcome> outcomes = run(MODEL, RULES, FIVE_MINUTES, values);

        // White noise: persistence errs by sqrt(2) sigma, the level by sigma; the learner should come near 0.71.
        assertThat(mase(outcomes, values, 1, 500)).isLessThan(0.8);
        assertThat(mase(outcomes, values, HORIZON, 500)).isLessThan(0.8);
    }

    @Test
    void aDailyCycleIsLearntFromTheTimeOfDay() {
        LongToDoubleFunction daily = time -> 100 + 30 * StrictMath.sin(2 * StrictMath.PI * (time % 86_400_000L)
                / 86_400_000.0);
        double[] values = series(288 * 10, 2, daily, 1.0);

        List<Outcome> outcomes = run(MODEL, RULES, FIVE_MINUTES, values);

        // Twelve steps (an hour) ahead, persistence misses the hour's move; the key's profile knows it.
        assertThat(mase(outcomes, values, HORIZON, 288 * 5)).isLessThan(0.5);
    }

    @Test
    void theMidHorizonInputForecastsAHalfHourlyDailyCycleBetterSeveralStepsAhead() {
        // Twelve half-hourly steps span six hours, within which this day's morning and evening peaks bend the shape.
        long halfHour = 30 * MINUTE;
        SplittableRandom random = new SplittableRandom(11);
        double[] values = new double[48 * 42];
        for (int i = 0; i < values.length; i++) {
            double hour = (i % 48) / 2.0;
            values[i] = 10 + 3 * bump(hour, 8, 1.5) + 2 * bump(hour, 18, 2) + 0.2 * gaussian(random);
        }

        List<Outcome> without = run(MODEL, RULES, halfHour, values);
        List<Outcome> with = run(MODEL, MID_HORIZON, halfHour, values);

        // Measured over the last four weeks: five steps ahead 0.19 against 0.47; one step ahead 0.537 either way.
        assertThat(mase(with, values, 5, 48 * 14)).isLessThan(0.6 * mase(without, values, 5, 48 * 14));
    }

    @Test
    void theWeeklyProfileForecastsAHalfHourlySeriesWhoseWeekendsDifferBetterSeveralStepsAhead() {
        long halfHour = 30 * MINUTE;
        double[] values = weekdaysAndWeekends(48 * 7 * 10, 13);

        List<Outcome> without = run(MODEL, MID_HORIZON, halfHour, values);
        List<Outcome> with = run(MODEL, WEEKLY, halfHour, values);

        // Measured over the last eight weeks: five steps ahead 0.27 against 0.55; one step ahead 0.64 against 0.85.
        assertThat(mase(with, values, 5, 48 * 14)).isLessThan(0.7 * mase(without, values, 5, 48 * 14));
    }

    @Test
    void aKeyWithAWeeklyProfileRestoredFromItsStoredStateCarriesOnExactlyAsAnUninterruptedOne() {
        double[] values = weekdaysAndWeekends(48 * 7 * 4, 14);
        List<Event> events = new ArrayList<>();
        for (int i = 0; i < values.length; i++) {
            events.add(new Event("k", i * 30 * MINUTE, Map.of("value", values[i])));
        }
        List<String> uninterrupted = describe(run(MODEL, WEEKLY, events, 1, new HashMap<>()));

        Map<String, KeyState> store = new HashMap<>();
        List<Outcome> before = run(MODEL, WEEKLY, events.subList(0, 48 * 7 * 3), 1, store);
        assertThat(store.get("k").learners()[0].profile().weeklyInUse()).isTrue();
        store.replaceAll((key, state) -> KeyStateCodec.decode(KeyStateCodec.encode(state)));
        List<Outcome> after = run(MODEL, WEEKLY, events.subList(48 * 7 * 3, events.size()), 1, store);

        List<Outcome> resumed = new ArrayList<>(before);
        resumed.addAll(after);
        assertThat(describe(resumed)).isEqualTo(uninterrupted);
    }

    @Test
    void aKeyStoredBeforeTheWeeklyProfileWasTurnedOnGetsItFromItsNextEvent() {
        double[] values = weekdaysAndWeekends(48 * 14, 15);
        List<Event> events = new ArrayList<>();
        for (int i = 0; i < values.length; i++) {
            events.add(new Event("k", i * 30 * MINUTE, Map.of("value", values[i])));
        }
        Map<String, KeyState> store = new HashMap<>();
        run(MODEL, MID_HORIZON, events.subList(0, 48 * 7), 1, store);
        assertThat(store.get("k").learners()[0].profile().weekly()).isEmpty();

        run(MODEL, WEEKLY, events.subList(48 * 7, events.size()), 1, store);
        assertThat(store.get("k").learners()[0].profile().weekly()).hasSize(48).doesNotContain(Float.NaN);

        run(MODEL, MID_HORIZON, List.of(new Event("k", values.length * 30 * MINUTE, Map.of("value", 10.0))), 1,
                store);
        assertThat(store.get("k").learners()[0].profile().weekly()).isEmpty();
    }

    @Test
    void aKeysProfileReadsTheLocalClockOfTheModelsTimeZone() {
        // The same local series, once in UTC and once five and a half hours earlier on the clock of Kolkata.
        ZoneOffset kolkata = ZoneOffset.ofHoursMinutes(5, 30);
        GruModel local = GruModel.of(MODEL.spec().toBuilder().timeZone(kolkata).build(), List.of(MODEL.layer(0)),
                MODEL.headWeight(), MODEL.headBias());
        double[] values = weekdaysAndWeekends(48 * 7 * 4, 16);
        List<Event> inUtc = new ArrayList<>();
        List<Event> inKolkata = new ArrayList<>();
        for (int i = 0; i < values.length; i++) {
            inUtc.add(new Event("k", i * 30 * MINUTE, Map.of("value", values[i])));
            inKolkata.add(new Event("k", i * 30 * MINUTE - kolkata.getTotalSeconds() * 1000L,
                    Map.of("value", values[i])));
        }

        List<Outcome> utc = run(MODEL, WEEKLY, inUtc, 1, new HashMap<>());
        List<Outcome> shifted = run(local, WEEKLY, inKolkata, 1, new HashMap<>());

        for (int i = 0; i < values.length; i++) {
            for (int k = 1; k <= HORIZON; k++) {
                assertThat(shifted.get(i).forecast(0, k)).isEqualTo(utc.get(i).forecast(0, k));
            }
        }
    }

    /**
     * Half-hourly values from time 0, Thursday 1 January 1970 (UTC): weekdays with a morning and an evening peak,
     * weekends with one late peak, and noise.
     */
    private static double[] weekdaysAndWeekends(int rows, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        double[] values = new double[rows];
        for (int i = 0; i < rows; i++) {
            double hour = (i % 48) / 2.0;
            boolean weekend = (i / 48 + 3) % 7 >= 5;
            values[i] = 10 + (weekend ? 2 * bump(hour, 22, 2) : 3 * bump(hour, 8, 1.5) + 2 * bump(hour, 18, 2))
                    + 0.2 * gaussian(random);
        }
        return values;
    }

    @Test
    void theMidHorizonInputIsNotGivenWhereTheHorizonSpansLessThanTwoHours() {
        double[] values = series(2000, 12, time -> 10 + 3 * bump(time / 3_600_000.0 % 24, 8, 1.5), 0.2);

        assertThat(describe(run(MODEL, MID_HORIZON, FIVE_MINUTES, values)))
                .isEqualTo(describe(run(MODEL, RULES, FIVE_MINUTES, values)));
    }

    private static double bump(double hour, double centre, double width) {
        double distance = (hour - centre) / width;
        return StrictMath.exp(-distance * distance / 2);
    }

    @Test
    void aRandomWalkIsForecastNoWorseThanByPersistence() {
        SplittableRandom random = new SplittableRandom(3);
        double[] values = new double[4000];
        for (int i = 1; i < values.length; i++) {
            values[i] = values[i - 1] + gaussian(random);
        }

        List<Outcome> outcomes = run(MODEL, RULES, FIVE_MINUTES, values);

        // The guard holds the one-step loss to noise; twelve steps ahead, where a walk's errors are correlated over
        // the step, the guard judges later and a walk costs about 5% (measured 1.04-1.07 over six walks).
        assertThat(mase(outcomes, values, 1, 0)).isLessThan(1.02);
        assertThat(mase(outcomes, values, HORIZON, 0)).isLessThan(1.08);
    }

    @Test
    void aLongerGuardHalfLifeServesAStepValuedSeriesBetter() {
        // A daily cycle rounded to whole units: the value changes every few tens of events, the learner and
        // persistence are nearly matched, so their errors over 50 events cross on noise and every switch costs.
        double[] values = new double[4000];
        for (int i = 0; i < values.length; i++) {
            values[i] = Math.rint(200 + 2 * StrictMath.sin(2 * StrictMath.PI * i / 288.0));
        }
        ForecastRules patient = RULES.withLearner(learnerRule(500, false, false));

        double atTheDefault = mase(run(MODEL, RULES, FIVE_MINUTES, values), values, 1, 500);
        double atFiveHundred = mase(run(MODEL, patient, FIVE_MINUTES, values), values, 1, 500);

        // Measured: 1.10 at the default half-life of 50, 0.97 at 500.
        assertThat(atFiveHundred).isLessThan(1.0).isLessThan(atTheDefault);
    }

    @Test
    void theGuardStillJudgesAfterAFlatKeysFirstMoveOfBillionsOfItsScales() {
        // Flat at zero, so the key's scale is floored near zero: the jump to 1e9 misses by about 1e18 scales, for
        // the learner and persistence alike. Then a step-valued cycle, on which the learner alone does worse.
        double[] values = new double[1400];
        for (int i = 400; i < values.length; i++) {
            values[i] = 1e9 + 1e7 * Math.rint(2 * StrictMath.sin(2 * StrictMath.PI * i / 288.0));
        }

        List<Outcome> outcomes = run(ModelSource.bundled(), RULES, FIVE_MINUTES, values);

        // Measured: 1.000; 1.468 when the guard's running errors took the misses in uncapped.
        assertThat(mase(outcomes, values, 1, 420)).isLessThan(1.02);
    }

    @Test
    void aLevelShiftIsFollowedAtOnce() {
        double[] values = series(1000, 4, time -> time < 800 * FIVE_MINUTES ? 10.0 : 40.0, 0.5);

        List<Outcome> outcomes = run(MODEL, RULES, FIVE_MINUTES, values);

        assertThat(outcomes.get(805).forecast(0, 1)).isCloseTo(40.0, within(3.0));
    }

    @Test
    void intervalsHoldTheirCoverageOnNoise() {
        double[] values = series(6000, 5, time -> 20.0, 1.0);

        List<Outcome> outcomes = run(MODEL, RULES, FIVE_MINUTES, values);

        for (int k : new int[] {1, 6, HORIZON}) {
            int inside = 0;
            int counted = 0;
            for (int t = 1000; t + k < values.length; t++) {
                Outcome outcome = outcomes.get(t);
                counted++;
                if (values[t + k] >= outcome.lower(0, k) && values[t + k] <= outcome.upper(0, k)) {
                    inside++;
                }
            }
            assertThat((double) inside / counted).as("coverage of step %d", k).isCloseTo(0.9, within(0.03));
        }
    }

    @Test
    void intervalsFitAKeyThatStartsToMoveAfterALongFlatStretch() {
        double[] values = new double[2600];
        SplittableRandom random = new SplittableRandom(8);
        for (int t = 2000; t < values.length; t++) {
            values[t] = random.nextInt(2);
        }

        // The bundled model, whose per-key scale of a flat key is floored near zero.
        List<Outcome> outcomes = run(ModelSource.bundled(), RULES, FIVE_MINUTES, values);

        int inside = 0;
        for (int t = 2050; t + 1 < values.length; t++) {
            Outcome outcome = outcomes.get(t);
            assertThat(outcome.upper(0, 1) - outcome.lower(0, 1)).as("width at event %d", t).isLessThan(10.0);
            if (values[t + 1] >= outcome.lower(0, 1) && values[t + 1] <= outcome.upper(0, 1)) {
                inside++;
            }
        }
        assertThat(inside / 549.0).as("coverage of step 1").isGreaterThan(0.8);
    }

    @Test
    void intervalsFitTheErrorsSoonAfterALongFlatStretchEnds() {
        double[] noise = series(3000, 6, time -> 20.0, 1.0);
        double[] values = new double[5000];
        Arrays.fill(values, 20.0);
        System.arraycopy(noise, 0, values, 2000, noise.length);

        // The bundled model, whose per-key scale of a flat key is floored near zero: the first move is capped at
        // eight of those scales, far above the errors that follow.
        List<Outcome> outcomes = run(ModelSource.bundled(), RULES, FIVE_MINUTES, values);

        assertThat(meanWidth(outcomes, 2000, 2300)).isLessThan(1.5 * meanWidth(outcomes, 4000, 4999));
        assertThat(coverage(outcomes, values, 2000, 2300)).isLessThan(0.96);
        for (int from = 2300; from < 4999; from += 300) {
            assertThat(coverage(outcomes, values, from, Math.min(from + 300, 4999)))
                    .as("coverage of step 1 from event %d", from).isGreaterThan(0.84);
        }
    }

    /** The mean width of the step-1 intervals issued at events {@code from} to {@code to} (exclusive). */
    private static double meanWidth(List<Outcome> outcomes, int from, int to) {
        double width = 0;
        for (int t = from; t < to; t++) {
            width += outcomes.get(t).upper(0, 1) - outcomes.get(t).lower(0, 1);
        }
        return width / (to - from);
    }

    /** The share of the next values inside the step-1 intervals issued at events {@code from} to {@code to}. */
    private static double coverage(List<Outcome> outcomes, double[] values, int from, int to) {
        int inside = 0;
        for (int t = from; t < to; t++) {
            Outcome outcome = outcomes.get(t);
            if (values[t + 1] >= outcome.lower(0, 1) && values[t + 1] <= outcome.upper(0, 1)) {
                inside++;
            }
        }
        return (double) inside / (to - from);
    }

    @Test
    void aKeysForecastsDoNotDependOnTheBatchItWasAdvancedIn() {
        List<Event> events = new ArrayList<>();
        SplittableRandom random = new SplittableRandom(6);
        for (int minute = 0; minute < 400; minute++) {
            for (int key = 0; key < 70; key++) {
                events.add(new Event("k" + key, minute * FIVE_MINUTES, Map.of("value",
                        10 * Math.sin(minute / 20.0 + key) + gaussian(random))));
            }
        }

        List<String> alone = describe(run(MODEL, RULES, events, 1, new HashMap<>()));
        assertThat(alone).hasSize(events.size());
        assertThat(describe(run(MODEL, RULES, events, 64, new HashMap<>()))).isEqualTo(alone);
    }

    @Test
    void aKeyRestoredFromItsStoredStateCarriesOnExactlyAsAnUninterruptedOne() {
        double[] values = series(1500, 7, time -> 30 + 5 * Math.sin(time / 3_600_000.0), 1.0);
        List<Event> events = new ArrayList<>();
        for (int i = 0; i < values.length; i++) {
            events.add(new Event("k", i * FIVE_MINUTES, Map.of("value", values[i])));
        }
        List<String> uninterrupted = describe(run(MODEL, RULES, events, 1, new HashMap<>()));

        Map<String, KeyState> store = new HashMap<>();
        List<Outcome> before = run(MODEL, RULES, events.subList(0, 900), 1, store);
        store.replaceAll((key, state) -> KeyStateCodec.decode(KeyStateCodec.encode(state)));
        List<Outcome> after = run(MODEL, RULES, events.subList(900, events.size()), 1, store);

        List<Outcome> resumed = new ArrayList<>(before);
        resumed.addAll(after);
        assertThat(describe(resumed)).isEqualTo(uninterrupted);
    }

    @Test
    void aLongPauseKeepsWhatTheKeyLearnt() {
        double[] values = series(600, 8, time -> 25.0, 1.0);
        Map<String, KeyState> store = new HashMap<>();
        List<Event> events = new ArrayList<>();
        for (int i = 0; i < values.length; i++) {
            events.add(new Event("k", i * FIVE_MINUTES, Map.of("value", values[i])));
        }
        run(MODEL, RULES, events, 1, store);
        long learnt = store.get("k").learners()[0].events();

        List<Outcome> afterPause = run(MODEL, RULES, List.of(new Event("k", 600 * FIVE_MINUTES + 2 * 86_400_000L,
                Map.of("value", 25.0))), 1, store);

        assertThat(afterPause.get(0).reset()).isEqualTo(StateReset.GAP);
        assertThat(store.get("k").learners()[0].events()).isEqualTo(learnt + 1);
    }

    @Test
    void theStoredStateReproducesTheLatestForecastsAndIntervals() {
        double[] values = series(700, 10, time -> 5.0 + time % 7, 0.3);
        Map<String, KeyState> store = new HashMap<>();
        List<Event> events = new ArrayList<>();
        for (int i = 0; i < values.length; i++) {
            events.add(new Event("k", i * FIVE_MINUTES, Map.of("value", values[i])));
        }
        List<Outcome> outcomes = run(MODEL, RULES, events, 1, store);
        Outcome last = outcomes.get(outcomes.size() - 1);

        double[] forecast = new double[HORIZON];
        double[] halfWidth = new double[HORIZON];
        KeyStateCodec.decode(KeyStateCodec.encode(store.get("k"))).learners()[0].latest(forecast, halfWidth);

        for (int k = 1; k <= HORIZON; k++) {
            assertThat(forecast[k - 1]).isEqualTo(last.forecast(0, k));
            assertThat(forecast[k - 1] - halfWidth[k - 1]).isEqualTo(last.lower(0, k));
            assertThat(forecast[k - 1] + halfWidth[k - 1]).isEqualTo(last.upper(0, k));
        }
    }

    @Test
    void aKeyRestartedAfterAGapTakesThePauseForNoSamplingInterval() {
        List<Event> events = new ArrayList<>();
        events.add(new Event("k", 0, Map.of("value", 1.0)));
        long resumed = 7 * 86_400_000L;
        for (int i = 0; i < 10; i++) {
            events.add(new Event("k", resumed + i * FIVE_MINUTES, Map.of("value", 1.0 + i % 3)));
        }
        Map<String, KeyState> store = new HashMap<>();

        List<Outcome> outcomes = run(TestingModels.persistence("1", HORIZON), RULES, events, 1, store);

        assertThat(outcomes.get(1).reset()).isEqualTo(StateReset.GAP);
        assertThat(store.get("k").learners()[0].profile().meanInterval()).isCloseTo(300, within(1e-9));
    }

    @Test
    void aKeyRestartedAfterAGapLearnsNothingFromItsFirstEventAfterIt() {
        Map<String, KeyState> store = new HashMap<>();
        run(MODEL, RULES, events(series(600, 12, time -> 25.0, 1.0), 0), 1, store);
        Learner learner = store.get("k").learners()[0];
        double[] weights = weights(learner, 1, HORIZON);
        double[] covariance = learner.covariance().clone();

        run(MODEL, RULES, List.of(new Event("k", 600 * FIVE_MINUTES + 2 * 86_400_000L, Map.of("value", 40.0))), 1,
                store);

        assertThat(store.get("k").learners()[0]).isSameAs(learner);
        assertThat(weights(learner, 1, HORIZON)).containsExactly(weights);
        assertThat(learner.covariance()).containsExactly(covariance);
    }

    @Test
    void aKeyRestartedAfterAGapLearnsEachStepOnlyOnceATargetOfAForecastMadeAfterItArrives() {
        Map<String, KeyState> store = new HashMap<>();
        run(MODEL, RULES, events(series(600, 12, time -> 25.0, 1.0), 0), 1, store);
        Learner learner = store.get("k").learners()[0];
        long resumed = 600 * FIVE_MINUTES + 2 * 86_400_000L;
        double[] values = series(HORIZON + 1, 15, time -> 40.0, 1.0);

        for (int j = 1; j <= HORIZON + 1; j++) {
            double[] before = weights(learner, 1, HORIZON);
            run(MODEL, RULES, List.of(new Event("k", resumed + (j - 1) * FIVE_MINUTES, Map.of("value",
                    values[j - 1]))), 1, store);
            double[] after = weights(learner, 1, HORIZON);
            // The j-th event after the gap is the first target of step j - 1 from an origin after it.
            for (int k = 1; k <= HORIZON; k++) {
                double[] stepBefore = Arrays.copyOfRange(before, (k - 1) * Learner.INPUTS, k * Learner.INPUTS);
                double[] stepAfter = Arrays.copyOfRange(after, (k - 1) * Learner.INPUTS, k * Learner.INPUTS);
                if (k < j) {
                    assertThat(stepAfter).as("step %d at event %d after the gap", k, j).isNotEqualTo(stepBefore);
                } else {
                    assertThat(stepAfter).as("step %d at event %d after the gap", k, j).containsExactly(stepBefore);
                }
            }
        }
    }

    @Test
    void aKeyRestartedAfterAGapTakesTheJumpAcrossItForNoLastChange() {
        Map<String, KeyState> store = new HashMap<>();
        run(MODEL, RULES, events(series(600, 12, time -> 25.0, 1.0), 0), 1, store);

        run(MODEL, RULES, List.of(new Event("k", 600 * FIVE_MINUTES + 2 * 86_400_000L, Map.of("value", 40.0))), 1,
                store);

        Learner learner = store.get("k").learners()[0];
        int slot = (int) ((learner.events() - 1) % HORIZON);
        assertThat(learner.ringInputs()[slot * Learner.INPUTS + 2]).as("the last change input").isZero();
    }

    @Test
    void aKeyRestartedAfterAGapComparesNoValueWithAForecastMadeBeforeIt() {
        Map<String, KeyState> store = new HashMap<>();
        run(MODEL, RULES, events(series(600, 13, time -> 25.0, 1.0), 0), 1, store);
        long resumed = 600 * FIVE_MINUTES + 2 * 86_400_000L;
        List<Event> after = events(series(HORIZON + 1, 14, time -> 40.0, 1.0), resumed);

        run(MODEL, RULES, after.subList(0, HORIZON), 1, store);
        // The second error channel, the step-H error, holds none until a step-H forecast made after the gap falls due.
        double untilThen = store.get("k").errors().mean(1);
        run(MODEL, RULES, after.subList(HORIZON, HORIZON + 1), 1, store);

        assertThat(untilThen).isZero();
        assertThat(store.get("k").errors().mean(1)).isNotZero();
    }

    @Test
    void aNewKeysStepHErrorStatisticsStartAtItsFirstStepHError() {
        double[] ramp = new double[HORIZON + 1];
        Arrays.setAll(ramp, i -> 10.0 + i);
        Map<String, KeyState> store = new HashMap<>();

        run(MODEL, RULES, events(ramp, 0), 1, store);

        // The first step-H error is that of the forecast made at the first event, persistence: the ramp's rise over
        // H events. The zeros the channel held before it are not part of its statistics.
        assertThat(store.get("k").errors().meanAbsDeviation(1)).isEqualTo(HORIZON);
    }

    @Test
    void aKeyThatStartsLearningTakesItsStepHErrorStatisticsFromItsFirstStepHError() {
        Map<String, KeyState> store = new HashMap<>();
        run(MODEL, RULES.withoutLearning(), events(series(50, 15, time -> 25.0, 1.0), 0), 1, store);
        double[] ramp = new double[HORIZON + 1];
        Arrays.setAll(ramp, i -> 10.0 + i);

        // Learning turned on: the key keeps its forecasts and starts fresh learners, so its every event is compared.
        run(MODEL, RULES, events(ramp, 50 * FIVE_MINUTES), 1, store);

        assertThat(store.get("k").errors().meanAbsDeviation(1)).isEqualTo(HORIZON);
    }

    @Test
    void aKeysStoredStateAtTheDefaultsFitsInFourKibibytes() {
        double[] values = series(2000, 9, time -> 25.0 + (time / 86_400_000L), 1.0);
        Map<String, KeyState> store = new HashMap<>();
        List<Event> events = new ArrayList<>();
        for (int i = 0; i < values.length; i++) {
            events.add(new Event("k", i * FIVE_MINUTES, Map.of("value", values[i])));
        }
        run(ModelSource.bundled(), RULES, events, 1, store);
        // The processor marks every state it stores with its task's stream time, an epoch time of 6 bytes.
        store.get("k").activeAt(System.currentTimeMillis());

        assertThat(KeyStateCodec.encode(store.get("k")).length).isLessThanOrEqualTo(4096);
    }

    @Test
    void theExpectedSizeOfALearntKeysStateIsAtLeastItsEncodedSizeAndNearIt() {
        double[] values = series(2000, 9, time -> 25.0 + (time / 86_400_000L), 1.0);
        Map<String, KeyState> store = new HashMap<>();
        run(ModelSource.bundled(), RULES, events(values, 0), 1, store);
        int encoded = KeyStateCodec.encode(store.get("k")).length;

        assertThat(KeyStateCodec.expectedSize(store.get("k"))).isBetween(encoded, encoded + 512);
    }

    /** Events of key "k" holding {@code values}, five minutes apart from {@code start}. */
    private static List<Event> events(double[] values, long start) {
        List<Event> events = new ArrayList<>();
        for (int i = 0; i < values.length; i++) {
            events.add(new Event("k", start + i * FIVE_MINUTES, Map.of("value", values[i])));
        }
        return events;
    }

    /** The weights of steps {@code from} to {@code to} of {@code learner}, step by step. */
    private static double[] weights(Learner learner, int from, int to) {
        double[] weights = new double[(to - from + 1) * Learner.INPUTS];
        for (int k = from; k <= to; k++) {
            for (int i = 0; i < Learner.INPUTS; i++) {
                weights[(k - from) * Learner.INPUTS + i] = learner.weight(k, i);
            }
        }
        return weights;
    }

    private static List<String> describe(List<Outcome> outcomes) {
        List<String> lines = new ArrayList<>();
        for (Outcome outcome : outcomes) {
            StringBuilder line = new StringBuilder(outcome.key() + "@" + outcome.eventTime() + " "
                    + outcome.anomalyScore());
            for (int k = 1; k <= outcome.horizon(); k++) {
                line.append(' ').append(outcome.forecast(0, k)).append(' ').append(outcome.lower(0, k));
            }
            lines.add(line.toString());
        }
        lines.sort(null);
        return lines;
    }
}
