package dev.grustream.serde.internals;

import java.nio.ByteBuffer;

/**
 * Confluent's framing of an Avro record: magic byte 0, the writer schema's id as a 4-byte big-endian int, then the
 * Avro binary body. Stateless.
 */
public final class WireFormat {
    public static final byte MAGIC_BYTE = 0;
    public static final int HEADER_SIZE = 5;

    private WireFormat() {
    }

    /** Returns the 5 header bytes for {@code schemaId}. */
    public static byte[] header(int schemaId) {
        return ByteBuffer.allocate(HEADER_SIZE).put(MAGIC_BYTE).putInt(schemaId).array();
    }

    /** Reads the schema id of a header whose length and magic byte were already checked. */
    public static int readSchemaId(byte[] bytes) {
        return ByteBuffer.wrap(bytes).getInt(1);
    }
}
