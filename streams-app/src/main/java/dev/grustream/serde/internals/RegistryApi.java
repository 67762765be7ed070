package dev.grustream.serde.internals;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/**
 * The subset of Confluent's Schema Registry REST API that the client speaks and the in-memory server answers:
 * the content type, JSON field names and path-segment encoding both sides must agree on. Stateless.
 */
public final class RegistryApi {
    public static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
    /** What the client accepts, in Confluent's order of preference. */
    public static final String ACCEPT = CONTENT_TYPE + ", application/vnd.schemaregistry+json; q=0.9, "
            + "application/json; q=0.5";

    public static final String FIELD_SCHEMA = "schema";
    public static final String FIELD_SCHEMA_TYPE = "schemaType";
    public static final String FIELD_ID = "id";
    public static final String FIELD_SUBJECT = "subject";
    public static final String FIELD_VERSION = "version";
    public static final String FIELD_REFERENCES = "references";
    public static final String FIELD_NAME = "name";
    public static final String FIELD_IS_COMPATIBLE = "is_compatible";
    public static final String FIELD_ERROR_CODE = "error_code";
    public static final String FIELD_MESSAGE = "message";
    public static final String SCHEMA_TYPE_AVRO = "AVRO";

    private RegistryApi() {
    }

    /**
     * Encodes a subject as one URL path segment. {@link URLEncoder} does form encoding, where a space becomes '+';
     * in a path '+' is a literal plus, so spaces must become %20 instead.
     */
    public static String encodeSegment(String segment) {
        return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** Decodes one raw path segment; a literal '+' stays a plus, as it does in paths (unlike in forms). */
    public static String decodeSegment(String rawSegment) {
        return URLDecoder.decode(rawSegment.replace("+", "%2B"), StandardCharsets.UTF_8);
    }
}
