package dev.grustream.avro.history;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;

/**
 * Encodes a stored record as one byte of format version followed by its Avro binary body, and decodes bytes of any
 * published version into the current class.
 *
 * <p>The version is the record's number in {@link SchemaHistory}: bytes written by an older release are read with
 * the schema they were written with and resolved to the current one, so an upgrade never strands stored state.
 * {@code VersionedRecordCodec.forClass(SeriesState.class).encode(state)} writes the newest version.
 *
 * <p>Thread-safe: Avro's readers and writers may be shared between threads, and every call uses its own encoder.
 *
 * @param <T> the generated record class
 */
public final class VersionedRecordCodec<T extends SpecificRecord> {
    private final Class<T> type;
    private final byte currentVersion;
    private final SpecificDatumWriter<T> writer;
    private final SpecificDatumReader<T>[] readers;

    private VersionedRecordCodec(Class<T> type) {
        this.type = type;
        Schema current = SpecificData.get().getSchema(type);
        int latest = SchemaHistory.latestVersion(current.getName());
        if (latest > Byte.MAX_VALUE) {
            throw new IllegalStateException("Too many versions of " + current.getName() + " for a one-byte header");
        }
        this.currentVersion = (byte) latest;
        this.writer = new SpecificDatumWriter<>(current);
        @SuppressWarnings("unchecked")
        SpecificDatumReader<T>[] byVersion = new SpecificDatumReader[latest + 1];
        for (int v = 1; v <= latest; v++) {
            byVersion[v] = new SpecificDatumReader<>(SchemaHistory.version(current.getName(), v), current);
        }
        this.readers = byVersion;
    }

    /** Returns a codec for the generated class {@code type}, whose schema must be published in the history. */
    public static <T extends SpecificRecord> VersionedRecordCodec<T> forClass(Class<T> type) {
        return new VersionedRecordCodec<>(type);
    }

    /** The version byte this codec writes. */
    public int currentVersion() {
        return currentVersion;
    }

    /** Encodes {@code record} with the newest version. */
    public byte[] encode(T record) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        out.write(currentVersion);
        BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
        try {
            writer.write(record, encoder);
            encoder.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot encode a " + type.getSimpleName(), e);
        }
        return out.toByteArray();
    }

    /**
     * Decodes bytes written by {@link #encode} of this or an earlier release.
     *
     * @throws IllegalArgumentException if the bytes are empty, of an unknown version or not a valid body
     */
    public T decode(byte[] bytes) {
        if (bytes.length == 0) {
            throw new IllegalArgumentException("Cannot decode a " + type.getSimpleName() + " from zero bytes");
        }
        int version = bytes[0] & 0xff;
        if (version < 1 || version >= readers.length) {
            throw new IllegalArgumentException("Unknown format version " + version + " of a stored "
                    + type.getSimpleName() + "; this release reads versions 1 to " + currentVersion);
        }
        LengthCheckingDecoder decoder = new LengthCheckingDecoder(
                DecoderFactory.get().binaryDecoder(bytes, 1, bytes.length - 1, null), bytes.length - 1);
        try {
            T record = readers[version].read(null, decoder);
            if (!decoder.isEnd()) {
                throw new EOFException("bytes left after the record");
            }
            return record;
        } catch (IOException | AvroRuntimeException | IndexOutOfBoundsException e) {
            throw new IllegalArgumentException("Corrupt stored " + type.getSimpleName() + " (version " + version
                    + ", " + bytes.length + " bytes): " + e.getMessage(), e);
        }
    }
}
