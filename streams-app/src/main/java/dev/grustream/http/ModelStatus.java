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

    /**
     * A model that was offered for serving and refused, with the reason; {@code replayed} when it was read again as
     * the instance started and replayed the models topic (it was published before then, and {@code at} is the start).
     */
    record Rejection(String source, String model, String reason, Instant at, boolean replayed) {
    }

    /** A read of the models topic that failed, with the error; the watcher tries again at its next poll. */
    record TopicReadFailure(String reason, Instant at) {
    }

    /**
     * The serving model with where it came from, since when, how many swaps there were and the last refusal, and
     * whether the models topic is followed with its last failed read, all read at one instant: a swap never shows the
     * new model with the old one's source.
     */
    record Snapshot(GruModel active, String source, Instant activeSince, long swaps,
            Optional<Rejection> lastRejection, boolean followingTopic,
            Optional<TopicReadFailure> lastTopicReadFailure) {
    }

    /** The model being served; what each batch reads. */
    GruModel active();

    /** Everything this status reports, consistent with itself. */
    Snapshot snapshot();
}
