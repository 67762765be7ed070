package dev.grustream.avro.history;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import org.apache.avro.AvroRuntimeException;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.Decoder;
import org.apache.avro.util.Utf8;

/**
 * A {@link Decoder} over an Avro binary body of known size that refuses any length or item count larger than the
 * whole body before anything is allocated for it.
 *
 * <p>Why: Avro's {@link BinaryDecoder} allocates a string, bytes or array of the length the data claims before it
 * reads it, up to about 2 GB (its only bound is a JVM-wide system property). One corrupt or hostile record, an input
 * record or a stored state whose bytes went bad, could therefore exhaust a stream thread's heap instead of being
 * dead-lettered or reported as corrupt. A claim that cannot fit in the body is reported as an {@link EOFException},
 * as the body then ends before the value does. Item counts are also bounded in all, over every block of every array
 * and map read or skipped: each block's count alone would let many blocks of zero-byte items (nulls, empty records)
 * claim the square of the body's length. The one legitimate value this refuses is a body whose items, zero-byte ones
 * (nulls, empty records, zero-size fixed values) among them, outnumber its bytes.
 *
 * <p>Everything else is passed to the {@link BinaryDecoder}. Not thread-safe: one per decoded body.
 */
public final class LengthCheckingDecoder extends Decoder {
    private final BinaryDecoder in;
    private final int bodyLength;
    /** Items of arrays and maps the body may still claim: every item but a zero-byte one takes a byte at least. */
    private long itemsLeft;

    /** A decoder reading from {@code in}, which holds a body of {@code bodyLength} bytes. */
    public LengthCheckingDecoder(BinaryDecoder in, int bodyLength) {
        this.in = in;
        this.bodyLength = bodyLength;
        this.itemsLeft = bodyLength;
    }

    /** Whether the whole body has been read. */
    public boolean isEnd() throws IOException {
        return in.isEnd();
    }

    @Override
    public Utf8 readString(Utf8 old) throws IOException {
        int length = checkedLength(in.readLong(), "a string");
        Utf8 result = old != null ? old : new Utf8();
        result.setByteLength(length);
        in.readFixed(result.getBytes(), 0, length);
        return result;
    }

    @Override
    public String readString() throws IOException {
        int length = checkedLength(in.readLong(), "a string");
        byte[] bytes = new byte[length];
        in.readFixed(bytes, 0, length);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    @Override
    public ByteBuffer readBytes(ByteBuffer old) throws IOException {
        int length = checkedLength(in.readLong(), "a bytes value");
        ByteBuffer result;
        if (old != null && old.hasArray() && length <= old.capacity()) {
            result = old;
            result.clear();
        } else {
            result = ByteBuffer.allocate(length);
        }
        in.readFixed(result.array(), result.arrayOffset() + result.position(), length);
        result.limit(length);
        return result;
    }

    @Override
    public long readArrayStart() throws IOException {
        try {
            return checkedCount(in.readArrayStart(), "an array");
        } catch (UnsupportedOperationException e) {
            throw tooMany(e, "an array");
        }
    }

    @Override
    public long arrayNext() throws IOException {
        try {
            return checkedCount(in.arrayNext(), "an array");
        } catch (UnsupportedOperationException e) {
            throw tooMany(e, "an array");
        }
    }

    @Override
    public long readMapStart() throws IOException {
        try {
            return checkedCount(in.readMapStart(), "a map");
        } catch (UnsupportedOperationException e) {
            throw tooMany(e, "a map");
        }
    }

    @Override
    public long mapNext() throws IOException {
        try {
            return checkedCount(in.mapNext(), "a map");
        } catch (UnsupportedOperationException e) {
            throw tooMany(e, "a map");
        }
    }

    /** Avro refuses a block count beyond what a Java collection can hold this way, not as malformed data. */
    private static EOFException tooMany(UnsupportedOperationException e, String what) {
        return new EOFException(what + " of more items than a collection can hold: " + e.getMessage());
    }

    private int checkedLength(long length, String what) throws EOFException {
        if (length < 0) {
            throw new AvroRuntimeException("Malformed data: " + what + " with negative length " + length);
        }
        if (length > bodyLength) {
            throw new EOFException(what + " of " + length + " bytes cannot fit in a body of " + bodyLength);
        }
        return (int) length;
    }

    private long checkedCount(long count, String what) throws EOFException {
        if (count > bodyLength) {
            throw new EOFException(what + " of " + count + " items cannot fit in a body of " + bodyLength
                    + " bytes");
        }
        if (count > itemsLeft) {
            throw new EOFException(what + "'s block of " + count + " items after " + (bodyLength - itemsLeft)
                    + " items in all cannot fit in a body of " + bodyLength + " bytes");
        }
        itemsLeft -= Math.max(count, 0);
        return count;
    }

    @Override
    public void readNull() throws IOException {
        in.readNull();
    }

    @Override
    public boolean readBoolean() throws IOException {
        return in.readBoolean();
    }

    @Override
    public int readInt() throws IOException {
        return in.readInt();
    }

    @Override
    public long readLong() throws IOException {
        return in.readLong();
    }

    @Override
    public float readFloat() throws IOException {
        return in.readFloat();
    }

    @Override
    public double readDouble() throws IOException {
        return in.readDouble();
    }

    @Override
    public void skipString() throws IOException {
        in.skipString();
    }

    @Override
    public void skipBytes() throws IOException {
        in.skipBytes();
    }

    @Override
    public void readFixed(byte[] bytes, int start, int length) throws IOException {
        in.readFixed(bytes, start, length);
    }

    @Override
    public void skipFixed(int length) throws IOException {
        in.skipFixed(length);
    }

    @Override
    public int readEnum() throws IOException {
        return in.readEnum();
    }

    @Override
    public long skipArray() throws IOException {
        return checkedCount(in.skipArray(), "an array");
    }

    @Override
    public long skipMap() throws IOException {
        return checkedCount(in.skipMap(), "a map");
    }

    @Override
    public int readIndex() throws IOException {
        return in.readIndex();
    }
}
