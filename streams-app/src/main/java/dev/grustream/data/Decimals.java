package dev.grustream.data;

/**
 * Reads numbers written as text the way JSON and CSV files write them: an optional sign, digits with an optional
 * decimal point, an optional exponent ({@code 12}, {@code -0.5}, {@code .5}, {@code 1e-3}), with surrounding blanks
 * ignored. Java's own grammar, which {@link Double#parseDouble} follows, also takes {@code 12f}, {@code 12d},
 * {@code 0x1p3}, {@code NaN} and {@code Infinity}; none of those is how a producer writes a measurement, so they are
 * refused here rather than read as one. Blanks are white space ({@link String#strip}): a control character such as
 * NUL around the digits makes the text no number. A decimal beyond a double's range ({@code 1e400}) is finite, and
 * reads as the largest double of its sign, so that it is refused as out of range rather than as not finite.
 * Stateless and thread-safe.
 *
 * <p>The check is a scan written here, in time linear in the text: Jackson's {@code NumberInput.looksLikeValidNumber}
 * is a regular expression that backtracks, and took 16 s on a 64 KB run of digits ending in a letter, a value any
 * producer can send.
 */
public final class Decimals {
    private Decimals() {
    }

    /**
     * Returns the value of {@code text}.
     *
     * @throws NumberFormatException if {@code text}, without its surrounding blanks, is not a decimal number
     */
    public static double parse(String text) {
        String trimmed = text.strip();
        if (!isDecimal(trimmed)) {
            throw new NumberFormatException(quoted(text) + " is not a decimal number");
        }
        double value = Double.parseDouble(trimmed);
        return Double.isInfinite(value) ? Math.copySign(Double.MAX_VALUE, value) : value;
    }

    /**
     * {@code text} in quotes for a message, its first 40 characters when longer, control characters written as
     * {@code \}{@code uXXXX}: a message is logged for every record refused, and one megabyte field would otherwise be
     * written to the log whole each time, and a line break in it would start a log line of the producer's writing.
     */
    public static String quoted(String text) {
        if (text.length() <= 40) {
            return "'" + visible(text) + "'";
        }
        // Cut between code points: half a surrogate pair is no text.
        int end = text.offsetByCodePoints(0, text.codePointCount(0, 40));
        return "'" + visible(text.substring(0, end)) + "...' (" + text.length() + " characters)";
    }

    private static String visible(String text) {
        StringBuilder shown = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isISOControl(c)) {
                if (shown == null) {
                    shown = new StringBuilder(text.substring(0, i));
                }
                shown.append(String.format("\\u%04x", (int) c));
            } else if (shown != null) {
                shown.append(c);
            }
        }
        return shown == null ? text : shown.toString();
    }

    /** Whether {@code text} is {@code [+-]? (digits [. digits?] | . digits) ([eE] [+-]? digits)?}. */
    private static boolean isDecimal(String text) {
        int at = sign(text, 0);
        int integral = digits(text, at);
        at += integral;
        int fraction = 0;
        if (at < text.length() && text.charAt(at) == '.') {
            fraction = digits(text, ++at);
            at += fraction;
        }
        if (integral + fraction == 0) {
            return false;
        }
        if (at < text.length() && (text.charAt(at) == 'e' || text.charAt(at) == 'E')) {
            at = sign(text, at + 1);
            int exponent = digits(text, at);
            if (exponent == 0) {
                return false;
            }
            at += exponent;
        }
        return at == text.length();
    }

    private static int sign(String text, int at) {
        return at < text.length() && (text.charAt(at) == '+' || text.charAt(at) == '-') ? at + 1 : at;
    }

    /** How many ASCII digits start at {@code at}. */
    private static int digits(String text, int at) {
        int end = at;
        while (end < text.length() && text.charAt(end) >= '0' && text.charAt(end) <= '9') {
            end++;
        }
        return end - at;
    }
}
