package dev.grustream.forecast;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.grustream.avro.StateReset;
import dev.grustream.model.RandomModels;
import dev.grustream.model.Backend;
import dev.grustream.model.GateVariant;
import dev.grustream.model.GruModel;
import dev.grustream.model.LayerWeights;
import dev.grustream.model.ModelSpec;
import dev.grustream.model.Normalization;
import dev.grustream.scoring.AlertLevel;
import dev.grustream.scoring.AlertPolicy;
import dev.grustream.scoring.AnomalyLikelihood;
import dev.grustream.scoring.ErrorStats;
import dev.grustream.scoring.ValueRange;
import dev.grustream.testing.TestingModels;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ForecasterTest {
    private static final long MINUTE = 60_000;
    private static final long DAY = 86_400_000;
    private static final GruModel PERSISTENCE = TestingModels.persistence("1");

    private static final Learner.Rule LEARNER = new Learner.Rule(300, 96, 0.9, 0.99, 50, false, false);
    /** The rules without learning: the model's own forecasts, which these tests reason about. */
    private static final ForecastRules RULES = new ForecastRules(0, DAY, 0, 1e6, new ErrorStats.Rule(200, 1e-3),
            new AnomalyLikelihood.Rule(15, 2000), new ValueRange.Rule(true, 0.05, 30, 0),
            new AlertPolicy(0.975, 0.999, 20, 10 * MINUTE), false, LEARNER, false);

    /** {@link #RULES} with keys idle for ten minutes of stream time starting afresh. */
    private static final ForecastRules EXPIRING = new ForecastRules(0, DAY, 10 * MINUTE, 1e6, RULES.errors(),
            RULES.likelihood(), RULES.range(), RULES.alerts(), false, LEARNER, false);

    private final Forecaster forecaster = new Forecaster(RULES, Backend.JAVA, 8);
    private final Map<String, KeyState> store = new HashMap<>();
    private final List<Outcome> accepted = new ArrayList<>();
    private final List<String> refused = new ArrayList<>();

    @AfterEach
    void close() {
        forecaster.close();
    }

    private static Event event(String key, long minute, double value) {
        return new Event(key, minute * MINUTE, Map.of("value", value));
    }

    /** Advances {@code events} as one batch with {@code model}, storing the touched states. */
    private void advance(GruModel model, List<Event> events) {
        store.putAll(forecaster.advance(events, model, store::get, new Forecaster.Outcomes() {
            @Override
            public void accepted(int index, Outcome outcome) {
                accepted.add(outcome);
            }

            @Override
            public void refused(int index, Refusal refusal, String message) {
                refused.add(index + " " + refusal + ": " + message);
            }
        }));
    }

    private void advance(Event... events) {
        advance(PERSISTENCE, List.of(events));
    }

    /** An observation of minute {@code minute} that arrived when its partition's stream time was {@code arrived}. */
    private static Event arriving(String key, long minute, long arrived, Map<String, Double> features) {
        return new Event(key, minute * MINUTE, features, arrived * MINUTE);
    }

    /** The state resets of the observations accepted when {@code batches} run in turn under {@link #EXPIRING}. */
    private static List<StateReset> resetsUnderATtl(List<List<Event>> batches) {
        Map<String, KeyState> states = new HashMap<>();
        List<StateReset> resets = new ArrayList<>();
        try (Forecaster expiring = new Forecaster(EXPIRING, Backend.JAVA, 8)) {
            for (List<Event> batch : batches) {
                states.putAll(expiring.advance(batch, PERSISTENCE, states::get, new Forecaster.Outcomes() {
                    @Override
                    public void accepted(int index, Outcome outcome) {
                        resets.add(outcome.reset());
                    }

                    @Override
                    public void refused(int index, Refusal refusal, String message) {
                    }
                }));
            }
        }
        return resets;
    }

    private static double steady(int i) {
        return 10 + Math.sin(i / 5.0) + 0.05 * Math.cos(i * 1.7);
    }

    private void advanceSteady(String key, int from, int to) {
        for (int i = from; i < to; i++) {
            advance(event(key, i, steady(i)));
        }
    }

    private Outcome last() {
        return accepted.get(accepted.size() - 1);
    }

    @Test
    void aKeyIdlePastTheTtlBetweenTwoObservationsOfOneBatchStartsAfreshAsItDoesOneByOne() {
        Event first = arriving("k", 0, 0, Map.of("value", 1.0));
        Event second = arriving("k", 1, 20, Map.of("value", 2.0));

        assertThat(resetsUnderATtl(List.of(List.of(first, second))))
                .isEqualTo(resetsUnderATtl(List.of(List.of(first), List.of(second))))
                .containsExactly(StateReset.NEW_KEY, StateReset.NEW_KEY);
    }

    @Test
    void aRefusedObservationBeforeAnExpiredKeysNextOneDoesNotDecideItsExpiry() {
        Event first = arriving("k", 0, 0, Map.of("value", 1.0));
        Event refused = arriving("k", 1, 5, Map.of("other", 1.0));
        Event late = arriving("k", 2, 15, Map.of("value", 2.0));

        assertThat(resetsUnderATtl(List.of(List.of(first), List.of(refused, late))))
                .isEqualTo(resetsUnderATtl(List.of(List.of(first), List.of(refused), List.of(late))))
                .containsExactly(StateReset.NEW_KEY, StateReset.NEW_KEY);
    }

    @Test
    void aNewKeyStartsFreshWithNothingToCompare() {
        advance(event("a", 0, 7.0));

        Outcome outcome = last();
        assertThat(outcome.reset()).isEqualTo(StateReset.NEW_KEY);
        assertThat(outcome.step()).isEqualTo(1);
        assertThat(outcome.compared()).isFalse();
        assertThat(outcome.anomalyScore()).isZero();
        // The model computes in float32: its forecast matches the double-precision formula to about 1e-6.
        assertThat(outcome.forecast(0, 1)).isCloseTo(TestingModels.persistenceForecast(7.0), within(1e-4));
    }

    @Test
    void anObservationIsComparedWithTheForecastMadeAtTheKeysPreviousOne() {
        advance(event("a", 0, 7.0));
        double forecast = last().forecast(0, 1);

        advance(event("a", 1, 8.0));

        assertThat(last().reset()).isEqualTo(StateReset.NONE);
        assertThat(last().expected(0)).isEqualTo(forecast);
        assertThat(last().actual(0)).isEqualTo(8.0);
        assertThat(store.get("a").errors().mean(0)).isEqualTo(8.0 - forecast);
    }

    @Test
    void aKeysObservationsInOneBatchAreAdvancedInArrivalOrder() {
        advance(event("a", 0, 1.0), event("b", 0, 5.0), event("a", 1, 2.0), event("a", 2, 3.0));

        assertThat(accepted).extracting(Outcome::key).containsExactly("a", "b", "a", "a");
        assertThat(accepted).filteredOn(o -> o.key().equals("a")).extracting(Outcome::step)
                .containsExactly(1L, 2L, 3L);
        assertThat(store.get("a").lastEventTime()).isEqualTo(2 * MINUTE);
    }

    @Test
    void aDuplicateEventTimeIsRefusedAndChangesNothing() {
        advance(event("a", 0, 1.0));
        KeyState before = KeyStateCodec.decode(KeyStateCodec.encode(store.get("a")));

        advance(event("a", 0, 2.0));

        assertThat(refused).singleElement().asString().startsWith("0 DUPLICATE");
        assertThat(store.get("a")).isEqualTo(before);
    }

    @Test
    void anObservationOlderThanTheKeysLastIsRefusedAsLate() {
        advance(event("a", 5, 1.0));

        advance(event("a", 4, 2.0));

        assertThat(refused).singleElement().asString().startsWith("0 LATE").contains("60000 ms before");
    }

    @Test
    void aLateObservationWithinTheGraceIsAccepted() {
        Map<String, KeyState> states = new HashMap<>();

        List<Refusal> refusals = advanceWithTwoMinutesOfGrace(states, event("a", 5, 1.0), event("a", 4, 2.0));

        assertThat(refusals).isEmpty();
        assertThat(states.get("a").step()).isEqualTo(2);
    }

    @Test
    void aLateObservationAcceptedWithinTheGraceLeavesTheKeysClockWhereItWas() {
        Map<String, KeyState> states = new HashMap<>();

        List<Refusal> refusals = advanceWithTwoMinutesOfGrace(states, event("a", 5, 1.0), event("a", 4, 2.0),
                event("a", 5, 3.0));

        assertThat(refusals).containsExactly(Refusal.DUPLICATE);
        assertThat(states.get("a").lastEventTime()).isEqualTo(5 * MINUTE);
    }

    @Test
    void aRepeatOfAnEarlierEventTimeWithinTheGraceIsADuplicate() {
        Map<String, KeyState> states = new HashMap<>();

        List<Refusal> refusals = advanceWithTwoMinutesOfGrace(states, event("a", 10, 1.0), event("a", 9, 2.0),
                event("a", 9, 3.0), event("a", 11, 4.0), event("a", 10, 5.0), event("a", 9, 6.0));

        assertThat(refusals).containsExactly(Refusal.DUPLICATE, Refusal.DUPLICATE, Refusal.DUPLICATE);
        assertThat(states.get("a").step()).isEqualTo(3);
    }

    @Test
    void aLateEventTimeNotYetSeenWithinTheGraceIsAccepted() {
        Map<String, KeyState> states = new HashMap<>();

        List<Refusal> refusals = advanceWithTwoMinutesOfGrace(states, event("a", 10, 1.0), event("a", 8, 2.0),
                event("a", 9, 3.0));

        assertThat(refusals).isEmpty();
        assertThat(states.get("a").step()).isEqualTo(3);
    }

    @Test
    void aLateObservationBeforeEveryRememberedEventTimeIsRefusedAsLate() {
        Map<String, KeyState> states = new HashMap<>();
        List<Event> events = new ArrayList<>();
        for (int second = 0; second <= KeyState.REMEMBERED_EVENT_TIMES + 1; second++) {
            events.add(new Event("a", 600_000L + second * 1_000L, Map.of("value", 1.0)));
        }
        // One second before the oldest remembered of the 17 before the last, well within the grace.
        events.add(new Event("a", 600_000L - 500L, Map.of("value", 2.0)));

        List<Refusal> refusals = advanceWithTwoMinutesOfGrace(states, events.toArray(Event[]::new));

        assertThat(refusals).containsExactly(Refusal.LATE);
        long last = 600_000L + (KeyState.REMEMBERED_EVENT_TIMES + 1) * 1_000L;
        assertThat(states.get("a").lastEventTime()).isEqualTo(last);
        assertThat(states.get("a").earlierEventTimes()).hasSize(KeyState.REMEMBERED_EVENT_TIMES);
    }

    @Test
    void withoutAGraceNoEarlierEventTimeIsKept() {
        advance(event("a", 0, 1.0), event("a", 1, 2.0), event("a", 2, 3.0));

        assertThat(store.get("a").earlierEventTimes()).isEmpty();
    }

    @Test
    void aLateObservationBeforeEveryRememberedTimeIsAcceptedWhileTheMemoryHasRoom() {
        Map<String, KeyState> states = new HashMap<>();

        List<Refusal> refusals = advanceWithTwoMinutesOfGrace(states, event("a", 10, 1.0), event("a", 9, 2.0),
                event("a", 8, 3.0));

        assertThat(refusals).isEmpty();
        assertThat(states.get("a").earlierEventTimes()).containsExactly(9 * MINUTE, 8 * MINUTE);
    }

    @Test
    void eventTimesBeyondTheGraceAreForgotten() {
        Map<String, KeyState> states = new HashMap<>();

        List<Refusal> refusals = advanceWithTwoMinutesOfGrace(states, event("a", 1, 1.0), event("a", 2, 2.0),
                event("a", 5, 3.0), event("a", 2, 4.0));

        assertThat(states.get("a").earlierEventTimes()).isEmpty();
        assertThat(refusals).containsExactly(Refusal.LATE);
    }

    @Test
    void aKeyRestartedByAnotherModelStillRefusesRepeatsAndKeepsItsClock() {
        Map<String, KeyState> states = new HashMap<>();
        advanceWithTwoMinutesOfGrace(states, event("a", 10, 1.0), event("a", 8, 2.0));

        List<Refusal> refusals = advanceWithTwoMinutesOfGrace(states, TestingModels.persistence("2"),
                event("a", 9, 3.0), event("a", 10, 4.0), event("a", 8, 5.0));

        assertThat(refusals).containsExactly(Refusal.DUPLICATE, Refusal.DUPLICATE);
        assertThat(states.get("a").modelVersion()).isEqualTo("2");
        assertThat(states.get("a").lastEventTime()).isEqualTo(10 * MINUTE);
    }

    /** Advances each event in a batch of its own, with a late grace of two minutes; returns the refusals. */
    private static List<Refusal> advanceWithTwoMinutesOfGrace(Map<String, KeyState> states, Event... events) {
        return advanceWithTwoMinutesOfGrace(states, PERSISTENCE, events);
    }

    private static List<Refusal> advanceWithTwoMinutesOfGrace(Map<String, KeyState> states, GruModel model,
            Event... events) {
        ForecastRules lenient = new ForecastRules(2 * MINUTE, DAY, 0, 1e6, RULES.errors(), RULES.likelihood(),
                RULES.range(), RULES.alerts(), false, LEARNER, false);
        List<Refusal> refusals = new ArrayList<>();
        Forecaster.Outcomes outcomes = new Forecaster.Outcomes() {
            @Override
            public void accepted(int index, Outcome outcome) {
            }

            @Override
            public void refused(int index, Refusal refusal, String message) {
                refusals.add(refusal);
            }
        };
        try (Forecaster graceful = new Forecaster(lenient, Backend.JAVA, 8)) {
            for (Event event : events) {
                states.putAll(graceful.advance(List.of(event), model, states::get, outcomes));
            }
        }
        return refusals;
    }

    @Test
    void aMissingFeatureIsRefused() {
        advance(new Event("a", 0, Map.of("other", 1.0)));

        assertThat(refused).singleElement().asString().startsWith("0 MISSING_FEATURE").contains("'value'");
        assertThat(store).isEmpty();
    }

    @Test
    void anUnknownFeatureIsRefused() {
        advance(new Event("a", 0, Map.of("value", 1.0, "other", 2.0)));

        assertThat(refused).singleElement().asString().startsWith("0 UNKNOWN_FEATURE").contains("'other'");
    }

    @Test
    void aValueThatIsNotFiniteIsRefused() {
        advance(event("a", 0, Double.NaN));

        assertThat(refused).singleElement().asString().startsWith("0 NOT_FINITE");
    }

    @Test
    void aValueBeyondTheAcceptedNormalisedMagnitudeIsRefused() {
        advance(event("a", 0, 2e6));

        assertThat(refused).singleElement().asString().startsWith("0 OUT_OF_RANGE");
    }

    @Test
    void aRefusedObservationDoesNotStopTheRestOfTheBatch() {
        advance(event("a", 0, 1.0), event("a", 0, 1.0), new Event("b", 0, Map.of()), event("b", 1, 2.0));

        assertThat(refused).extracting(r -> r.substring(0, r.indexOf(':')))
                .containsExactlyInAnyOrder("1 DUPLICATE", "2 MISSING_FEATURE");
        assertThat(accepted).extracting(Outcome::key).containsExactly("a", "b");
    }

    @Test
    void aLongPauseRestartsTheModelStateButKeepsTheKeysStatisticsAndRange() {
        advanceSteady("a", 0, 40);
        KeyState before = store.get("a");

        advance(new Event("a", 39 * MINUTE + 2 * DAY, Map.of("value", 10.0)));

        assertThat(last().reset()).isEqualTo(StateReset.GAP);
        assertThat(last().step()).isEqualTo(1);
        assertThat(last().compared()).isFalse();
        assertThat(store.get("a").range().count()).isEqualTo(before.range().count());
        assertThat(store.get("a").errors().count()).isZero();
    }

    @Test
    void aStateMadeByAModelOfTheSameNameAndVersionButAnotherHiddenSizeStartsAfresh() {
        GruModel oneUnit = RandomModels.random(1, 1, 7);
        GruModel twoUnits = RandomModels.random(2, 1, 7);
        GruModel retrained = GruModel.of(twoUnits.spec().toBuilder().version(oneUnit.spec().version()).build(),
                List.of(twoUnits.layer(0)), twoUnits.headWeight(), twoUnits.headBias());
        advance(oneUnit, List.of(event("a", 0, 1.0)));

        advance(retrained, List.of(event("a", 1, 2.0)));

        assertThat(last().reset()).isEqualTo(StateReset.MODEL_CHANGE);
        assertThat(store.get("a").hidden()).hasSize(2);
    }

    @Test
    void aStateMadeByAModelOfTheSameNameAndVersionButMoreTargetsStartsAfresh() {
        Map<String, Double> both = Map.of("value", 1.0, "load", 2.0);
        advance(twoFeatureModel("value"), List.of(new Event("a", 0, both)));

        advance(twoFeatureModel("value", "load"), List.of(new Event("a", MINUTE, both)));

        assertThat(refused).isEmpty();
        assertThat(last().reset()).isEqualTo(StateReset.MODEL_CHANGE);
    }

    @Test
    void aStateWithoutFeatureStatisticsIsNotTakenAsMadeByAModelThatNormalisesPerKey() {
        GruModel perKey = RandomModels.randomPerKey(2, 1, 5);
        KeyState withoutStatistics = KeyState.restored(perKey.spec().name(), perKey.spec().version(), null,
                new float[perKey.spec().stateSize()], perKey.spec().targetCount(), ErrorStats.empty(1),
                AnomalyLikelihood.empty(), ValueRange.empty(perKey.spec().targetCount()), null);

        assertThat(withoutStatistics.madeBy(perKey.spec())).isFalse();
        assertThat(withoutStatistics.madeBy(RandomModels.random(2, 1, 5).spec())).isTrue();
    }

    /** A model over features value and load with two units and zero weights, forecasting {@code targets}. */
    private static GruModel twoFeatureModel(String... targets) {
        int units = 2;
        LayerWeights layer = LayerWeights.of(2, units, new float[3 * units * 2], new float[3 * units * units],
                new float[3 * units], new float[3 * units]);
        ModelSpec spec = ModelSpec.builder().name("two-features").version("1").features("value", "load")
                .targets(targets).hiddenSize(units).numLayers(1).gateVariant(GateVariant.RESET_AFTER)
                .normalization(Normalization.fixed(new double[2], new double[] {1, 1})).build();
        return GruModel.of(spec, List.of(layer), new float[targets.length * units], new float[targets.length]);
    }

    @Test
    void theSuppressionWindowHoldsAcrossAModelChange() {
        advanceSteady("a", 0, 40);
        advance(event("a", 40, 60.0));
        assertThat(last().alert()).isEqualTo(AlertLevel.CRITICAL);

        advance(TestingModels.persistence("2"), List.of(event("a", 41, 10.0)));

        assertThat(last().reset()).isEqualTo(StateReset.MODEL_CHANGE);
        assertThat(store.get("a").lastAlertTime()).isEqualTo(40 * MINUTE);
    }

    @Test
    void anAlertOfALateObservationKeepsTheLatestAlertsTime() {
        KeyState state = KeyStateFixture.of("m", "1", 100, 61 * MINUTE, 0, ErrorStats.empty(1), 0);
        state.alerted(61 * MINUTE);

        state.alerted(MINUTE);

        assertThat(state.lastAlertTime()).isEqualTo(61 * MINUTE);
    }

    @Test
    void aModelChangeKeepsTheRangeOfAKeysOneTarget() {
        advanceSteady("a", 0, 40);
        long seen = store.get("a").range().count();

        advance(TestingModels.persistence("2"), List.of(event("a", 40, 10.0)));

        assertThat(last().reset()).isEqualTo(StateReset.MODEL_CHANGE);
        assertThat(store.get("a").range().count()).isEqualTo(seen + 1);
    }

    @Test
    void aModelOfAnotherNameRestartsTheRange() {
        advanceSteady("a", 0, 40);
        GruModel next = TestingModels.persistence("2");
        GruModel renamed = GruModel.of(next.spec().toBuilder().name("another").build(), List.of(next.layer(0)),
                next.headWeight(), next.headBias());

        advance(renamed, List.of(event("a", 40, 10.0)));

        assertThat(last().reset()).isEqualTo(StateReset.MODEL_CHANGE);
        assertThat(store.get("a").range().count()).isEqualTo(1);
    }

    @Test
    void aModelChangeRestartsTheRangeOfAKeyWithSeveralTargets() {
        Map<String, Double> both = Map.of("value", 1.0, "load", 2.0);
        GruModel first = twoFeatureModel("value", "load");
        GruModel reordered = twoFeatureModel("load", "value");
        advance(first, List.of(new Event("a", 0, both)));

        advance(GruModel.of(reordered.spec().toBuilder().version("2").build(), List.of(reordered.layer(0)),
                reordered.headWeight(), reordered.headBias()), List.of(new Event("a", MINUTE, both)));

        assertThat(last().reset()).isEqualTo(StateReset.MODEL_CHANGE);
        assertThat(store.get("a").range().count()).isEqualTo(1);
    }

    @Test
    void aStateMadeByAnotherModelVersionStartsAfresh() {
        advance(event("a", 0, 1.0));

        advance(TestingModels.persistence("2"), List.of(event("a", 1, 2.0)));

        assertThat(last().reset()).isEqualTo(StateReset.MODEL_CHANGE);
        assertThat(last().modelVersion()).isEqualTo("2");
        assertThat(store.get("a").modelVersion()).isEqualTo("2");
    }

    @Test
    void ordinaryObservationsAreNotFlagged() {
        advanceSteady("a", 0, 60);

        assertThat(accepted).hasSize(60).noneMatch(Outcome::anomalous);
    }

    @Test
    void aSpikeBeyondTheKeysRangeAfterWarmUpScoresOneAndRaisesACriticalAlert() {
        advanceSteady("a", 0, 40);

        advance(event("a", 40, 60.0));

        assertThat(last().anomalyScore()).isEqualTo(1.0);
        assertThat(last().anomalous()).isTrue();
        assertThat(last().alert()).isEqualTo(AlertLevel.CRITICAL);
        assertThat(store.get("a").lastAlertTime()).isEqualTo(40 * MINUTE);
    }

    @Test
    void aFlaggedObservationDuringWarmUpRaisesNoAlert() {
        advanceSteady("a", 0, 10);

        advance(event("a", 10, 1_000.0));

        assertThat(last().alert()).isEqualTo(AlertLevel.NONE);
    }

    @Test
    void theStoredStateRemembersTheLastScore() {
        advanceSteady("a", 0, 12);

        assertThat(store.get("a").lastAnomalyScore()).isEqualTo(last().anomalyScore());
        assertThat(store.get("a").forecast(0)).isEqualTo(last().forecast(0, 1));
    }

    @Test
    void outcomesDoNotDependOnTheBatchSize() {
        GruModel model = RandomModels.random(16, 2, 7);
        List<Event> events = new ArrayList<>();
        SplittableRandom random = new SplittableRandom(11);
        for (int minute = 0; minute < 20; minute++) {
            for (int key = 0; key < 100; key++) {
                if (random.nextInt(4) > 0) {
                    events.add(event("k" + key, minute, 5 * Math.sin(minute / 3.0 + key) + random.nextDouble()));
                }
            }
        }

        List<String> alone = replay(model, events, 1);
        assertThat(alone).hasSize(events.size()).allMatch(result -> result.contains("@"), "accepted");
        assertThat(replay(model, events, 3)).isEqualTo(alone);
        assertThat(replay(model, events, 64)).isEqualTo(alone);
    }

    /**
     * Every forecast and score of {@code events}, handed over 170 at a time (about 95 keys) and advanced in batches of
     * {@code batch}, in outcome order.
     */
    private static List<String> replay(GruModel model, List<Event> events, int batch) {
        List<String> results = new ArrayList<>();
        Map<String, KeyState> states = new HashMap<>();
        try (Forecaster replaying = new Forecaster(RULES, Backend.JAVA, batch)) {
            for (int from = 0; from < events.size(); from += 170) {
                states.putAll(replaying.advance(events.subList(from, Math.min(events.size(), from + 170)), model,
                        states::get, new Forecaster.Outcomes() {
                            @Override
                            public void accepted(int index, Outcome outcome) {
                                results.add(outcome.key() + "@" + outcome.eventTime() + " "
                                        + outcome.forecast(0, 1) + " " + outcome.anomalyScore());
                            }

                            @Override
                            public void refused(int index, Refusal refusal, String message) {
                                results.add(refusal.name());
                            }
                        }));
            }
        }
        results.sort(null);
        return results;
    }
}
