package dev.grustream.input;

import java.util.Objects;
import org.apache.kafka.common.errors.SerializationException;

/**
 * A value of the observations topic that its reader cannot turn into an observation, with the reason its dead
 * letter will carry.
 */
public final class InputException extends SerializationException {
    private static final long serialVersionUID = 1L;

    /** Why a value could not be read. */
    public enum Reason {
        /** The bytes are not what the format says (not JSON, not an object). */
        UNDECODABLE,
        /** The value decodes, as a record of another type than the format reads. */
        SCHEMA_MISMATCH,
        /** A field the mapping names for the series key or the event time is absent or null. */
        MISSING_FIELD,
        /** A feature's field holds something that is not a number. */
        NOT_A_NUMBER,
        /** The event time field holds something that is not a time. */
        INVALID_TIME
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
