package dev.grustream.serde;

import java.util.Objects;

import org.apache.kafka.common.errors.SerializationException;

/**
 * A record that cannot be turned into Confluent-framed Avro bytes, or bytes that cannot be turned into a record,
 * with a machine-readable {@link Reason} a dead-letter handler can put in a header.
 *
 * <p>This exception always blames the record (or, for the serializer, the value handed to it). Trouble reaching
 * the registry is reported as {@link SchemaRegistryUnavailableException} instead, so that a healthy record is never
 * dead-lettered because the registry was briefly down. Immutable; safe to share between threads.
 */
public class AvroSerializationException extends SerializationException {
    private static final long serialVersionUID = 1L;

    /** The value of {@link #schemaId()} when the bytes did not get as far as a schema id. */
    public static final int NO_SCHEMA_ID = -1;

    /** Why a record could not be (de)serialized. */
    public enum Reason {
        /** Deserializing: the first byte is not Confluent's magic byte 0, so the bytes are not in the wire format. */
        WRONG_MAGIC_BYTE,
        /** Deserializing: the bytes end inside the 5-byte header or before the Avro body does. */
        TRUNCATED,
        /** Deserializing: the registry does not know the schema id in the header. */
        UNKNOWN_SCHEMA_ID,
        /**
         * The writer's schema cannot be resolved to the reader's (a field the reader needs has no default, a type
         * changed, no generated class exists for the writer's record), or with {@code use.latest.version} the
         * value's schema cannot be read by the latest registered one.
         */
        SCHEMA_MISMATCH,
        /** Deserializing: the Avro body does not decode with the writer's schema, or bytes are left after it. */
        MALFORMED_BODY,
        /** Serializing: the value is neither an Avro record/container nor a primitive Avro can write. */
        UNSUPPORTED_TYPE,
        /** Serializing: the value does not conform to its own schema (a null in a non-null field, a wrong type). */
        INVALID_DATUM,
        /**
         * Serializing: the registry refused the value's schema: incompatible with the subject, invalid, or not
         * registered while {@code auto.register.schemas} is false.
         */
        SCHEMA_REJECTED
    }

    private final Reason reason;
    private final int schemaId;

    public AvroSerializationException(Reason reason, int schemaId, String message, Throwable cause) {
        super(reason + ": " + message, cause);
        this.reason = Objects.requireNonNull(reason, "reason");
        this.schemaId = schemaId;
    }

    public AvroSerializationException(Reason reason, int schemaId, String message) {
        this(reason, schemaId, message, null);
    }

    /** Why the record could not be (de)serialized. */
    public Reason reason() {
        return reason;
    }

    /** The schema id involved (read from the header, or registered for the value), or {@link #NO_SCHEMA_ID}. */
    public int schemaId() {
        return schemaId;
    }
}
