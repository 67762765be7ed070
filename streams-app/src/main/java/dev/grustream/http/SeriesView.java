package dev.grustream.http;

import dev.grustream.forecast.KeyState;
import dev.grustream.forecast.Learner;
import dev.grustream.model.ModelSpec;
import dev.grustream.scoring.ErrorStats;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The answer of {@code GET /v1/series/{key}}: what the instance holding the key knows about it. Serialised as
 * JSON; see {@code openapi.yaml} for the field reference. Immutable.
 *
 * @param model the model that made the state; {@code active} is false while the key waits for its next event to
 *     be restarted with the model now serving (its targets are then named {@code target-0}, ...)
 * @param anomalyScore score of the key's last observation, null when it had nothing to be compared with
 * @param anomalous whether that score reached the anomaly threshold, null when there is no score
 * @param forecast one-step forecast of each target: what the next observation will be compared with
 * @param steps the forecasts of steps 1..H of each target with their intervals, made at the key's last event; empty
 *     when the key does not learn (learner.enabled=false)
 */
public record SeriesView(
        String key,
        ModelRef model,
        long step,
        String lastEventTime,
        Double anomalyScore,
        Boolean anomalous,
        Map<String, Double> forecast,
        Map<String, List<Step>> steps,
        Residuals residuals,
        String lastAlertTime) {

    /** A model by name and version, and whether it is the one serving now. */
    public record ModelRef(String name, String version, boolean active) {
    }

    /** The forecast of one step with its interval's bounds, null while the key has no interval for the step. */
    public record Step(int step, double forecast, Double lower, Double upper) {
    }

    /** Running statistics of a key's one-step forecast errors (actual - expected), by target. */
    public record Residuals(long count, Map<String, Double> mean, Map<String, Double> stddev) {
    }

    /** Describes {@code state} of {@code key}, naming targets after {@code serving} when it made the state. */
    static SeriesView of(String key, KeyState state, ModelSpec serving, double anomalyThreshold, long neverAlerted) {
        // Not by name and version alone: a model retrained under them with other targets names them otherwise.
        boolean active = state.madeBy(serving);
        List<String> targets = active ? serving.targets() : null;
        double score = state.lastAnomalyScore();
        Double anomalyScore = Double.isNaN(score) ? null : score;
        ErrorStats errors = state.errors();
        // The statistics' channels past the targets are the step-H errors the anomaly score also weighs.
        double[] mean = new double[Math.min(errors.targets(), state.targets())];
        double[] stddev = new double[mean.length];
        double[] forecast = new double[state.targets()];
        for (int t = 0; t < stddev.length; t++) {
            mean[t] = errors.mean(t);
            stddev[t] = Math.sqrt(Math.max(0.0, errors.variance(t)));
        }
        for (int t = 0; t < forecast.length; t++) {
            forecast[t] = state.forecast(t);
        }
        return new SeriesView(key,
                new ModelRef(state.modelName(), state.modelVersion(), active),
                state.step(),
                Instant.ofEpochMilli(state.lastEventTime()).toString(),
                anomalyScore,
                anomalyScore == null ? null : anomalyScore >= anomalyThreshold,
                state.hasForecast() ? byTarget(targets, forecast) : Map.of(),
                steps(state, targets),
                new Residuals(errors.count(), byTarget(targets, mean), byTarget(targets, stddev)),
                state.lastAlertTime() == neverAlerted ? null : Instant.ofEpochMilli(state.lastAlertTime()).toString());
    }

    private static Map<String, List<Step>> steps(KeyState state, List<String> targets) {
        Learner[] learners = state.learners();
        if (learners == null || learners[0].events() == 0) {
            return Map.of();
        }
        Map<String, List<Step>> steps = new LinkedHashMap<>();
        for (int t = 0; t < learners.length; t++) {
            int horizon = learners[t].horizon();
            double[] forecasts = new double[horizon];
            double[] halfWidths = new double[horizon];
            learners[t].latest(forecasts, halfWidths);
            List<Step> list = new ArrayList<>(horizon);
            for (int k = 0; k < horizon; k++) {
                boolean interval = !Double.isNaN(halfWidths[k]);
                list.add(new Step(k + 1, forecasts[k], interval ? forecasts[k] - halfWidths[k] : null,
                        interval ? forecasts[k] + halfWidths[k] : null));
            }
            steps.put(targets != null && t < targets.size() ? targets.get(t) : "target-" + t, list);
        }
        return steps;
    }

    private static Map<String, Double> byTarget(List<String> names, double[] values) {
        Map<String, Double> map = new LinkedHashMap<>();
        for (int t = 0; t < values.length; t++) {
            map.put(names != null && t < names.size() ? names.get(t) : "target-" + t, values[t]);
        }
        return map;
    }
}
