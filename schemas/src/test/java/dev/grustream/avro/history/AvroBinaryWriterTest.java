package dev.grustream.avro.history;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** A writer used again after {@link AvroBinaryWriter#reset} never changes the bytes it returned before. */
class AvroBinaryWriterTest {

    @Test
    void bytesReturnedBeforeAResetKeepTheirValuesWhenARecordFillsTheArray() {
        AvroBinaryWriter out = new AvroBinaryWriter(0);
        out.reset(64);
        for (int i = 0; i < 64; i++) {
            out.writeByte(i);
        }
        byte[] first = out.toByteArray();

        out.reset(64);
        for (int i = 0; i < 64; i++) {
            out.writeByte(100 + i);
        }
        byte[] second = out.toByteArray();

        assertThat(first).hasSize(64).startsWith(0, 1, 2).endsWith(63);
        assertThat(second).hasSize(64).startsWith(100, 101, 102).endsWith(163 - 256);
    }

    @Test
    void aResetWriterStartsEmpty() {
        AvroBinaryWriter out = new AvroBinaryWriter(16);
        out.writeLong(300);

        out.reset(16);
        out.writeLong(1);

        assertThat(out.toByteArray()).containsExactly(2);
    }
}
