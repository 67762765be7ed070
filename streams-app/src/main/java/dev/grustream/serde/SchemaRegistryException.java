package dev.grustream.serde;

import org.apache.kafka.common.KafkaException;

/**
 * An error answered by a Schema Registry, or raised by the in-process one with the same meaning: the HTTP status
 * and Confluent's {@code error_code} travel with it so a caller can tell "subject not found" (40401) from
 * "incompatible schema" (40901) without parsing messages.
 *
 * <p>This is not a bad-record error: a serde that meets a registry error it cannot blame on the record rethrows it
 * as is, so it is never dead-lettered. Immutable; safe to share between threads.
 */
public class SchemaRegistryException extends KafkaException {
    private static final long serialVersionUID = 1L;

    /** The status when no HTTP response was received (connection refused, timeout). */
    public static final int NO_STATUS = -1;
    /** The error code when the response carried none (an empty or non-JSON body, e.g. from a proxy). */
    public static final int NO_ERROR_CODE = -1;

    /** Confluent's error code for a subject that has no versions. */
    public static final int SUBJECT_NOT_FOUND = 40401;
    /** Confluent's error code for an unknown schema id, or a schema not registered under a subject. */
    public static final int SCHEMA_NOT_FOUND = 40403;
    /** Confluent's error code (status 409) for a schema that breaks the subject's compatibility level. */
    public static final int INCOMPATIBLE_SCHEMA = 40901;
    /** Confluent's error code (status 422) for a schema that does not parse. */
    public static final int INVALID_SCHEMA = 42201;
    /** Confluent's error code (status 500) for a failure of the registry's backing store. */
    public static final int STORE_ERROR = 50001;

    private final int status;
    private final int errorCode;

    public SchemaRegistryException(String message, int status, int errorCode) {
        super(message);
        this.status = status;
        this.errorCode = errorCode;
    }

    public SchemaRegistryException(String message, int status, int errorCode, Throwable cause) {
        super(message, cause);
        this.status = status;
        this.errorCode = errorCode;
    }

    /** The HTTP status of the registry's answer, or {@link #NO_STATUS}. */
    public int status() {
        return status;
    }

    /** Confluent's {@code error_code} from the answer's body, or {@link #NO_ERROR_CODE}. */
    public int errorCode() {
        return errorCode;
    }

    /** Whether the registry said that the subject, version or schema asked for does not exist (status 404). */
    public boolean isNotFound() {
        return status == 404;
    }

    /**
     * Whether the registry refused what was asked of it about a subject or schema: a 404, 409 or 422 carrying one of
     * the codes Confluent's registry gives such answers (404xx, 409xx, 422xx, or 409 from older releases). The
     * same statuses with no code (a proxy's page) or with the bare status as the code (Confluent's own answer to a
     * path it does not serve, as behind a wrong URL) are not: the deployment is at fault there.
     */
    public boolean isRefusal() {
        return switch (status) {
            case 404, 422 -> errorCode / 100 == status;
            case 409 -> errorCode == status || errorCode / 100 == status;
            default -> false;
        };
    }
}
