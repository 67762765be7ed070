package dev.grustream.topology;

import dev.grustream.forecast.Refusal;

/**
 * Why an input record was sent to the dead-letter topic. The {@link #code()} is written in the
 * {@value DeadLetters#REASON_HEADER} header and tags the dead-letter metric.
 */
public enum DeadLetterReason {
    /**
     * The value is not in input.format (not Avro in the Confluent wire format, not a JSON object), or the record key
     * that names the series is not UTF-8.
     */
    UNDECODABLE("undecodable"),
    /** The value names a schema id the registry does not know. */
    UNKNOWN_SCHEMA_ID("unknown-schema-id"),
    /**
     * The value's schema cannot be read as an Observation (or, for avro-generic, is not a record), or its bytes decode
     * to null.
     */
    SCHEMA_MISMATCH("schema-mismatch"),
    /** A field that input.key.fields or input.time.field names is absent or null. */
    MISSING_FIELD("missing-field"),
    /** A feature's field (input.features) holds something that is not a number. */
    NOT_A_NUMBER("not-a-number"),
    /** The record has no key, so it belongs to no series. */
    NULL_KEY("null-key"),
    /** The key is longer than {@code input.max.key.bytes}. */
    KEY_TOO_LARGE("key-too-large"),
    /** The record has no value (a tombstone). */
    NULL_VALUE("null-value"),
    /** The value is larger than {@code input.max.value.bytes}. */
    VALUE_TOO_LARGE("value-too-large"),
    /** A feature of the model is missing from the observation. */
    MISSING_FEATURE("missing-feature"),
    /** The observation has a feature the model does not know. */
    UNKNOWN_FEATURE("unknown-feature"),
    /** A feature value is NaN or infinite. */
    NOT_FINITE("not-finite"),
    /**
     * A feature value is beyond {@link dev.grustream.forecast.Forecaster#MAX_ABS_VALUE}, or so far from the model's
     * normalisation that it would saturate the model.
     */
    OUT_OF_RANGE("out-of-range"),
    /** The event time is negative, or its field holds something that is not a time. */
    INVALID_TIME("invalid-time"),
    /** The event time is further ahead of the wall clock than {@code future.tolerance.ms}. */
    FUTURE("future"),
    /** The event time is older than the key's last processed event by more than {@code late.grace.ms}. */
    LATE("late"),
    /** The event time equals the key's last processed event time: the key already has an event at that time. */
    DUPLICATE("duplicate"),
    /** Processing the record failed unexpectedly; the message says how. */
    INTERNAL_ERROR("internal-error");

    private final String code;

    DeadLetterReason(String code) {
        this.code = code;
    }

    /** The reason a refusal of the forecasting core is dead-lettered with. */
    public static DeadLetterReason of(Refusal refusal) {
        return switch (refusal) {
            case DUPLICATE -> DUPLICATE;
            case LATE -> LATE;
            case MISSING_FEATURE -> MISSING_FEATURE;
            case UNKNOWN_FEATURE -> UNKNOWN_FEATURE;
            case NOT_FINITE -> NOT_FINITE;
            case OUT_OF_RANGE -> OUT_OF_RANGE;
        };
    }

    /** The stable, machine-readable name of the reason. */
    public String code() {
        return code;
    }
}
