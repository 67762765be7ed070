package dev.grustream.input;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class RecordKeyDeserializerTest {
    private final RecordKeyDeserializer deserializer = new RecordKeyDeserializer();

    @Test
    void readsUtf8TextOfEveryLength() {
        String key = "cpu/hôte-𝔸/€";
        assertThat(deserializer.deserialize("t", key.getBytes(StandardCharsets.UTF_8))).isEqualTo(key);
    }

    @Test
    void readsTheReplacementCharacterWhenTheBytesHoldIt() {
        String key = "sensor-\uFFFD";
        assertThat(deserializer.deserialize("t", key.getBytes(StandardCharsets.UTF_8))).isEqualTo(key);
    }

    @Test
    void aNullKeyStaysNull() {
        assertThat(deserializer.deserialize("t", null)).isNull();
    }

    @Test
    void refusesABytePastUtf8NamingWhereItIs() {
        assertThatThrownBy(() -> deserializer.deserialize("t", new byte[] {'a', 'b', (byte) 0xFF}))
                .isInstanceOfSatisfying(InputException.class,
                        e -> assertThat(e.reason()).isEqualTo(InputException.Reason.UNDECODABLE))
                .hasMessageContaining("not UTF-8 text (3 bytes, malformed from byte 2)");
    }

    @Test
    void refusesAnEncodedSurrogate() {
        byte[] cesu = {(byte) 0xED, (byte) 0xA0, (byte) 0x80};
        assertThatThrownBy(() -> deserializer.deserialize("t", cesu)).isInstanceOf(InputException.class);
    }

    @Test
    void refusesASequenceCutShort() {
        byte[] cut = {'a', (byte) 0xE2, (byte) 0x82};
        assertThatThrownBy(() -> deserializer.deserialize("t", cut)).isInstanceOf(InputException.class)
                .hasMessageContaining("malformed from byte 1");
    }
}
