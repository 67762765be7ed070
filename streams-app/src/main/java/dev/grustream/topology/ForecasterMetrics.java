package dev.grustream.topology;

import dev.grustream.avro.StateReset;
import dev.grustream.forecast.Outcome;
import dev.grustream.scoring.AlertLevel;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * gru-stream's own meters: what came in, what went out, and what the model cost.
 *
 * <p>Names follow Micrometer's dotted convention ({@code gru.events.received} is exported to Prometheus as
 * {@code gru_events_received_total}). Thread-safe: every task of the instance records into the same meters.
 *
 * <p>For a few keys named in {@code metrics.watched.keys}, gauges carry the last observation and its next step's
 * forecast with bounds ({@code gru_watched_value{key,target,kind=actual|forecast|lower|upper}}), so that a
 * dashboard can draw them; every other key stays out of the metrics, which would not bear one series per key.
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
    private final Counter unreadableStates;
    private final Counter statesDecoded;
    private final Counter statesFromStore;
    private final Counter statesNone;
    private final DistributionSummary batchSize;
    private final Timer modelStep;
    private final Timer forecastLag;
    private final MeterRegistry registry;
    private final Set<String> watchedKeys;
    private final Map<List<String>, AtomicReference<Double>> watched = new ConcurrentHashMap<>();

    public ForecasterMetrics(MeterRegistry registry) {
        this(registry, Set.of());
    }

    /** Meters in {@code registry}, with gauges of the last forecasts of {@code watchedKeys}. */
    public ForecasterMetrics(MeterRegistry registry, Set<String> watchedKeys) {
        this.registry = registry;
        this.watchedKeys = Set.copyOf(watchedKeys);
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
        unreadableStates = Counter.builder("gru.states.unreadable")
                .description("Reads of stored key states that could not be decoded (damaged, or written by a newer"
                        + " release) and were taken as none: their keys start afresh")
                .register(registry);
        evicted = Counter.builder("gru.keys.evicted")
                .description("Keys expired by state.ttl.ms: found idle at their next observation, or by a scan")
                .register(registry);
        statesDecoded = stateReads("decoded", registry);
        statesFromStore = stateReads("store", registry);
        statesNone = stateReads("none", registry);
        // Histograms rather than percentiles computed here: buckets add up across instances, percentiles do not.
        batchSize = DistributionSummary.builder("gru.batch.size")
                .description("Observations advanced per model call").publishPercentileHistogram()
                .minimumExpectedValue(1.0).maximumExpectedValue(65_536.0).register(registry);
        modelStep = Timer.builder("gru.model.step").description("Time of one batched model call")
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofNanos(10_000))
                .maximumExpectedValue(Duration.ofSeconds(10)).register(registry);
        forecastLag = Timer.builder("gru.forecast.lag")
                .description("Wall-clock time from an observation's event time to its forecast being written")
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofDays(1)).register(registry);
    }

    private static Counter stateReads(String source, MeterRegistry registry) {
        return Counter.builder("gru.state.reads")
                .description("Key states read for a batch: still decoded from an earlier one, from the store, or none"
                        + " there (a new key)")
                .tag("source", source).register(registry);
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

    /** A forecast written at wall-clock time {@code nowMs}. */
    void forecast(Outcome outcome, long nowMs) {
        forecasts.increment();
        forecastLag.record(Math.max(0, nowMs - outcome.eventTime()), TimeUnit.MILLISECONDS);
        if (watchedKeys.contains(outcome.key())) {
            for (int t = 0; t < outcome.targets().size(); t++) {
                String target = outcome.targets().get(t);
                watch(outcome.key(), target, "actual", outcome.actual(t));
                watch(outcome.key(), target, "forecast", outcome.forecast(t, 1));
                watch(outcome.key(), target, "lower", outcome.lower(t, 1));
                watch(outcome.key(), target, "upper", outcome.upper(t, 1));
            }
        }
    }

    private void watch(String key, String target, String kind, double value) {
        watched.computeIfAbsent(List.of(key, target, kind), id -> {
            AtomicReference<Double> holder = new AtomicReference<>(Double.NaN);
            Gauge.builder("gru.watched.value", holder, AtomicReference::get)
                    .description("Last observation and next-step forecast of a key in metrics.watched.keys")
                    .tags("key", key, "target", target, "kind", kind).register(registry);
            return holder;
        }).set(value);
    }

    /** Whether {@code key} has gauges ({@code metrics.watched.keys}). */
    boolean watches(String key) {
        return watchedKeys.contains(key);
    }

    /**
     * Empties {@code key}'s gauges (NaN): its task closed here, perhaps to move to another instance, which takes the
     * key's gauges over. Without this, the last values would stay here as a second, frozen line on the dashboard.
     */
    void forget(String key) {
        watched.forEach((id, holder) -> {
            if (id.get(0).equals(key)) {
                holder.set(Double.NaN);
            }
        });
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

    /** A key's state still cached, decoded, from an earlier batch. */
    void stateDecoded() {
        statesDecoded.increment();
    }

    /**
     * A key's state looked up in the store, {@code found} unless the key has none there (a new key, or one whose
     * state could not be read): only a found state costs a decoding, which {@code state.cache.max.bytes} can save.
     */
    void stateLookedUp(boolean found) {
        (found ? statesFromStore : statesNone).increment();
    }

    /** Counts a read of a stored state that the store's serde could not decode. */
    void unreadableState() {
        unreadableStates.increment();
    }

    void evicted(int keys) {
        evicted.increment(keys);
    }

    void modelCall(int batch, long nanos) {
        batchSize.record(batch);
        modelStep.record(nanos, TimeUnit.NANOSECONDS);
    }
}
