package dev.grustream.avro.history;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.function.IntToDoubleFunction;
import java.util.function.IntToLongFunction;
import org.apache.avro.io.BinaryData;

/**
 * Writes Avro's binary encoding into one growing array, for the records the stream thread writes on every event
 * (a key's stored state, a buffered observation): variable-length zig-zag longs and little-endian doubles through
 * Avro's own {@link BinaryData} helpers, and raw little-endian arrays kept in {@code bytes} fields in bulk. The
 * caller writes a record's fields in its schema's order.
 *
 * <p>Written by hand because Avro's code generator gives no fast path to a record with logical-type fields (its
 * custom coders are off for them), and its generic writer cost a sixth of the stream thread's time in the benchmark
 * (see docs/performance.md). Each caller's test checks its bytes against Avro's own writer.
 *
 * <p>Not thread-safe: one writer per encoded record, or the thread's own ({@link #ofThisThread}).
 */
public final class AvroBinaryWriter {
    private static final VarHandle DOUBLES = MethodHandles.byteArrayViewVarHandle(double[].class,
            ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle FLOATS = MethodHandles.byteArrayViewVarHandle(float[].class,
            ByteOrder.LITTLE_ENDIAN);
    /** The longest variable-length long. */
    private static final int MAX_LONG = 10;

    /** The largest array {@link #reset} keeps. */
    private static final int MAX_RETAINED = 1 << 16;
    private static final ThreadLocal<AvroBinaryWriter> THREADS = ThreadLocal.withInitial(() -> new AvroBinaryWriter(0));

    private byte[] buffer;
    private int size;
    private boolean reused;

    /** A writer whose array starts at {@code expectedSize} bytes and grows as needed. */
    public AvroBinaryWriter(int expectedSize) {
        buffer = new byte[Math.max(expectedSize, 64)];
    }

    /**
     * The calling thread's writer, {@link #reset} for a record of about {@code expectedSize} bytes: its array is kept
     * between records, so that a record is written into it and copied out once, where a new writer's array, reserved a
     * little larger than the record, costs a second allocation and copy. Take each record's {@link #toByteArray()}
     * before the thread writes the next.
     */
    public static AvroBinaryWriter ofThisThread(int expectedSize) {
        AvroBinaryWriter writer = THREADS.get();
        writer.reset(expectedSize);
        return writer;
    }

    /**
     * Forgets what was written, to write another record into the same array, grown to {@code expectedSize} bytes if
     * it is smaller and replaced by one of that size if it grew past {@link #MAX_RETAINED} for an exceptional record.
     * From then on {@link #toByteArray()} always copies, as the array is used again.
     */
    public void reset(int expectedSize) {
        if (buffer.length < expectedSize || buffer.length > Math.max(MAX_RETAINED, expectedSize)) {
            buffer = new byte[Math.max(expectedSize, 64)];
        }
        size = 0;
        reused = true;
    }

    public void writeByte(int value) {
        ensure(1);
        buffer[size++] = (byte) value;
    }

    /** An Avro {@code long} or {@code int}, or a union's branch index. */
    public void writeLong(long value) {
        ensure(MAX_LONG);
        size += BinaryData.encodeLong(value, buffer, size);
    }

    /**
     * The branch index of an optional field, a union {@code ["null", T]}: 1 when it holds a value, which the caller
     * writes next, 0 for null.
     */
    public void writePresence(boolean present) {
        writeLong(present ? 1 : 0);
    }

    public void writeDouble(double value) {
        ensure(Double.BYTES);
        size += BinaryData.encodeDouble(value, buffer, size);
    }

    public void writeString(String value) {
        byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
        writeLong(utf8.length);
        ensure(utf8.length);
        System.arraycopy(utf8, 0, buffer, size, utf8.length);
        size += utf8.length;
    }

    /** An Avro {@code bytes}: the remaining bytes of {@code value}, whose position is left as it was. */
    public void writeBytes(ByteBuffer value) {
        int length = value.remaining();
        writeLong(length);
        ensure(length);
        value.duplicate().get(buffer, size, length);
        size += length;
    }

    /** An Avro {@code map} of {@code double}: the entries in one block, in the map's order, then the empty block. */
    public void writeDoubleMap(Map<? extends CharSequence, Double> map) {
        if (!map.isEmpty()) {
            writeLong(map.size());
            map.forEach((key, value) -> {
                writeString(key.toString());
                writeDouble(value);
            });
        }
        writeLong(0);
    }

    /** An Avro {@code array} of {@code double}: the items in one block, then the empty block that ends it. */
    public void writeDoubleArray(int count, IntToDoubleFunction value) {
        if (count > 0) {
            writeLong(count);
            for (int i = 0; i < count; i++) {
                writeDouble(value.applyAsDouble(i));
            }
        }
        writeLong(0);
    }

    /** An Avro {@code array} of {@code long}: the items in one block, then the empty block that ends it. */
    public void writeLongArray(int count, IntToLongFunction value) {
        if (count > 0) {
            writeLong(count);
            for (int i = 0; i < count; i++) {
                writeLong(value.applyAsLong(i));
            }
        }
        writeLong(0);
    }

    /** An Avro {@code bytes} holding {@code values} as little-endian doubles. */
    public void writeRawDoubles(double[] values) {
        writeLong((long) values.length * Double.BYTES);
        ensure(values.length * Double.BYTES);
        ByteBuffer.wrap(buffer, size, values.length * Double.BYTES).order(ByteOrder.LITTLE_ENDIAN).asDoubleBuffer()
                .put(values);
        size += values.length * Double.BYTES;
    }

    /** An Avro {@code bytes} holding {@code values} as little-endian floats. */
    public void writeRawFloats(float[] values) {
        writeLong((long) values.length * Float.BYTES);
        ensure(values.length * Float.BYTES);
        ByteBuffer.wrap(buffer, size, values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer()
                .put(values);
        size += values.length * Float.BYTES;
    }

    /** An Avro {@code bytes} holding {@code values} as little-endian longs. */
    public void writeRawLongs(long[] values) {
        writeLong((long) values.length * Long.BYTES);
        ensure(values.length * Long.BYTES);
        ByteBuffer.wrap(buffer, size, values.length * Long.BYTES).order(ByteOrder.LITTLE_ENDIAN).asLongBuffer()
                .put(values);
        size += values.length * Long.BYTES;
    }

    /** An Avro {@code bytes} of {@code count} little-endian doubles given one by one. */
    public void writeRawDoubles(int count, IntToDoubleFunction value) {
        writeLong((long) count * Double.BYTES);
        ensure(count * Double.BYTES);
        for (int i = 0; i < count; i++) {
            DOUBLES.set(buffer, size, value.applyAsDouble(i));
            size += Double.BYTES;
        }
    }

    /** An Avro {@code bytes} of {@code count} little-endian floats given one by one. */
    public void writeRawFloats(int count, IntToFloatFunction value) {
        writeLong((long) count * Float.BYTES);
        ensure(count * Float.BYTES);
        for (int i = 0; i < count; i++) {
            FLOATS.set(buffer, size, value.applyAsFloat(i));
            size += Float.BYTES;
        }
    }

    /** The bytes written so far. */
    public byte[] toByteArray() {
        return size == buffer.length && !reused ? buffer : Arrays.copyOf(buffer, size);
    }

    private void ensure(int more) {
        if (size + more > buffer.length) {
            buffer = Arrays.copyOf(buffer, Math.max(buffer.length * 2, size + more));
        }
    }

    /** A float for each index: the day profile's bins. */
    @FunctionalInterface
    public interface IntToFloatFunction {
        float applyAsFloat(int index);
    }
}
