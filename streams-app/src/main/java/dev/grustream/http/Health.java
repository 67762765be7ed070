package dev.grustream.http;

import org.apache.kafka.streams.KafkaStreams;

/**
 * The liveness and readiness of an instance, derived from its Kafka Streams client's state.
 *
 * <p>Ready only while {@code RUNNING}: then this instance processes its partitions and answers queries at once.
 * Live unless the client failed: {@code PENDING_ERROR} and {@code ERROR}, or {@code NOT_RUNNING} that nobody asked
 * for. An orchestrator restarts what is not live and routes traffic only to what is ready. Stateless.
 */
public final class Health {
    private Health() {
    }

    public static boolean isReady(KafkaStreams.State state) {
        return state == KafkaStreams.State.RUNNING;
    }

    /**
     * Whether the instance is alive.
     *
     * @param closing whether this instance was asked to stop, which makes {@code NOT_RUNNING} expected
     */
    public static boolean isLive(KafkaStreams.State state, boolean closing) {
        return switch (state) {
            case PENDING_ERROR, ERROR -> false;
            case NOT_RUNNING -> closing;
            default -> true;
        };
    }
}
