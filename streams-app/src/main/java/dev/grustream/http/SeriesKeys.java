package dev.grustream.http;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;

/**
 * Series keys at the HTTP edge: turns the percent-encoded path segment of {@code /v1/series/{key}} into a series key,
 * refusing what cannot be one (a {@code +} stays a plus, this is a path, not a form; {@code %2F} becomes a slash), and
 * bounds a listing of keys by their bytes.
 *
 * <p>Stateless and thread-safe.
 */
final class SeriesKeys {
    private SeriesKeys() {
    }

    /**
     * The first of {@code keys}: at most {@code limit}, and no more once the next would take their UTF-8 bytes past
     * {@code maxBytes} (the first is listed whatever its length), so that a listing of long keys stays bounded.
     */
    static List<String> listed(Iterator<String> keys, int limit, long maxBytes) {
        List<String> listed = new ArrayList<>();
        long bytes = 0;
        while (keys.hasNext() && listed.size() < limit) {
            String key = keys.next();
            bytes += key.getBytes(StandardCharsets.UTF_8).length;
            if (bytes > maxBytes && !listed.isEmpty()) {
                break;
            }
            listed.add(key);
        }
        return listed;
    }

    /**
     * Decodes {@code encoded} and checks it.
     *
     * @param maxBytes the longest key the topology accepts, in UTF-8 bytes ({@code input.max.key.bytes})
     * @throws HttpProblem 400 if the encoding is malformed, the key empty, or longer than {@code maxBytes}
     */
    static String decode(String encoded, int maxBytes) {
        // A percent-encoded key is at most three characters per byte: refuse longer input before decoding it.
        if (encoded.length() > 3L * maxBytes) {
            throw tooLong(maxBytes);
        }
        String key;
        try {
            // The authority keeps a key that starts with a slash from being read as one.
            key = utf8(new URI("http://key/" + encoded).getRawPath().substring(1));
        } catch (URISyntaxException e) {
            throw HttpProblem.badRequest("invalid_key", "The key is not correctly percent-encoded (RFC 3986)");
        } catch (CharacterCodingException e) {
            throw HttpProblem.badRequest("invalid_key", "The key's percent-encoded bytes are not UTF-8");
        }
        if (key.isEmpty()) {
            throw HttpProblem.badRequest("invalid_key", "The key is empty");
        }
        if (key.getBytes(StandardCharsets.UTF_8).length > maxBytes) {
            throw tooLong(maxBytes);
        }
        return key;
    }

    /**
     * Decodes a path that {@link URI} has checked, strictly: {@link URI#getPath()} turns bytes that are not UTF-8 into
     * U+FFFD, so that {@code %FF} and {@code %FE} would both ask for the key "\uFFFD".
     */
    private static String utf8(String rawPath) throws CharacterCodingException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(rawPath.length());
        int from = 0;
        for (int percent = rawPath.indexOf('%'); percent >= 0; percent = rawPath.indexOf('%', from)) {
            // URI leaves characters other than escapes as they are, non-ASCII ones among them.
            bytes.writeBytes(rawPath.substring(from, percent).getBytes(StandardCharsets.UTF_8));
            bytes.write(HexFormat.fromHexDigits(rawPath, percent + 1, percent + 3));
            from = percent + 3;
        }
        bytes.writeBytes(rawPath.substring(from).getBytes(StandardCharsets.UTF_8));
        return StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes.toByteArray())).toString();
    }

    private static HttpProblem tooLong(int maxBytes) {
        return HttpProblem.badRequest("key_too_long", "The key is longer than " + maxBytes
                + " UTF-8 bytes, the longest the service accepts (input.max.key.bytes)");
    }
}
