package dev.grustream.http;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;

/**
 * Turns the percent-encoded path segment of {@code /v1/series/{key}} into a series key, refusing what cannot be
 * one. A {@code +} stays a plus (this is a path, not a form), {@code %2F} becomes a slash.
 *
 * <p>Stateless and thread-safe.
 */
final class SeriesKeys {
    private SeriesKeys() {
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
            key = new URI("http://key/" + encoded).getPath().substring(1);
        } catch (URISyntaxException e) {
            throw HttpProblem.badRequest("invalid_key", "The key is not correctly percent-encoded (RFC 3986)");
        }
        if (key.isEmpty()) {
            throw HttpProblem.badRequest("invalid_key", "The key is empty");
        }
        if (key.getBytes(StandardCharsets.UTF_8).length > maxBytes) {
            throw tooLong(maxBytes);
        }
        return key;
    }

    private static HttpProblem tooLong(int maxBytes) {
        return HttpProblem.badRequest("key_too_long", "The key is longer than " + maxBytes
                + " UTF-8 bytes, the longest the service accepts (input.max.key.bytes)");
    }
}
