package dev.grustream.topology;

import dev.grustream.avro.AnomalyAlert;
import dev.grustream.avro.Forecast;
import dev.grustream.avro.Severity;
import dev.grustream.forecast.Outcome;
import dev.grustream.scoring.AlertLevel;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The output records of an {@link Outcome}: the {@link Forecast} every accepted observation gets and the
 * {@link AnomalyAlert} it may raise.
 *
 * <p>Stateless and thread-safe.
 */
final class OutputRecords {

    private OutputRecords() {
    }

    static Forecast forecast(Outcome outcome) {
        int targets = outcome.targets().size();
        // Default hash maps, as every release has used: the records' bytes (and JSON) list a map's entries in its
        // iteration order, which a presized map changes for some sets of two or more targets.
        Map<String, List<Double>> forecast = new HashMap<>();
        Map<String, List<Double>> lower = new HashMap<>();
        Map<String, List<Double>> upper = new HashMap<>();
        Map<String, Double> actual = new HashMap<>();
        for (int t = 0; t < targets; t++) {
            String target = outcome.targets().get(t);
            Double[] steps = new Double[outcome.horizon()];
            for (int k = 1; k <= outcome.horizon(); k++) {
                steps[k - 1] = outcome.forecast(t, k);
            }
            forecast.put(target, Arrays.asList(steps));
            actual.put(target, outcome.actual(t));
            if (outcome.hasIntervals()) {
                Double[] lowers = new Double[outcome.horizon()];
                Double[] uppers = new Double[outcome.horizon()];
                for (int k = 1; k <= outcome.horizon(); k++) {
                    lowers[k - 1] = orNull(outcome.lower(t, k));
                    uppers[k - 1] = orNull(outcome.upper(t, k));
                }
                lower.put(target, Arrays.asList(lowers));
                upper.put(target, Arrays.asList(uppers));
            }
        }
        // The constructor, not the builder, which checks every field again and tracks which were set: one per event.
        return new Forecast(outcome.key(), Instant.ofEpochMilli(outcome.eventTime()), outcome.modelName(),
                outcome.modelVersion(), forecast, outcome.compared() ? expected(outcome) : null,
                outcome.anomalyScore(), outcome.anomalous(), outcome.step(), outcome.reset(), actual, lower, upper);
    }

    private static Double orNull(double value) {
        return Double.isNaN(value) ? null : value;
    }

    /**
     * The alert {@code outcome} raises.
     *
     * @throws IllegalArgumentException if it raises none
     */
    static AnomalyAlert alert(Outcome outcome, double threshold) {
        if (outcome.alert() == AlertLevel.NONE) {
            throw new IllegalArgumentException("the outcome raises no alert: " + outcome);
        }
        Map<String, Double> actual = new HashMap<>();
        for (int t = 0; t < outcome.targets().size(); t++) {
            actual.put(outcome.targets().get(t), outcome.actual(t));
        }
        return AnomalyAlert.newBuilder()
                .setKey(outcome.key())
                .setEventTime(Instant.ofEpochMilli(outcome.eventTime()))
                .setActual(actual)
                // Empty when the key had no forecast to compare with (its first event); the field is not optional.
                .setExpected(outcome.compared() ? expected(outcome) : Map.of())
                .setAnomalyScore(outcome.anomalyScore())
                .setThreshold(threshold)
                .setSeverity(outcome.alert() == AlertLevel.CRITICAL ? Severity.CRITICAL : Severity.WARNING)
                .setRule(outcome.rule())
                .setModelName(outcome.modelName())
                .setModelVersion(outcome.modelVersion())
                .build();
    }

    private static Map<String, Double> expected(Outcome outcome) {
        Map<String, Double> expected = new HashMap<>();
        for (int t = 0; t < outcome.targets().size(); t++) {
            expected.put(outcome.targets().get(t), outcome.expected(t));
        }
        return expected;
    }
}
