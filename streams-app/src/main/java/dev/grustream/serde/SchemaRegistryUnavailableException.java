package dev.grustream.serde;

/**
 * No Schema Registry URL gave a usable answer: every one refused the connection, timed out or answered with a
 * server error (5xx). The record being (de)serialized is not at fault, so a caller should retry or stop, never
 * dead-letter it.
 *
 * <p>{@link #status()} and {@link #errorCode()} are those of the last 5xx answer, or
 * {@link SchemaRegistryException#NO_STATUS} when no URL answered at all. Immutable; safe to share between threads.
 */
public class SchemaRegistryUnavailableException extends SchemaRegistryException {
    private static final long serialVersionUID = 1L;

    public SchemaRegistryUnavailableException(String message, int status, int errorCode, Throwable cause) {
        super(message, status, errorCode, cause);
    }
}
