package dev.grustream.topology;

import dev.grustream.avro.StateReset;
import dev.grustream.scoring.AlertLevel;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.EnumMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * gru-stream's own meters: what came in, what went out, and what the model cost.
 *
 * <p>Names follow Micrometer's dotted convention ({@code gru.events.received} is exported to Prometheus as
 * {@code gru_events_received_total}). Thread-safe: every task of the instance records into the same meters.
 */
public final class ForecasterMetrics {
    /**
     * The Kafka Streams property that carries an instance's meters to the exception handlers Kafka Streams creates
     * by class name ({@link #addTo}); not a setting for users.
     */
    static final String PROPERTY = "gru.stream.internal.forecaster.metrics";

    private final Counter received;
    private final Counter forecasts;
    private final Map<AlertLevel, Counter> alerts = new EnumMap<>(AlertLevel.class);
    private final Map<DeadLetterReason, Counter> deadLetters = new EnumMap<>(DeadLetterReason.class);
    private final Map<StateReset, Counter> resets = new EnumMap<>(StateReset.class);
    private final Counter evicted;
    private final DistributionSummary batchSize;
    private final Timer modelStep;

    public ForecasterMetrics(MeterRegistry registry) {
        received = Counter.builder("gru.events.received").description("Input records handed to the forecaster")
                .register(registry);
        forecasts = Counter.builder("gru.forecasts").description("Forecasts written").register(registry);
        for (AlertLevel level : new AlertLevel[] {AlertLevel.WARNING, AlertLevel.CRITICAL}) {
            alerts.put(level, Counter.builder("gru.alerts").description("Anomaly alerts written")
                    .tag("severity", level.name().toLowerCase(java.util.Locale.ROOT)).register(registry));
        }
        for (DeadLetterReason reason : DeadLetterReason.values()) {
            deadLetters.put(reason, Counter.builder("gru.dead.letters")
                    .description("Input records sent to the dead-letter topic")
                    .tag("reason", reason.code()).register(registry));
        }
        for (StateReset reset : StateReset.values()) {
            if (reset != StateReset.NONE) {
                resets.put(reset, Counter.builder("gru.state.resets").description("Key states started afresh")
                        .tag("reason", reset.name().toLowerCase(java.util.Locale.ROOT)).register(registry));
            }
        }
        evicted = Counter.builder("gru.keys.evicted").description("Idle keys evicted from the state store")
                .register(registry);
        batchSize = DistributionSummary.builder("gru.batch.size")
                .description("Observations advanced per model call").publishPercentiles(0.5, 0.99)
                .register(registry);
        modelStep = Timer.builder("gru.model.step").description("Time of one batched model call")
                .publishPercentiles(0.5, 0.99).register(registry);
    }

    /** Hands these meters to the dead-letter handlers of the Kafka Streams client configured by {@code properties}. */
    public void addTo(Properties properties) {
        properties.put(PROPERTY, this);
    }

    /**
     * The meters {@link #addTo} put in a handler's {@code configs}; meters that nobody reads if there are none (the
     * handler configured by hand, outside gru-stream's service).
     */
    static ForecasterMetrics of(Map<String, ?> configs) {
        return configs.get(PROPERTY) instanceof ForecasterMetrics metrics ? metrics
                : new ForecasterMetrics(new SimpleMeterRegistry());
    }

    void received() {
        received.increment();
    }

    void forecast() {
        forecasts.increment();
    }

    void alert(AlertLevel level) {
        alerts.get(level).increment();
    }

    void deadLetter(DeadLetterReason reason) {
        deadLetters.get(reason).increment();
    }

    void reset(StateReset reset) {
        resets.get(reset).increment();
    }

    void evicted(int keys) {
        evicted.increment(keys);
    }

    void modelCall(int batch, long nanos) {
        batchSize.record(batch);
        modelStep.record(nanos, TimeUnit.NANOSECONDS);
    }
}
