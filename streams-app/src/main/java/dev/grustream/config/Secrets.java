package dev.grustream.config;

import java.util.List;
import java.util.Locale;

/**
 * Decides which settings are secrets, so that no log line or config summary ever prints one.
 *
 * <p>A setting is secret when its key names a password, secret, credential, key material or JAAS configuration,
 * or when its value carries credentials in a URL ({@code https://user:pass@host}).
 *
 * <p>Stateless and thread-safe.
 */
public final class Secrets {
    static final String HIDDEN = "[hidden]";

    private static final List<String> SECRET_KEY_PARTS = List.of(
            "password", "secret", "credential", "user.info", "jaas.config", "token", "ssl.key", "keystore.key",
            "private");

    private Secrets() {
    }

    /** Whether the value of {@code key} must never be shown. */
    public static boolean isSecretKey(String key) {
        String lower = key.toLowerCase(Locale.ROOT);
        return SECRET_KEY_PARTS.stream().anyMatch(lower::contains);
    }

    /** Returns {@code value}, or {@code [hidden]} when {@code key} is secret; strips credentials from URLs. */
    public static String redact(String key, String value) {
        if (isSecretKey(key)) {
            return HIDDEN;
        }
        // Up to the last '@' before the next address of a list: a password may hold '/', ',' or '@' (hiding more of
        // an address without credentials, up to a later '@', is harmless).
        return value == null ? null : value.replaceAll("://(?:(?!://)\\S)*@", "://" + HIDDEN + "@");
    }
}
