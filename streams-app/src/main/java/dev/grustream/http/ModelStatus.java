package dev.grustream.http;

import dev.grustream.model.GruModel;
import java.time.Instant;
import java.util.Optional;

/**
 * What the HTTP endpoints report about the model being served: the model itself, where it came from, since when,
 * and the last model that was offered and refused.
 *
 * <p>Implementations are thread-safe.
 */
public interface ModelStatus {

    /** A model that was offered for serving and refused, with the reason. */
    record Rejection(String source, String model, String reason, Instant at) {
    }

    GruModel active();

    /** Where the active model came from, e.g. {@code file:/models/m.zip} or {@code topic models-0@12}. */
    String source();

    /** When the active model started serving. */
    Instant activeSince();

    /** How many times the active model was replaced since this instance started. */
    long swaps();

    Optional<Rejection> lastRejection();
}
