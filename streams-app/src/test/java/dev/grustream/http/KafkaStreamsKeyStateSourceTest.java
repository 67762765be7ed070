package dev.grustream.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;

class KafkaStreamsKeyStateSourceTest {
    // Only the state listener is exercised: the client itself is never read.
    private final KafkaStreamsKeyStateSource source = new KafkaStreamsKeyStateSource(null);

    @Test
    void hasRunOnlyOnceTheClientReachedRunningAndForEverAfter() {
        source.onStateChange(KafkaStreams.State.REBALANCING);
        assertThat(source.hasRun()).isFalse();

        source.onStateChange(KafkaStreams.State.RUNNING);
        source.onStateChange(KafkaStreams.State.REBALANCING);

        assertThat(source.hasRun()).isTrue();
    }
}
