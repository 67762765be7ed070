package dev.grustream.topology;

import static dev.grustream.config.GruStreamConfig.ALERT_SUPPRESSION_MS;
import static dev.grustream.config.GruStreamConfig.ALERT_WARMUP_EVENTS;
import static dev.grustream.config.GruStreamConfig.ANOMALY_CRITICAL_THRESHOLD;
import static dev.grustream.config.GruStreamConfig.ANOMALY_INTERVAL_COVERAGE;
import static dev.grustream.config.GruStreamConfig.ANOMALY_INTERVAL_ENABLED;
import static dev.grustream.config.GruStreamConfig.ANOMALY_LIKELIHOOD_HALFLIFE_EVENTS;
import static dev.grustream.config.GruStreamConfig.ANOMALY_LIKELIHOOD_WINDOW_EVENTS;
import static dev.grustream.config.GruStreamConfig.ANOMALY_RANGE_ENABLED;
import static dev.grustream.config.GruStreamConfig.ANOMALY_RANGE_TOLERANCE;
import static dev.grustream.config.GruStreamConfig.ANOMALY_RANGE_WARMUP_EVENTS;
import static dev.grustream.config.GruStreamConfig.ANOMALY_RANGE_WARMUP_MS;
import static dev.grustream.config.GruStreamConfig.ANOMALY_THRESHOLD;
import static dev.grustream.config.GruStreamConfig.BATCH_LINGER_MS;
import static dev.grustream.config.GruStreamConfig.BATCH_MAX_SIZE;
import static dev.grustream.config.GruStreamConfig.FORECAST_INTERVAL_COVERAGE;
import static dev.grustream.config.GruStreamConfig.FUTURE_TOLERANCE_MS;
import static dev.grustream.config.GruStreamConfig.INPUT_KEY_FIELDS;
import static dev.grustream.config.GruStreamConfig.INPUT_REPARTITION;
import static dev.grustream.config.GruStreamConfig.INPUT_MAX_ABS_NORMALIZED;
import static dev.grustream.config.GruStreamConfig.INPUT_MAX_KEY_BYTES;
import static dev.grustream.config.GruStreamConfig.INPUT_MAX_VALUE_BYTES;
import static dev.grustream.config.GruStreamConfig.LATE_GRACE_MS;
import static dev.grustream.config.GruStreamConfig.LEARNER_ENABLED;
import static dev.grustream.config.GruStreamConfig.LEARNER_FORGETTING_EVENTS;
import static dev.grustream.config.GruStreamConfig.LEARNER_GUARD_HALFLIFE_EVENTS;
import static dev.grustream.config.GruStreamConfig.LEARNER_PROFILE_BINS;
import static dev.grustream.config.GruStreamConfig.LEARNER_PROFILE_MID_HORIZON;
import static dev.grustream.config.GruStreamConfig.LEARNER_PROFILE_WEEKLY;
import static dev.grustream.config.GruStreamConfig.MODEL_BACKEND;
import static dev.grustream.config.GruStreamConfig.RESIDUAL_HALFLIFE_EVENTS;
import static dev.grustream.config.GruStreamConfig.STATE_CACHE_MAX_BYTES;
import static dev.grustream.config.GruStreamConfig.STATE_RESET_GAP_MS;
import static dev.grustream.config.GruStreamConfig.STATE_STORE_CACHING;
import static dev.grustream.config.GruStreamConfig.STATE_TTL_MS;
import static dev.grustream.config.GruStreamConfig.STATE_TTL_SCAN_INTERVAL_MS;
import static dev.grustream.config.GruStreamConfig.STATE_TTL_SCAN_MAX_KEYS;

import dev.grustream.config.GruStreamConfig;
import dev.grustream.forecast.ForecastRules;
import dev.grustream.forecast.Learner;
import dev.grustream.model.Backend;
import dev.grustream.scoring.AlertPolicy;
import dev.grustream.scoring.AnomalyLikelihood;
import dev.grustream.scoring.ErrorStats;
import dev.grustream.scoring.ValueRange;
import java.util.Locale;

/**
 * The settings of the forecasting processor, read once from a {@link GruStreamConfig}: how it batches, stores and
 * evicts, what it refuses before buffering, and the {@link ForecastRules} of the forecasting core.
 *
 * <p>Immutable and thread-safe.
 */
public record ForecasterSettings(
        Backend backend,
        int batchMaxSize,
        long batchLingerMs,
        ForecastRules rules,
        long futureToleranceMs,
        long ttlScanIntervalMs,
        int ttlScanMaxKeys,
        boolean storeCaching,
        long stateCacheMaxBytes,
        int maxKeyBytes,
        int maxValueBytes,
        boolean seriesInValue,
        boolean repartition,
        int deadLetterMaxValueBytes) {

    public static ForecasterSettings from(GruStreamConfig config) {
        return new ForecasterSettings(
                Backend.valueOf(config.getString(MODEL_BACKEND).toUpperCase(Locale.ROOT)),
                config.getInt(BATCH_MAX_SIZE),
                config.getLong(BATCH_LINGER_MS),
                rules(config),
                config.getLong(FUTURE_TOLERANCE_MS),
                config.getLong(STATE_TTL_SCAN_INTERVAL_MS),
                config.getInt(STATE_TTL_SCAN_MAX_KEYS),
                config.getBoolean(STATE_STORE_CACHING),
                config.getLong(STATE_CACHE_MAX_BYTES),
                config.getInt(INPUT_MAX_KEY_BYTES),
                config.getInt(INPUT_MAX_VALUE_BYTES),
                !config.getList(INPUT_KEY_FIELDS).isEmpty(),
                config.getBoolean(INPUT_REPARTITION),
                DeadLetters.maxValueBytes(config.passThrough()));
    }

    /** The forecasting core's rules in {@code config}. */
    public static ForecastRules rules(GruStreamConfig config) {
        boolean intervalAlerts = config.getBoolean(ANOMALY_INTERVAL_ENABLED);
        double coverage = config.getDouble(FORECAST_INTERVAL_COVERAGE);
        // The alert rule's intervals, unused while interval alerts are off, are then kept at least as wide.
        double alertCoverage = intervalAlerts ? config.getDouble(ANOMALY_INTERVAL_COVERAGE)
                : Math.max(coverage, config.getDouble(ANOMALY_INTERVAL_COVERAGE));
        return new ForecastRules(
                config.getLong(LATE_GRACE_MS),
                config.getLong(STATE_RESET_GAP_MS),
                config.getLong(STATE_TTL_MS),
                config.getDouble(INPUT_MAX_ABS_NORMALIZED),
                new ErrorStats.Rule(config.getDouble(RESIDUAL_HALFLIFE_EVENTS), ForecastRules.MIN_ERROR_STD_RATIO),
                new AnomalyLikelihood.Rule(config.getDouble(ANOMALY_LIKELIHOOD_WINDOW_EVENTS),
                        config.getDouble(ANOMALY_LIKELIHOOD_HALFLIFE_EVENTS)),
                new ValueRange.Rule(config.getBoolean(ANOMALY_RANGE_ENABLED),
                        config.getDouble(ANOMALY_RANGE_TOLERANCE), config.getLong(ANOMALY_RANGE_WARMUP_EVENTS),
                        config.getLong(ANOMALY_RANGE_WARMUP_MS)),
                new AlertPolicy(config.getDouble(ANOMALY_THRESHOLD), config.getDouble(ANOMALY_CRITICAL_THRESHOLD),
                        config.getLong(ALERT_WARMUP_EVENTS), config.getLong(ALERT_SUPPRESSION_MS)),
                config.getBoolean(LEARNER_ENABLED),
                new Learner.Rule(config.getDouble(LEARNER_FORGETTING_EVENTS), config.getInt(LEARNER_PROFILE_BINS),
                        coverage, alertCoverage,
                        config.getDouble(LEARNER_GUARD_HALFLIFE_EVENTS), config.getBoolean(LEARNER_PROFILE_MID_HORIZON),
                        config.getBoolean(LEARNER_PROFILE_WEEKLY)),
                intervalAlerts);
    }

    /** Whether observations are buffered and advanced in batches, rather than one by one. */
    public boolean batching() {
        return batchMaxSize > 1;
    }
}
