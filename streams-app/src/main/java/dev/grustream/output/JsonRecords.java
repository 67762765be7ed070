package dev.grustream.output;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.common.errors.SerializationException;

/**
 * Records as plain JSON objects ({@code output.format=json}): the fields of the Avro record under their Avro names,
 * maps as objects, arrays as arrays, enums as their names, times as epoch milliseconds, nulls as null.
 *
 * <p>Written by hand rather than with Avro's JSON encoder, which wraps every union value in an object naming its
 * branch ({@code {"double": 1.5}}) that no sink expects. Stateless and thread-safe.
 */
public final class JsonRecords {
    private static final ObjectMapper JSON = new ObjectMapper();

    private JsonRecords() {
    }

    /** The JSON of an Avro record, field by field. */
    public static byte[] of(GenericRecord record) {
        return write(fields(record));
    }

    /**
     * The JSON of an object whose fields are Java values (strings, numbers, booleans, nulls). A number that is not
     * finite is written as null: JSON has no NaN or infinity, and Jackson would write a quoted string that a sink
     * expecting a number refuses.
     */
    public static byte[] write(Map<String, Object> fields) {
        Map<String, Object> finite = new LinkedHashMap<>(fields);
        finite.replaceAll((name, value) -> finiteOrNull(value));
        try {
            return JSON.writeValueAsBytes(finite);
        } catch (JsonProcessingException e) {
            throw new SerializationException("cannot write JSON: " + e.getOriginalMessage(), e);
        }
    }

    private static Map<String, Object> fields(GenericRecord record) {
        Map<String, Object> fields = new LinkedHashMap<>();
        for (Schema.Field field : record.getSchema().getFields()) {
            fields.put(field.name(), plain(record.get(field.pos())));
        }
        return fields;
    }

    private static Object finiteOrNull(Object value) {
        if (value instanceof Double number && !Double.isFinite(number)
                || value instanceof Float single && !Float.isFinite(single)) {
            return null;
        }
        return value;
    }

    private static Object plain(Object value) {
        if (value == null || value instanceof Number || value instanceof Boolean) {
            return finiteOrNull(value);
        }
        if (value instanceof Instant instant) {
            return instant.toEpochMilli();
        }
        if (value instanceof GenericRecord record) {
            return fields(record);
        }
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> object = new LinkedHashMap<>();
            map.forEach((key, item) -> object.put(key.toString(), plain(item)));
            return object;
        }
        if (value instanceof List<?> list) {
            List<Object> array = new ArrayList<>(list.size());
            list.forEach(item -> array.add(plain(item)));
            return array;
        }
        return value.toString();
    }
}
