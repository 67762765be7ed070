package dev.grustream.serde;

import java.lang.reflect.Method;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.ThrottlingQuotaExceededException;

/**
 * An error answered to Confluent's own registry client ({@code RestClientException}), found in a cause chain: a
 * user may read the input with Confluent's deserializer ({@code input.value.deserializer}), which reports the
 * registry's answers that way. Read by reflection, since Confluent's jars are the user's and not a dependency. An
 * answer whose error code is a bare HTTP status (401, 429...) Confluent's serdes report instead as an
 * {@link InvalidConfigurationException} with the client's message and no cause; its code is read from that message
 * ("...; error code: 401"), the only place it is left. Releases from 2024 on report a 429 as a
 * {@link ThrottlingQuotaExceededException} with the client's message and no cause, read as that status. Immutable.
 *
 * @param status the HTTP status of the answer
 * @param errorCode Confluent's {@code error_code} in it
 */
public record ConfluentRegistryError(int status, int errorCode) {
    static final String CLASS_NAME = "io.confluent.kafka.schemaregistry.client.rest.exceptions.RestClientException";
    /** What a field reads as when the class has no such getter (another version of it). */
    private static final int UNKNOWN = -1;
    private static final int TOO_MANY_REQUESTS = 429;
    /** How Confluent's client ends the message of its error. */
    private static final Pattern ERROR_CODE = Pattern.compile("; error code: (4\\d\\d)$");

    /** The first of Confluent's registry errors in {@code exception}'s cause chain, or empty. */
    public static Optional<ConfluentRegistryError> in(Throwable exception) {
        for (Throwable t = exception; t != null; t = t.getCause()) {
            for (Class<?> type = t.getClass(); type != null; type = type.getSuperclass()) {
                if (type.getName().equals(CLASS_NAME)) {
                    return Optional.of(new ConfluentRegistryError(read(t, "getStatus"), read(t, "getErrorCode")));
                }
            }
            if (t instanceof ThrottlingQuotaExceededException) {
                return Optional.of(new ConfluentRegistryError(TOO_MANY_REQUESTS, TOO_MANY_REQUESTS));
            }
            if (t instanceof InvalidConfigurationException && t.getMessage() != null) {
                Matcher code = ERROR_CODE.matcher(t.getMessage());
                if (code.find()) {
                    int status = Integer.parseInt(code.group(1));
                    return Optional.of(new ConfluentRegistryError(status, status));
                }
            }
        }
        return Optional.empty();
    }

    private static int read(Throwable error, String getter) {
        try {
            Method method = error.getClass().getMethod(getter);
            return method.invoke(error) instanceof Integer value ? value : UNKNOWN;
        } catch (ReflectiveOperationException | RuntimeException e) {
            // An answer of unknown status fails the task rather than blame the record.
            return UNKNOWN;
        }
    }

    /** Whether the registry refused the credentials or the permission (401, 403): no retry helps. */
    public boolean refused() {
        return status == 401 || status == 403;
    }

    /** Whether the registry could not answer now (5xx, 408, 429): a retry may help. */
    public boolean unavailable() {
        return status >= 500 || status == 408 || status == TOO_MANY_REQUESTS;
    }

    /** Whether the registry said it has no such schema id (40403): the record's fault. */
    public boolean unknownSchemaId() {
        return errorCode == SchemaRegistryException.SCHEMA_NOT_FOUND;
    }

    /** Whether the registry said the schema is not one it can use (42201): the record's fault. */
    public boolean invalidSchema() {
        return errorCode == SchemaRegistryException.INVALID_SCHEMA;
    }
}
