package dev.grustream.data;

import com.fasterxml.jackson.core.io.NumberInput;

/**
 * Reads numbers written as text the way JSON and CSV files write them: an optional sign, digits with an optional
 * decimal point, an optional exponent ({@code 12}, {@code -0.5}, {@code .5}, {@code 1e-3}), with surrounding blanks
 * ignored. Java's own grammar, which {@link Double#parseDouble} follows, also takes {@code 12f}, {@code 12d},
 * {@code 0x1p3}, {@code NaN} and {@code Infinity}; none of those is how a producer writes a measurement, so they are
 * refused here rather than read as one. Stateless and thread-safe.
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
        String trimmed = text.trim();
        if (!NumberInput.looksLikeValidNumber(trimmed)) {
            throw new NumberFormatException("'" + text + "' is not a decimal number");
        }
        return Double.parseDouble(trimmed);
    }
}
