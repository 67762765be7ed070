package dev.grustream.model.internals;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.grustream.model.ModelFormatException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The .npy reader and writer; loader-level failures are covered by ModelLoaderTest. */
class NpyTest {

    @Test
    void readsWhatItWrites() throws ModelFormatException {
        float[] values = {1.5f, -2f, Float.MIN_VALUE, 3e38f, 0f, -0f};

        Npy.Array array = Npy.read("a.npy", Npy.writeFloat32(new int[] {2, 3}, values));

        assertThat(array.dtype()).isEqualTo(Npy.DType.FLOAT32);
        assertThat(array.shape()).containsExactly(2, 3);
        assertThat(array.floats()).containsExactly(values);
    }

    @Test
    void writesOneDimensionalShapesTheWayNumpyDoes() {
        byte[] bytes = Npy.writeFloat32(new int[] {3}, new float[3]);

        assertThat(new String(bytes, 10, 60, StandardCharsets.ISO_8859_1)).contains("'shape': (3,)");
    }

    @Test
    void alignsTheDataToSixtyFourBytes() {
        byte[] bytes = Npy.writeFloat32(new int[] {5, 7}, new float[35]);

        assertThat((bytes.length - 35 * 4) % 64).isZero();
        assertThat(bytes[bytes.length - 35 * 4 - 1]).isEqualTo((byte) '\n');
    }

    @Test
    void readsFloat64ArraysWrittenByNumpy() throws Exception {
        Path file = Path.of(getClass().getClassLoader().getResource("reference/after_l1_h4/inputs.npy").toURI());

        Npy.Array array = Npy.read("inputs.npy", Files.readAllBytes(file));

        assertThat(array.dtype()).isEqualTo(Npy.DType.FLOAT64);
        assertThat(array.shape()).containsExactly(1, 1000, 3);
        assertThat(array.values()).hasSize(3000);
    }

    @Test
    void readsVersionTwoHeaders() throws ModelFormatException {
        byte[] header = "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }\n"
                .getBytes(StandardCharsets.ISO_8859_1);
        ByteBuffer file = ByteBuffer.allocate(12 + header.length + 8).order(ByteOrder.LITTLE_ENDIAN);
        file.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 2, 0}).putInt(header.length).put(header);
        file.putFloat(1f).putFloat(2f);

        assertThat(Npy.read("v2.npy", file.array()).floats()).containsExactly(1f, 2f);
    }

    @Test
    void rejectsAnUnknownFormatVersion() {
        byte[] bytes = Npy.writeFloat32(new int[] {1}, new float[1]);
        bytes[6] = 4;

        assertThatThrownBy(() -> Npy.read("v4.npy", bytes))
                .hasMessage("v4.npy: .npy format version expected 1, 2 or 3, found 4");
    }

    @Test
    void rejectsIntegerArrays() {
        byte[] bytes = new String(Npy.writeFloat32(new int[] {1}, new float[1]), StandardCharsets.ISO_8859_1)
                .replace("<f4", "<i4").getBytes(StandardCharsets.ISO_8859_1);

        assertThatThrownBy(() -> Npy.read("i.npy", bytes))
                .hasMessage("i.npy: dtype expected '<f4' (little-endian float32) or '<f8', found '<i4'");
    }

    @Test
    void rejectsAHeaderLongerThanTheFile() {
        byte[] bytes = Npy.writeFloat32(new int[] {1}, new float[1]);
        bytes[8] = (byte) 0xff;

        assertThatThrownBy(() -> Npy.read("short.npy", bytes)).hasMessage("short.npy: truncated .npy header");
    }

    @Test
    void rejectsAVersionTwoHeaderLengthNearTheLargestInteger() {
        ByteBuffer file = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
        file.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 2, 0}).putInt(Integer.MAX_VALUE - 4);

        assertThatThrownBy(() -> Npy.read("huge.npy", file.array())).hasMessage("huge.npy: truncated .npy header");
    }
}
