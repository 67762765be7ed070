package dev.grustream.forecast;

/**
 * Why the forecasting core refused an observation: what only the key's state or the model can judge. A refused
 * observation changes nothing in its key's state.
 */
public enum Refusal {
    /** The event time equals the key's last one: the key already has an event at that time. */
    DUPLICATE,
    /** The event time is older than the key's last one by more than the late grace. */
    LATE,
    /** A feature of the model is missing from the observation. */
    MISSING_FEATURE,
    /** The observation has a feature the model does not know. */
    UNKNOWN_FEATURE,
    /** A feature value is NaN or infinite. */
    NOT_FINITE,
    /**
     * A feature value is beyond {@link Forecaster#MAX_ABS_VALUE}, or so far from the key's normalisation that it
     * would saturate the model.
     */
    OUT_OF_RANGE
}
