package dev.grustream.topology;

import dev.grustream.avro.AnomalyAlert;
import dev.grustream.avro.Forecast;
import dev.grustream.avro.Severity;
import dev.grustream.forecast.Outcome;
import dev.grustream.scoring.AlertLevel;
import java.time.Instant;
import java.util.ArrayList;
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
        Map<String, List<Double>> forecast = new HashMap<>();
        Map<String, List<Double>> lower = new HashMap<>();
        Map<String, List<Double>> upper = new HashMap<>();
        Map<String, Double> actual = new HashMap<>();
        for (int t = 0; t < outcome.targets().size(); t++) {
            String target = outcome.targets().get(t);
            List<Double> steps = new ArrayList<>(outcome.horizon());
            List<Double> lowers = new ArrayList<>(outcome.horizon());
            List<Double> uppers = new ArrayList<>(outcome.horizon());
            for (int k = 1; k <= outcome.horizon(); k++) {
                steps.add(outcome.forecast(t, k));
                lowers.add(orNull(outcome.lower(t, k)));
                uppers.add(orNull(outcome.upper(t, k)));
            }
            forecast.put(target, steps);
            actual.put(target, outcome.actual(t));
            if (outcome.hasIntervals()) {
                lower.put(target, lowers);
                upper.put(target, uppers);
            }
        }
        return Forecast.newBuilder()
                .setKey(outcome.key())
                .setEventTime(Instant.ofEpochMilli(outcome.eventTime()))
                .setModelName(outcome.modelName())
                .setModelVersion(outcome.modelVersion())
                .setForecast(forecast)
                .setExpected(outcome.compared() ? expected(outcome) : null)
                .setAnomalyScore(outcome.anomalyScore())
                .setAnomalous(outcome.anomalous())
                .setStep(outcome.step())
                .setStateReset(outcome.reset())
                .setActual(actual)
                .setLower(lower)
                .setUpper(upper)
                .build();
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
