package dev.grustream.http;

import dev.grustream.model.ModelSpec;
import java.util.List;

/**
 * The answer of {@code GET /v1/model}: the model this instance serves, its shape, where it came from, the last
 * model that was refused, and whether the models topic is followed with its last failed read. Serialised as JSON.
 * Immutable.
 */
public record ModelView(
        String name,
        String version,
        List<String> features,
        List<String> targets,
        int hiddenSize,
        int numLayers,
        int stateSize,
        int horizon,
        String gateVariant,
        String source,
        String activeSince,
        long swaps,
        RejectionView lastRejection,
        boolean followingTopic,
        TopicReadFailureView lastTopicReadFailure) {

    /** The last model refused: where it came from, which model it was (when readable), why, and when. */
    public record RejectionView(String source, String model, String reason, String at, boolean replayed) {
    }

    /** The last failed read of the models topic: the error, and when. */
    public record TopicReadFailureView(String reason, String at) {
    }

    static ModelView of(ModelStatus.Snapshot status) {
        ModelSpec spec = status.active().spec();
        return new ModelView(spec.name(), spec.version(), spec.features(), spec.targets(), spec.hiddenSize(),
                spec.numLayers(), spec.stateSize(), spec.horizon(), spec.gateVariant().jsonName(), status.source(),
                status.activeSince().toString(), status.swaps(), status.lastRejection()
                        .map(r -> new RejectionView(r.source(), r.model(), r.reason(), r.at().toString(),
                                r.replayed()))
                        .orElse(null), status.followingTopic(), status.lastTopicReadFailure()
                        .map(f -> new TopicReadFailureView(f.reason(), f.at().toString())).orElse(null));
    }
}
