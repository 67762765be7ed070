package dev.grustream.http;

import org.apache.kafka.streams.KafkaStreams;

/**
 * The liveness and readiness of an instance, derived from its Kafka Streams client's state.
 *
 * <p>Ready while {@code RUNNING}, and while {@code REBALANCING} once the client has run: Kafka Streams rebalances
 * cooperatively, so an instance keeps processing the partitions it keeps, and taking every instance out of service at
 * each rebalance (every instance rebalances when one joins or leaves) would leave a rolling restart with no instance
 * to route to. Queries then answer 503 with {@code Retry-After} while a stream thread restores the partitions it was
 * given, rather than failing to connect. Not ready while it restores its first assignment, or stops. The readiness
 * endpoint asks more than queries do: the stores caught up once ({@link KeyStateSource#caughtUp}), and no request to
 * stop. Live unless the client failed:
 * {@code PENDING_ERROR} and {@code ERROR}, or {@code NOT_RUNNING} that nobody asked for. An orchestrator restarts what
 * is not live and routes traffic only to what is ready. Stateless.
 */
public final class Health {
    private Health() {
    }

    /**
     * Whether the instance is ready to serve.
     *
     * @param hasRun whether the client has been {@code RUNNING} since it started
     */
    public static boolean isReady(KafkaStreams.State state, boolean hasRun) {
        return state == KafkaStreams.State.RUNNING || state == KafkaStreams.State.REBALANCING && hasRun;
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
