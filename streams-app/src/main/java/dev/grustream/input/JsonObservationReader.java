package dev.grustream.input;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.util.List;
import java.util.function.Supplier;
import org.apache.kafka.common.header.Headers;

/**
 * Reads values that are one JSON object each ({@code input.format=json}; no registry), mapped onto observations by
 * an {@link InputMapping}. Numbers may be JSON numbers or strings holding one.
 *
 * <p>Thread-safe.
 */
public final class JsonObservationReader implements ObservationReader {
    /**
     * Strict where leniency would pick a value silently: a field given twice, or a second object after the first, is
     * not one observation.
     */
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();
    /** What {@link #find} gives, compared by identity, for a path that meets an array before its last name. */
    private static final JsonNode THROUGH_ARRAY = JsonNodeFactory.instance.arrayNode();

    /** What a UTF-8 byte order mark decodes to; Jackson skips one before bytes, and so does this reader. */
    private static final String BYTE_ORDER_MARK = "\uFEFF";

    private final ObservationMapper mapper;

    /**
     * @param modelFeatures the serving model's features, read at every value
     */
    public JsonObservationReader(InputMapping mapping, Supplier<List<String>> modelFeatures) {
        this.mapper = new ObservationMapper(mapping, modelFeatures);
    }

    @Override
    public InboundObservation deserialize(String topic, byte[] data) {
        if (data == null) {
            return null;
        }
        // Decoded strictly, and the text parsed: Jackson reads an overlong sequence (C1 81) as the letter it spells
        // (A), and takes bytes that begin 7B 00 for UTF-16, which it decodes leniently; either way two byte strings
        // would name one series, where keys and Avro strings that are not UTF-8 are refused.
        String text = RecordKeyDeserializer.utf8(data, data.length);
        if (text == null) {
            throw new InputException(InputException.Reason.UNDECODABLE, "the value is not valid UTF-8 (a malformed"
                    + " or overlong byte sequence)");
        }
        JsonNode root;
        try {
            root = JSON.readTree(text.startsWith(BYTE_ORDER_MARK) ? text.substring(1) : text);
        } catch (JsonProcessingException e) {
            // Jackson's own words for NaN and Infinity (which Python's json module writes) name a setting of its own.
            throw new InputException(InputException.Reason.UNDECODABLE, "the value is not JSON: "
                    + (e.getOriginalMessage().startsWith("Non-standard token") ? "NaN and Infinity are no JSON"
                            + " numbers; send null or leave the field out" : e.getOriginalMessage()), e);
        }
        if (root == null || !root.isObject()) {
            throw new InputException(InputException.Reason.UNDECODABLE, "the value is JSON but not an object: "
                    + (root == null || root.isMissingNode() ? "empty" : root.getNodeType().toString().toLowerCase(
                            java.util.Locale.ROOT)));
        }
        return mapper.map(path -> valueAt(root, path), data);
    }

    @Override
    public InboundObservation deserialize(String topic, Headers headers, byte[] data) {
        return deserialize(topic, data);
    }

    private static Object valueAt(JsonNode root, FieldPath path) {
        JsonNode node = find(root, path, 0);
        if (node == null) {
            return null;
        }
        if (node == THROUGH_ARRAY) {
            return Fields.INSIDE_ARRAY;
        }
        if (node.isIntegralNumber()) {
            // Beyond a long, exact: as a double two ids would become one series key.
            return node.canConvertToLong() ? node.longValue() : node.bigIntegerValue();
        }
        if (node.isNumber()) {
            // JSON holds no infinity: one here is a literal beyond a double's range (1e400).
            return ObservationMapper.beyondDoubles(node.doubleValue());
        }
        if (node.isTextual()) {
            return node.textValue();
        }
        if (node.isBoolean()) {
            return node.booleanValue();
        }
        return Fields.COMPOSITE;
    }

    /**
     * The non-null node at the names of {@code path} from {@code from} on below {@code node}, or null: nested objects
     * first, then names joined by their dots, for keys that hold dots themselves ({@code "host.name"}, as flattened
     * documents write them). {@link #THROUGH_ARRAY} when the path met an array on every way it could be read and found
     * no value.
     */
    private static JsonNode find(JsonNode node, FieldPath path, int from) {
        if (from == path.names().size()) {
            return node;
        }
        if (node.isArray()) {
            return THROUGH_ARRAY;
        }
        if (!node.isObject()) {
            return null;
        }
        JsonNode array = null;
        for (int to = from + 1; to <= path.names().size(); to++) {
            JsonNode child = node.get(path.span(from, to));
            if (child != null && !child.isNull()) {
                JsonNode found = find(child, path, to);
                if (found == THROUGH_ARRAY) {
                    array = found;
                } else if (found != null) {
                    return found;
                }
            }
        }
        return array;
    }
}
