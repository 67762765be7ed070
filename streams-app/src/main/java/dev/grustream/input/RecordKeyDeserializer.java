package dev.grustream.input;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CoderResult;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Reads a record key as the series id it names: UTF-8 text, strictly. Kafka's {@code StringDeserializer} turns bytes
 * that are not UTF-8 into U+FFFD, so two different keys would name one series and share its stored state; this one
 * refuses them with an {@link InputException} ({@link InputException.Reason#UNDECODABLE}), and the record is
 * dead-lettered with its key bytes as they came. A null key stays null (the processor dead-letters it as such).
 *
 * <p>Where the value names the series ({@code input.key.fields}), the record key is only carried to dead letters and
 * may be any bytes (a binary id, an Avro key): {@link #opaque()} reads it one character per byte, which
 * {@link #opaqueBytes} turns back into the same bytes.
 *
 * <p>Stateless and thread-safe.
 */
public final class RecordKeyDeserializer implements Deserializer<String> {
    @Override
    public String deserialize(String topic, byte[] data) {
        return data == null ? null : decode(data);
    }

    /**
     * The text of {@code key}'s UTF-8 bytes.
     *
     * @throws InputException if the bytes are not UTF-8
     */
    public static String decode(byte[] key) {
        String text = utf8(key, key.length);
        if (text == null) {
            throw new InputException(InputException.Reason.UNDECODABLE, "the record key is not UTF-8 text ("
                    + key.length + " bytes, malformed from byte " + malformedAt(key, key.length) + "); the record"
                    + " key names the series");
        }
        return text;
    }

    /** A reader of record keys that name no series: each byte one character (ISO-8859-1), whatever the bytes. */
    public static Deserializer<String> opaque() {
        return (topic, data) -> data == null ? null : new String(data, StandardCharsets.ISO_8859_1);
    }

    /** The bytes of a key {@link #opaque()} read, exactly as they came. */
    public static byte[] opaqueBytes(String key) {
        return key.getBytes(StandardCharsets.ISO_8859_1);
    }

    /** The text of the first {@code length} bytes of {@code bytes}, or null when they are not UTF-8. */
    static String utf8(byte[] bytes, int length) {
        String text = new String(bytes, 0, length, StandardCharsets.UTF_8);
        // The lenient decoding writes U+FFFD for every malformed sequence, so text without one is exact; with one,
        // the bytes may still hold U+FFFD itself, which the strict decoder tells apart.
        return text.indexOf('\uFFFD') < 0 || malformedAt(bytes, length) < 0 ? text : null;
    }

    /** Where the first malformed sequence of the first {@code length} bytes starts, or -1 if there is none. */
    private static int malformedAt(byte[] bytes, int length) {
        ByteBuffer in = ByteBuffer.wrap(bytes, 0, length);
        // A UTF-8 byte gives at most one char: the buffer cannot overflow.
        CoderResult result = StandardCharsets.UTF_8.newDecoder().decode(in, CharBuffer.allocate(length), true);
        return result.isError() ? in.position() : -1;
    }
}
