package dev.grustream.train;

import dev.grustream.forecast.Accuracy;
import dev.grustream.forecast.ForecastRules;
import dev.grustream.model.GruModel;
import dev.grustream.train.internals.Replay;
import java.util.ArrayList;
import java.util.List;

/**
 * Scores a model's one-step forecasts over a series the way the service would make them: causally, event by
 * event from a new key's state, with the {@link Backend#JAVA} stepper and the model's normalisation (per key or
 * fixed).
 *
 * <p>{@code double mase = ForecastEvaluation.evaluate(model, series, 1).get(0).mase();}
 *
 * <p>Stateless; thread-safe.
 */
public final class ForecastEvaluation {

    private ForecastEvaluation() {
    }

    /**
     * The accuracy of each target's forecasts of rows {@code fromRow} onwards (each made at the row before), in
     * target order.
     *
     * @throws IllegalArgumentException if the series does not have the model's feature count or {@code fromRow}
     *     is below 1
     */
    public static List<Accuracy> evaluate(GruModel model, TrainingSeries series, int fromRow) {
        return evaluate(model, ForecastRules.defaults().withoutLearning(), series, fromRow);
    }

    /**
     * The accuracy of each target's one-step forecasts under {@code rules}: with learning on, the forecasts the
     * service serves; without, the model's own.
     */
    public static List<Accuracy> evaluate(GruModel model, ForecastRules rules, TrainingSeries series, int fromRow) {
        if (series.features() != model.spec().featureCount()) {
            throw new IllegalArgumentException(series.key() + ": expected " + model.spec().featureCount()
                    + " features per row, found " + series.features());
        }
        if (fromRow < 1) {
            throw new IllegalArgumentException("fromRow: expected >= 1 (row 0 has no forecast), found " + fromRow);
        }
        try (Replay replay = new Replay(model, rules)) {
            Replay.Totals totals = replay.run(series, fromRow, new int[0], new float[0][], 0);
            List<Accuracy> accuracies = new ArrayList<>();
            for (int t = 0; t < model.spec().targetCount(); t++) {
                accuracies.add(totals.oneStep(t));
            }
            return accuracies;
        }
    }
}
