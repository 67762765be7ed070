package dev.grustream.forecast;

import dev.grustream.scoring.AlertPolicy;
import dev.grustream.scoring.AnomalyLikelihood;
import dev.grustream.scoring.ErrorStats;
import dev.grustream.scoring.ValueRange;

/** Key states with chosen contents, for tests outside the forecasting core. */
public final class KeyStateFixture {

    private KeyStateFixture() {
    }

    /**
     * A one-target state of model {@code modelName}/{@code modelVersion} with one hidden unit, no feature statistics
     * and an empty range, that has consumed {@code step} events, the last at {@code lastEventTime}.
     */
    public static KeyState of(String modelName, String modelVersion, long step, long lastEventTime,
            double oneStepForecast, ErrorStats errors, double lastAnomalyScore) {
        return KeyState.restored(modelName, modelVersion, null, new float[1], 1, errors, AnomalyLikelihood.empty(),
                        ValueRange.empty(1), null)
                .restoreProgress(step, lastEventTime, 0, AlertPolicy.NEVER, lastAnomalyScore)
                .restoreForecast(new double[] {oneStepForecast});
    }
}
