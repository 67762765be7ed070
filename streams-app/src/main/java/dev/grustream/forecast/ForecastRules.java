package dev.grustream.forecast;

import dev.grustream.scoring.AlertPolicy;
import dev.grustream.scoring.AnomalyLikelihood;
import dev.grustream.scoring.ErrorStats;
import dev.grustream.scoring.ValueRange;
import java.util.Objects;

/**
 * What the forecasting core does with each key's observations apart from what the model says: which observations it
 * accepts, when a key's state starts afresh, and how observations are scored and alerted on.
 *
 * <p>Immutable and thread-safe.
 *
 * @param lateGraceMs how far, in event time, an observation may lie before its key's last one and still be accepted
 * @param resetGapMs a pause longer than this, in event time, restarts the key's model state (0: never)
 * @param maxAbsNormalized largest magnitude of a normalised input the model is fed; beyond it the observation is
 *     refused as {@link Refusal#OUT_OF_RANGE}
 * @param errors how a key's forecast errors are measured
 * @param likelihood how a key's anomaly likelihood is computed
 * @param range when a value beyond a key's range scores 1
 * @param alerts when a flagged observation raises an alert
 */
public record ForecastRules(long lateGraceMs, long resetGapMs, double maxAbsNormalized, ErrorStats.Rule errors,
        AnomalyLikelihood.Rule likelihood, ValueRange.Rule range, AlertPolicy alerts) {

    public ForecastRules {
        if (lateGraceMs < 0 || resetGapMs < 0) {
            throw new IllegalArgumentException("lateGraceMs and resetGapMs must not be negative, found "
                    + lateGraceMs + " and " + resetGapMs);
        }
        if (!(maxAbsNormalized > 0)) {
            throw new IllegalArgumentException("maxAbsNormalized must be positive, found " + maxAbsNormalized);
        }
        Objects.requireNonNull(errors, "errors");
        Objects.requireNonNull(likelihood, "likelihood");
        Objects.requireNonNull(range, "range");
        Objects.requireNonNull(alerts, "alerts");
    }
}
