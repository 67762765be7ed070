package dev.grustream.forecast;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.function.IntToDoubleFunction;
import org.apache.avro.io.BinaryData;

/**
 * Writes Avro's binary encoding into one growing array: variable-length zig-zag longs and little-endian doubles
 * through Avro's own {@link BinaryData} helpers, and the raw little-endian arrays the stored state keeps in
 * {@code bytes} fields in bulk.
 *
 * <p>Written by hand because Avro's code generator gives no fast path to a record with logical-type fields (its
 * custom coders are off for them), and its generic writer cost a sixth of the stream thread's time in the benchmark
 * (see docs/performance.md). {@code KeyStateCodecTest} checks the bytes against Avro's own writer.
 *
 * <p>Not thread-safe: one writer per encoded record.
 */
final class StateWriter {
    private static final VarHandle DOUBLES = MethodHandles.byteArrayViewVarHandle(double[].class,
            ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle FLOATS = MethodHandles.byteArrayViewVarHandle(float[].class,
            ByteOrder.LITTLE_ENDIAN);
    /** The longest variable-length long. */
    private static final int MAX_LONG = 10;

    private byte[] buffer;
    private int size;

    StateWriter(int expectedSize) {
        buffer = new byte[Math.max(expectedSize, 64)];
    }

    void writeByte(int value) {
        ensure(1);
        buffer[size++] = (byte) value;
    }

    /** An Avro {@code long} or {@code int}, or a union's branch index. */
    void writeLong(long value) {
        ensure(MAX_LONG);
        size += BinaryData.encodeLong(value, buffer, size);
    }

    void writeDouble(double value) {
        ensure(Double.BYTES);
        size += BinaryData.encodeDouble(value, buffer, size);
    }

    void writeString(String value) {
        byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
        writeLong(utf8.length);
        ensure(utf8.length);
        System.arraycopy(utf8, 0, buffer, size, utf8.length);
        size += utf8.length;
    }

    /** An Avro {@code array} of {@code double}: the items in one block, then the empty block that ends it. */
    void writeDoubleArray(int count, IntToDoubleFunction value) {
        if (count > 0) {
            writeLong(count);
            for (int i = 0; i < count; i++) {
                writeDouble(value.applyAsDouble(i));
            }
        }
        writeLong(0);
    }

    /** An Avro {@code bytes} holding {@code values} as little-endian doubles. */
    void writeRawDoubles(double[] values) {
        writeLong((long) values.length * Double.BYTES);
        ensure(values.length * Double.BYTES);
        ByteBuffer.wrap(buffer, size, values.length * Double.BYTES).order(ByteOrder.LITTLE_ENDIAN).asDoubleBuffer()
                .put(values);
        size += values.length * Double.BYTES;
    }

    /** An Avro {@code bytes} holding {@code values} as little-endian floats. */
    void writeRawFloats(float[] values) {
        writeLong((long) values.length * Float.BYTES);
        ensure(values.length * Float.BYTES);
        ByteBuffer.wrap(buffer, size, values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer()
                .put(values);
        size += values.length * Float.BYTES;
    }

    /** An Avro {@code bytes} holding {@code values} as little-endian longs. */
    void writeRawLongs(long[] values) {
        writeLong((long) values.length * Long.BYTES);
        ensure(values.length * Long.BYTES);
        ByteBuffer.wrap(buffer, size, values.length * Long.BYTES).order(ByteOrder.LITTLE_ENDIAN).asLongBuffer()
                .put(values);
        size += values.length * Long.BYTES;
    }

    /** An Avro {@code bytes} of {@code count} little-endian doubles given one by one. */
    void writeRawDoubles(int count, IntToDoubleFunction value) {
        writeLong((long) count * Double.BYTES);
        ensure(count * Double.BYTES);
        for (int i = 0; i < count; i++) {
            DOUBLES.set(buffer, size, value.applyAsDouble(i));
            size += Double.BYTES;
        }
    }

    /** An Avro {@code bytes} of {@code count} little-endian floats given one by one. */
    void writeRawFloats(int count, IntToFloatFunction value) {
        writeLong((long) count * Float.BYTES);
        ensure(count * Float.BYTES);
        for (int i = 0; i < count; i++) {
            FLOATS.set(buffer, size, value.applyAsFloat(i));
            size += Float.BYTES;
        }
    }

    /** The bytes written so far. */
    byte[] toByteArray() {
        return size == buffer.length ? buffer : Arrays.copyOf(buffer, size);
    }

    private void ensure(int more) {
        if (size + more > buffer.length) {
            buffer = Arrays.copyOf(buffer, Math.max(buffer.length * 2, size + more));
        }
    }

    /** A float for each index: the day profile's bins. */
    @FunctionalInterface
    interface IntToFloatFunction {
        float applyAsFloat(int index);
    }
}
