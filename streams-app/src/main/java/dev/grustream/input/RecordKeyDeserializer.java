package dev.grustream.input;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Reads a record key as the series id it names: UTF-8 text, strictly. Kafka's {@code StringDeserializer} turns bytes
 * that are not UTF-8 into U+FFFD, so two different keys would name one series and share its stored state; this one
 * refuses them with an {@link InputException} ({@link InputException.Reason#UNDECODABLE}), and the record is
 * dead-lettered with its key bytes as they came. A null key stays null (the processor dead-letters it as such).
 *
 * <p>Stateless and thread-safe.
 */
public final class RecordKeyDeserializer implements Deserializer<String> {
    @Override
    public String deserialize(String topic, byte[] data) {
        return data == null ? null : decode(data);
    }

    /** Whether the first {@code length} bytes of {@code bytes} are UTF-8 text. */
    public static boolean isUtf8(byte[] bytes, int length) {
        boolean ascii = true;
        for (int i = 0; i < length && ascii; i++) {
            ascii = bytes[i] >= 0;
        }
        return ascii || !StandardCharsets.UTF_8.newDecoder()
                .decode(ByteBuffer.wrap(bytes, 0, length), CharBuffer.allocate(length), true).isError();
    }

    /**
     * The text of {@code key}'s UTF-8 bytes.
     *
     * @throws InputException if the bytes are not UTF-8
     */
    public static String decode(byte[] key) {
        String text = new String(key, StandardCharsets.UTF_8);
        // The lenient decoding above writes U+FFFD for every malformed sequence, so text without one is exact; with
        // one, the bytes may still hold U+FFFD itself, which the strict decoder tells apart.
        if (text.indexOf('\uFFFD') < 0) {
            return text;
        }
        ByteBuffer in = ByteBuffer.wrap(key);
        // A UTF-8 byte gives at most one char: the buffer cannot overflow.
        CharBuffer out = CharBuffer.allocate(key.length);
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder();
        CoderResult result = decoder.decode(in, out, true);
        if (result.isError()) {
            throw new InputException(InputException.Reason.UNDECODABLE, "the record key is not UTF-8 text ("
                    + key.length + " bytes, malformed from byte " + in.position() + "); the record key names the"
                    + " series");
        }
        decoder.flush(out);
        return out.flip().toString();
    }
}
