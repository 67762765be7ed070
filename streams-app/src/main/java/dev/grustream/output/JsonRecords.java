package dev.grustream.output;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import java.io.IOException;
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
    /**
     * Writes a number that is not finite as null: JSON has no NaN or infinity, and Jackson would write a quoted
     * string that a sink expecting a number refuses.
     */
    private static final ObjectMapper JSON = new ObjectMapper(JsonFactory.builder()
            // A character outside the BMP (an emoji in a key) as its UTF-8 bytes, as the record key has it, not
            // as two escaped surrogates.
            .enable(JsonWriteFeature.COMBINE_UNICODE_SURROGATES_IN_UTF8).build()).registerModule(new SimpleModule()
            .addSerializer(Double.class, new FiniteOrNull<>(Double.class))
            .addSerializer(Float.class, new FiniteOrNull<>(Float.class)));

    private JsonRecords() {
    }

    /** The JSON of an Avro record, field by field. */
    public static byte[] of(GenericRecord record) {
        return write(fields(record));
    }

    /** The JSON of an object whose fields are Java values (strings, numbers, booleans, nulls). */
    public static byte[] write(Map<String, Object> fields) {
        try {
            return JSON.writeValueAsBytes(fields);
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

    private static Object plain(Object value) {
        if (value == null || value instanceof Number || value instanceof Boolean) {
            return value;
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

    /** Writes a double or float as a JSON number, or as null when it is not finite. */
    private static final class FiniteOrNull<T extends Number> extends StdSerializer<T> {
        private static final long serialVersionUID = 1L;

        FiniteOrNull(Class<T> type) {
            super(type);
        }

        @Override
        public void serialize(T value, JsonGenerator json, SerializerProvider provider) throws IOException {
            double number = value.doubleValue();
            if (!Double.isFinite(number)) {
                json.writeNull();
            } else if (value instanceof Float single) {
                json.writeNumber(single);
            } else {
                json.writeNumber(number);
            }
        }
    }
}
