package dev.grustream.avro.history;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.junit.jupiter.api.Test;

class LengthCheckingDecoderTest {
    /** A length or item count of a gigabyte. */
    private static final long GIGABYTE = 1L << 30;

    private static byte[] longs(long... values) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        BinaryEncoder out = EncoderFactory.get().directBinaryEncoder(bytes, null);
        for (long value : values) {
            out.writeLong(value);
        }
        out.flush();
        return bytes.toByteArray();
    }

    private static LengthCheckingDecoder over(byte[] body) {
        return new LengthCheckingDecoder(DecoderFactory.get().binaryDecoder(body, 0, body.length, null), body.length);
    }

    @Test
    void refusesAStringLongerThanTheBodyBeforeAllocatingIt() throws IOException {
        LengthCheckingDecoder in = over(longs(GIGABYTE, 0, 0));
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = threads.getCurrentThreadAllocatedBytes();

        Throwable thrown = catchThrowable(in::readString);

        assertThat(threads.getCurrentThreadAllocatedBytes() - before).isLessThan(16L << 20);
        assertThat(thrown).isInstanceOf(EOFException.class)
                .hasMessage("a string of 1073741824 bytes cannot fit in a body of 7");
    }

    @Test
    void refusesBytesLongerThanTheBody() throws IOException {
        LengthCheckingDecoder in = over(longs(GIGABYTE));

        assertThatThrownBy(() -> in.readBytes(null)).isInstanceOf(EOFException.class)
                .hasMessageContaining("a bytes value of 1073741824 bytes cannot fit");
    }

    @Test
    void refusesAnArrayOfMoreItemsThanTheBodyHasBytes() throws IOException {
        LengthCheckingDecoder in = over(longs(GIGABYTE));

        assertThatThrownBy(in::readArrayStart).isInstanceOf(EOFException.class)
                .hasMessageContaining("an array of 1073741824 items cannot fit");
    }

    @Test
    void refusesCountsBeyondWhatAvroReadsAsMalformedData() throws IOException {
        // Avro's own decoder refuses these with UnsupportedOperationException, which callers do not take for data.
        for (long count : new long[] {1L << 31, -(1L << 40)}) {
            assertThatThrownBy(() -> over(longs(count, 0)).readArrayStart()).isInstanceOf(EOFException.class);
            assertThatThrownBy(() -> over(longs(count, 0)).readMapStart()).isInstanceOf(EOFException.class);
            LengthCheckingDecoder afterOneItem = over(longs(1, 0, count, 0));
            afterOneItem.readArrayStart();
            afterOneItem.readLong();
            assertThatThrownBy(afterOneItem::arrayNext).isInstanceOf(EOFException.class);
        }
    }

    @Test
    void refusesBlocksOfZeroByteItemsThatTogetherOutnumberTheBodysBytes() throws IOException {
        // 100 blocks of 10 nulls: each block fits the body's 101 bytes, the 1,000 items do not.
        long[] blocks = new long[101];
        Arrays.fill(blocks, 0, 100, 10);
        LengthCheckingDecoder in = over(longs(blocks));
        Schema nulls = Schema.createArray(Schema.create(Schema.Type.NULL));

        assertThatThrownBy(() -> new GenericDatumReader<Object>(nulls).read(null, in))
                .isInstanceOf(EOFException.class).hasMessageContaining("items in all cannot fit in a body of 101");
    }

    @Test
    void refusesSkippingMoreZeroByteItemsThanTheBodyHasBytes() throws IOException {
        long[] blocks = new long[101];
        Arrays.fill(blocks, 0, 100, 10);
        LengthCheckingDecoder in = over(longs(blocks));

        assertThatThrownBy(() -> {
            for (long block = in.skipArray(); block > 0; block = in.skipArray()) {
                // nothing to skip in a null
            }
        }).isInstanceOf(EOFException.class).hasMessageContaining("items in all cannot fit in a body of 101");
    }

    @Test
    void readsValuesThatFit() throws IOException {
        // "ab", the bytes {7, 8} and the long 3, each length and the long as a zig-zag varint.
        LengthCheckingDecoder in = over(new byte[] {4, 'a', 'b', 4, 7, 8, 6});

        assertThat(in.readString()).isEqualTo("ab");
        assertThat(in.readBytes(null)).isEqualTo(ByteBuffer.wrap(new byte[] {7, 8}));
        assertThat(in.readLong()).isEqualTo(3);
        assertThat(in.isEnd()).isTrue();
    }
}
