package dev.grustream.model;

import java.io.IOException;

/**
 * Thrown when a model directory or archive does not hold a valid gru-stream/model/v1 model.
 *
 * <p>The message names the offending file and says what was expected and what was found, for example
 * {@code weight_hh_l0.npy: shape expected [48, 16], found [48, 15]}. It is an {@link IOException} because a
 * malformed model is a problem of the bytes being read, handled where the reading is.
 */
public final class ModelFormatException extends IOException {

    private static final long serialVersionUID = 1L;

    /** Creates an exception with a message naming the file, the expected and the found value. */
    public ModelFormatException(String message) {
        super(message);
    }

    /** Creates an exception with such a message and the lower-level cause. */
    public ModelFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
