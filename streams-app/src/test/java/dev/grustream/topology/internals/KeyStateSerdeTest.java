package dev.grustream.topology.internals;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import dev.grustream.testing.Logs;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class KeyStateSerdeTest {
    private static final byte[] DAMAGED = {99, 1, 2, 3};

    @Test
    void storedBytesThatDoNotDecodeReadAsNoStateAndAreCounted() {
        AtomicInteger unreadable = new AtomicInteger();

        assertThat(new KeyStateSerde(unreadable::incrementAndGet).deserializer().deserialize("", DAMAGED)).isNull();
        assertThat(unreadable).hasValue(1);
    }

    @Test
    void aStoreFullOfUnreadableStatesLogsTenWarningsAMinute() {
        KeyStateSerde serde = new KeyStateSerde();

        List<ILoggingEvent> logged = Logs.of(KeyStateSerde.class, () -> {
            for (int i = 0; i < 25; i++) {
                serde.deserializer().deserialize("", DAMAGED);
            }
        });

        assertThat(logged).filteredOn(e -> e.getLevel() == Level.WARN).hasSize(10);
    }
}
