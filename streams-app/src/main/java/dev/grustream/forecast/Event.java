package dev.grustream.forecast;

import java.util.Map;
import java.util.Objects;

/**
 * One observation of one series, as the forecasting core sees it: the series' key, the event time and the feature
 * values by name. Where it came from (a topic, a file) is the caller's business.
 *
 * <p>Immutable as long as the caller does not change {@code features}; thread-safe then.
 *
 * @param key the series id
 * @param eventTime when the observation was made, in milliseconds since the epoch
 * @param features the observed values by feature name; values may be anything, the core checks them
 */
public record Event(String key, long eventTime, Map<String, Double> features) {
    public Event {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(features, "features");
    }
}
