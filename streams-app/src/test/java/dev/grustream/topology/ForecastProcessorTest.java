package dev.grustream.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import dev.grustream.avro.AnomalyAlert;
import dev.grustream.avro.Forecast;
import dev.grustream.avro.StateReset;
import dev.grustream.config.GruStreamConfig;
import dev.grustream.forecast.KeyState;
import dev.grustream.input.InboundObservation;
import dev.grustream.model.GruModel;
import dev.grustream.testing.Logs;
import dev.grustream.testing.TestingModels;
import dev.grustream.topology.internals.DecodedStates;
import dev.grustream.topology.internals.KeyStateSerde;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.errors.TaskMigratedException;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.MockProcessorContext.CapturedForward;
import org.apache.kafka.streams.processor.api.MockProcessorContext.CapturedPunctuator;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueBytesStoreSupplier;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.internals.InMemoryKeyValueStore;
import org.apache.kafka.streams.state.internals.WrappedStateStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The forecasting processor on its own, with in-memory stores and its punctuators fired by hand: it buffers, runs
 * batches through the forecasting core, stores states and forwards records to the right sinks.
 */
class ForecastProcessorTest {
    private static final long MINUTE = 60_000;
    private static final Instant NOW = Instant.parse("2026-12-01T00:00:00Z");
    private static final long T0 = NOW.toEpochMilli() - 86_400_000;

    private final FailingContext context = new FailingContext();
    private final FailingStore stateBytes = new FailingStore(GruStreamTopology.STATE_STORE);
    private final KeyValueStore<String, KeyState> states = Stores.keyValueStoreBuilder(supplier(stateBytes),
            Serdes.String(), new KeyStateSerde()).withLoggingDisabled().build();
    private final FailingStore pendingBytes = new FailingStore(GruStreamTopology.PENDING_STORE);
    private final KeyValueStore<Integer, byte[]> pendingStore = Stores.keyValueStoreBuilder(supplier(pendingBytes),
            Serdes.Integer(), Serdes.ByteArray()).withLoggingDisabled().build();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private GruModel model = TestingModels.persistence("1");
    private ForecasterSettings settings;
    private ForecastProcessor processor;
    private DecodedStates decodedStates;
    private long offset;
    private long streamTime;

    private ForecastProcessor start(Map<String, String> overrides) {
        Map<String, Object> props = new HashMap<>(overrides);
        props.put("application.id", "forecast-processor-test");
        props.put("bootstrap.servers", "localhost:9092");
        settings = ForecasterSettings.from(new GruStreamConfig(props));
        states.init(context.getStateStoreContext(), states);
        pendingStore.init(context.getStateStoreContext(), pendingStore);
        context.addStateStore(states);
        context.addStateStore(pendingStore);
        decodedStates = new DecodedStates(settings.stateCacheMaxBytes());
        processor = anotherProcessor();
        processor.init(context);
        return processor;
    }

    /** Another processor of the same instance, with the settings and the decoded states of the last one started. */
    private ForecastProcessor anotherProcessor() {
        return new ForecastProcessor(settings, new ActiveModel(model),
                new ForecasterMetrics(registry), Clock.fixed(NOW, ZoneOffset.UTC), decodedStates);
    }

    @AfterEach
    void close() {
        if (processor != null) {
            processor.close();
        }
    }

    private void send(String key, long time, double value) {
        context.setRecordMetadata("observations", 0, offset++);
        streamTime = Math.max(streamTime, time);
        context.setCurrentStreamTimeMs(streamTime);
        processor.process(new Record<>(key, InboundObservation.timed(null, time, Map.of("value", value),
                ("raw-" + value).getBytes(StandardCharsets.UTF_8)), time, new RecordHeaders()));
    }

    private List<CapturedForward<?, ?>> forwardedTo(String sink) {
        return context.forwarded(sink);
    }

    private CapturedPunctuator punctuator(PunctuationType type) {
        return running(type).stream().findFirst().orElseThrow();
    }

    private List<CapturedPunctuator> running(PunctuationType type) {
        return context.scheduledPunctuators().stream().filter(p -> p.getType() == type && !p.cancelled()).toList();
    }

    @Test
    void buffersObservationsUntilTheLingerPunctuationRunsThem() {
        start(Map.of(GruStreamConfig.BATCH_MAX_SIZE, "16"));
        send("a", T0, 1.0);
        send("b", T0, 2.0);
        assertThat(forwardedTo(GruStreamTopology.FORECASTS_SINK)).isEmpty();

        punctuator(PunctuationType.WALL_CLOCK_TIME).getPunctuator().punctuate(NOW.toEpochMilli());

        assertThat(forwardedTo(GruStreamTopology.FORECASTS_SINK)).extracting(f -> ((Forecast) f.record().value())
                .getKey()).containsExactly("a", "b");
        assertThat(states.get("a").step()).isEqualTo(1);
    }

    @Test
    void recordsWithoutAKeyWhoseValueNamesTheirSeriesAreForecastAndWarnedOfOnce() {
        start(Map.of(GruStreamConfig.BATCH_MAX_SIZE, "1", GruStreamConfig.INPUT_FORMAT, "json",
                GruStreamConfig.INPUT_KEY_FIELDS, "host"));
        List<ILoggingEvent> logged = Logs.of(ForecastProcessor.class, () -> {
            for (int i = 0; i < 3; i++) {
                context.setRecordMetadata("observations", 0, offset++);
                context.setCurrentStreamTimeMs(T0 + i * MINUTE);
                processor.process(new Record<>(null, InboundObservation.timed("web-1", T0 + i * MINUTE,
                        Map.of("value", 1.0 + i), new byte[0]), T0 + i * MINUTE, new RecordHeaders()));
            }
        });

        assertThat(forwardedTo(GruStreamTopology.FORECASTS_SINK)).hasSize(3);
        assertThat(logged).filteredOn(e -> e.getLevel() == Level.WARN).singleElement()
                .satisfies(e -> assertThat(e.getFormattedMessage()).contains("records without a key")
                        .contains("key the records by their series"));
    }

    @Test
    void recordsWithoutAKeyAreNotWarnedOfWhenTheRepartitionKeysThemBySeries() {
        start(Map.of(GruStreamConfig.BATCH_MAX_SIZE, "1", GruStreamConfig.INPUT_FORMAT, "json",
                GruStreamConfig.INPUT_KEY_FIELDS, "host", GruStreamConfig.INPUT_REPARTITION, "true"));
        List<ILoggingEvent> logged = Logs.of(ForecastProcessor.class, () -> {
            for (int i = 0; i < 3; i++) {
                context.setRecordMetadata("app-" + GruStreamTopology.REPARTITION_TOPIC, 0, offset++);
                context.setCurrentStreamTimeMs(T0 + i * MINUTE);
                RecordHeaders headers = new RecordHeaders();
                InputOrigin.addTimestampTo(headers, T0 + i * MINUTE);
                InputOrigin.addSourceTo(headers, "observations", i, 0, null);
                processor.process(new Record<>("web-1", InboundObservation.timed("web-1", T0 + i * MINUTE,
                        Map.of("value", 1.0 + i), new byte[0]), T0 + i * MINUTE, headers));
            }
        });

        assertThat(forwardedTo(GruStreamTopology.FORECASTS_SINK)).hasSize(3);
        assertThat(logged).filteredOn(e -> e.getLevel() == Level.WARN).isEmpty();
    }

    @Test
    void theLingerTimerRunsOnlyWhileObservationsAreBuffered() {
        start(Map.of(GruStreamConfig.BATCH_MAX_SIZE, "16"));
        assertThat(running(PunctuationType.WALL_CLOCK_TIME)).isEmpty();
        send("a", T0, 1.0);
        send("b", T0, 2.0);
        assertThat(running(PunctuationType.WALL_CLOCK_TIME)).hasSize(1);

        punctuator(PunctuationType.WALL_CLOCK_TIME).getPunctuator().punctuate(NOW.toEpochMilli());

        assertThat(forwardedTo(GruStreamTopology.FORECASTS_SINK)).hasSize(2);
        assertThat(running(PunctuationType.WALL_CLOCK_TIME)).isEmpty();
    }

    @Test
    void fullBuffersFlushedOneAfterAnotherShareOneLingerTimer() {
        start(Map.of(GruStreamConfig.BATCH_MAX_SIZE, "2"));
        for (int i = 0; i < 6; i++) {
            send("a", T0 + i * MINUTE, i);
        }

        assertThat(forwardedTo(GruStreamTopology.FORECASTS_SINK)).hasSize(6);
        assertThat(context.scheduledPunctuators()).filteredOn(p -> p.getType() == PunctuationType.WALL_CLOCK_TIME)
                .singleElement().satisfies(p -> assertThat(p.cancelled()).isFalse());
    }

    @Test
    void closingCancelsEveryPunctuationSoThatARevivedTaskSchedulesItsOwnAlone() {
        start(Map.of(GruStreamConfig.BATCH_MAX_SIZE, "16"));
        send("a", T0, 1.0);
        assertThat(context.scheduledPunctuators()).extracting(CapturedPunctuator::getType)
                .containsExactlyInAnyOrder(PunctuationType.WALL_CLOCK_TIME, PunctuationType.STREAM_TIME);

        processor.close();

        assertThat(context.scheduledPunctuators()).allMatch(CapturedPunctuator::cancelled);
    }

    @Test
    void aFullBufferRunsWithoutWaitingForTheLinger() {
        start(Map.of(GruStreamConfig.BATCH_MAX_SIZE, "2"));
        send("a", T0, 1.0);
        send("a", T0 + MINUTE, 2.0);

        assertThat(forwardedTo(GruStreamTopology.FORECASTS_SINK)).hasSize(2);
    }

    @Test
    void withoutBatchingEachObservationIsForecastAtOnce() {
        start(Map.of(GruStreamConfig.BATCH_MAX_SIZE, "1"));
        send("a", T0, 1.0);

        assertThat(forwardedTo(GruStreamTopology.FORECASTS_SINK)).singleElement()
                .satisfies(f -> assertThat(f.record().timestamp()).isEqualTo(T0));
        assertThat(context.scheduledPunctuators()).noneMatch(p -> p.getType() == PunctuationType.WALL_CLOCK_TIME);
    }

    @Test
    void aRefusedObservationIsForwardedAsItArrivedToTheDeadLetters() {
        start(Map.of(GruStreamConfig.BATCH_MAX_SIZE, "1"));
        send("a", T0, 1.0);
        send("a", T0, 2.0);

        CapturedForward<?, ?> deadLetter = forwardedTo(GruStreamTopology.DEAD_LETTERS_SINK).get(0);
        assertThat((byte[]) deadLetter.record().value()).isEqualTo("raw-2.0".getBytes(StandardCharsets.UTF_8));
        assertThat(new String(deadLetter.record().headers().lastHeader(DeadLetters.REASON_HEADER).value(),
                StandardCharsets.UTF_8)).isEqualTo(DeadLetterReason.DUPLICATE.code());
        assertThat(forwardedTo(GruStreamTopology.FORECASTS_SINK)).hasSize(1);
    }

    @Test
    void aSpikeIsForwardedToTheAlertsAfterItsForecast() {
        start(Map.of(GruStreamConfig.BATCH_MAX_SIZE, "1", GruStreamConfig.ALERT_WARMUP_EVENTS, "20"));
        for (int i = 0; i < 40; i++) {
            send("a", T0 + i * MINUTE, 10 + Math.sin(i / 5.0));
        }
        send("a", T0 + 40 * MINUTE, 60.0);

        assertThat(forwardedTo(GruStreamTopology.ALERTS_SINK)).singleElement().satisfies(alert -> {
            assertThat(((AnomalyAlert) alert.record().value()).getEventTime().toEpochMilli())
                    .isEqualTo(T0 + 40 * MINUTE);
            assertThat(alert.record().timestamp()).isEqualTo(T0 + 40 * MINUTE);
        });
        assertThat(context.forwarded()).last().satisfies(f -> assertThat(f.childName())
                .hasValue(GruStreamTopology.ALERTS_SINK));
    }

    @Test
    void theStreamTimePunctuationEvictsKeysIdleLongerThanTheTtl() {
        scanAfterKeyOldIdledPastATenMinuteTtl();

        assertThat(states.get("old")).isNull();
        assertThat(states.get("new")).isNotNull();
    }

    @Test
    void aKeyIdleLongerThanTheTtlStartsAfreshWhetherOrNotAScanReachedIt() {
        start(Map.of(GruStreamConfig.BATCH_MAX_SIZE, "1", GruStreamConfig.STATE_TTL_MS, String.valueOf(10 * MINUTE)));
        send("old", T0, 1.0);
        send("new", T0 + 20 * MINUTE, 1.0);
        context.resetForwards();

        send("old", T0 + 21 * MINUTE, 2.0);

        assertThat(forwardedTo(GruStreamTopology.FORECASTS_SINK)).singleElement().satisfies(f -> assertThat(
                ((Forecast) f.record().value()).getStateReset()).isEqualTo(StateReset.NEW_KEY));
    }

    @Test
    void observationsLeftInTheBufferByAnEarlierRunAreRecoveredAndProcessedFirst() {
        start(Map.of(GruStreamConfig.BATCH_MAX_SIZE, "16"));
        send("a", T0, 1.0);
        processor.close();
        context.resetForwards();

        start(Map.of(GruStreamConfig.BATCH_MAX_SIZE, "16"));
        punctuator(PunctuationType.WALL_CLOCK_TIME).getPunctuator().punctuate(NOW.toEpochMilli());

        assertThat(forwardedTo(GruStreamTopology.FORECASTS_SINK)).singleElement()
                .satisfies(f -> assertThat(f.record().key()).isEqualTo("a"));
    }

    @Test
    void aBufferedObservationThisReleaseCannotReadIsDeadLetteredInsteadOfFailingTheTaskAtEveryStart() {
        start(Map.of(GruStreamConfig.BATCH_MAX_SIZE, "16"));
        send("a", T0, 1.0);
        processor.close();
        byte[] newerFormat = {99, 0, 1, 2};
        pendingStore.put(0, newerFormat);
        context.resetForwards();

        start(Map.of(GruStreamConfig.BATCH_MAX_SIZE, "16"));
        context.scheduledPunctuators().stream().filter(p -> p.getType() == PunctuationType.WALL_CLOCK_TIME)
                .forEach(p -> p.getPunctuator().punctuate(NOW.toEpochMilli()));

        CapturedForward<?, ?> deadLetter = forwardedTo(GruStreamTopology.DEAD_LETTERS_SINK).get(0);
        assertThat((byte[]) deadLetter.record().value()).isEqualTo(newerFormat);
        assertThat(DeadLetters.header(deadLetter.record().headers(), DeadLetters.REASON_HEADER))
                .isEqualTo(DeadLetterReason.INTERNAL_ERROR.code());
        assertThat(DeadLetters.header(deadLetter.record().headers(), DeadLetters.MESSAGE_HEADER))
                .contains("Unknown format version 99");
        assertThat(pendingStore.get(0)).isNull();
    }

    @Test
    void anUnreadableSlotIsDeadLetteredAndDroppedBeforeTheFirstRecordIsBuffered() {
        start(Map.of(GruStreamConfig.BATCH_MAX_SIZE, "16"));
        send("a", T0, 1.0);
        processor.close();
        pendingStore.put(1, new byte[] {99, 0, 1, 2});
        context.resetForwards();

        start(Map.of(GruStreamConfig.BATCH_MAX_SIZE, "16"));
        send("b", T0 + MINUTE, 2.0);

        assertThat(forwardedTo(GruStreamTopology.DEAD_LETTERS_SINK)).singleElement().satisfies(deadLetter ->
                assertThat((byte[]) deadLetter.record().value()).isEqualTo(new byte[] {99, 0, 1, 2}));
        assertThat(pendingStore.get(1)).isNotNull().isNotEqualTo(new byte[] {99, 0, 1, 2});
    }

    @Test
    void observationsLeftBufferedByARunWithBatchingAreProcessedFirstByARunWithout() {
        start(Map.of(GruStreamConfig.BATCH_MAX_SIZE, "16"));
        send("a", T0, 1.0);
        send("b", T0, 2.0);
        processor.close();
        context.resetForwards();

        start(Map.of(GruStreamConfig.BATCH_MAX_SIZE, "1"));
        send("c", T0, 3.0);

        assertThat(forwardedTo(GruStreamTopology.FORECASTS_SINK).stream()
                .map(f -> String.valueOf(f.record().key())).toList()).containsExactly("a", "b", "c");
    }

    @Test
    void aStoredStateThatCannotBeReadIsReplacedAndItsKeyStartsAfresh() {
        start(Map.of(GruStreamConfig.BATCH_MAX_SIZE, "1"));
        send("a", T0, 1.0);
        // As after a restart: the processor reads the state from its store, where it has been corrupted.
        processor.close();
        storeUnreadableState("a");
        processor.init(context);

        send("a", T0 + MINUTE, 2.0);

        assertThat(forwardedTo(GruStreamTopology.FORECASTS_SINK)).last().satisfies(f -> assertThat(
                ((Forecast) f.record().value()).getStateReset()).isEqualTo(StateReset.NEW_KEY));
        assertThat(states.get("a").lastEventTime()).isEqualTo(T0 + MINUTE);
    }

    @Test
    void theStreamTimePunctuationDeletesAStoredStateThatCannotBeRead() {
        start(Map.of(GruStreamConfig.BATCH_MAX_SIZE, "1"));
        send("a", T0, 1.0);
        storeUnreadableState("broken");

        punctuator(PunctuationType.STREAM_TIME).getPunctuator().punctuate(T0);

        assertThat(rawState("broken")).isNull();
        assertThat(states.get("a")).isNotNull();
        // Not expired by the TTL: gru.keys.evicted counts only those.
        assertThat(registry.get("gru.keys.evicted").counter().count()).isZero();
    }

    @Test
    void aKeyEvictedByTheTtlStartsAfreshWhenItReturns() {
        scanAfterKeyOldIdledPastATenMinuteTtl();

        send("old", T0 + 21 * MINUTE, 1.0);

        assertThat(forwardedTo(GruStreamTopology.FORECASTS_SINK)).last().satisfies(f -> assertThat(
                ((Forecast) f.record().value()).getStateReset()).isEqualTo(StateReset.NEW_KEY));
    }

    @Test
    void statesKeptDecodedBetweenBatchesForecastExactlyAsStatesReadFromTheStore() {
        start(Map.of(GruStreamConfig.BATCH_MAX_SIZE, "4", GruStreamConfig.STATE_CACHE_MAX_BYTES, "0"));
        sendSeries("stored-");
        List<String> fromTheStore = forecastsWithoutKeys();
        processor.close();
        context.resetForwards();

        start(Map.of(GruStreamConfig.BATCH_MAX_SIZE, "4"));
        sendSeries("decoded-");

        assertThat(forecastsWithoutKeys()).hasSize(300).isEqualTo(fromTheStore);
    }

    @Test
    void aKeySeenAgainIsReadFromItsDecodedStateAndCountedSo() {
        start(Map.of(GruStreamConfig.BATCH_MAX_SIZE, "1"));
        send("a", T0, 1.0);
        send("a", T0 + MINUTE, 2.0);
        send("a", T0 + 2 * MINUTE, 3.0);

        assertThat(registry.get("gru.state.reads").tag("source", "none").counter().count()).isEqualTo(1.0);
        assertThat(registry.get("gru.state.reads").tag("source", "store").counter().count()).isZero();
        assertThat(registry.get("gru.state.reads").tag("source", "decoded").counter().count()).isEqualTo(2.0);
    }

    @Test
    void aKeyWhoseStateIsNoLongerCachedIsCountedAsReadFromTheStore() {
        start(Map.of(GruStreamConfig.BATCH_MAX_SIZE, "1", GruStreamConfig.STATE_CACHE_MAX_BYTES, "0"));
        send("a", T0, 1.0);
        send("a", T0 + MINUTE, 2.0);

        assertThat(registry.get("gru.state.reads").tag("source", "none").counter().count()).isEqualTo(1.0);
        assertThat(registry.get("gru.state.reads").tag("source", "store").counter().count()).isEqualTo(1.0);
        assertThat(registry.get("gru.state.reads").tag("source", "decoded").counter().count()).isZero();
    }

    @Test
    void aBatchThatFailsPartWayLeavesNoTraceInTheStatesOfItsOtherKeys() {
        start(Map.of(GruStreamConfig.BATCH_MAX_SIZE, "2"));
        for (int i = 0; i < 10; i++) {
            send("a", T0 + i * MINUTE, 10 + i % 3);
            send("b", T0 + i * MINUTE, 20 + i % 3);
        }
        whileKeyFails("b", () -> {
            send("a", T0 + 10 * MINUTE, 11.0);
            send("b", T0 + 10 * MINUTE, 21.0);
        });

        assertThat(forwardedTo(GruStreamTopology.DEAD_LETTERS_SINK)).singleElement().satisfies(deadLetter -> {
            assertThat(new String((byte[]) deadLetter.record().key(), StandardCharsets.UTF_8)).isEqualTo("b");
            assertThat(new String(deadLetter.record().headers().lastHeader(DeadLetters.REASON_HEADER).value(),
                    StandardCharsets.UTF_8)).isEqualTo(DeadLetterReason.INTERNAL_ERROR.code());
        });
        assertThat(forwardedTo(GruStreamTopology.FORECASTS_SINK)).last().satisfies(f -> assertThat(
                ((Forecast) f.record().value()).getStep()).isEqualTo(11));
    }

    @Test
    void aKeyThatFailedOnItsOwnIsAdvancedApartFromTheBatchUntilItSucceeds() {
        start(Map.of(GruStreamConfig.BATCH_MAX_SIZE, "4"));
        List<String> keys = List.of("a", "b", "c", "d");
        int round = 0;
        for (; round < 3; round++) {
            for (String key : keys) {
                send(key, T0 + round * MINUTE, 10 + round % 3);
            }
        }
        System.setProperty(GruStreamTopology.FAIL_KEY_FAULT, "b");
        double callsBefore;
        double callsAfterFirstFailure;
        double callsAfterSecondFailure;
        try {
            callsBefore = modelCalls();
            for (String key : keys) {
                send(key, T0 + round * MINUTE, 11.0);
            }
            round++;
            callsAfterFirstFailure = modelCalls();
            for (String key : keys) {
                send(key, T0 + round * MINUTE, 12.0);
            }
            round++;
            callsAfterSecondFailure = modelCalls();
        } finally {
            System.clearProperty(GruStreamTopology.FAIL_KEY_FAULT);
        }
        for (String key : keys) {
            send(key, T0 + round * MINUTE, 10.0);
        }
        round++;
        double callsAfterRecovery = modelCalls();
        for (String key : keys) {
            send(key, T0 + round * MINUTE, 11.0);
        }

        // The batch, then each of its four observations alone.
        assertThat(callsAfterFirstFailure - callsBefore).isEqualTo(5.0);
        // The other three together, then b alone, which fails again.
        assertThat(callsAfterSecondFailure - callsAfterFirstFailure).isEqualTo(2.0);
        // b apart once more, and it succeeds; then one batch again.
        assertThat(callsAfterRecovery - callsAfterSecondFailure).isEqualTo(2.0);
        assertThat(modelCalls() - callsAfterRecovery).isEqualTo(1.0);
        assertThat(forwardedTo(GruStreamTopology.DEAD_LETTERS_SINK)).hasSize(2);
    }

    @Test
    void aCoreThatFailsOnEveryKeyFailsTheTaskWhereAZeroWouldBeOutOfRangeForTheModel() {
        // A zero would normalise to -50: beyond the accepted magnitude, refused before the core runs.
        model = TestingModels.persistenceAround("1", 500, 10);
        start(Map.of(GruStreamConfig.BATCH_MAX_SIZE, "1", GruStreamConfig.INPUT_MAX_ABS_NORMALIZED, "20"));

        whileKeyFails("*", () -> assertThatThrownBy(() -> send("a", T0, 505.0))
                .hasStackTraceContaining("fails on an observation of a new key as well"));

        assertThat(forwardedTo(GruStreamTopology.DEAD_LETTERS_SINK)).isEmpty();
    }

    @Test
    void aKeyFailingAtEveryObservationLogsTenStackTracesAMinute() {
        start(Map.of(GruStreamConfig.BATCH_MAX_SIZE, "1"));

        List<ILoggingEvent> logged = Logs.of(ForecastProcessor.class, () -> whileKeyFails("broken", () -> {
            for (int i = 0; i < 25; i++) {
                send("broken", T0 + i * MINUTE, 10.0);
            }
        }));

        assertThat(forwardedTo(GruStreamTopology.DEAD_LETTERS_SINK)).hasSize(25);
        assertThat(logged).filteredOn(e -> e.getLevel() == Level.ERROR).hasSize(10)
                .allSatisfy(e -> assertThat(e.getThrowableProxy()).isNotNull());
    }

    /** Runs {@code sends} while the forecasting of key {@code key}'s observations fails as a bug would. */
    private static void whileKeyFails(String key, Runnable sends) {
        System.setProperty(GruStreamTopology.FAIL_KEY_FAULT, key);
        try {
            sends.run();
        } finally {
            System.clearProperty(GruStreamTopology.FAIL_KEY_FAULT);
        }
    }

    private double modelCalls() {
        return registry.get("gru.model.step").timer().count();
    }

    @Test
    void aReinitialisedProcessorReadsItsStatesFromTheStoreAsRolledBack() {
        start(Map.of(GruStreamConfig.BATCH_MAX_SIZE, "1"));
        send("a", T0, 1.0);
        byte[] committed = new KeyStateSerde().serializer().serialize("", states.get("a"));
        send("a", T0 + MINUTE, 2.0);
        // An aborted transaction: Kafka Streams closes the task's processors, rolls its stores back to what was
        // committed, and initialises the processors again.
        processor.close();
        states.put("a", new KeyStateSerde().deserializer().deserialize("", committed));
        processor.init(context);
        context.resetForwards();

        send("a", T0 + MINUTE, 2.0);

        assertThat(forwardedTo(GruStreamTopology.DEAD_LETTERS_SINK)).isEmpty();
        assertThat(forwardedTo(GruStreamTopology.FORECASTS_SINK)).singleElement().satisfies(f -> assertThat(
                ((Forecast) f.record().value()).getStep()).isEqualTo(2));
    }

    @Test
    void aTaskStartedAgainOnTheInstanceReadsItsStatesFromTheStoreThoughItsLastRunWasNotClosed() {
        start(Map.of(GruStreamConfig.BATCH_MAX_SIZE, "1"));
        send("a", T0, 1.0);
        byte[] committed = new KeyStateSerde().serializer().serialize("", states.get("a"));
        send("a", T0 + MINUTE, 2.0);
        // The task's stores rolled back, and a new processor of the task started on the same instance, its decoded
        // states shared with the first, which was never closed.
        states.put("a", new KeyStateSerde().deserializer().deserialize("", committed));
        processor = anotherProcessor();
        processor.init(context);
        context.resetForwards();

        send("a", T0 + MINUTE, 2.0);

        assertThat(forwardedTo(GruStreamTopology.FORECASTS_SINK)).singleElement().satisfies(f -> assertThat(
                ((Forecast) f.record().value()).getStep()).isEqualTo(2));
    }

    @Test
    void theProcessorsOfOneTopologyShareOneCacheOfDecodedStates() {
        start(Map.of(GruStreamConfig.BATCH_MAX_SIZE, "1"));
        processor.close();
        ProcessorSupplier<String, InboundObservation, Object, Object> processors = GruStreamTopology.forecastProcessors(
                settings, new ActiveModel(TestingModels.persistence("1")), new ForecasterMetrics(registry),
                Clock.fixed(NOW, ZoneOffset.UTC));
        processor = (ForecastProcessor) processors.get();
        processor.init(context);
        send("a", T0, 1.0);
        // Another processor of the topology, started on the same task, clears the task's part of the cache they share.
        Processor<String, InboundObservation, Object, Object> other = processors.get();
        other.init(context);
        other.close();

        send("a", T0 + MINUTE, 2.0);

        assertThat(registry.get("gru.state.reads").tag("source", "store").counter().count()).isEqualTo(1.0);
        assertThat(registry.get("gru.state.reads").tag("source", "decoded").counter().count()).isZero();
    }

    @Test
    void aClosedProcessorLeavesNoneOfItsStatesInTheCacheItShares() {
        start(Map.of(GruStreamConfig.BATCH_MAX_SIZE, "1"));
        send("a", T0, 1.0);
        send("b", T0, 1.0);

        processor.close();

        assertThat(decodedStates.size()).isZero();
    }

    @Test
    void anObservationThatFailsAloneDropsOnlyItsKeysDecodedState() {
        start(Map.of(GruStreamConfig.BATCH_MAX_SIZE, "1"));
        send("a", T0, 1.0);
        send("b", T0, 1.0);
        whileKeyFails("b", () -> send("b", T0 + MINUTE, 2.0));

        send("a", T0 + MINUTE, 2.0);
        send("b", T0 + 2 * MINUTE, 3.0);

        // Decoded: b as it failed, then a; b again from the store.
        assertThat(registry.get("gru.state.reads").tag("source", "decoded").counter().count()).isEqualTo(2.0);
        assertThat(registry.get("gru.state.reads").tag("source", "store").counter().count()).isEqualTo(1.0);
    }

    /** The bytes store under the state store: what the changelog would restore. */
    @SuppressWarnings("unchecked")
    private KeyValueStore<Bytes, byte[]> bytesStore() {
        return (KeyValueStore<Bytes, byte[]>) ((WrappedStateStore<?, ?, ?>) states).wrapped();
    }

    /** Stores bytes no release wrote as {@code key}'s state, as a corrupted record or a newer release might. */
    private void storeUnreadableState(String key) {
        bytesStore().put(Bytes.wrap(key.getBytes(StandardCharsets.UTF_8)), new byte[] {9, 9, 9});
    }

    private byte[] rawState(String key) {
        return bytesStore().get(Bytes.wrap(key.getBytes(StandardCharsets.UTF_8)));
    }

    /** Unbatched, a 10-minute TTL: key "old" seen once, "new" 20 minutes later, then a stream-time scan. */
    private void scanAfterKeyOldIdledPastATenMinuteTtl() {
        start(Map.of(GruStreamConfig.BATCH_MAX_SIZE, "1", GruStreamConfig.STATE_TTL_MS, String.valueOf(10 * MINUTE)));
        send("old", T0, 1.0);
        send("new", T0 + 20 * MINUTE, 1.0);
        punctuator(PunctuationType.STREAM_TIME).getPunctuator().punctuate(T0 + 20 * MINUTE);
    }

    private void sendSeries(String prefix) {
        for (int i = 0; i < 100; i++) {
            for (int key = 0; key < 3; key++) {
                send(prefix + key, T0 + i * MINUTE, 10 * key + Math.sin(i / 7.0 + key) + (i * 7919 % 13) / 10.0);
            }
        }
        running(PunctuationType.WALL_CLOCK_TIME).forEach(p -> p.getPunctuator().punctuate(NOW.toEpochMilli()));
    }

    private List<String> forecastsWithoutKeys() {
        return forwardedTo(GruStreamTopology.FORECASTS_SINK).stream().map(f -> {
            Forecast forecast = (Forecast) f.record().value();
            return forecast.getEventTime() + " " + forecast.getForecast() + " " + forecast.getLower() + " "
                    + forecast.getUpper() + " " + forecast.getAnomalyScore() + " " + forecast.getStep();
        }).toList();
    }


    @Test
    void aFencedProducerReachesKafkaStreamsAsItWasThrownSoThatTheTaskMovesInsteadOfTheThreadDying() {
        start(Map.of(GruStreamConfig.BATCH_MAX_SIZE, "1"));
        context.failNextForward(new TaskMigratedException("Producer got fenced"));

        assertThatThrownBy(() -> send("a", T0, 1.0)).isInstanceOf(TaskMigratedException.class);
    }

    @Test
    void aSendFailureSurfacingAtADeadLetterFailsTheTaskInsteadOfBlamingTheRecordAtHand() {
        start(Map.of(GruStreamConfig.BATCH_MAX_SIZE, "1"));
        context.failNextForward(new StreamsException("Error encountered sending record to topic forecasts"));

        // Far beyond future.tolerance.ms: refused before its key is looked at.
        assertThatThrownBy(() -> send("a", NOW.toEpochMilli() + 30 * 86_400_000L, 1.0))
                .isInstanceOf(BatchFailedException.class)
                .hasCauseInstanceOf(StreamsException.class);
    }

    @Test
    void aSendFailureSurfacingAtABufferWriteFailsTheTaskInsteadOfBlamingTheRecordAtHand() {
        start(Map.of(GruStreamConfig.BATCH_MAX_SIZE, "16"));
        pendingBytes.failNextPut(new StreamsException("Error encountered sending record to topic x-changelog"));

        assertThatThrownBy(() -> send("a", T0, 1.0))
                .isInstanceOf(BatchFailedException.class)
                .hasCauseInstanceOf(StreamsException.class);
    }

    @Test
    void aSendFailureSurfacingAtAStateReadFailsTheTaskInsteadOfBlamingTheRecordAtHand() {
        start(Map.of(GruStreamConfig.BATCH_MAX_SIZE, "1"));
        stateBytes.failNextGet(new StreamsException("Error encountered sending record to topic x-changelog"));

        assertThatThrownBy(() -> send("a", T0, 1.0))
                .isInstanceOf(BatchFailedException.class)
                .hasCauseInstanceOf(StreamsException.class);
        assertThat(forwardedTo(GruStreamTopology.DEAD_LETTERS_SINK)).isEmpty();
    }

    @Test
    void aSendFailureSurfacingAtAStateReadFailsABatchInsteadOfRetryingItOneByOne() {
        start(Map.of(GruStreamConfig.BATCH_MAX_SIZE, "2"));
        send("a", T0, 1.0);
        stateBytes.failNextGet(new StreamsException("Error encountered sending record to topic x-changelog"));

        assertThatThrownBy(() -> send("b", T0, 1.0))
                .isInstanceOf(BatchFailedException.class)
                .hasCauseInstanceOf(StreamsException.class);
        assertThat(forwardedTo(GruStreamTopology.FORECASTS_SINK)).isEmpty();
    }

    @Test
    void aTaskSignalFromTheStateStoreReachesKafkaStreamsAsItWasThrown() {
        start(Map.of(GruStreamConfig.BATCH_MAX_SIZE, "1"));
        TaskMigratedException fenced = new TaskMigratedException("producer fenced");
        stateBytes.failNextGet(fenced);

        assertThatThrownBy(() -> send("a", T0, 1.0)).isSameAs(fenced);
        assertThat(forwardedTo(GruStreamTopology.DEAD_LETTERS_SINK)).isEmpty();
    }

    @Test
    void aSendFailureSurfacingAtTheBuffersWatermarkFailsTheTask() {
        start(Map.of(GruStreamConfig.BATCH_MAX_SIZE, "16"));
        send("a", T0, 1.0);
        pendingBytes.failNextPut(new StreamsException("Error encountered sending record to topic x-changelog"));

        assertThatThrownBy(() -> punctuator(PunctuationType.WALL_CLOCK_TIME).getPunctuator()
                .punctuate(NOW.toEpochMilli()))
                .isInstanceOf(BatchFailedException.class)
                .hasCauseInstanceOf(StreamsException.class);
    }

    private static KeyValueBytesStoreSupplier supplier(FailingStore store) {
        return new KeyValueBytesStoreSupplier() {
            @Override
            public String name() {
                return store.name();
            }

            @Override
            public KeyValueStore<Bytes, byte[]> get() {
                return store;
            }

            @Override
            public String metricsScope() {
                return "in-memory";
            }
        };
    }

    /**
     * An in-memory store whose next write or read fails, as a cached store's does when its flush meets a failed send
     * or its producer was fenced.
     */
    private static final class FailingStore extends InMemoryKeyValueStore {
        private RuntimeException nextPutFailure;
        private RuntimeException nextGetFailure;

        FailingStore(String name) {
            super(name);
        }

        void failNextPut(RuntimeException failure) {
            nextPutFailure = failure;
        }

        void failNextGet(RuntimeException failure) {
            nextGetFailure = failure;
        }

        @Override
        public synchronized byte[] get(Bytes key) {
            RuntimeException failure = nextGetFailure;
            nextGetFailure = null;
            if (failure != null) {
                throw failure;
            }
            return super.get(key);
        }

        @Override
        public synchronized void put(Bytes key, byte[] value) {
            RuntimeException failure = nextPutFailure;
            nextPutFailure = null;
            if (failure != null) {
                throw failure;
            }
            super.put(key, value);
        }
    }

    /** A context whose next forward fails, as a producer's send does. */
    private static final class FailingContext extends MockProcessorContext<Object, Object> {
        private RuntimeException nextForwardFailure;

        void failNextForward(RuntimeException failure) {
            nextForwardFailure = failure;
        }

        @Override
        public <K, V> void forward(Record<K, V> record, String childName) {
            RuntimeException failure = nextForwardFailure;
            nextForwardFailure = null;
            if (failure != null) {
                throw failure;
            }
            super.forward(record, childName);
        }
    }
}
