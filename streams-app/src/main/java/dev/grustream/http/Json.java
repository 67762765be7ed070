package dev.grustream.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.CharacterEscapes;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;

/**
 * The JSON writer of the HTTP endpoints. Besides what JSON requires, it escapes {@code < > & '} as
 * {@code \u003C}-style sequences, so that a series key or any other string from the outside can never be read as
 * markup by a client that ignores the content type. It also reads the error code of another instance's answer.
 *
 * <p>Stateless and thread-safe.
 */
final class Json {
    private static final ObjectMapper MAPPER = JsonMapper.builder().build();

    static {
        MAPPER.getFactory().setCharacterEscapes(new HtmlSafeEscapes());
    }

    private Json() {
    }

    static byte[] write(Object value) {
        try {
            return MAPPER.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Cannot write a " + value.getClass().getSimpleName() + " as JSON", e);
        }
    }

    /** The {@code error} field of an error body as {@link #write} wrote it; null if the body is not one. */
    static String errorCode(byte[] body) {
        try {
            JsonNode error = MAPPER.readTree(body).path("error");
            return error.isTextual() ? error.asText() : null;
        } catch (IOException e) {
            return null;
        }
    }

    /** JSON's own escapes plus the characters that matter to HTML. */
    private static final class HtmlSafeEscapes extends CharacterEscapes {
        private static final long serialVersionUID = 1L;
        private final int[] escapes;

        HtmlSafeEscapes() {
            escapes = standardAsciiEscapesForJSON();
            escapes['<'] = ESCAPE_STANDARD;
            escapes['>'] = ESCAPE_STANDARD;
            escapes['&'] = ESCAPE_STANDARD;
            escapes['\''] = ESCAPE_STANDARD;
        }

        @Override
        public int[] getEscapeCodesForAscii() {
            return escapes;
        }

        @Override
        public SerializableString getEscapeSequence(int ch) {
            return null;
        }
    }
}
