package io.confluent.kafka.schemaregistry.client.rest.exceptions;

/**
 * A stand-in, for tests, for the exception of Confluent's registry client of this name (whose jar is not on Maven
 * Central): its status and Confluent's error code, read through the same two getters.
 */
public class RestClientException extends Exception {
    private static final long serialVersionUID = 1L;

    private final int status;
    private final int errorCode;

    public RestClientException(String message, int status, int errorCode) {
        super(message + "; error code: " + errorCode);
        this.status = status;
        this.errorCode = errorCode;
    }

    public int getStatus() {
        return status;
    }

    public int getErrorCode() {
        return errorCode;
    }
}
