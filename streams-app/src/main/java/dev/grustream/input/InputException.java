package dev.grustream.input;

import java.util.Objects;
import org.apache.kafka.common.errors.SerializationException;

/**
 * A record of the observations topic that cannot be read (its value not turned into an observation, or its key not
 * the UTF-8 text a series id is), with the reason its dead letter will carry.
 */
public final class InputException extends SerializationException {
    private static final long serialVersionUID = 1L;

    /** Why a value could not be read. */
    public enum Reason {
        /** The bytes are not what the format says (not JSON, not an object), or a series key is not UTF-8. */
        UNDECODABLE,
        /** The value decodes, as a record of another type than the format reads. */
        SCHEMA_MISMATCH,
        /** A field the mapping names for the series key or the event time is absent or null. */
        MISSING_FIELD,
        /** A feature's field holds something that is not a number. */
        NOT_A_NUMBER,
        /** The event time field holds something that is not a time. */
        INVALID_TIME,
        /** The value and its headers are larger than the service accepts ({@code input.max.value.bytes}). */
        VALUE_TOO_LARGE,
        /** The series id the value names is longer than the service accepts ({@code input.max.key.bytes}). */
        KEY_TOO_LARGE
    }

    private final Reason reason;

    public InputException(Reason reason, String message) {
        super(message);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    public InputException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    public Reason reason() {
        return reason;
    }
}
