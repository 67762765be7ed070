package dev.grustream.serde.internals;

import java.nio.ByteBuffer;

import org.apache.avro.Schema;
import org.apache.avro.generic.GenericContainer;
import org.apache.avro.util.Utf8;

/**
 * The Java values the serdes accept besides Avro containers, as Confluent's serializer does: the Avro primitives
 * {@code Boolean, Integer, Long, Float, Double, CharSequence, byte[], ByteBuffer}. A top-level string is returned as
 * {@link String} and top-level bytes as {@code byte[]}, so that what goes in comes back out. Stateless.
 */
public final class AvroValues {
    private static final Schema BOOLEAN = Schema.create(Schema.Type.BOOLEAN);
    private static final Schema INT = Schema.create(Schema.Type.INT);
    private static final Schema LONG = Schema.create(Schema.Type.LONG);
    private static final Schema FLOAT = Schema.create(Schema.Type.FLOAT);
    private static final Schema DOUBLE = Schema.create(Schema.Type.DOUBLE);
    private static final Schema STRING = Schema.create(Schema.Type.STRING);
    private static final Schema BYTES = Schema.create(Schema.Type.BYTES);

    private AvroValues() {
    }

    /** Returns the schema {@code value} is written with, or null when Avro cannot write it. */
    public static Schema schemaOf(Object value) {
        if (value instanceof GenericContainer container) {
            return container.getSchema();
        } else if (value instanceof CharSequence) {
            return STRING;
        } else if (value instanceof Integer) {
            return INT;
        } else if (value instanceof Long) {
            return LONG;
        } else if (value instanceof Double) {
            return DOUBLE;
        } else if (value instanceof Float) {
            return FLOAT;
        } else if (value instanceof Boolean) {
            return BOOLEAN;
        } else if (value instanceof byte[] || value instanceof ByteBuffer) {
            return BYTES;
        }
        return null;
    }

    /** Returns {@code value} as Avro's datum writers expect it (they write bytes only from a ByteBuffer). */
    public static Object toDatum(Object value) {
        return value instanceof byte[] bytes ? ByteBuffer.wrap(bytes) : value;
    }

    /**
     * Returns the bytes of a top-level {@code bytes} datum, which Confluent's wire format carries as the whole body.
     *
     * @throws IllegalArgumentException when {@code datum} is not a {@link ByteBuffer} or {@code byte[]}
     */
    public static byte[] bytesOf(Object datum) {
        if (datum instanceof byte[] bytes) {
            return bytes;
        } else if (datum instanceof ByteBuffer buffer) {
            byte[] bytes = new byte[buffer.remaining()];
            buffer.duplicate().get(bytes);
            return bytes;
        }
        throw new IllegalArgumentException("a bytes value must be a byte[] or ByteBuffer, not a "
                + (datum == null ? "null" : datum.getClass().getName()));
    }

    /** Returns a datum read at the top level as the Java value a caller expects. */
    public static Object fromDatum(Object datum) {
        if (datum instanceof Utf8 utf8) {
            return utf8.toString();
        } else if (datum instanceof ByteBuffer buffer) {
            byte[] bytes = new byte[buffer.remaining()];
            buffer.get(bytes);
            return bytes;
        }
        return datum;
    }
}
