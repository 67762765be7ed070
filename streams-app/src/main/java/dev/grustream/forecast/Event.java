package dev.grustream.forecast;

import java.util.Map;
import java.util.Objects;

/**
 * One observation of one series, as the forecasting core sees it: the series' key, the event time, the feature
 * values by name, and when it arrived. Where it came from (a topic, a file) is the caller's business.
 *
 * <p>Immutable as long as the caller does not change {@code features}; thread-safe then.
 *
 * @param key the series id
 * @param eventTime when the observation was made, in milliseconds since the epoch
 * @param features the observed values by feature name; values may be anything, the core checks them
 * @param arrivedAt the stream time of its partition when it arrived, which a key's idleness is judged by
 *     ({@link ForecastRules#stateTtlMs}); {@link #NO_STREAM} where there is no partition (a file, a replay), for
 *     which idleness is not judged
 */
public record Event(String key, long eventTime, Map<String, Double> features, long arrivedAt) {
    /** The arrival time of an observation read outside a stream. */
    public static final long NO_STREAM = Long.MIN_VALUE;

    public Event {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(features, "features");
    }

    /** An observation read outside a stream ({@link #NO_STREAM}). */
    public Event(String key, long eventTime, Map<String, Double> features) {
        this(key, eventTime, features, NO_STREAM);
    }
}
