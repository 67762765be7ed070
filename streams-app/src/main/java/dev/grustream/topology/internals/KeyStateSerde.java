package dev.grustream.topology.internals;

import dev.grustream.forecast.KeyState;
import dev.grustream.forecast.KeyStateCodec;
import dev.grustream.topology.LogThrottle;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * The state store's serde of a key's {@link KeyState}: {@link KeyStateCodec}'s bytes.
 *
 * <p>Stored bytes that do not decode (corrupted, or written by a newer release before a rollback) read as no state,
 * counted and with a warning (ten a minute, the others at DEBUG): the key then starts afresh on its next observation
 * and the TTL scan deletes it, where an exception would fail the task on every retry and stop its partitions for good.
 *
 * <p>Thread-safe: the store, standby restoration and interactive queries may share it.
 */
public final class KeyStateSerde implements Serde<KeyState> {
    private static final Logger LOG = LoggerFactory.getLogger(KeyStateSerde.class);
    private static final String UNREADABLE = "unreadable states";

    private final Runnable onUnreadable;
    private final LogThrottle logged = LogThrottle.tenAMinute();

    /** A serde that only logs the states it cannot read. */
    public KeyStateSerde() {
        this(() -> { });
    }

    /** @param onUnreadable told of each stored state that cannot be read, to count it */
    public KeyStateSerde(Runnable onUnreadable) {
        this.onUnreadable = onUnreadable;
    }

    @Override
    public Serializer<KeyState> serializer() {
        return (topic, state) -> state == null ? null : KeyStateCodec.encode(state);
    }

    @Override
    public Deserializer<KeyState> deserializer() {
        return (topic, bytes) -> {
            if (bytes == null) {
                return null;
            }
            try {
                return KeyStateCodec.decode(bytes);
            } catch (RuntimeException e) {
                // Whatever the bytes make the decoder throw: they are not a state this release can use.
                onUnreadable.run();
                LogThrottle.Told told = logged.tell(UNREADABLE, Level.WARN);
                LOG.atLevel(told.level()).log("A stored key state of {} bytes cannot be read and is taken as none: its"
                        + " key starts afresh ({}){}", bytes.length, e.toString(), told.heldBack());
                return null;
            }
        };
    }
}
