package dev.grustream.avro;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.grustream.avro.history.VersionedRecordCodec;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class VersionedRecordCodecTest {
    private final VersionedRecordCodec<SeriesState> codec = VersionedRecordCodec.forClass(SeriesState.class);

    private static SeriesState state() {
        return SeriesState.newBuilder()
                .setModelName("m")
                .setModelVersion("1")
                .setHidden(ByteBuffer.wrap(new byte[] {1, 2, 3, 4}))
                .setStep(3)
                .setLastEventTime(Instant.ofEpochMilli(1000))
                .setForecast(List.of(1.5))
                .setResiduals(ResidualStats.newBuilder().setCount(2).setMean(List.of(0.1)).setVariance(List.of(0.2))
                        .build())
                .build();
    }

    @Test
    void roundTripsARecord() {
        assertThat(codec.decode(codec.encode(state()))).isEqualTo(state());
    }

    @Test
    void writesTheNewestVersionFirst() {
        assertThat(codec.encode(state())[0]).isEqualTo((byte) codec.currentVersion());
    }

    @Test
    void rejectsAnUnknownVersionNamingIt() {
        byte[] bytes = codec.encode(state());
        bytes[0] = 99;

        assertThatThrownBy(() -> codec.decode(bytes))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Unknown format version 99");
    }

    @Test
    void rejectsATruncatedBody() {
        byte[] bytes = codec.encode(state());

        assertThatThrownBy(() -> codec.decode(Arrays.copyOf(bytes, 6)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Corrupt stored SeriesState");
    }

    @Test
    void rejectsALengthLongerThanTheBodyAsCorrupt() {
        byte[] bytes = codec.encode(state());
        // The model name's length, a one-byte varint after the version byte, claims 2^30 bytes instead.
        byte[] corrupt = new byte[bytes.length + 4];
        corrupt[0] = bytes[0];
        System.arraycopy(new byte[] {(byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, 0x08}, 0, corrupt, 1, 5);
        System.arraycopy(bytes, 2, corrupt, 6, bytes.length - 2);

        assertThatThrownBy(() -> codec.decode(corrupt))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Corrupt stored SeriesState")
                .hasMessageContaining("a string of 1073741824 bytes cannot fit");
    }

    @Test
    void rejectsEmptyBytes() {
        assertThatThrownBy(() -> codec.decode(new byte[0]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("zero bytes");
    }
}
