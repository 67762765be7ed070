package dev.grustream.topology;

import static dev.grustream.testing.TopologyHarness.NOW;
import static dev.grustream.testing.TopologyHarness.header;
import static dev.grustream.testing.TopologyHarness.observation;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.grustream.avro.AlertRule;
import dev.grustream.avro.AnomalyAlert;
import dev.grustream.avro.Forecast;
import dev.grustream.avro.Severity;
import dev.grustream.avro.StateReset;
import dev.grustream.config.GruStreamConfig;
import dev.grustream.model.RandomModels;
import dev.grustream.scoring.ErrorStats;
import dev.grustream.testing.TestingModels;
import dev.grustream.testing.TopologyHarness;
import io.micrometer.core.instrument.Timer;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What the forecasting topology promises, checked through {@link org.apache.kafka.streams.TopologyTestDriver}.
 * Subclasses run it with and without batching: the outputs must not depend on it.
 */
abstract class ForecastTopologyContract {
    static final long MINUTE = 60_000;
    static final long T0 = NOW.toEpochMilli() - 86_400_000;

    TopologyHarness harness;

    /** The settings under test (batch size, linger). */
    abstract Map<String, String> batchSettings();

    TopologyHarness start(Map<String, String> overrides) {
        Map<String, String> settings = new HashMap<>(batchSettings());
        settings.put(GruStreamConfig.ALERT_WARMUP_EVENTS, "20");
        settings.put(GruStreamConfig.ALERT_SUPPRESSION_MS, String.valueOf(10 * MINUTE));
        // The contract is checked on the model's own forecasts, which a persistence model makes known; the keys'
        // learners are checked in LearningTopologyTest.
        settings.put(GruStreamConfig.LEARNER_ENABLED, "false");
        settings.putAll(overrides);
        return new TopologyHarness(TestingModels.persistence("1"), settings);
    }

    /**
     * A harness whose forecasts depend on everything a key has seen, for checks that keys and batches keep apart what
     * they must: a random GRU's own forecasts (the persistence model's next hidden state ignores the last one; a new
     * key's learner issues persistence until it beats it, which would hide the GRU's).
     */
    TopologyHarness startWithMemory(Map<String, String> batchSettings) {
        Map<String, String> settings = new HashMap<>(batchSettings);
        settings.put(GruStreamConfig.ALERT_WARMUP_EVENTS, "20");
        settings.put(GruStreamConfig.ANOMALY_RANGE_WARMUP_EVENTS, "20");
        settings.put(GruStreamConfig.ANOMALY_RANGE_WARMUP_MS, "0");
        settings.put(GruStreamConfig.LEARNER_ENABLED, "false");
        return new TopologyHarness(RandomModels.random(8, 2, 7), settings);
    }

    /** Sends three keys' interleaved observations, 30 each, every one different from the others; c spikes late. */
    void sendThreeKeys() {
        for (int i = 0; i < 30; i++) {
            harness.send("b", T0 + i * MINUTE, 100 - i);
            harness.send("a", T0 + i * MINUTE, steady(i));
            harness.send("c", T0 + i * MINUTE, i == 27 ? 500 : i % 7);
        }
        harness.flush();
    }

    @BeforeEach
    void startHarness() {
        harness = start(Map.of());
    }

    @AfterEach
    void closeHarness() {
        harness.close();
    }

    /** A gently varying series: the persistence model forecasts it with errors well below 1. */
    static double steady(int i) {
        return 10 + Math.sin(i / 5.0) + 0.05 * Math.cos(i * 1.7);
    }

    void sendSteady(String key, int from, int to) {
        for (int i = from; i < to; i++) {
            harness.send(key, T0 + i * MINUTE, steady(i));
        }
    }

    @Test
    void writesOneForecastPerObservationInEventOrder() {
        sendSteady("a", 0, 5);
        harness.flush();

        List<TestRecord<String, Forecast>> forecasts = harness.forecasts();
        assertThat(forecasts).extracting(TestRecord::key).containsOnly("a");
        assertThat(forecasts).extracting(r -> r.value().getStep()).containsExactly(1L, 2L, 3L, 4L, 5L);
        assertThat(forecasts).extracting(r -> r.value().getEventTime().toEpochMilli())
                .containsExactly(T0, T0 + MINUTE, T0 + 2 * MINUTE, T0 + 3 * MINUTE, T0 + 4 * MINUTE);
        assertThat(forecasts).extracting(TestRecord::timestamp)
                .containsExactly(T0, T0 + MINUTE, T0 + 2 * MINUTE, T0 + 3 * MINUTE, T0 + 4 * MINUTE);
        assertThat(forecasts.get(0).value().getModelName()).isEqualTo("persistence");
        assertThat(forecasts.get(0).value().getModelVersion()).isEqualTo("1");
    }

    @Test
    void firstForecastOfAKeyHasNothingToCompareWith() {
        harness.send("a", T0, 7.0);
        harness.flush();

        Forecast first = harness.forecastValues().get(0);
        assertThat(first.getStateReset()).isEqualTo(StateReset.NEW_KEY);
        assertThat(first.getExpected()).isNull();
        assertThat(first.getAnomalyScore()).isZero();
        assertThat(first.getForecast().get("value").get(0))
                .isCloseTo(TestingModels.persistenceForecast(7.0), within(1e-4));
    }

    @Test
    void eachObservationIsComparedWithTheForecastMadeAtThePreviousOne() {
        sendSteady("a", 0, 3);
        harness.flush();

        List<Forecast> forecasts = harness.forecastValues();
        assertThat(forecasts).hasSize(3);
        for (int i = 1; i < forecasts.size(); i++) {
            assertThat(forecasts.get(i).getStateReset()).isEqualTo(StateReset.NONE);
            assertThat(forecasts.get(i).getExpected())
                    .containsEntry("value", forecasts.get(i - 1).getForecast().get("value").get(0));
        }
    }

    @Test
    void ordinaryObservationsScoreBelowTheThreshold() {
        sendSteady("a", 0, 60);
        harness.flush();

        assertThat(harness.forecastValues()).hasSize(60).allSatisfy(f -> assertThat(f.getAnomalous()).isFalse());
        assertThat(harness.alerts()).isEmpty();
    }

    /**
     * Restarts the harness with a range warm-up short enough for these short series: a young key's anomaly
     * likelihood still weighs its starting statistics, so a lone spike in its first tens of events is flagged by the
     * range rule (the steady series covers its whole range within about 31 events).
     */
    private void startWithRangeWarmUp(int events) {
        harness.close();
        harness = start(Map.of(GruStreamConfig.ANOMALY_RANGE_WARMUP_EVENTS, String.valueOf(events),
                GruStreamConfig.ANOMALY_RANGE_WARMUP_MS, "0"));
    }

    @Test
    void aSpikeAfterWarmUpRaisesAnAlert() {
        startWithRangeWarmUp(35);
        sendSteady("a", 0, 40);
        harness.send("a", T0 + 40 * MINUTE, 60.0);
        harness.flush();

        List<AnomalyAlert> alerts = harness.alerts();
        assertThat(alerts).hasSize(1);
        AnomalyAlert alert = alerts.get(0);
        assertThat(alert.getKey()).isEqualTo("a");
        assertThat(alert.getEventTime().toEpochMilli()).isEqualTo(T0 + 40 * MINUTE);
        assertThat(alert.getActual()).containsEntry("value", 60.0);
        assertThat(alert.getExpected().get("value"))
                .isCloseTo(TestingModels.persistenceForecast(steady(39)), within(1e-4));
        assertThat(alert.getAnomalyScore()).isGreaterThanOrEqualTo(alert.getThreshold());
        assertThat(alert.getSeverity()).isEqualTo(Severity.CRITICAL);
        assertThat(alert.getRule()).isEqualTo(AlertRule.RANGE);
        assertThat(alert.getModelVersion()).isEqualTo("1");
        Forecast spike = last(harness.forecastValues());
        assertThat(spike.getAnomalous()).isTrue();
        assertThat(spike.getAnomalyScore()).isEqualTo(alert.getAnomalyScore());
        assertThat(harness.counter("gru.alerts", "severity", "critical")).isEqualTo(1);
    }

    @Test
    void noAlertDuringWarmUpThoughTheForecastIsFlagged() {
        startWithRangeWarmUp(10);
        sendSteady("a", 0, 15);
        harness.send("a", T0 + 15 * MINUTE, 60.0);
        harness.flush();

        assertThat(last(harness.forecastValues()).getAnomalous()).isTrue();
        assertThat(harness.alerts()).isEmpty();
    }

    @Test
    void oneAlertPerSuppressionWindow() {
        startWithRangeWarmUp(35);
        sendSteady("a", 0, 40);
        harness.send("a", T0 + 40 * MINUTE, 60.0);
        sendSteady("a", 41, 45);
        // Flagged (below the range) but within ten minutes of the first alert.
        harness.send("a", T0 + 45 * MINUTE, -40.0);
        sendSteady("a", 46, 60);
        harness.send("a", T0 + 60 * MINUTE, 10_000.0);
        harness.flush();

        assertThat(harness.alerts()).extracting(a -> a.getEventTime().toEpochMilli())
                .containsExactly(T0 + 40 * MINUTE, T0 + 60 * MINUTE);
    }

    @Test
    void aLateIncidentAfterAnAlertRaisesNoMoreAlertsThoughItsForecastsAreFlagged() {
        harness.close();
        harness = start(Map.of(GruStreamConfig.ANOMALY_RANGE_WARMUP_EVENTS, "35",
                GruStreamConfig.ANOMALY_RANGE_WARMUP_MS, "0",
                GruStreamConfig.LATE_GRACE_MS, String.valueOf(60 * MINUTE)));
        sendSteady("a", 0, 40);
        harness.send("a", T0 + 100 * MINUTE, 60.0);
        // Each more than the ten-minute window before the alert, a minute apart, each beyond the range so far.
        harness.send("a", T0 + 80 * MINUTE, 1_000.0);
        harness.send("a", T0 + 81 * MINUTE, -1_000.0);
        harness.send("a", T0 + 82 * MINUTE, 2_000.0);
        harness.flush();

        assertThat(harness.alerts()).extracting(a -> a.getEventTime().toEpochMilli())
                .containsExactly(T0 + 100 * MINUTE);
        assertThat(harness.forecastValues()).filteredOn(f -> f.getEventTime().toEpochMilli() < T0 + 100 * MINUTE
                && f.getEventTime().toEpochMilli() >= T0 + 80 * MINUTE).hasSize(3).allMatch(Forecast::getAnomalous);
    }

    @Test
    void aValueBeyondTheKeysRangeScoresOne() {
        harness.close();
        harness = start(Map.of(GruStreamConfig.ANOMALY_RANGE_WARMUP_EVENTS, "40",
                GruStreamConfig.ANOMALY_RANGE_WARMUP_MS, "0"));
        sendSteady("a", 0, 60);
        // The steady series spans about [9, 11]; 11.6 is beyond its maximum by more than 5% of that width, yet only
        // a moderate step from the last value, which on its own would not be flagged.
        harness.send("a", T0 + 60 * MINUTE, 11.6);
        harness.flush();

        assertThat(last(harness.forecastValues()).getAnomalyScore()).isEqualTo(1.0);
    }

    @Test
    void theRangeRuleWaitsForItsWarmUp() {
        startWithRangeWarmUp(100);
        sendSteady("a", 0, 60);
        harness.send("a", T0 + 60 * MINUTE, 11.6);
        harness.flush();

        assertThat(last(harness.forecastValues()).getAnomalyScore()).isLessThan(1.0);
    }

    @Test
    void aDisabledRangeRuleScoresNothingOne() {
        harness.close();
        harness = start(Map.of(GruStreamConfig.ANOMALY_RANGE_WARMUP_EVENTS, "40",
                GruStreamConfig.ANOMALY_RANGE_WARMUP_MS, "0", GruStreamConfig.ANOMALY_RANGE_ENABLED, "false"));
        sendSteady("a", 0, 60);
        harness.send("a", T0 + 60 * MINUTE, 11.6);
        harness.flush();

        assertThat(last(harness.forecastValues()).getAnomalyScore()).isLessThan(1.0);
    }

    @Test
    void lateObservationIsDeadLetteredUnchanged() {
        harness.send("a", T0 + 10 * MINUTE, 1.0);
        byte[] lateBytes = harness.serialize(observation(T0 + 5 * MINUTE, 2.0));
        harness.send("a", observation(T0 + 5 * MINUTE, 2.0));
        harness.flush();

        assertThat(harness.forecastValues()).hasSize(1);
        TestRecord<byte[], byte[]> deadLetter = single(harness.deadLetters());
        assertThat(header(deadLetter.headers(), DeadLetters.REASON_HEADER)).isEqualTo("late");
        assertThat(header(deadLetter.headers(), DeadLetters.MESSAGE_HEADER)).contains("300000 ms before");
        assertThat(header(deadLetter.headers(), DeadLetters.TOPIC_HEADER)).isEqualTo("observations");
        assertThat(header(deadLetter.headers(), DeadLetters.OFFSET_HEADER)).isEqualTo("1");
        assertThat(deadLetter.value()).isEqualTo(lateBytes);
        assertThat(new String(deadLetter.key(), StandardCharsets.UTF_8)).isEqualTo("a");
        assertThat(harness.counter("gru.dead.letters", "reason", "late")).isEqualTo(1);
    }

    private void restartWithTenMinutesOfGrace() {
        harness.close();
        harness = start(Map.of(GruStreamConfig.LATE_GRACE_MS, String.valueOf(10 * MINUTE)));
    }

    @Test
    void lateObservationWithinTheGraceIsProcessedInArrivalOrder() {
        restartWithTenMinutesOfGrace();
        harness.send("a", T0 + 10 * MINUTE, 1.0);
        harness.send("a", T0 + 5 * MINUTE, 2.0);
        harness.flush();

        assertThat(harness.forecastValues()).extracting(f -> f.getEventTime().toEpochMilli())
                .containsExactly(T0 + 10 * MINUTE, T0 + 5 * MINUTE);
        assertThat(harness.deadLetters()).isEmpty();
    }

    @Test
    void aRepeatWithinTheGraceOfAnEventAlreadyProcessedIsADuplicate() {
        restartWithTenMinutesOfGrace();
        harness.send("a", T0 + 10 * MINUTE, 1.0);
        harness.send("a", T0 + 5 * MINUTE, 2.0);
        harness.send("a", T0 + 5 * MINUTE, 2.5);
        harness.send("a", T0 + 11 * MINUTE, 3.0);
        harness.send("a", T0 + 10 * MINUTE, 1.0);
        harness.flush();

        assertThat(harness.forecastValues()).extracting(f -> f.getEventTime().toEpochMilli())
                .containsExactly(T0 + 10 * MINUTE, T0 + 5 * MINUTE, T0 + 11 * MINUTE);
        assertThat(reasonsOf(harness.deadLetters())).containsExactly("duplicate", "duplicate");
    }

    @Test
    void secondObservationAtTheSameEventTimeIsADuplicate() {
        harness.send("a", T0, 1.0);
        harness.send("a", T0, 1.5);
        harness.flush();

        assertThat(harness.forecastValues()).hasSize(1);
        assertThat(reasonsOf(harness.deadLetters())).containsExactly("duplicate");
    }

    @Test
    void aLongGapRestartsTheKeysState() {
        sendSteady("a", 0, 10);
        harness.send("a", T0 + 9 * MINUTE + 86_400_001L, 10.0);
        harness.flush();

        Forecast afterGap = last(harness.forecastValues());
        assertThat(afterGap.getStateReset()).isEqualTo(StateReset.GAP);
        assertThat(afterGap.getStep()).isEqualTo(1);
        assertThat(afterGap.getExpected()).isNull();
    }

    @Test
    void aLongGapStartsTheKeysGruFromTheZeroStateAsANewKeys() {
        harness.close();
        harness = startWithMemory(batchSettings());
        sendSteady("a", 0, 10);
        long afterGap = T0 + 9 * MINUTE + 86_400_001L;
        harness.send("a", afterGap, 10.0);
        harness.send("new", afterGap, 10.0);
        harness.flush();

        Map<String, Forecast> last = new HashMap<>();
        harness.forecastValues().forEach(f -> last.put(f.getKey(), f));
        assertThat(last.get("a").getStateReset()).isEqualTo(StateReset.GAP);
        assertThat(harness.stateStore().get("a").hidden()).isEqualTo(harness.stateStore().get("new").hidden());
        assertThat(last.get("a").getForecast()).isEqualTo(last.get("new").getForecast());
    }

    @Test
    void aLongGapKeepsTheKeysRangeAndRestartsItsErrorStatistics() {
        sendSteady("a", 0, 30);
        harness.send("a", T0 + 29 * MINUTE + 86_400_001L, 10.0);
        harness.flush();

        var state = harness.stateStore().get("a");
        assertThat(state.range().count()).isEqualTo(31);
        assertThat(state.errors().count()).isZero();
        assertThat(state.likelihood().count()).isZero();
    }

    @Test
    void aStoredStateThatCannotBeReadIsCountedAndItsKeyStartsAfresh() {
        harness.close();
        harness = start(Map.of(GruStreamConfig.STATE_CACHE_MAX_BYTES, "0"));
        sendSteady("a", 0, 5);
        harness.flush();
        var stored = harness.stateStore().get("a");
        stored.hidden()[0] = Float.NaN; // the codec refuses to read a hidden state that is not a number
        harness.stateStore().put("a", stored);

        harness.send("a", T0 + 5 * MINUTE, 10.0);
        harness.flush();

        assertThat(last(harness.forecastValues()).getStateReset()).isEqualTo(StateReset.NEW_KEY);
        // Counted at each read: a batched observation's key is read as it is buffered and again as it is advanced.
        assertThat(harness.counter("gru.states.unreadable")).isPositive();
    }

    @Test
    void aStateMadeByAnotherModelVersionIsRestarted() {
        sendSteady("a", 0, 10);
        harness.flush();
        harness.forecasts();

        harness.activeModel().swap(TestingModels.persistence("2"));
        harness.send("a", T0 + 10 * MINUTE, 10.0);
        harness.flush();

        Forecast afterSwap = single(harness.forecastValues());
        assertThat(afterSwap.getStateReset()).isEqualTo(StateReset.MODEL_CHANGE);
        assertThat(afterSwap.getModelVersion()).isEqualTo("2");
        assertThat(afterSwap.getStep()).isEqualTo(1);
        assertThat(harness.stateStore().get("a").modelVersion()).isEqualTo("2");
    }

    @Test
    void idleKeysAreEvictedByStreamTime() {
        harness.close();
        harness = start(Map.of(GruStreamConfig.STATE_TTL_MS, String.valueOf(60 * MINUTE),
                GruStreamConfig.STATE_TTL_SCAN_INTERVAL_MS, String.valueOf(MINUTE)));
        harness.send("idle", T0, 1.0);
        harness.send("busy", T0, 1.0);
        harness.flush();
        for (int i = 1; i <= 62; i++) {
            harness.send("busy", T0 + i * MINUTE, 1.0 + i % 3);
            harness.flush();
        }

        assertThat(harness.stateStore().get("idle")).isNull();
        assertThat(harness.stateStore().get("busy")).isNotNull();
        assertThat(harness.counter("gru.keys.evicted")).isEqualTo(1);
    }

    @Test
    void aKeyWhoseEventTimesLagThePartitionsStaysWhileItsObservationsArrive() {
        harness.close();
        harness = start(Map.of(GruStreamConfig.STATE_TTL_MS, String.valueOf(60 * MINUTE),
                GruStreamConfig.STATE_TTL_SCAN_INTERVAL_MS, String.valueOf(MINUTE)));
        // A backfill three hours behind a live key of the same partition: stream time runs ahead of its events.
        harness.send("live", T0 + 179 * MINUTE, 1.0);
        harness.flush();
        for (int i = 0; i < 30; i++) {
            harness.send("backfill", T0 + i * MINUTE, steady(i));
            harness.flush();
            harness.send("live", T0 + (180 + i) * MINUTE, 1.0);
            harness.flush();
        }

        assertThat(harness.counter("gru.keys.evicted")).as("keys evicted").isZero();
        assertThat(harness.forecastValues().stream().filter(forecast -> forecast.getKey().equals("backfill")))
                .extracting(Forecast::getStep).containsExactlyElementsOf(LongStream.rangeClosed(1, 30).boxed()
                        .toList());
    }

    @Test
    void aKeyWhoseEventTimesLaggedIsEvictedOnceItsObservationsStop() {
        harness.close();
        harness = start(Map.of(GruStreamConfig.STATE_TTL_MS, String.valueOf(60 * MINUTE),
                GruStreamConfig.STATE_TTL_SCAN_INTERVAL_MS, String.valueOf(MINUTE)));
        harness.send("live", T0 + 180 * MINUTE, 1.0);
        harness.send("backfill", T0, 1.0);
        harness.flush();
        for (int i = 1; i <= 62; i++) {
            harness.send("live", T0 + (180 + i) * MINUTE, 1.0);
            harness.flush();
        }

        assertThat(harness.stateStore().get("backfill")).isNull();
        assertThat(harness.counter("gru.keys.evicted")).isEqualTo(1);
    }

    @Test
    void aRefusedObservationIsNoActivityOfItsKey() {
        harness.send("k", T0, 1.0);
        harness.send("other", T0 + 10 * MINUTE, 1.0);
        harness.send("k", T0, 2.0);
        harness.flush();

        assertThat(reasonsOf(harness.deadLetters())).containsExactly("duplicate");
        assertThat(harness.stateStore().get("k").lastActiveStreamTime()).isEqualTo(T0);
    }

    @Test
    void headersTooLargeForADeadLetterAreLeftOutAndTheirSizeSaid() {
        Headers headers = new RecordHeaders();
        for (int i = 0; i < 3; i++) {
            headers.add("trace-" + i, new byte[400 << 10]);
        }
        harness.send("a", observation(T0, 1.0), headers);
        harness.flush();

        assertThat(harness.deadLetters()).singleElement().satisfies(letter -> {
            assertThat(letter.headers().lastHeader("trace-0")).isNull();
            assertThat(header(letter.headers(), DeadLetters.REASON_HEADER)).isEqualTo("value-too-large");
            assertThat(header(letter.headers(), DeadLetters.HEADERS_BYTES_HEADER))
                    .isEqualTo(String.valueOf(3 * ("trace-0".length() + (400 << 10) + 10)));
        });
    }

    @Test
    void manyEmptyHeadersThatMakeARecordTooLargeToBufferAreDeadLettered() {
        // Each costs two bytes in Kafka but its framing in the buffer: 400,000 of them made a slot of 1.2 MB.
        Headers headers = new RecordHeaders();
        for (int i = 0; i < 7_000; i++) {
            headers.add("", new byte[0]);
        }
        harness.send("a", observation(T0, 1.0), headers);

        assertDeadLetteredOnlyAs("value-too-large");
    }

    @Test
    void headersThatMakeARecordTooLargeToBufferAreDeadLettered() {
        Headers headers = new RecordHeaders().add("trace", new byte[70_000]);
        harness.send("a", observation(T0, 1.0), headers);

        assertDeadLetteredOnlyAs("value-too-large");
    }

    @Test
    void aRecordRefusedAfterBufferingIsDeadLetteredWithTheInputsHeaders() {
        Headers headers = new RecordHeaders()
                .add("trace-id", "t-1".getBytes(StandardCharsets.UTF_8))
                .add("no-value", null);
        harness.send("a", observation(T0, Map.of("other", 1.0)), headers);
        harness.flush();

        TestRecord<byte[], byte[]> deadLetter = single(harness.deadLetters());
        assertThat(header(deadLetter.headers(), DeadLetters.REASON_HEADER)).isEqualTo("missing-feature");
        assertThat(header(deadLetter.headers(), "trace-id")).isEqualTo("t-1");
        assertThat(deadLetter.headers().lastHeader("no-value")).isNotNull()
                .extracting(Header::value).isNull();
    }

    @Test
    void aRecordWithAnUnusableTimeDoesNotMoveStreamTime() {
        harness.close();
        harness = start(Map.of(GruStreamConfig.STATE_TTL_MS, String.valueOf(60 * MINUTE),
                GruStreamConfig.STATE_TTL_SCAN_INTERVAL_MS, String.valueOf(MINUTE)));
        sendSteady("a", 0, 5);
        // Processed, so that "a" is not in the batch buffer, which protects buffered keys from eviction.
        harness.flush();
        harness.send("b", NOW.toEpochMilli() + 3_650L * 86_400_000L, 1.0);
        harness.send("b", observation(-5, 1.0));
        sendSteady("a", 5, 10);
        harness.flush();

        assertThat(reasonsOf(harness.deadLetters())).containsExactly("future", "invalid-time");
        assertThat(harness.counter("gru.keys.evicted")).as("keys evicted").isZero();
        assertThat(last(harness.forecastValues()).getStep()).isEqualTo(10);
    }

    @Test
    void outputsAreNeverStampedAheadOfTheClock() {
        // Accepted (within future.tolerance.ms), but an hour past what a broker accepts as a timestamp by default.
        long ahead = NOW.toEpochMilli() + 2 * 60 * MINUTE;
        harness.send("a", ahead, 1.0);
        harness.send("a", ahead, 2.0);
        harness.flush();

        TestRecord<String, Forecast> forecast = single(harness.forecasts());
        assertThat(forecast.value().getEventTime().toEpochMilli()).isEqualTo(ahead);
        assertThat(forecast.timestamp()).isEqualTo(NOW.toEpochMilli());
        assertThat(single(harness.deadLetters()).timestamp()).as("the duplicate's dead letter")
                .isEqualTo(NOW.toEpochMilli());
    }

    @Test
    void keysDoNotInfluenceEachOther() {
        harness.close();
        harness = startWithMemory(batchSettings());
        sendSteady("a", 0, 30);
        harness.flush();
        List<Forecast> alone = harness.forecastValues();

        harness.close();
        harness = startWithMemory(batchSettings());
        sendThreeKeys();
        List<Forecast> mixed = harness.forecastValues().stream()
                .filter(f -> f.getKey().equals("a")).collect(Collectors.toList());

        assertThat(alone).hasSize(30);
        assertThat(mixed).isEqualTo(alone);
    }

    @Test
    void storedStateHoldsWhatTheNextObservationNeeds() {
        sendSteady("a", 0, 12);
        harness.flush();
        Forecast lastForecast = last(harness.forecastValues());

        var state = harness.stateStore().get("a");
        assertThat(state.step()).isEqualTo(12);
        assertThat(state.lastEventTime()).isEqualTo(T0 + 11 * MINUTE);
        assertThat(state.forecast(0)).isEqualTo(lastForecast.getForecast().get("value").get(0));
        assertThat(state.errors().count()).isEqualTo(11);
        assertThat(state.modelVersion()).isEqualTo("1");
    }

    @Test
    void storedStateHoldsTheDeviationStatisticsAndTheRange() {
        sendSteady("a", 0, 30);
        harness.flush();

        var state = harness.stateStore().get("a");
        // 29 errors; the first ErrorStats.MIN_ERRORS of them build the error statistics without a deviation.
        assertThat(state.likelihood().count()).isEqualTo(29 - ErrorStats.MIN_ERRORS);
        assertThat(state.range().count()).isEqualTo(30);
        assertThat(state.range().max(0)).isEqualTo(IntStream.range(0, 30).mapToDouble(i -> steady(i)).max()
                .orElseThrow());
    }

    @Test
    void storedStateKeepsTheAnomalyScoreOfTheLastForecast() {
        sendSteady("a", 0, 12);
        harness.flush();
        Forecast lastForecast = last(harness.forecastValues());

        assertThat(harness.stateStore().get("a").lastAnomalyScore()).isEqualTo(lastForecast.getAnomalyScore());
    }

    @Test
    void storedStateHasNoAnomalyScoreBeforeItsFirstComparison() {
        harness.send("a", T0, 1.0);
        harness.flush();

        assertThat(harness.stateStore().get("a").lastAnomalyScore()).isNaN();
    }

    // ---- records judged bad: each ends as one dead letter with its reason, and the stream goes on

    @Test
    void recordWithoutKeyIsDeadLettered() {
        harness.send(null, observation(T0, 1.0));
        assertDeadLetteredOnlyAs("null-key");
    }

    @Test
    void recordWithAnEmptyKeyIsDeadLettered() {
        harness.send("", observation(T0, 1.0));
        assertDeadLetteredOnlyAs("null-key");
    }

    @Test
    void oversizedKeyIsDeadLettered() {
        harness.send("k".repeat(1025), observation(T0, 1.0));
        assertDeadLetteredOnlyAs("key-too-large");
    }

    @Test
    void aRecordKeyThatIsNotUtf8IsDeadLetteredWithItsBytes() {
        byte[] key = {'a', (byte) 0xFF};
        byte[] value = harness.serialize(observation(T0, 1.0));
        harness.sendRaw(key, value);
        harness.flush();

        TestRecord<byte[], byte[]> deadLetter = single(harness.deadLetters());
        assertThat(header(deadLetter.headers(), DeadLetters.REASON_HEADER)).isEqualTo("undecodable");
        assertThat(header(deadLetter.headers(), DeadLetters.MESSAGE_HEADER)).contains("not UTF-8");
        assertThat(deadLetter.key()).isEqualTo(key);
        assertThat(deadLetter.value()).isEqualTo(value);
        assertThat(harness.forecastValues()).isEmpty();
    }

    @Test
    void twoRecordKeysThatAreNotUtf8NeverShareASeries() {
        harness.sendRaw(new byte[] {'a', (byte) 0xFE}, harness.serialize(observation(T0, 1.0)));
        harness.sendRaw(new byte[] {'a', (byte) 0xFF}, harness.serialize(observation(T0 + MINUTE, 2.0)));
        harness.flush();

        assertThat(reasonsOf(harness.deadLetters())).containsExactly("undecodable", "undecodable");
        assertThat(harness.forecastValues()).isEmpty();
    }

    @Test
    void tombstoneIsDeadLettered() {
        harness.sendRaw("a".getBytes(StandardCharsets.UTF_8), null);
        assertDeadLetteredOnlyAs("null-value");
    }

    @Test
    void oversizedValueIsDeadLettered() {
        Map<String, String> source = new HashMap<>();
        source.put("blob", "x".repeat(70_000));
        harness.send("a", dev.grustream.avro.Observation.newBuilder(observation(T0, 1.0)).setSource(source).build());
        assertDeadLetteredOnlyAs("value-too-large");
    }

    @Test
    void missingFeatureIsDeadLettered() {
        harness.send("a", observation(T0, Map.of("other", 1.0)));
        assertDeadLetteredOnlyAs("missing-feature");
    }

    @Test
    void unknownFeatureIsDeadLettered() {
        harness.send("a", observation(T0, Map.of("value", 1.0, "extra", 2.0)));
        assertDeadLetteredOnlyAs("unknown-feature");
    }

    @Test
    void nanIsDeadLettered() {
        harness.send("a", T0, Double.NaN);
        assertDeadLetteredOnlyAs("not-finite");
    }

    @Test
    void infinityIsDeadLettered() {
        harness.send("a", T0, Double.NEGATIVE_INFINITY);
        assertDeadLetteredOnlyAs("not-finite");
    }

    @Test
    void valueThatWouldSaturateTheModelIsDeadLettered() {
        harness.send("a", T0, 1e300);
        assertDeadLetteredOnlyAs("out-of-range");
    }

    @Test
    void negativeEventTimeIsDeadLettered() {
        harness.send("a", observation(-5, 1.0));
        assertDeadLetteredOnlyAs("invalid-time");
    }

    @Test
    void eventFarInTheFutureIsDeadLettered() {
        harness.send("a", NOW.toEpochMilli() + 2 * 86_400_000L, 1.0);
        assertDeadLetteredOnlyAs("future");
    }

    @Test
    void bytesThatAreNotAvroAreDeadLetteredThroughKafkaStreamsHandler() {
        byte[] garbage = "not avro at all".getBytes(StandardCharsets.UTF_8);
        harness.sendRaw("a".getBytes(StandardCharsets.UTF_8), garbage);
        harness.flush();

        TestRecord<byte[], byte[]> deadLetter = single(harness.deadLetters());
        assertThat(header(deadLetter.headers(), DeadLetters.REASON_HEADER)).isEqualTo("undecodable");
        assertThat(header(deadLetter.headers(), DeadLetters.MESSAGE_HEADER)).contains("WRONG_MAGIC_BYTE");
        assertThat(deadLetter.value()).isEqualTo(garbage);
        assertThat(harness.counter("gru.dead.letters", "reason", "undecodable")).isEqualTo(1);
        harness.send("healthy", T0, 1.0);
        harness.flush();
        assertThat(harness.forecastValues()).hasSize(1);
    }

    @Test
    void theForecastLagMetricIsTheClockMinusTheEventTime() {
        harness.send("a", T0, 1.0);
        harness.send("a", T0 + MINUTE, 2.0);
        harness.flush();

        Timer lag = harness.timer("gru.forecast.lag");
        assertThat(lag.count()).isEqualTo(2);
        assertThat(lag.max(TimeUnit.MILLISECONDS)).isEqualTo(NOW.toEpochMilli() - T0);
        assertThat(lag.totalTime(TimeUnit.MILLISECONDS)).isEqualTo(2.0 * (NOW.toEpochMilli() - T0) - MINUTE);
    }

    @Test
    void aValueOfAnotherRecordTypeIsDeadLetteredAsASchemaMismatch() {
        Forecast notAnObservation = Forecast.newBuilder().setKey("a").setEventTime(Instant.ofEpochMilli(T0))
                .setModelName("m").setModelVersion("1").setForecast(Map.of()).setAnomalyScore(0).setAnomalous(false)
                .setStep(1).build();
        // A forecast copied from the forecasts topic: its schema is registered, for another subject.
        harness.sendRaw("a".getBytes(StandardCharsets.UTF_8), harness.serialize("forecasts", Forecast.class,
                notAnObservation));
        harness.flush();

        assertDeadLetteredOnlyAs("schema-mismatch");
    }

    @Test
    void anObservationTheCodeFailsOnIsDeadLetteredAsAnInternalErrorAndTheOthersGoOn() {
        System.setProperty(GruStreamTopology.FAIL_KEY_FAULT, "broken");
        try {
            harness.send("a", T0, 1.0);
            harness.send("broken", T0, 2.0);
            harness.send("b", T0, 3.0);
            harness.flush();
        } finally {
            System.clearProperty(GruStreamTopology.FAIL_KEY_FAULT);
        }

        assertThat(harness.forecastValues()).extracting(Forecast::getKey).containsExactly("a", "b");
        TestRecord<byte[], byte[]> deadLetter = single(harness.deadLetters());
        assertThat(header(deadLetter.headers(), DeadLetters.REASON_HEADER)).isEqualTo("internal-error");
        assertThat(header(deadLetter.headers(), DeadLetters.MESSAGE_HEADER)).contains("fault injection");
        assertThat(new String(deadLetter.key(), StandardCharsets.UTF_8)).isEqualTo("broken");
        assertThat(harness.counter("gru.dead.letters", "reason", "internal-error")).isEqualTo(1);
    }

    @Test
    void aCoreThatFailsOnEveryKeyFailsTheTaskForARetryInsteadOfDeadLetteringEveryRecord() {
        System.setProperty(GruStreamTopology.FAIL_KEY_FAULT, "*");
        try {
            assertThatThrownBy(() -> {
                harness.send("a", T0, 1.0);
                harness.send("b", T0, 2.0);
                harness.flush();
            }).hasStackTraceContaining(BatchFailedException.class.getName())
                    .hasStackTraceContaining("fails on an observation of a new key as well");
        } finally {
            System.clearProperty(GruStreamTopology.FAIL_KEY_FAULT);
        }

        assertThat(harness.deadLetters()).isEmpty();
        assertThat(harness.forecastValues()).isEmpty();
    }

    @Test
    void unknownSchemaIdIsDeadLettered() {
        byte[] bytes = harness.serialize(observation(T0, 1.0));
        ByteBuffer.wrap(bytes).putInt(1, 987_654);
        harness.sendRaw("a".getBytes(StandardCharsets.UTF_8), bytes);
        harness.flush();

        assertThat(reasonsOf(harness.deadLetters())).containsExactly("unknown-schema-id");
        assertThat(harness.counter("gru.dead.letters", "reason", "unknown-schema-id")).isEqualTo(1);
        harness.send("healthy", T0, 1.0);
        harness.flush();
        assertThat(harness.forecastValues()).hasSize(1);
    }

    @Test
    void everyInputEndsAsExactlyOneForecastOrOneDeadLetter() {
        // Each input by its offset (the topic's records in send order): its key and event time (none if undecodable).
        List<String> inputs = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            String key = "k" + i % 5;
            harness.send(key, T0 + i * MINUTE, i % 11);
            inputs.add(key + "@" + (T0 + i * MINUTE));
            if (i % 7 == 0) {
                harness.send(key, T0 + i * MINUTE - 30 * MINUTE, 1.0);
                inputs.add(key + "@" + (T0 + i * MINUTE - 30 * MINUTE));
                harness.send(key, T0 + (i + 1) * MINUTE, Double.NaN);
                inputs.add(key + "@" + (T0 + (i + 1) * MINUTE));
                harness.sendRaw("raw".getBytes(StandardCharsets.UTF_8), new byte[] {0, 1});
                inputs.add("raw@");
            }
        }
        harness.flush();

        List<Long> deadLettered = new ArrayList<>();
        for (TestRecord<byte[], byte[]> deadLetter : harness.deadLetters()) {
            long offset = Long.parseLong(header(deadLetter.headers(), DeadLetters.OFFSET_HEADER));
            assertThat(inputs.get((int) offset)).as("the input at the offset a dead letter names")
                    .startsWith(new String(deadLetter.key(), StandardCharsets.UTF_8) + "@");
            deadLettered.add(offset);
        }
        assertThat(deadLettered).doesNotHaveDuplicates().isNotEmpty();
        // A forecast is of the one input with its key and event time that was not dead-lettered.
        List<Long> forecast = new ArrayList<>();
        for (Forecast value : harness.forecastValues()) {
            String identity = value.getKey() + "@" + value.getEventTime().toEpochMilli();
            List<Long> candidates = LongStream.range(0, inputs.size())
                    .filter(offset -> identity.equals(inputs.get((int) offset)) && !deadLettered.contains(offset))
                    .boxed().toList();
            assertThat(candidates).as("inputs a forecast of %s can be of", identity).hasSize(1);
            forecast.add(candidates.get(0));
        }
        assertThat(forecast).doesNotHaveDuplicates();
        List<Long> accounted = new ArrayList<>(forecast);
        accounted.addAll(deadLettered);
        assertThat(accounted).containsExactlyInAnyOrderElementsOf(LongStream.range(0, inputs.size()).boxed().toList());
    }

    void assertDeadLetteredOnlyAs(String reason) {
        harness.flush();
        assertThat(harness.forecastValues()).isEmpty();
        List<TestRecord<byte[], byte[]>> deadLetters = harness.deadLetters();
        assertThat(reasonsOf(deadLetters)).containsExactly(reason);
        assertThat(header(deadLetters.get(0).headers(), DeadLetters.MESSAGE_HEADER)).isNotBlank();
        assertThat(harness.counter("gru.dead.letters", "reason", reason)).isEqualTo(1);
        harness.send("healthy", T0, 1.0);
        harness.flush();
        assertThat(harness.forecastValues()).hasSize(1);
    }

    static List<String> reasonsOf(List<TestRecord<byte[], byte[]>> deadLetters) {
        List<String> reasons = new ArrayList<>();
        deadLetters.forEach(r -> reasons.add(header(r.headers(), DeadLetters.REASON_HEADER)));
        return reasons;
    }

    static <T> T last(List<T> list) {
        assertThat(list).isNotEmpty();
        return list.get(list.size() - 1);
    }

    static <T> T single(List<T> list) {
        assertThat(list).hasSize(1);
        return list.get(0);
    }
}
