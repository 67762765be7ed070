package dev.grustream.serde.internals;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import org.apache.avro.Schema;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;

import dev.grustream.serde.SchemaMetadata;
import dev.grustream.serde.SchemaRegistryException;

/**
 * Answers the Confluent REST calls the client makes, from a {@link SchemaRegistryStore}, with Confluent's bodies,
 * statuses and error codes:
 * <ul>
 *   <li>{@code POST /subjects/{subject}/versions} register: {@code {"id": 1}}</li>
 *   <li>{@code POST /subjects/{subject}} look up: {@code {"subject", "id", "version", "schema"}}</li>
 *   <li>{@code GET /subjects/{subject}/versions/latest}: {@code {"subject", "id", "version", "schema"}}</li>
 *   <li>{@code GET /schemas/ids/{id}}: {@code {"schema": "..."}}</li>
 *   <li>{@code POST /compatibility/subjects/{subject}/versions/latest}: {@code {"is_compatible": true}}</li>
 * </ul>
 * Thread-safe, as the store is.
 */
public final class RegistryHttpHandler implements HttpHandler {
    private final SchemaRegistryStore store;
    private final ObjectMapper json = new ObjectMapper();

    private record Answer(int status, JsonNode body) {
    }

    public RegistryHttpHandler(SchemaRegistryStore store) {
        this.store = Objects.requireNonNull(store, "store");
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            Answer answer;
            try {
                answer = route(exchange.getRequestMethod(), segments(exchange.getRequestURI().getRawPath()),
                        exchange.getRequestBody());
            } catch (SchemaRegistryException e) {
                answer = error(e.status(), e.errorCode(), e.getMessage());
            } catch (RuntimeException e) {
                answer = error(500, SchemaRegistryException.STORE_ERROR, "Error in the in-memory registry: " + e);
            }
            byte[] body = json.writeValueAsBytes(answer.body());
            exchange.getResponseHeaders().set("Content-Type", RegistryApi.CONTENT_TYPE);
            exchange.sendResponseHeaders(answer.status(), body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    private Answer route(String method, List<String> path, InputStream body) throws IOException {
        int length = path.size();
        String root = length == 0 ? "" : path.get(0);
        if (root.equals("subjects") && length == 3 && path.get(2).equals("versions")) {
            return expect("POST", method, () -> registered(path.get(1), schemaOf(body)));
        } else if (root.equals("subjects") && length == 2) {
            return expect("POST", method, () -> metadata(store.lookup(path.get(1), schemaOf(body))));
        } else if (root.equals("subjects") && length == 4 && path.get(2).equals("versions")
                && path.get(3).equals("latest")) {
            return expect("GET", method, () -> metadata(store.latest(path.get(1))));
        } else if (root.equals("schemas") && length == 3 && path.get(1).equals("ids")) {
            return expect("GET", method, () -> schema(store.schemaById(schemaId(path.get(2)))));
        } else if (root.equals("compatibility") && length == 5 && path.get(1).equals("subjects")
                && path.get(3).equals("versions") && path.get(4).equals("latest")) {
            return expect("POST", method, () -> compatibility(store.isCompatible(path.get(2), schemaOf(body))));
        }
        return error(404, 404, "HTTP 404 Not Found");
    }

    private interface Action {
        Answer run() throws IOException;
    }

    private Answer expect(String expected, String method, Action action) throws IOException {
        return expected.equals(method) ? action.run() : error(405, 405, "HTTP 405 Method Not Allowed");
    }

    private Answer registered(String subject, Schema schema) {
        return new Answer(200, json.createObjectNode().put(RegistryApi.FIELD_ID, store.register(subject, schema)));
    }

    private Answer metadata(SchemaMetadata metadata) {
        return new Answer(200, json.createObjectNode()
                .put(RegistryApi.FIELD_SUBJECT, metadata.subject())
                .put(RegistryApi.FIELD_ID, metadata.id())
                .put(RegistryApi.FIELD_VERSION, metadata.version())
                .put(RegistryApi.FIELD_SCHEMA, metadata.schema().toString()));
    }

    private Answer schema(Schema schema) {
        return new Answer(200, json.createObjectNode().put(RegistryApi.FIELD_SCHEMA, schema.toString()));
    }

    private Answer compatibility(boolean compatible) {
        return new Answer(200, json.createObjectNode().put(RegistryApi.FIELD_IS_COMPATIBLE, compatible));
    }

    private Answer error(int status, int errorCode, String message) {
        ObjectNode body = json.createObjectNode()
                .put(RegistryApi.FIELD_ERROR_CODE, errorCode)
                .put(RegistryApi.FIELD_MESSAGE, message);
        return new Answer(status, body);
    }

    private Schema schemaOf(InputStream body) throws IOException {
        JsonNode request;
        try {
            request = json.readTree(body);
        } catch (JsonProcessingException e) {
            throw new SchemaRegistryException("Request body is not JSON: " + e.getOriginalMessage(), 400, 400);
        }
        JsonNode type = request == null ? null : request.get(RegistryApi.FIELD_SCHEMA_TYPE);
        if (type != null && !RegistryApi.SCHEMA_TYPE_AVRO.equals(type.asText())) {
            throw invalidSchema("schemaType " + type.asText() + " is not supported; only AVRO is");
        }
        JsonNode schema = request == null ? null : request.get(RegistryApi.FIELD_SCHEMA);
        if (schema == null || !schema.isTextual()) {
            throw invalidSchema("expected a JSON object with a string field '" + RegistryApi.FIELD_SCHEMA + "'");
        }
        try {
            return new Schema.Parser().parse(schema.asText());
        } catch (RuntimeException e) {
            // Not only SchemaParseException: Avro 1.12 reports an undefined type name with a NullPointerException.
            throw invalidSchema("Invalid schema: " + e);
        }
    }

    private static SchemaRegistryException invalidSchema(String message) {
        return new SchemaRegistryException(message, 422, SchemaRegistryException.INVALID_SCHEMA);
    }

    private static int schemaId(String segment) {
        try {
            return Integer.parseInt(segment);
        } catch (NumberFormatException e) {
            throw new SchemaRegistryException("Schema " + segment + " not found", 404,
                    SchemaRegistryException.SCHEMA_NOT_FOUND);
        }
    }

    // Segments are split before decoding so that an encoded '/' (%2F) in a subject stays inside its segment.
    private static List<String> segments(String rawPath) {
        List<String> segments = new ArrayList<>();
        for (String raw : rawPath.split("/")) {
            if (!raw.isEmpty()) {
                segments.add(RegistryApi.decodeSegment(raw));
            }
        }
        return segments;
    }
}
